"""The yardstick: the leanest bare-SimPy two-stage network an expert would write for the same customers.

73 centre resources (one per town, 3 servers) feed 20 department resources (60 servers); one SimPy
process per customer; Poisson arrivals over the horizon; exponential service; the department stage at
utilisation 0.8 so queues stay finite. Lean on purpose (issue 19): only the standard library and SimPy,
every draw a plain Python float from ``random.Random`` (no numpy scalars reaching SimPy's heap), each
customer's values passed as arguments (no per-customer indexing), and no bookkeeping at all — nothing
recorded, nothing written. ``benchmarks/bench.py`` runs it as a whole process (``python reference.py N``)
beside the whole ``govsim`` command, so both pay their own start-up.

    python benchmarks/reference.py 1030000     # prints customers, wall seconds, µs per customer
"""

from __future__ import annotations

import random
import sys
import time

import simpy

CENTRES, CENTRE_SERVERS = 73, 3
DEPARTMENTS, DEPARTMENT_SERVERS = 20, 60
CENTRE_MEAN_DAYS = 0.02
"""Mean centre service time (days): light load on three servers."""
DEPARTMENT_UTILISATION = 0.8


def customer(env, centre, department, s1, s2):  # noqa: ANN001, ANN201 - a SimPy process, kept bare
    with centre.request() as req:
        yield req
        yield env.timeout(s1)
    with department.request() as req:
        yield req
        yield env.timeout(s2)


def source(env, n, rate, centres, departments, rng, s2_mean):  # noqa: ANN001, ANN201
    timeout, process, expo, rand = env.timeout, env.process, rng.expovariate, rng.random
    for _ in range(n):
        yield timeout(expo(rate))
        process(
            customer(
                env,
                centres[int(rand() * CENTRES)],
                departments[int(rand() * DEPARTMENTS)],
                expo(1.0 / CENTRE_MEAN_DAYS),
                expo(1.0 / s2_mean),
            )
        )


def reference_network(n_customers: int, seed: int = 0, horizon_days: float = 365.0) -> float:
    """Push ``n_customers`` through the network; return the wall seconds of building and running it."""
    start = time.perf_counter()
    rng = random.Random(seed)
    env = simpy.Environment()
    centres = [simpy.Resource(env, capacity=CENTRE_SERVERS) for _ in range(CENTRES)]
    departments = [simpy.Resource(env, capacity=DEPARTMENT_SERVERS) for _ in range(DEPARTMENTS)]
    rate = n_customers / horizon_days  # customers per day
    s2_mean = DEPARTMENT_UTILISATION * DEPARTMENT_SERVERS / (rate / DEPARTMENTS)
    env.process(source(env, n_customers, rate, centres, departments, rng, s2_mean))
    env.run()
    return time.perf_counter() - start


if __name__ == "__main__":
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 200_000
    secs = reference_network(n)
    print(f"reference: {n} customers in {secs:.2f} s = {secs / n * 1e6:.1f} µs per customer")
