"""What the bench/ scripts share: reading Google Benchmark's JSON reports."""
import json

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
