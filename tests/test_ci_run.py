"""CI (.ci/run) runs the README's test command, then the linters, and fails
when either fails. A stand-in ``make`` records what CI asks of it."""

import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FAKE_MAKE = """#!/bin/sh
echo "$1 MARKETPLACE_BUILD_VENV=$MARKETPLACE_BUILD_VENV" >> "$CALLS"
case "$1" in
    test) exit "$TEST_STATUS" ;;
    lint) exit "$LINT_STATUS" ;;
esac
exit 99
"""


def run_ci(tmp_path, test_status=0, lint_status=0):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    make = bin_dir / "make"
    make.write_text(FAKE_MAKE)
    make.chmod(make.stat().st_mode | stat.S_IEXEC)
    calls = tmp_path / "calls"
    calls.write_text("")
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        CALLS=str(calls),
        TEST_STATUS=str(test_status),
        LINT_STATUS=str(lint_status),
    )
    run = subprocess.run(
        [str(ROOT / ".ci" / "run")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return run.returncode, calls.read_text().splitlines(), run.stderr


def test_ci_runs_the_tests_then_the_linters(tmp_path):
    status, calls, _err = run_ci(tmp_path)
    assert status == 0
    assert calls == ["test MARKETPLACE_BUILD_VENV=1", "lint MARKETPLACE_BUILD_VENV=1"]


@pytest.mark.parametrize(("test_status", "lint_status"), [(1, 0), (0, 2), (1, 2)])
def test_ci_fails_when_either_fails(tmp_path, test_status, lint_status):
    status, calls, err = run_ci(tmp_path, test_status, lint_status)
    assert status != 0
    assert [call.split()[0] for call in calls] == ["test", "lint"], "lint runs anyway"
    assert f"make test exited with {test_status}, make lint with {lint_status}" in err
