"""``tables.read_table`` gives back govsim's keys for what ``tables.to_csv`` localised: headers, ``by`` and
``group`` (a category or county named in the run's language), exactly, in both languages.

Before the fix ``group`` came back as shown: '全部' and '矛盾纠纷' for 'all' and 'dispute'.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from govsim import labels
from govsim.tables import read_table, to_csv


def kpi_like() -> pd.DataFrame:
    """A KPI table's key columns: overall, every known category and a run's own one, every known county."""
    categories = [*labels.CATEGORY, "noise_complaint"]
    counties = list(labels.COUNTY)
    n = 1 + len(categories) + len(counties)
    return pd.DataFrame(
        {
            "by": ["all"] + ["category"] * len(categories) + ["county"] * len(counties),
            "group": ["all", *categories, *counties],
            "on_time_rate": [0.5 + k / 100 for k in range(n)],
            "incidents": list(range(n)),
        }
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_read_table_gives_back_by_and_group_keys(tmp_path: Path, lang: str) -> None:
    table = kpi_like()
    to_csv(table, tmp_path / "kpis.csv", lang=lang)
    shown = pd.read_csv(tmp_path / "kpis.csv", encoding="utf-8-sig")
    assert shown.iloc[:, 1].tolist() != table["group"].tolist()  # the file does show them localised
    pd.testing.assert_frame_equal(read_table(tmp_path / "kpis.csv"), table, check_exact=True)


def test_a_runs_kpis_csv_reads_back_to_its_kpi_table(tmp_path: Path) -> None:
    import govsim

    quick = ["scenario=one_town", "horizon_days=20", "warmup_days=5", "output.figures=false"]
    done = govsim.run([*quick, "output.progress=false"], out=tmp_path / "run")
    back = read_table(tmp_path / "run" / "kpis.csv")
    pd.testing.assert_frame_equal(back[["by", "group"]], done.kpis[["by", "group"]], check_exact=True)


def test_counties_without_an_english_name_stay_apart_in_english_tables() -> None:
    """A user's territory: counties ``labels.COUNTY`` does not know were all labelled "county 1" in an
    English kpis.csv, so their rows could no longer be told apart (nor read back)."""
    from govsim import tables

    df = pd.DataFrame({"by": ["county", "county"], "group": ["甲县", "乙县"], "county": ["甲县", "乙县"]})
    out = tables.localise(df, "en")
    assert len(set(out.iloc[:, 1])) == 2 and len(set(out.iloc[:, 2])) == 2, out
