"""The verdict of ``make test``: counts, and every reason the run is not a pass.

    test_summary.py --odoo-log LOG --odoo-status N [--odoo-log LOG2 --odoo-status N2]
                    --junit FILE --pytest-status N

prints what went wrong (a test runner that failed, a result it did not
write, no test run, ERROR lines nobody declared), then ``N passed, N failed``,
and exits 1 unless every test ran and passed.

A run passes only on evidence: a missing or unreadable result is a failure,
never "0 run, 0 failed". Skipped tests count as failed: a skipped test proves
nothing. An ERROR or CRITICAL line of the Odoo log is a failure unless the
test that caused it declared it: ``assertLogs`` and ``mute_logger`` keep a
declared line out of the log, so every such line left is undeclared. The
lines of Odoo's own test report (``FAIL: …``, ``ERROR: …``, the result line)
are not counted twice.
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

ODOO_RESULT = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
ODOO_SKIPPED = re.compile(r" odoo\.addons\.\S+: skipped ")
# "2026-12-03 19:00:02,933 2906 ERROR dbname odoo.logger.name: message"
ODOO_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (?P<level>[A-Z]+) \S+ "
    r"(?P<logger>[^\s:]+): (?P<message>.*)$"
)
ODOO_STARTING = re.compile(r"^Starting (?P<test>\S+) \.\.\.")
# The test report's own ERROR records: a failed test (counted by the result
# line), and the result line itself.
TEST_REPORT_LOGGER = re.compile(r"(^|\.)tests(\.|$)")
TEST_REPORT_MESSAGE = re.compile(r"^(FAIL|ERROR): |.* when loading database ")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

PYTEST_STATUS = {
    1: "some tests failed",
    2: "interrupted (a test module that does not import, Ctrl-C, -x)",
    3: "internal error",
    4: "usage error (a conftest.py that does not import, a wrong option)",
    5: "no test collected",
}


@dataclass
class Part:
    """What one test runner proved: tests run, tests not passed, and why."""

    name: str
    total: int = 0
    failed_tests: int = 0
    problems: list = field(default_factory=list)

    def problem(self, text):
        """A reason the run fails, beyond the failed tests: one failure each."""
        self.problems.append(text)

    @property
    def failed(self):
        return self.failed_tests + len(self.problems)

    @property
    def passed(self):
        return max(self.total - self.failed, 0)


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            return log.read()
    except OSError as error:
        return error


def odoo_records(text):
    """(level, logger, message, test running then) of each record of a log.

    A record's continuation lines (a traceback) belong to its message.
    """
    records, test = [], None
    for line in ANSI.sub("", text).splitlines():
        match = ODOO_RECORD.match(line)
        if not match:
            if records:
                records[-1][2] += "\n" + line
            continue
        started = ODOO_STARTING.match(match["message"])
        if started:
            test = started["test"]
        records.append([match["level"], match["logger"], match["message"], test])
    return [tuple(record) for record in records]


def undeclared_errors(records):
    """ERROR and CRITICAL records that are not the test report's own."""
    return [
        (logger, message, test)
        for level, logger, message, test in records
        if level in ("ERROR", "CRITICAL")
        and not (
            TEST_REPORT_LOGGER.search(logger) and TEST_REPORT_MESSAGE.match(message)
        )
    ]


def odoo_part(path, status=0, name="Odoo tests"):
    part = Part(name)
    text = _read(path)
    if isinstance(text, OSError):
        part.problem(f"the Odoo log {path} cannot be read ({text.strerror})")
        return part
    results = ODOO_RESULT.findall(text)
    if results:
        failed, errors, total = (int(value) for value in results[-1])
        part.total = total
        part.failed_tests = failed + errors + len(ODOO_SKIPPED.findall(text))
        if not total:
            part.problem("Odoo ran no test")
    else:
        part.problem(
            "the Odoo log has no result line: Odoo stopped before the end of "
            "its tests (install error, crash, killed) or did not run them"
        )
    for logger, message, test in undeclared_errors(odoo_records(text)):
        first_line = message.splitlines()[0] if message else ""
        part.problem(
            f"undeclared ERROR line (during {test or 'no test'}): "
            f"{logger}: {first_line[:300]}"
        )
    if status and not part.failed_tests:
        part.problem(f"Odoo exited with status {status}")
    return part


def junit_part(path, status=0):
    part = Part("repository tests (pytest)")
    try:
        root = ET.parse(path).getroot()
    except OSError as error:
        part.problem(f"the JUnit file {path} cannot be read ({error.strerror})")
    except ET.ParseError as error:
        part.problem(f"the JUnit file {path} is not valid XML ({error})")
    else:
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        part.total = sum(int(suite.get("tests", 0)) for suite in suites)
        part.failed_tests = sum(
            int(suite.get(key, 0))
            for suite in suites
            for key in ("failures", "errors", "skipped")
        )
        if not part.total:
            part.problem("pytest ran no test")
    if status and not part.failed_tests:
        meaning = PYTEST_STATUS.get(status, "killed or crashed")
        part.problem(f"pytest exited with status {status}: {meaning}")
    return part


def report(parts, out=sys.stdout):
    """Print the problems and the summary line; True when the run passed."""
    passed = sum(part.passed for part in parts)
    failed = sum(part.failed for part in parts)
    for part in parts:
        for problem in part.problems:
            print(f"FAILED ({part.name}): {problem}", file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return not failed and passed > 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # one or more Odoo runs, each a log and its exit status, in the same order
    parser.add_argument("--odoo-log", required=True, action="append")
    parser.add_argument("--odoo-status", type=int, required=True, action="append")
    parser.add_argument("--junit", required=True)
    parser.add_argument("--pytest-status", type=int, required=True)
    args = parser.parse_args(argv)
    if len(args.odoo_log) != len(args.odoo_status):
        parser.error("give one --odoo-status per --odoo-log")
    parts = [
        odoo_part(log, status, name=f"Odoo tests ({os.path.basename(log)})")
        for log, status in zip(args.odoo_log, args.odoo_status, strict=True)
    ]
    parts.append(junit_part(args.junit, args.pytest_status))
    return 0 if report(parts) else 1


if __name__ == "__main__":
    sys.exit(main())
