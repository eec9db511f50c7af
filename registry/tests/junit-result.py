#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Turn a pytest JUnit XML report into a result file for mk/run-suites.sh.
#
# Usage: junit-result.py REPORT.xml RESULT-FILE. A missing or unreadable report
# (pytest crashed) counts as one failure, so a crash never looks like success.
import os
import sys
import xml.etree.ElementTree as ET

report, result = sys.argv[1], sys.argv[2]
passed = failed = skipped = 0
try:
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for s in suites:
        tests = int(s.get("tests", 0))
        f = int(s.get("failures", 0)) + int(s.get("errors", 0))
        sk = int(s.get("skipped", 0))
        passed += tests - f - sk
        failed += f
        skipped += sk
except (OSError, ET.ParseError) as e:
    print(f"kide-registry e2e: cannot read {report}: {e}", file=sys.stderr)
    failed = 1
os.makedirs(os.path.dirname(result), exist_ok=True)
with open(result, "w") as out:
    out.write(f"{passed} {failed} {skipped}\n")
print(f"registry-e2e: {passed} passed, {failed} failed, {skipped} skipped")
