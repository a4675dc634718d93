#!/usr/bin/env python3
"""Times CPython's gc.collect() on the shapes bench/micro/02-gc.c times in ours.

    bench/gc-twin.py [--repetitions N] [--sizes N,N,...]

Prints JSON: for each shape and size, every repetition's seconds and the
median in ns per object. The interpreter's own objects are frozen first
(gc.freeze), so a collection looks only at the objects the shape made, as
ours does.
"""
import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def live(n):
    """n empty lists held by one list: all reachable."""
    return [[] for _ in range(n)]


def nested(n):
    """n/2 lists of one empty list each, held by one list: all reachable."""
    return [[[]] for _ in range(n // 2)]


def garbage(n):
    """n/2 two-list cycles with no other reference."""
    for _ in range(n // 2):
        a = []
        b = [a]
        a.append(b)


def time_collect_kept(make, n, repetitions):
    """The same n live objects collected again and again, as ours are."""
    keep = make(n)
    gc.collect()
    seconds = []
    for _ in range(repetitions):
        t0 = time.perf_counter()
        gc.collect()
        seconds.append(time.perf_counter() - t0)
    del keep
    gc.collect()
    return seconds


def time_collect_garbage(n, repetitions):
    """Fresh cycles each time: the collection finds and frees them."""
    seconds = []
    for _ in range(repetitions):
        garbage(n)
        t0 = time.perf_counter()
        found = gc.collect()
        seconds.append(time.perf_counter() - t0)
        if found != n:
            sys.exit(f"gc-twin: collect found {found} objects, expected {n}")
    return seconds


def main():
    parser = benchlib.one_line_errors(argparse.ArgumentParser(
        prog="bench/gc-twin.py", description=__doc__.splitlines()[0]))
    parser.add_argument("--repetitions", type=benchlib.count(1, 1000), default=9)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    try:
        sizes = [benchlib.count(2, 10**8)(s) for s in args.sizes.split(",")]
    except argparse.ArgumentTypeError as e:
        parser.error(f"--sizes takes sizes from 2 to 10**8 separated by commas: {e}")

    gc.collect()
    gc.freeze()
    gc.disable()
    results = []
    timers = (("live", lambda n, r: time_collect_kept(live, n, r)),
              ("nested", lambda n, r: time_collect_kept(nested, n, r)),
              ("garbage", time_collect_garbage))
    for shape, timer in timers:
        for n in sizes:
            seconds = timer(n, args.repetitions)
            results.append({"shape": shape, "n": n, "seconds": seconds,
                            "ns_per_object": statistics.median(seconds) / n * 1e9})
    json.dump({"python": platform.python_version(), "implementation": platform.python_implementation(),
               "results": results}, sys.stdout, indent=1)
    print()


main()
