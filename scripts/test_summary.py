"""Print "<tests run> <tests not passed>" of an Odoo test log or a JUnit file.

Skipped tests count as not passed: a skipped test proves nothing.
"""

import re
import sys
import xml.etree.ElementTree as ET

ODOO_RESULT = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
ODOO_SKIPPED = re.compile(r" odoo\.addons\.\S+: skipped ")


def odoo_counts(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            text = log.read()
    except FileNotFoundError:
        return 0, 0
    results = ODOO_RESULT.findall(text)
    if not results:
        return 0, 0
    failed, errors, total = (int(value) for value in results[-1])
    skipped = len(ODOO_SKIPPED.findall(text))
    return total, failed + errors + skipped


def junit_counts(path):
    try:
        root = ET.parse(path).getroot()
    except (FileNotFoundError, ET.ParseError):
        return 0, 0
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = sum(int(suite.get("tests", 0)) for suite in suites)
    bad = sum(
        int(suite.get(key, 0))
        for suite in suites
        for key in ("failures", "errors", "skipped")
    )
    return total, bad


if __name__ == "__main__":
    kind, path = sys.argv[1:3]
    total, bad = odoo_counts(path) if kind == "odoo" else junit_counts(path)
    print(total, bad)
