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
    assert "allowed: see " in err[0] or "allowed: the options" in err[0]


def test_an_unknown_option_names_the_options_and_a_close_match(capsys) -> None:
    """A misspelt option is named with the one meant and the options there are, not only "see --help"."""
    with pytest.raises(SystemExit) as exc:
        regress.main(["--alpah", "0.01"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "unrecognized arguments: --alpah" in err[0] and "did you mean --alpha?" in err[0], err
    assert "allowed: the options" in err[0] and "--alpha" in err[0].split("allowed:")[1], err
