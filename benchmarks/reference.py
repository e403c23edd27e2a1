"""The yardstick: the leanest bare-SimPy two-stage network an expert would write for the same customers.

Town centres (one SimPy resource each, with their triage servers) feed department desks (one resource
each, with their servers); one SimPy process per customer; Poisson arrivals over the horizon;
exponential service. A customer arrives at a centre drawn by the centres' shares; a share of customers
(``centre_share``) is served there and, of them, those that go on to a department (``department_share``
of all customers) then queue at one of the desks their centre can reach (its county's), drawn by the
desks' shares; the rest are handled on the spot and hold no server. Service means: a desk's is set so
its utilisation is 0.8 (queues stay finite), a centre's so its utilisation is that of the default
network's centres at the same customer count (light load); a network file may give the means instead.

Without ``--network``: 73 centres of 3 servers, 20 departments of 60, every centre reaching every
department, every customer served at both stages. ``benchmarks/bench.py`` passes govsim's own network
(``--network net.json``, derived from its warm-up run of the default command). The file is JSON::

    {"centre_servers": [6, 3, ...],          # servers per centre (whole numbers ≥ 1)
     "centre_weights": [0.03, ...],          # each centre's share of the customers it serves (≥ 0)
     "desk_servers": [147, 18, ...],         # servers per desk (whole numbers ≥ 1)
     "desk_weights": [0.01, ...],            # each desk's share of the department stage (≥ 0)
     "centre_desks": [[0, 1, 2, 3, 4], ...], # per centre, the desks its customers can reach
     "centre_share": 0.72,                   # share of all customers served at a centre (0..1]
     "department_share": 0.72,               # share of all customers that reach a desk (≤ centre_share)
     "centre_mean_days": [...],              # optional: mean service per centre, days
     "desk_mean_days": [...]}                # optional: mean service per desk, days

Lean on purpose: only the standard library and SimPy, every draw a plain Python float from
``random.Random`` (no numpy scalars reaching SimPy's heap), each customer's values passed as arguments,
the draws by shares a C ``bisect`` on precomputed cumulative shares, and no bookkeeping at all —
nothing recorded, nothing written. ``bench.py`` runs it as a whole process beside the whole ``govsim``
command, so both pay their own start-up.

    python benchmarks/reference.py 1030000                      # prints customers, wall s, µs per customer
    python benchmarks/reference.py 1030000 --network net.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from bisect import bisect
from dataclasses import dataclass
from pathlib import Path

import simpy

CENTRES, CENTRE_SERVERS = 73, 3
DEPARTMENTS, DEPARTMENT_SERVERS = 20, 60
CENTRE_MEAN_DAYS = 0.02
"""Mean centre service time (days) of the default network: light load on three servers."""
DEPARTMENT_UTILISATION = 0.8


def default_network() -> dict[str, object]:
    """The network without ``--network``: 73 × 3 centres, 20 × 60 desks, uniform shares, all reachable."""
    return {
        "centre_servers": [CENTRE_SERVERS] * CENTRES,
        "centre_weights": [1.0] * CENTRES,
        "desk_servers": [DEPARTMENT_SERVERS] * DEPARTMENTS,
        "desk_weights": [1.0] * DEPARTMENTS,
        "centre_desks": [list(range(DEPARTMENTS))] * CENTRES,
        "centre_share": 1.0,
        "department_share": 1.0,
    }


def _fail(key: str, value: object, allowed: str) -> ValueError:
    return ValueError(f"network: {key} = {str(value)[:80]}: allowed: {allowed}")


def check_network(net: dict[str, object]) -> None:
    """``ValueError`` (one line naming the key, its value and what is allowed) if ``net`` is not a network."""
    for key in ("centre_servers", "desk_servers"):
        v = net.get(key)
        if not (isinstance(v, list) and v and all(isinstance(x, int) and x >= 1 for x in v)):
            raise _fail(key, v, "a non-empty list of whole numbers ≥ 1")
    n_c, n_d = len(net["centre_servers"]), len(net["desk_servers"])  # type: ignore[arg-type]
    for key, size in (("centre_weights", n_c), ("desk_weights", n_d)):
        v = net.get(key)
        ok = isinstance(v, list) and len(v) == size and all(isinstance(x, int | float) and x >= 0 for x in v)
        if not ok or not any(v):  # type: ignore[arg-type]
            raise _fail(key, v, f"{size} numbers ≥ 0, not all 0")
    reach = net.get("centre_desks")
    ok = isinstance(reach, list) and len(reach) == n_c
    desk_ok = lambda r: isinstance(r, list) and r and all(isinstance(d, int) and 0 <= d < n_d for d in r)  # noqa: E731
    ok = ok and all(desk_ok(r) for r in reach)  # type: ignore[union-attr]
    if not ok:
        raise _fail("centre_desks", reach, f"{n_c} non-empty lists of desk indices 0..{n_d - 1}")
    for key in ("centre_share", "department_share"):
        v = net.get(key)
        if not (isinstance(v, int | float) and 0 <= v <= 1):
            raise _fail(key, v, "a number in [0, 1]")
    if net["department_share"] > net["centre_share"] or net["centre_share"] == 0:  # type: ignore[operator]
        raise _fail("department_share", net["department_share"], "≤ centre_share, and centre_share > 0")
    for key, size in (("centre_mean_days", n_c), ("desk_mean_days", n_d)):
        v = net.get(key)
        if v is not None and not (
            isinstance(v, list) and len(v) == size and all(isinstance(x, int | float) and x > 0 for x in v)
        ):
            raise _fail(key, v, f"absent, or {size} numbers > 0")
    for c, desks in enumerate(reach):  # type: ignore[arg-type]
        if net["centre_weights"][c] > 0 and not any(net["desk_weights"][d] for d in desks):  # type: ignore[index]
            raise _fail(f"centre_desks[{c}]", desks, "at least one desk with a weight > 0")


def cumulative(weights: list[float]) -> list[float]:
    """Cumulative shares of ``weights`` (≥ 0, not all 0), the last exactly 1.0: ``bisect(cum, u)`` draws."""
    total, acc, out = float(sum(weights)), 0.0, []
    for w in weights:
        acc += w
        out.append(acc / total)
    out[-1] = 1.0
    return out


@dataclass(frozen=True)
class Plan:
    """What the source needs, precomputed once: cumulative shares and service rates (per day)."""

    centre_cum: list[float]
    desk_cum: list[list[float]]  # per centre, over its reachable desks
    centre_desks: list[list[int]]
    centre_rate: list[float]  # 1 / mean service days, per centre
    desk_rate: list[float]  # 1 / mean service days, per desk
    arrival_rate: float  # customers per day
    centre_share: float
    department_share: float


def plan(net: dict[str, object], n_customers: int, horizon_days: float = 365.0) -> Plan:
    """The draw tables and service rates of ``net`` for ``n_customers`` over ``horizon_days``.

    A desk's mean service is ``DEPARTMENT_UTILISATION × servers / its arrival rate`` (its arrival rate
    from the centres' shares, the share reaching a department and the desk's share among its centre's
    reachable desks); a centre's is the utilisation of a default-network centre at the same customer count
    (``rate / 73 × 0.02 / 3``) times its servers over its own arrival rate. ``centre_mean_days`` and
    ``desk_mean_days`` in ``net`` replace these. A centre or desk that no customer reaches gets rate 1.
    """
    rate = n_customers / horizon_days
    cw, dw = net["centre_weights"], net["desk_weights"]
    reach = net["centre_desks"]
    p_c, p_d = float(net["centre_share"]), float(net["department_share"])  # type: ignore[arg-type]
    c_share = [w / sum(cw) for w in cw]  # type: ignore[union-attr,arg-type]
    desk_arrivals = [0.0] * len(dw)  # type: ignore[arg-type]
    desk_cum = []
    for c, desks in enumerate(reach):  # type: ignore[arg-type]
        weights = [float(dw[d]) for d in desks]  # type: ignore[index]
        desk_cum.append(cumulative(weights) if any(weights) else [1.0] * len(desks))
        for d, w in zip(desks, weights, strict=True):
            desk_arrivals[d] += rate * p_d * c_share[c] * (w / sum(weights) if any(weights) else 0.0)
    u_centre = rate / CENTRES * CENTRE_MEAN_DAYS / CENTRE_SERVERS
    c_mean = net.get("centre_mean_days") or [
        u_centre * s / (rate * p_c * sh) if sh > 0 else 1.0
        for s, sh in zip(net["centre_servers"], c_share, strict=True)  # type: ignore[arg-type]
    ]
    d_mean = net.get("desk_mean_days") or [
        DEPARTMENT_UTILISATION * s / a if a > 0 else 1.0
        for s, a in zip(net["desk_servers"], desk_arrivals, strict=True)  # type: ignore[arg-type]
    ]
    return Plan(
        centre_cum=cumulative(cw),  # type: ignore[arg-type]
        desk_cum=desk_cum,
        centre_desks=[list(r) for r in reach],  # type: ignore[union-attr]
        centre_rate=[1.0 / m for m in c_mean],  # type: ignore[union-attr]
        desk_rate=[1.0 / m for m in d_mean],  # type: ignore[union-attr]
        arrival_rate=rate,
        centre_share=p_c,
        department_share=p_d,
    )


def customer(env, centre, desk, s1, s2):  # noqa: ANN001, ANN201 - a SimPy process, kept bare
    with centre.request() as req:
        yield req
        yield env.timeout(s1)
    with desk.request() as req:
        yield req
        yield env.timeout(s2)


def visit(env, centre, s1):  # noqa: ANN001, ANN201 - served at the centre only
    with centre.request() as req:
        yield req
        yield env.timeout(s1)


def source(env, n, p, centres, desks, rng):  # noqa: ANN001, ANN201
    timeout, process, expo, rand = env.timeout, env.process, rng.expovariate, rng.random
    rate, p_c, p_d = p.arrival_rate, p.centre_share, p.department_share
    c_cum, d_cum, reach, c_rate, d_rate = p.centre_cum, p.desk_cum, p.centre_desks, p.centre_rate, p.desk_rate
    for _ in range(n):
        yield timeout(expo(rate))
        u = rand()
        if u >= p_c:
            continue  # handled on the spot: no server held
        c = bisect(c_cum, rand())
        if u < p_d:
            d = reach[c][bisect(d_cum[c], rand())]
            process(customer(env, centres[c], desks[d], expo(c_rate[c]), expo(d_rate[d])))
        else:
            process(visit(env, centres[c], expo(c_rate[c])))


def reference_network(
    n_customers: int, net: dict[str, object] | None = None, seed: int = 0, horizon_days: float = 365.0
) -> float:
    """Push ``n_customers`` through ``net`` (default ``default_network()``); wall seconds to build and run."""
    start = time.perf_counter()
    net = default_network() if net is None else net
    p = plan(net, n_customers, horizon_days)
    rng = random.Random(seed)
    env = simpy.Environment()
    centres = [simpy.Resource(env, capacity=s) for s in net["centre_servers"]]  # type: ignore[union-attr]
    desks = [simpy.Resource(env, capacity=s) for s in net["desk_servers"]]  # type: ignore[union-attr]
    env.process(source(env, n_customers, p, centres, desks, rng))
    env.run()
    return time.perf_counter() - start


def customers(text: str) -> int:
    """An ``argparse`` type: the customer count, a whole number ≥ 1 (``1030000`` or ``1.03e6``)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value >= 1 and value.is_integer()):
        raise argparse.ArgumentTypeError(f"N = {text!r}: allowed: a whole number ≥ 1")
    return int(value)


def read_network(path: Path) -> dict[str, object]:
    """The network file at ``path``, checked; ``ValueError`` with one line if unreadable or not a network."""
    try:
        net = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ValueError(f"--network {path}: {type(e).__name__}: {e}".splitlines()[0]) from None
    if not isinstance(net, dict):
        raise ValueError(f"--network {path}: allowed: a JSON object")
    check_network(net)
    return net


class OneLineParser(argparse.ArgumentParser):
    """``argparse`` with a one-line error (no usage block) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}\n")


def main(argv: list[str] | None = None) -> None:
    """Run the reference from the command line; exit 2 with one line on a bad argument or network file."""
    ap = OneLineParser(prog="reference.py", description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=customers, default=200_000, help="customers (default 200000)")
    ap.add_argument("--network", type=Path, help="a network file (JSON; see the module docstring)")
    args = ap.parse_args(argv)
    try:
        net = read_network(args.network) if args.network else None
    except ValueError as e:
        ap.error(str(e))
    secs = reference_network(args.n, net)
    print(f"reference: {args.n} customers in {secs:.2f} s = {secs / args.n * 1e6:.1f} µs per customer")


if __name__ == "__main__":
    main(sys.argv[1:])
