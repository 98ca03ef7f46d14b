#!/usr/bin/python3
"""The shared results writer of `make bench`.

    report.py RECORDS.jsonl RESULTS.json [--meta KEY=VALUE ...]

Every benchmark section appends JSON records, one per line, to RECORDS:

    {"bench": "program_cost", "case": "...", "unit": "ns/pkt",
     "better": "lower" | "higher", "samples": [ ... one figure per run ... ],
     "is_baseline": true}                     # a baseline of its section, or
     "baseline": "<case of the baseline>"     # the baseline it is compared to
    {"bench": "...", "error": "what failed"}  # a section that could not run

This script turns the samples into median, min and max, divides each median
by its baseline's median measured in the same run, writes RESULTS (records
plus host metadata) and prints the table. Sections only measure; the
arithmetic and the layout live here, once.
"""
import json
import os
import statistics
import sys


def summarize(rec):
    s = rec["samples"]
    rec["runs"] = len(s)
    rec["median"] = statistics.median(s)
    rec["min"] = min(s)
    rec["max"] = max(s)
    return rec


def load(path):
    records = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                records.append(json.loads(line))
    return records


def attach_ratios(records):
    base = {(r["bench"], r["case"]): r for r in records
            if r.get("is_baseline") and "samples" in r}
    for r in records:
        if "baseline" not in r or "samples" not in r:
            continue
        b = base.get((r["bench"], r["baseline"]))
        if b is None or not b["median"]:
            r["error"] = "baseline '%s' missing" % r["baseline"]
            continue
        r["ratio"] = r["median"] / b["median"]
        r["baseline_median"] = b["median"]


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def table(records):
    rows = [("benchmark", "case", "median", "min", "max", "unit", "runs", "x baseline")]
    for r in records:
        if "error" in r and "samples" not in r:
            rows.append((r["bench"], "FAILED: " + r["error"], "", "", "", "", "", ""))
            continue
        ratio = "baseline" if r.get("is_baseline") else (
            "%.3f" % r["ratio"] if "ratio" in r else "-")
        rows.append((r["bench"], r["case"], fmt(r["median"]), fmt(r["min"]),
                     fmt(r["max"]), r["unit"], str(r["runs"]), ratio))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [c.ljust(widths[i]) if i < 2 or i == 5 else c.rjust(widths[i])
                 for i, c in enumerate(row)]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main():
    records_path, results_path = sys.argv[1], sys.argv[2]
    meta = {}
    args = sys.argv[3:]
    while args:
        if args[0] == "--meta" and len(args) > 1 and "=" in args[1]:
            k, v = args[1].split("=", 1)
            meta[k] = v
            args = args[2:]
        else:
            sys.exit("report.py: unexpected argument %r" % args[0])
    records = [summarize(r) if "samples" in r else r for r in load(records_path)]
    attach_ratios(records)
    failed = [r for r in records if "error" in r]
    results = {"meta": meta, "results": records, "ok": not failed}
    tmp = results_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    os.replace(tmp, results_path)
    print(table(records))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
