"""What the bench/ scripts share: reading Google Benchmark's JSON reports,
and command-line values checked the same way in every script."""
import argparse
import json
import sys

UNIT_NS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}


def medians(report):
    """Median real time in ns per benchmark name, from a report's
    aggregates (or its only run, when there was one repetition)."""
    out, runs = {}, {}
    for b in report["benchmarks"]:
        ns = b["real_time"] * UNIT_NS[b["time_unit"]]
        if b.get("aggregate_name") == "median":
            out[b["run_name"]] = ns
        elif b.get("run_type", "iteration") == "iteration" and "error_occurred" not in b:
            runs.setdefault(b.get("run_name", b["name"]), []).append(ns)
    for name, times in runs.items():
        if name not in out and len(times) == 1:
            out[name] = times[0]
    return out


def load_medians(path):
    with open(path) as f:
        return medians(json.load(f))


def count(lo, hi):
    """An argparse type: a whole number in [lo, hi]."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is out of range [{lo}, {hi}]")
        return value
    return parse


def seconds(text):
    """An argparse type: a time per repetition, above 0 and at most a minute."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 60:
        raise argparse.ArgumentTypeError(f"{text} seconds is out of range (0, 60]")
    return value


def one_line_errors(parser):
    """Makes the parser's errors one line on stderr and exit 2, instead of
    argparse's usage block followed by the message."""
    def error(message):
        print(f"{parser.prog}: {message} (see {parser.prog} --help)", file=sys.stderr)
        sys.exit(2)
    parser.error = error
    return parser
