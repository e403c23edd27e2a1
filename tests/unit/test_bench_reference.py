"""``benchmarks/reference.py``: the network it is given, its draw tables and service means (nothing timed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchscript import load_script  # tests/unit on the path, as pytest puts it

ROOT = Path(__file__).resolve().parents[2]


def _reference():  # noqa: ANN202 - the script as a module
    return load_script("reference")


def _two_counties() -> dict[str, object]:
    """Three centres (two in county 0, one in county 1), two desks per county."""
    return {
        "centre_servers": [2, 1, 4],
        "centre_weights": [0.5, 0.25, 0.25],
        "desk_servers": [10, 20, 30, 40],
        "desk_weights": [1.0, 3.0, 2.0, 2.0],
        "centre_desks": [[0, 1], [0, 1], [2, 3]],
        "centre_share": 0.8,
        "department_share": 0.6,
    }


def test_without_a_network_the_defaults_are_kept() -> None:
    ref = _reference()
    p = ref.plan(ref.default_network(), 365_000)  # 1,000 customers a day
    assert len(p.centre_rate) == 73 and len(p.desk_rate) == 20
    assert p.centre_rate == pytest.approx([1 / 0.02] * 73)  # the default centre mean
    # desk: utilisation 0.8 = (1000 / 20 a day) × mean / 60
    assert p.desk_rate == pytest.approx([1000 / 20 / (0.8 * 60)] * 20)
    assert (p.centre_share, p.department_share) == (1.0, 1.0)


def test_each_desk_runs_at_utilisation_0_8_on_the_network_given() -> None:
    ref = _reference()
    net = _two_counties()
    p = ref.plan(net, 3650, horizon_days=365.0)  # 10 customers a day
    # desk 1: 10 a day × 0.6 reach a desk × 0.75 from county 0's centres × 3/4 of county 0's desk weight
    arrivals = [10 * 0.6 * 0.75 * 0.25, 10 * 0.6 * 0.75 * 0.75, 10 * 0.6 * 0.25 * 0.5, 10 * 0.6 * 0.25 * 0.5]
    utilisation = [a / r / s for a, r, s in zip(arrivals, p.desk_rate, net["desk_servers"], strict=True)]
    assert utilisation == pytest.approx([0.8] * 4)
    # centres: the default network's centre load at this count, whatever their servers and shares
    u_default = 10 / 73 * 0.02 / 3
    c_arrivals = [10 * 0.8 * w for w in net["centre_weights"]]
    c_util = [a / r / s for a, r, s in zip(c_arrivals, p.centre_rate, net["centre_servers"], strict=True)]
    assert c_util == pytest.approx([u_default] * 3)


def test_a_network_file_may_give_the_service_means() -> None:
    ref = _reference()
    net = _two_counties() | {"centre_mean_days": [0.1, 0.2, 0.4], "desk_mean_days": [1.0, 2.0, 4.0, 5.0]}
    p = ref.plan(net, 3650)
    assert p.centre_rate == pytest.approx([10, 5, 2.5])
    assert p.desk_rate == pytest.approx([1, 0.5, 0.25, 0.2])


def test_customers_reach_only_their_countys_desks_in_their_shares() -> None:
    ref = _reference()
    p = ref.plan(_two_counties(), 3650)
    assert p.centre_cum == pytest.approx([0.5, 0.75, 1.0])
    assert p.desk_cum == [pytest.approx([0.25, 1.0]), pytest.approx([0.25, 1.0]), pytest.approx([0.5, 1.0])]
    assert p.centre_desks == [[0, 1], [0, 1], [2, 3]]


def test_a_small_network_runs_to_the_end() -> None:
    ref = _reference()
    assert ref.reference_network(500, _two_counties(), seed=1) > 0


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"centre_servers": [2, 0, 4]}, "centre_servers"),
        ({"desk_weights": [1.0, 3.0]}, "desk_weights"),
        ({"centre_desks": [[0, 1], [0, 9], [2, 3]]}, "centre_desks"),
        ({"department_share": 0.9}, "department_share"),
        ({"centre_share": 1.5}, "centre_share"),
        ({"desk_mean_days": [1.0, 0.0, 1.0, 1.0]}, "desk_mean_days"),
    ],
)
def test_a_bad_network_is_refused_naming_the_key(change: dict[str, object], key: str) -> None:
    ref = _reference()
    with pytest.raises(ValueError, match=rf"{key} = .*: allowed: "):
        ref.check_network(_two_counties() | change)


@pytest.mark.parametrize("text", ["0", "-3", "1.5", "x", "nan"])
def test_n_must_be_a_whole_number_of_at_least_one(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    ref = _reference()
    with pytest.raises(SystemExit) as stop:
        ref.main([text])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"N = '{text}': allowed: a whole number ≥ 1" in err
    assert ref.customers("1.03e6") == 1_030_000


def test_an_unreadable_network_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = _reference()
    bad = tmp_path / "net.json"
    bad.write_text(json.dumps(_two_counties() | {"centre_share": "most"}))
    for path, named in ((bad, "centre_share = most: allowed: "), (tmp_path / "missing.json", "missing.json")):
        with pytest.raises(SystemExit) as stop:
            ref.main(["10", "--network", str(path)])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and named in err
