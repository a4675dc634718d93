#!/usr/bin/env python3
"""Puts our collection times and CPython's side by side: gc.csv.

    bench/gc-csv.py GBENCH_JSON CPYTHON_GC_JSON OUT_CSV

Reads the 02-gc/collect_* medians from Google Benchmark's report and the
medians bench/gc-twin.py measured, and writes one row per shape and size:
ns per object in each runtime and CPython's time over ours. The CSV is
written whole or not at all; exit 2 with a message naming a file that is
missing or not what it should be.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def fail(message):
    print(f"gc-csv: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) != 4:
        fail("usage: bench/gc-csv.py GBENCH_JSON CPYTHON_GC_JSON OUT_CSV")
    gbench, twin, out = sys.argv[1:]
    try:
        ours = benchlib.load_medians(gbench)
    except (OSError, ValueError, KeyError) as e:
        fail(f"{gbench}: not a Google Benchmark JSON report ({e}); make bench writes it")
    try:
        with open(twin) as f:
            theirs = json.load(f)["results"]
    except (OSError, ValueError, KeyError) as e:
        fail(f"{twin}: not bench/gc-twin.py's output ({e})")
    rows = []
    for r in theirs:
        name = f"02-gc/collect_{r['shape']}/n:{r['n']}"
        if name not in ours:
            continue
        ours_ns = ours[name] / r["n"]
        cpython_ns = statistics.median(r["seconds"]) / r["n"] * 1e9
        rows.append((r["shape"], r["n"], ours_ns, cpython_ns, cpython_ns / ours_ns))
    if not rows:
        fail(f"{gbench} and {twin} share no 02-gc/collect benchmark")
    tmp = f"{out}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        f.write("shape,n,ours_ns_per_object,cpython_ns_per_object,cpython_over_ours\n")
        for shape, n, a, b, ratio in rows:
            f.write(f"{shape},{n},{a:.3f},{b:.3f},{ratio:.3f}\n")
    os.replace(tmp, out)
    for shape, n, a, b, ratio in rows:
        print(f"  {shape:8} n={n:<8} ours {a:7.2f} ns/object  CPython {b:7.2f}  ({ratio:.2f}x)")


main()
