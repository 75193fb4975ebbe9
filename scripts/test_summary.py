"""Sums doctest's per-program counts from meson's test log into one line.

A program that crashed or timed out before doctest printed its summary
counts as one failed test, so a crash can never look like a pass.
"""
import json
import re
import sys

SUMMARY = re.compile(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed")

passed = failed = 0
with open(sys.argv[1]) as log:
    for line in log:
        result = json.loads(line)
        counts = SUMMARY.findall(result.get("stdout", "") or "")
        if counts:
            _, p, f = counts[-1]
            passed += int(p)
            failed += int(f)
            if result["result"] != "OK" and int(f) == 0:
                failed += 1  # e.g. a sanitizer report after the summary
        elif result["result"] == "OK":
            passed += 1
        else:
            failed += 1
line = f"{passed} passed, {failed} failed"
print(line)
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as out:
        out.write(line + "\n")
