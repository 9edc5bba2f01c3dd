#!/usr/bin/env python3
"""compare.py - compare two `doudi assess --batch` result files line by line.

    python3 bench/compare.py A.ndjson B.ndjson

Compares the fields determination, standard, household_size, counted_income, deduction,
per_capita_income, asset_test, monthly_benefit, gradual_exit_until, single_person and tekun
(not trace).  Error lines ({"line": N, "error": ...}) agree with each other whatever their
message; an error line against a result line is a mismatch (field "error").  Prints the number
of lines compared, the number of mismatching lines and the first 20 mismatches.  Exit 0 only
when every line agrees and both files have the same number of lines; 1 otherwise; 2 when a file
cannot be read.
"""

import json
import sys

FIELDS = ("determination", "standard", "household_size", "counted_income", "deduction",
          "per_capita_income", "asset_test", "monthly_benefit", "gradual_exit_until",
          "single_person", "tekun")
SHOW = 20
MISSING = object()


def show(value):
    if value is MISSING:
        return "<missing>"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def parse(line):
    try:
        value = json.loads(line)
    except ValueError as e:
        return {"<unparsable>": f"{e}: {line[:80]!r}"}
    if not isinstance(value, dict):
        return {"<unparsable>": f"not an object: {line[:80]!r}"}
    return value


def compare_line(a, b):
    """List of (field, value in A, value in B) that differ."""
    if "<unparsable>" in a or "<unparsable>" in b:
        if a != b:
            return [("<line>", a.get("<unparsable>", "parsed"), b.get("<unparsable>", "parsed"))]
        return []
    a_err = "error" in a and "determination" not in a
    b_err = "error" in b and "determination" not in b
    if a_err or b_err:
        if a_err and b_err:
            return []
        return [("error", a.get("error", MISSING), b.get("error", MISSING))]
    diffs = []
    for field in FIELDS:
        va = a.get(field, MISSING)
        vb = b.get(field, MISSING)
        if va != vb or type(va) is not type(vb):
            diffs.append((field, va, vb))
    return diffs


def main(argv):
    if len(argv) != 3:
        print("usage: compare.py A.ndjson B.ndjson", file=sys.stderr)
        return 2
    try:
        fa = open(argv[1], encoding="utf-8")
        fb = open(argv[2], encoding="utf-8")
    except OSError as e:
        print(f"{e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    compared = 0
    mismatched_lines = 0
    shown = []
    field_counts = {}
    count_a = count_b = 0
    with fa, fb:
        while True:
            la = fa.readline()
            lb = fb.readline()
            if la:
                count_a += 1
            if lb:
                count_b += 1
            if not la or not lb:
                # count what is left of the longer file
                rest = fa if la else fb
                if la or lb:
                    for _ in rest:
                        if la:
                            count_a += 1
                        else:
                            count_b += 1
                break
            compared += 1
            diffs = compare_line(parse(la), parse(lb))
            if diffs:
                mismatched_lines += 1
                for field, va, vb in diffs:
                    field_counts[field] = field_counts.get(field, 0) + 1
                    if len(shown) < SHOW:
                        shown.append((compared, field, va, vb))
    print(f"compared: {compared} lines")
    print(f"mismatching lines: {mismatched_lines}")
    if count_a != count_b:
        print(f"line counts differ: {argv[1]} has {count_a}, {argv[2]} has {count_b}")
    if field_counts:
        print("mismatches by field: " + ", ".join(f"{k} {v}" for k, v in sorted(field_counts.items())))
    for line, field, va, vb in shown:
        print(f"line {line}: {field}: A={show(va)} B={show(vb)}")
    return 0 if mismatched_lines == 0 and count_a == count_b else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
