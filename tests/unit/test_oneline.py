"""Bad command-line arguments of the argparse commands are refused in one line, exit 2 (no usage block)."""

from __future__ import annotations

import pytest

from govsim import calibrate, classroom, logtool, regress, report

CASES = [
    (report.main, ["SWEEP", "--lang", "fr"], "govsim-report: error: argument --lang: invalid choice: 'fr'"),
    (calibrate.main, [], "govsim-calibrate: error: the following arguments are required: spec"),
    (regress.main, ["--alpha"], "govsim-regress: error: argument --alpha: expected one argument"),
    (classroom.main, ["--port", "http"], "govsim-class: error: argument --port: invalid int value: 'http'"),
    (logtool.main, ["summary", "LOG"], "govsim-log summary: error: the following arguments are required"),
]


@pytest.mark.parametrize(("main", "argv", "start"), CASES)
def test_bad_arguments_are_one_line(main, argv, start, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(start), err
    assert "allowed: see " in err[0]
