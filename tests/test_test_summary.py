"""make test's verdict (scripts/test_summary.py): a pass needs evidence.

Each case is a way a run used to print "N passed, 0 failed" and exit 0: a
pytest that stopped (a conftest.py that does not import, killed for memory,
nothing collected), a JUnit file missing or cut short, an Odoo run with no
result line or no test, and ERROR lines nobody declared.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import test_summary  # noqa: E402  (a script, not a package)

LOG_HEAD = """\
2026-12-03 18:58:40,001 2906 INFO wt odoo.modules.loading: loading 1 modules...
2026-12-03 18:58:41,001 2906 INFO wt odoo.addons.connector_shopee.tests.test_a: \
Starting TestA.test_one ...
2026-12-03 18:58:41,101 2906 WARNING wt odoo.addons.connector_marketplace.pull: \
Job MJ/1 failed: Shopee refused it; trying again later.
2026-12-03 18:58:42,001 2906 INFO wt odoo.addons.connector_shopee.tests.test_a: \
Starting TestA.test_two ...
"""
RESULT = (
    "2026-12-03 19:00:02,933 2906 {level} wt odoo.tests.result: "
    "{failed} failed, {errors} error(s) of {total} tests when loading database "
    "'wt' \n"
)
JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="{errors}" failures="{failures}" \
skipped="{skipped}" tests="{tests}" time="1.0"/></testsuites>
"""


def odoo_log(tmp_path, body="", failed=0, errors=0, total=2, result=True):
    path = tmp_path / "odoo.log"
    text = LOG_HEAD + body
    if result:
        level = "ERROR" if failed or errors else "INFO"
        text += RESULT.format(level=level, failed=failed, errors=errors, total=total)
    path.write_text(text, encoding="utf-8")
    return path


def junit(tmp_path, tests=3, failures=0, errors=0, skipped=0):
    path = tmp_path / "pytest.xml"
    path.write_text(
        JUNIT.format(tests=tests, failures=failures, errors=errors, skipped=skipped),
        encoding="utf-8",
    )
    return path


def verdict(odoo, odoo_status, xml, pytest_status):
    """Exit status and output of the script, as make test runs it."""
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "test_summary.py"),
            f"--odoo-log={odoo}",
            f"--odoo-status={odoo_status}",
            f"--junit={xml}",
            f"--pytest-status={pytest_status}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return run.returncode, run.stdout


def test_a_clean_run_passes(tmp_path):
    status, out = verdict(odoo_log(tmp_path), 0, junit(tmp_path), 0)
    assert (status, out) == (0, "5 passed, 0 failed\n")


def test_every_odoo_run_counts_and_a_missing_one_fails(tmp_path):
    """make test runs Odoo twice (the addons, then the base's test channel):
    both runs add up, and a second run that wrote no result fails the run."""
    first = odoo_log(tmp_path, total=2)
    second_dir = tmp_path / "channel"
    second_dir.mkdir()
    second = odoo_log(second_dir, total=4)
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "test_summary.py"),
            f"--odoo-log={first}",
            "--odoo-status=0",
            f"--odoo-log={second}",
            "--odoo-status=0",
            f"--junit={junit(tmp_path)}",
            "--pytest-status=0",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stdout) == (0, "9 passed, 0 failed\n")
    broken = odoo_log(second_dir, result=False)
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "test_summary.py"),
            f"--odoo-log={first}",
            "--odoo-status=0",
            f"--odoo-log={broken}",
            "--odoo-status=1",
            f"--junit={junit(tmp_path)}",
            "--pytest-status=0",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "has no result line" in run.stdout


def test_failed_tests_fail_the_run(tmp_path):
    status, out = verdict(
        odoo_log(tmp_path, failed=1, total=2), 1, junit(tmp_path, failures=1), 1
    )
    assert status == 1
    assert out.endswith("3 passed, 2 failed\n")


@pytest.mark.parametrize(
    ("pytest_status", "junit_written", "why"),
    [
        (4, False, "usage error (a conftest.py that does not import"),
        (-9, False, "killed or crashed"),
        (137, False, "killed or crashed"),
        (5, True, "no test collected"),
        (2, True, "interrupted"),
    ],
)
def test_pytest_that_stopped_fails_the_run(tmp_path, pytest_status, junit_written, why):
    xml = junit(tmp_path, tests=0) if junit_written else tmp_path / "missing.xml"
    status, out = verdict(odoo_log(tmp_path), 0, xml, pytest_status)
    assert status == 1
    assert f"pytest exited with status {pytest_status}: {why}" in out
    if not junit_written:
        assert "missing.xml cannot be read" in out
    else:
        assert "pytest ran no test" in out
    assert not out.endswith(" 0 failed\n")


def test_pytest_status_alone_fails_the_run(tmp_path):
    """A JUnit file that says all passed does not outweigh pytest's status."""
    status, out = verdict(odoo_log(tmp_path), 0, junit(tmp_path), 3)
    assert status == 1
    assert "pytest exited with status 3: internal error" in out
    assert out.endswith("4 passed, 1 failed\n")


def test_junit_cut_short_fails_the_run(tmp_path):
    xml = tmp_path / "pytest.xml"
    xml.write_text('<?xml version="1.0"?><testsuites><testsuite name="pyt')
    status, out = verdict(odoo_log(tmp_path), 0, xml, 0)
    assert status == 1
    assert "is not valid XML" in out


def test_odoo_log_without_result_line_fails_the_run(tmp_path):
    """Odoo stopped half-way (install error, killed): no result line."""
    status, out = verdict(odoo_log(tmp_path, result=False), -9, junit(tmp_path), 0)
    assert status == 1
    assert "the Odoo log has no result line" in out


def test_odoo_that_ran_no_test_fails_the_run(tmp_path):
    status, out = verdict(odoo_log(tmp_path, total=0), 0, junit(tmp_path), 0)
    assert status == 1
    assert "Odoo ran no test" in out


def test_missing_odoo_log_fails_the_run(tmp_path):
    status, out = verdict(tmp_path / "nothing.log", 0, junit(tmp_path), 0)
    assert status == 1
    assert "nothing.log cannot be read" in out


def test_odoo_status_alone_fails_the_run(tmp_path):
    status, out = verdict(odoo_log(tmp_path), 1, junit(tmp_path), 0)
    assert status == 1
    assert "Odoo exited with status 1" in out


def test_nothing_run_at_all_fails(tmp_path):
    status, out = verdict(odoo_log(tmp_path, total=0), 0, junit(tmp_path, tests=0), 0)
    assert status == 1
    assert "0 passed" in out


def test_undeclared_error_lines_fail_the_run_and_are_printed(tmp_path):
    body = (
        "2026-12-03 18:58:42,500 2906 ERROR wt odoo.addons.queue_job.controllers"
        ".main: Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "ValueError: boom\n"
        "2026-12-03 18:58:42,600 2906 CRITICAL wt odoo.service.server: "
        "Failed to initialize database `wt`.\n"
    )
    status, out = verdict(odoo_log(tmp_path, body), 0, junit(tmp_path), 0)
    assert status == 1
    assert (
        "undeclared ERROR line (during TestA.test_two): "
        "odoo.addons.queue_job.controllers.main: Traceback" in out
    )
    assert "odoo.service.server: Failed to initialize database" in out
    assert out.endswith("3 passed, 2 failed\n")


def test_the_test_reports_own_error_lines_are_not_counted_twice(tmp_path):
    body = (
        "2026-12-03 18:58:43,000 2906 ERROR wt odoo.addons.connector_shopee.tests"
        ".test_a: FAIL: TestA.test_two\n"
        "Traceback (most recent call last):\n"
        "AssertionError: 1 != 2\n"
        "2026-12-03 18:58:43,100 2906 ERROR wt odoo.tests.suite: "
        "ERROR: setUpClass (odoo.addons.connector_shopee.tests.test_b.TestB)\n"
    )
    part = test_summary.odoo_part(odoo_log(tmp_path, body, failed=1, errors=1), 1)
    assert part.problems == []
    assert (part.total, part.failed) == (2, 2)


def test_a_warning_is_not_an_error(tmp_path):
    part = test_summary.odoo_part(odoo_log(tmp_path), 0)
    assert (part.total, part.failed, part.problems) == (2, 0, [])


def test_skipped_tests_count_as_failed(tmp_path):
    body = (
        "2026-12-03 18:58:43,000 2906 INFO wt odoo.addons.connector_shopee.tests"
        ".test_a: skipped TestA.test_two : no simulator\n"
    )
    assert test_summary.odoo_part(odoo_log(tmp_path, body), 0).failed == 1
    assert test_summary.junit_part(junit(tmp_path, skipped=1), 0).failed == 1


def test_colored_log_lines_are_read_too(tmp_path):
    body = (
        "2026-12-03 18:58:42,500 2906 \x1b[1;31m\x1b[1;49mERROR\x1b[0m wt "
        "odoo.addons.connector_shopee.models: something broke\n"
    )
    part = test_summary.odoo_part(odoo_log(tmp_path, body), 0)
    assert part.failed == 1
    assert "something broke" in part.problems[0]
