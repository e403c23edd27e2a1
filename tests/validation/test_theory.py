"""The exact formulas of ``govsim.theory`` against independent textbook forms and known values."""

from __future__ import annotations

import math

import pytest

from govsim import theory


def erlang_c_closed_form(c: int, a: float) -> float:
    """Erlang C from its factorial sums (Kleinrock vol. 1, eq. 3.40), independent of the B recursion."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize(("c", "a"), [(1, 0.5), (2, 1.0), (3, 2.1), (5, 4.0), (12, 10.5)])
def test_erlang_c_matches_its_closed_form(c, a):
    assert theory.erlang_c(c, a) == pytest.approx(erlang_c_closed_form(c, a), rel=1e-12)


def test_erlang_c_known_values():
    assert theory.erlang_c(1, 0.7) == pytest.approx(0.7)  # M/M/1: P(wait) = rho
    assert theory.erlang_c(2, 1.0) == pytest.approx(1 / 3)  # (1/2 * 2) / (1 + 1 + 1)
    assert theory.erlang_b(1, 1.0) == pytest.approx(0.5)  # a / (1 + a)


def test_mm1_means_are_the_textbook_ones():
    lam, mu = 0.6, 1.0
    m = theory.mmc(lam, mu, 1)
    assert m.wq == pytest.approx(lam / (mu * (mu - lam)))
    assert m.w == pytest.approx(1 / (mu - lam))
    assert m.l == pytest.approx(lam / (mu - lam))
    assert m.lq == pytest.approx(lam**2 / (mu * (mu - lam)))


def test_mmc_means_obey_little_and_add_one_service():
    m = theory.mmc(100.0, 1 / 0.021, 3)
    assert m.w == pytest.approx(m.wq + 0.021)
    assert m.lq == pytest.approx(100.0 * m.wq)
    assert m.l == pytest.approx(m.lq + 100.0 * 0.021)  # L - Lq = mean busy servers = a


def test_unstable_queues_are_refused():
    with pytest.raises(ValueError, match="unstable"):
        theory.mmc(3.0, 1.0, 3)
    with pytest.raises(ValueError, match="unstable"):
        theory.cobham_mg1([1.0], [1.0], [2.0])


def test_jackson_tandem_is_stations_in_isolation():
    tri, dept = theory.jackson_tandem(100.0, [(1 / 0.012, 2), (1 / 0.021, 3)])
    assert tri == theory.mmc(100.0, 1 / 0.012, 2)
    assert dept == theory.mmc(100.0, 1 / 0.021, 3)


def test_cobham_one_class_is_erlang_c_and_classes_conserve_work():
    mu, c = 1 / 0.021, 3
    fifo = theory.mmc(100.0, mu, c).wq
    assert theory.cobham_mmc([100.0], mu, c) == [pytest.approx(fifo)]
    lams = [30.0, 70.0]
    wq = theory.cobham_mmc(lams, mu, c)
    assert wq[0] < fifo < wq[1]
    # Kleinrock's conservation law: equal service rates, so the lam-weighted mean wait is the FIFO one
    assert (lams[0] * wq[0] + lams[1] * wq[1]) / 100.0 == pytest.approx(fifo)


def test_cobham_mg1_reduces_to_pollaczek_khinchine_and_to_mm1():
    lam, m = 0.5, 1.0
    rho = lam * m
    # deterministic service: P-K mean wait rho m / (2 (1 - rho))
    assert theory.cobham_mg1([lam], [m], [m * m]) == [pytest.approx(rho * m / (2 * (1 - rho)))]
    # exponential service (cv 1): M/M/1, and two classes agree with the M/M/c form at c = 1
    s2 = theory.second_moment(m, 1.0)
    assert theory.cobham_mg1([lam], [m], [s2]) == [pytest.approx(theory.mmc(lam, 1 / m, 1).wq)]
    two = theory.cobham_mg1([0.2, 0.3], [m, m], [s2, s2])
    assert two == [pytest.approx(w) for w in theory.cobham_mmc([0.2, 0.3], 1 / m, 1)]


def test_mm1_tails_are_exponential():
    lam, mu = 0.6, 1.0
    for t in (0.0, 0.5, 3.0):
        assert theory.mmc_sojourn_tail(lam, mu, 1, t) == pytest.approx(math.exp(-(mu - lam) * t))
        assert theory.mmc_wait_tail(lam, mu, 1, t) == pytest.approx(lam / mu * math.exp(-(mu - lam) * t))


@pytest.mark.parametrize(
    ("lam", "mu", "c"), [(100.0, 1 / 0.021, 3), (1.8, 1.0, 2), (18.0, 1.0, 20), (2.0, 1.0, 3)]
)
def test_mmc_tails_integrate_to_the_means_and_start_right(lam, mu, c):
    """The tails integrate to Wq and W (E[X] = ∫ P(X > t) dt), start at C and 1; c − 1 = a is the limit."""
    from scipy.integrate import quad

    m = theory.mmc(lam, mu, c)
    assert theory.mmc_wait_tail(lam, mu, c, 0.0) == pytest.approx(m.p_wait)
    assert theory.mmc_sojourn_tail(lam, mu, c, 0.0) == pytest.approx(1.0)
    assert quad(lambda t: theory.mmc_wait_tail(lam, mu, c, t), 0, math.inf)[0] == pytest.approx(
        m.wq, rel=1e-7
    )
    assert quad(lambda t: theory.mmc_sojourn_tail(lam, mu, c, t), 0, math.inf)[0] == pytest.approx(
        m.w, rel=1e-7
    )


def test_mmc_sojourn_tail_is_continuous_through_its_limit_case():
    lam, mu, c = 2.0, 1.0, 3  # c - 1 - a = 0 exactly
    near = theory.mmc_sojourn_tail(2.0 - 1e-6, mu, c, 1.5)
    assert theory.mmc_sojourn_tail(lam, mu, c, 1.5) == pytest.approx(near, rel=1e-5)
