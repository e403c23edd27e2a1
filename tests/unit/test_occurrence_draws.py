"""A day's handling draws: one call per stream for the day's tickets and their duplicates.

``Occurrence.occur`` draws the handling numbers of the day's new tickets and of their duplicates in one
call per stream (``_draw_handling(n, m)``), where it used to make two calls, the tickets' then the
duplicates'. A generator fills an array one number after another, so each ticket must still get
exactly the numbers the two calls gave, and each stream must move on by exactly as many: checked here
against fresh copies of the streams drawn the old way.
"""

from __future__ import annotations

import numpy as np

from govsim.model import GovernanceModel
from govsim.streams import make_streams, standard_work


def test_a_days_tickets_and_duplicates_get_the_numbers_two_calls_gave(make_config):
    model = GovernanceModel(make_config("scenario=one_town", "scenario.duplicate_prob=0.3"))
    cfg, loop = model.cfg.scenario, model.loop
    ref = make_streams(model.cfg.seed, model.cfg.replication)  # handling streams untouched so far
    model.start_week()
    loop.occur(0)
    c, d = loop.tickets.cols, loop.draws.cols
    total = loop.tickets.n
    m = int((c["duplicate_of"][:total] >= 0).sum())
    n = total - m
    assert n > 5 and m > 0  # a day with duplicates: the case the single call has to split right
    assert loop.draws.n == total

    def two(draw):  # the tickets' draw, then the duplicates'
        return np.concatenate([draw(n), draw(m)])

    w = cfg.worker
    expect = {
        "u_onsite": two(lambda k: ref["onsite"].random(k)),
        "onsite_h": two(lambda k: standard_work(ref["onsite_time"], w.onsite_family, w.onsite_cv, k))
        * w.onsite_hours,
        "triage_s": two(lambda k: standard_work(ref["triage"], cfg.triage_family, 1.0, k)) * cfg.triage_days,
        "u_grade": two(lambda k: ref["grading"].random(k)),
        "u_route": two(lambda k: ref["routing"].random((k, 3))),
        "work": two(lambda k: standard_work(ref["service"], cfg.service_family, cfg.service_cv, (k, 3))),
    }
    fb = ref["feedback"]
    sat_n, after_n = fb.random((n, 3)), fb.random((n, 3))
    sat_m, after_m = fb.random((m, 3)), fb.random((m, 3))
    expect["u_sat"] = np.concatenate([sat_n, sat_m])
    expect["u_after"] = np.concatenate([after_n, after_m])
    for k, v in expect.items():
        assert np.array_equal(d[k][:total], v), k
    for name in ("onsite", "onsite_time", "triage", "grading", "routing", "service", "feedback"):
        assert loop.rng[name].random() == ref[name].random(), name  # each moved on by as many numbers
