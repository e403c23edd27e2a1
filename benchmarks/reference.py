"""The reference a researcher would write by hand: a bare SimPy two-stage network.

73 centre resources (one per town) feed 20 department resources; one process per customer; Poisson
arrivals; exponential service. Utilisation is kept moderate so queues stay finite. Used by
``benchmarks/bench.py`` as the yardstick (issue #7): govsim's Jiangmen year must take no longer than
this network pushing the same number of customers.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import simpy


def reference_network(n_customers: int, seed: int = 0, horizon_days: float = 365.0) -> float:
    """Run the bare network for ``n_customers`` and return wall seconds."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    centres = [simpy.Resource(env, capacity=3) for _ in range(73)]
    depts = [simpy.Resource(env, capacity=60) for _ in range(20)]
    rate = n_customers / horizon_days
    gaps = rng.exponential(1.0 / rate, n_customers)
    which_c = rng.integers(0, 73, n_customers)
    which_d = rng.integers(0, 20, n_customers)
    s1 = rng.exponential(0.02, n_customers)  # centre: 3 staff, light load
    s2 = rng.exponential(0.8 * 60 / (rate / 20), n_customers)  # department: 60 staff at utilisation 0.8

    def customer(i: int):
        with centres[which_c[i]].request() as req:
            yield req
            yield env.timeout(s1[i])
        with depts[which_d[i]].request() as req:
            yield req
            yield env.timeout(s2[i])

    def source():
        for i in range(n_customers):
            yield env.timeout(gaps[i])
            env.process(customer(i))

    env.process(source())
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    secs = reference_network(n)
    print(f"reference: {n} customers in {secs:.2f} s = {secs / n * 1e6:.1f} µs per customer")
