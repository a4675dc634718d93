"""What bench/compare and bench/compare-all share: reading a results
directory (machine.json, bench/gbench.json, bench/hyperfine.json) into
per-benchmark samples of repetition times, comparing two samples, the
geometric means per lab topic, and writing an output directory whole.

Invariants: every time is kept in nanoseconds; a benchmark's samples are the
repetitions themselves (aggregates in the files are ignored and recomputed);
anything wrong with an input raises BadInput with one line that names the
file, and nothing is written until every input has been read.
"""
import csv
import io
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import stats  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMAT = 1                # the machine.json "memlab_results" this code reads
ALPHA = 0.05              # significance level, and 1 - the intervals' level
THRESHOLD = 0.05          # smallest difference called real: 5%
MIN_RUNS = 3              # fewer repetitions than this: no verdict
RESAMPLES = 1000          # bootstrap resamples for the geometric means
SEED = 6                  # fixed, so two runs of compare agree exactly
KINDS = {"micro": "micro-benchmarks (Google Benchmark)",
         "program": "whole programs (hyperfine)"}


class BadInput(Exception):
    """An input or output path compare cannot use; str() is the one line."""


class Bench:
    """One benchmark's repetitions: kind is "micro" or "program"."""

    def __init__(self, name, kind, topic):
        self.name, self.kind, self.topic = name, kind, topic
        self.times = []


class Results:
    """A results directory: its name (the basename), machine.json's object,
    the benchmarks by name, and notes worth telling the reader."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(os.path.normpath(path))
        self.machine = {}
        self.benches = {}
        self.mode = None


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if not text.strip():
            raise BadInput(f"{path}: empty file")
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}: not valid JSON ({e.msg}, line {e.lineno})") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not valid JSON (not UTF-8 text)") from None
    except OSError as e:
        raise BadInput(f"{path}: cannot read it ({e.strerror})") from None


def _positive(value):
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


def _read_gbench(path, results):
    report = _read_json(path)
    if not isinstance(report, dict) or not isinstance(report.get("benchmarks"), list):
        raise BadInput(f"{path}: not a Google Benchmark JSON report (no \"benchmarks\" list)")
    seen_entries = False
    for entry in report["benchmarks"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise BadInput(f"{path}: a benchmark entry without a name")
        if entry.get("run_type", "iteration") != "iteration":
            continue
        seen_entries = True
        if entry.get("error_occurred"):
            continue
        name = entry.get("run_name", entry["name"])
        unit = entry.get("time_unit")
        if unit not in benchlib.UNIT_NS:
            raise BadInput(f"{path}: {name}: time_unit {unit!r} is not one of {', '.join(benchlib.UNIT_NS)}")
        if not _positive(entry.get("real_time")):
            raise BadInput(f"{path}: {name}: real_time is not a positive number")
        bench = results.benches.setdefault(name, Bench(name, "micro", name.split("/")[0]))
        bench.times.append(entry["real_time"] * benchlib.UNIT_NS[unit])
    if not seen_entries:
        raise BadInput(f"{path}: no repetitions in it (only aggregates, or no benchmarks)")


def _read_hyperfine(path, results):
    report = _read_json(path)
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        raise BadInput(f"{path}: not a hyperfine JSON export (no \"results\" list)")
    if report.get("mode") is not None:
        results.mode = str(report["mode"])
    for entry in report["results"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("command"), str):
            raise BadInput(f"{path}: a result without a command")
        name = entry["command"]
        times = entry.get("times")
        if not isinstance(times, list) or not times or not all(_positive(t) for t in times):
            raise BadInput(f"{path}: {name}: \"times\" is not a list of positive numbers")
        if name in results.benches:
            raise BadInput(f"{path}: {name} appears twice")
        bench = Bench(name, "program", name.split("/", 1)[-1])
        bench.times = [t * 1e9 for t in times]
        results.benches[name] = bench


def load(path):
    """Read a results directory, or raise BadInput naming what is wrong."""
    if not os.path.exists(path):
        raise BadInput(f"{path}: no such directory")
    if not os.path.isdir(path):
        raise BadInput(f"{path}: not a directory")
    machine_path = os.path.join(path, "machine.json")
    bench_dir = os.path.join(path, "bench")
    if not os.path.isfile(machine_path):
        raise BadInput(f"{path}: not a results directory (no machine.json; make bench writes one)")
    if not os.path.isdir(bench_dir):
        raise BadInput(f"{path}: not a results directory (no bench/ in it)")
    results = Results(path)
    machine = _read_json(machine_path)
    if not isinstance(machine, dict):
        raise BadInput(f"{machine_path}: not a JSON object")
    version = machine.get("memlab_results")
    if version != FORMAT:
        raise BadInput(f"{machine_path}: memlab_results is {json.dumps(version)}; this compare reads format {FORMAT}")
    results.machine = machine
    gbench = os.path.join(bench_dir, "gbench.json")
    hyperfine = os.path.join(bench_dir, "hyperfine.json")
    if not os.path.exists(gbench) and not os.path.exists(hyperfine):
        raise BadInput(f"{bench_dir}: neither gbench.json nor hyperfine.json in it")
    if os.path.exists(gbench):
        _read_gbench(gbench, results)
    if os.path.exists(hyperfine):
        _read_hyperfine(hyperfine, results)
    return results


def busy_note(results):
    """A warning when machine.json's load average at the start of the bench
    run was above half the hardware threads: other work was competing for
    the CPU, and timings drift with it. None when quiet or unknown."""
    load = results.machine.get("load_average")
    cpus = results.machine.get("threads") or results.machine.get("cores")
    if not (isinstance(load, list) and load and _positive(load[0]) and _positive(cpus)):
        return None
    if load[0] <= cpus / 2:
        return None
    return (f"{results.name} was busy: load average {load[0]:g} on {cpus:g} threads when its bench "
            "run started; its times are likely disturbed")


# ---- comparing ------------------------------------------------------------------


class Row:
    """One benchmark compared: medians in ns, the ratio B/A with its interval
    (lo, hi are None when the samples are too small for one), p and verdict."""

    def __init__(self, a, b, alpha, threshold):
        self.name, self.kind, self.topic = a.name, a.kind, a.topic
        self.n_a, self.n_b = len(a.times), len(b.times)
        self.med_a, self.med_b = statistics.median(a.times), statistics.median(b.times)
        self.ratio, self.lo, self.hi = stats.hodges_lehmann_ratio(a.times, b.times, alpha)
        self.p = stats.mann_whitney_p(a.times, b.times)
        if min(self.n_a, self.n_b) < MIN_RUNS or self.lo is None:
            self.verdict = "too few runs"
        elif self.p < alpha and self.lo > 1 + threshold:
            self.verdict = "slower"
        elif self.p < alpha and self.hi < 1 / (1 + threshold):
            self.verdict = "faster"
        else:
            self.verdict = "no real difference"


def common_names(a, b):
    """The benchmarks both results have, by name, of the same kind."""
    return sorted(n for n in set(a.benches) & set(b.benches) if a.benches[n].kind == b.benches[n].kind)


def compare(a, b, alpha=ALPHA, threshold=THRESHOLD):
    """Rows for the benchmarks both results have (sorted by name), and the
    names only A has and only B has. BadInput when they share none."""
    common = common_names(a, b)
    if not common:
        raise BadInput(f"{b.path}: no benchmark in common with {a.path}")
    rows = [Row(a.benches[n], b.benches[n], alpha, threshold) for n in common]
    only_a = sorted(set(a.benches) - set(common))
    only_b = sorted(set(b.benches) - set(common))
    return rows, only_a, only_b


class Geomean:
    """A geometric mean of ratios of medians over a group of benchmarks, with
    a bootstrap interval over the repetitions."""

    def __init__(self, label, kind, ratio, lo, hi, count):
        self.label, self.kind = label, kind
        self.ratio, self.lo, self.hi, self.count = ratio, lo, hi, count


def geomeans(pairs, alpha=ALPHA, resamples=RESAMPLES, seed=SEED):
    """pairs: [(Bench of A, Bench of B)] of the same benchmarks. Returns the
    geometric means per (kind, topic), then per kind, then over everything.
    The interval covers the noise of the repetitions, not the choice of
    benchmarks: the benchmarks are the same on both sides, by design."""
    rng = random.Random(seed)
    pairs = sorted(pairs, key=lambda p: p[0].name)
    logs, boots = {}, {}
    for a, b in pairs:
        logs[a.name] = math.log(statistics.median(b.times) / statistics.median(a.times))
        boots[a.name] = stats.bootstrap_log_ratios(a.times, b.times, resamples, rng)

    def one(label, kind, names):
        ratio = math.exp(statistics.fmean(logs[n] for n in names))
        lo, hi = stats.geomean_interval([boots[n] for n in names], alpha)
        return Geomean(label, kind, ratio, lo, hi, len(names))

    out = []
    groups = {}
    for a, _ in pairs:
        groups.setdefault((a.kind, a.topic), []).append(a.name)
    for (kind, topic), names in sorted(groups.items()):
        out.append(one(topic if kind == "micro" else f"{topic} (programs)", kind, names))
    kinds = sorted({a.kind for a, _ in pairs})
    for kind in kinds:
        out.append(one(f"all {KINDS[kind].split(' (')[0]}", kind, [a.name for a, _ in pairs if a.kind == kind]))
    if len(kinds) > 1:
        out.append(one("everything", "all", [a.name for a, _ in pairs]))
    return out


# ---- formatting -------------------------------------------------------------------


def fmt_ns(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.3f}"


def fmt_interval(lo, hi):
    return "n/a" if lo is None else f"[{lo:.3f}, {hi:.3f}]"


def fmt_p(p):
    return f"{p:.3f}" if p >= 0.001 else f"{p:.1e}"


def fmt_value(value):
    """A machine.json value as one short line of text."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(fmt_value(v) for v in value) or "n/a"
    if isinstance(value, dict):
        return "; ".join(f"{k} {fmt_value(v)}" for k, v in value.items()) or "n/a"
    return str(value)


def fmt_bytes(n):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.4g} {unit}"
    return f"{n} B"


def machine_fields(machines):
    """(field, [value per machine]) rows for machine descriptions side by
    side: fields in the order the first machine lists them, nested objects
    one level flattened, sizes in bytes (caches, *_bytes) made readable, the
    format version left out."""
    def flat(machine):
        out = {}
        for key, value in machine.items():
            if key == "memlab_results":
                continue
            if isinstance(value, dict) and value and all(not isinstance(v, dict) for v in value.values()):
                for sub, v in value.items():
                    out[f"{key} {sub}"] = fmt_bytes(v) if key == "caches" and isinstance(v, int) else v
            elif key.endswith("_bytes") and isinstance(value, int) and not isinstance(value, bool):
                out[key[:-len("_bytes")]] = fmt_bytes(value)
            else:
                out[key] = value
        return out
    flats = [flat(m) for m in machines]
    keys = []
    for f in flats:
        keys += [k for k in f if k not in keys]
    return [(k, [fmt_value(f.get(k)) for f in flats]) for k in keys]


def use_colour(stream, disabled):
    return not disabled and stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def paint(text, colour, on):
    codes = {"red": "31", "green": "32", "bold": "1", "dim": "2"}
    return f"\033[{codes[colour]}m{text}\033[0m" if on and colour else text


def table(headers, rows, right, colours=None, colour_on=False):
    """Lines of an aligned text table; right: which columns align right;
    colours: per row, a colour for the whole row or None (applied after
    padding so escapes do not upset the alignment)."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]

    def line(cells):
        return "  ".join(str(c).rjust(w) if right[i] else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    out = [paint(line(headers), "bold", colour_on), "  ".join("-" * w for w in widths)]
    for i, r in enumerate(rows):
        out.append(paint(line(r), colours[i] if colours else None, colour_on))
    return out


def md_table(headers, rows, right):
    def esc(c):
        return str(c).replace("|", "\\|")
    out = ["| " + " | ".join(esc(h) for h in headers) + " |",
           "| " + " | ".join("---:" if r else "---" for r in right) + " |"]
    out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return out


def csv_text(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def num(x, digits=6):
    """A number for a CSV cell: empty when unknown."""
    return "" if x is None else f"{x:.{digits}g}"


# Tick candidates, the roundest first; ticks() keeps those not too close to another.
TICKS = (1, 2, 0.5, 10, 0.1, 5, 0.2, 100, 0.01, 1.5, 0.67, 1.25, 0.8, 1.1, 0.9, 3, 0.33, 1.05, 0.95,
         20, 0.05, 50, 0.02, 4, 0.25, 1.02, 0.98)


def ticks(lo, hi):
    """A gnuplot tic list for a log axis from lo to hi: round values, no two
    closer than a ninth of the axis, so their labels never overlap."""
    gap = math.log(hi / lo) / 9
    chosen = []
    for t in TICKS:
        if lo <= t <= hi and all(abs(math.log(t / c)) >= gap for c in chosen):
            chosen.append(t)
    return "(" + ", ".join(f"'{t:g}' {t:g}" for t in sorted(chosen)) + ")"


def axis(values, threshold=0.0):
    """A log axis's (min, max) for these ratios: 1 and the threshold band
    in view, with a margin."""
    values = list(values) + [1 / (1 + threshold), 1 + threshold]
    return min(values) / 1.08, max(values) * 1.08


# ---- writing ------------------------------------------------------------------------


MARKER = ".memlab-compare"   # in every directory we write, so we only ever replace our own


def check_output(out, inputs):
    """Refuse an output directory that would clobber something not ours, or
    whose parent cannot be written; before any work is done."""
    parent = os.path.dirname(os.path.abspath(out))
    real = os.path.realpath(out)
    for path in inputs:
        r = os.path.realpath(path)
        if real == r or r.startswith(real + os.sep):
            raise BadInput(f"{out}: the output directory would replace the input {path}")
    if not os.path.isdir(parent):
        raise BadInput(f"{out}: cannot write it (no directory {parent})")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BadInput(f"{out}: cannot write it ({parent} is not writable)")
    if os.path.lexists(out) and not os.path.isfile(os.path.join(out, MARKER)):
        raise BadInput(f"{out}: exists and was not written by compare; not replacing it")


def write_dir(out, files, figures):
    """Write out/ whole or not at all: the files (name -> text) and the
    figures (gnuplot script, data file name, stem, extra variables) are made
    in a temporary sibling, which then takes out's place."""
    parent = os.path.dirname(os.path.abspath(out))
    base = os.path.basename(os.path.abspath(out))
    tmp = os.path.join(parent, f".{base}.tmp-{os.getpid()}")
    old = os.path.join(parent, f".{base}.old-{os.getpid()}")
    try:
        os.mkdir(tmp)
        for name, text in list(files.items()) + [(MARKER, "written by bench/compare; safe to replace\n")]:
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                f.write(text)
        for script, data, stem, variables in figures:
            _gnuplot(script, os.path.join(tmp, data), os.path.join(tmp, stem), variables)
        if os.path.lexists(out):
            os.rename(out, old)
        os.rename(tmp, out)
    except OSError as e:
        raise BadInput(f"{out}: cannot write it ({e.strerror or e})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if os.path.lexists(old):
            if os.path.lexists(out):
                shutil.rmtree(old, ignore_errors=True)
            else:   # interrupted between the two renames: the old output comes back
                os.rename(old, out)


def _gnuplot(script, data, stem, variables):
    def quoted(text):
        return "'" + str(text).replace("'", "''") + "'"
    assigns = [f"data={quoted(data)}", f"stem={quoted(stem)}"]
    assigns += [f"{k}={quoted(v) if isinstance(v, str) else v}" for k, v in variables.items()]
    try:
        done = subprocess.run(["gnuplot", "-e", "; ".join(assigns), os.path.join(ROOT, script)],
                              cwd=ROOT, capture_output=True, text=True)
    except FileNotFoundError:
        raise BadInput("gnuplot: not found; scripts/deps.sh installs it (gnuplot-nox)") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BadInput(f"{script}: gnuplot failed: {first}")
