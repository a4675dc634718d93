#!/usr/bin/env python3
"""The machine's page: RESULTS_DIR/index.html, from what `make report` left there.

    scripts/report.py [--plots DIR] [--labs DIR] RESULTS_DIR

One self-contained HTML file (inline CSS, no script, no network) with
relative links into the results directory, so the folder can be zipped,
mailed or opened from the file system as it is. It shows the machine
(machine.json), a summary, each lab's checks from its transcript.txt and
its figures (every plots/*.gp whose `# lab:` names it, captioned by its
`# caption:` line), and the benchmark tables (bench/gbench.json,
bench/hyperfine.json). A piece that is not there gets a visible
"missing: run ..." note instead. Every string read from a file is escaped
before it reaches the page, so a transcript cannot inject markup.

The labs shown are those of the source tree (--labs, default labs/) and any
other lab folder found under RESULTS_DIR/labs/.

Exit status: 0 when every lab that ran passed its checks, 1 when a lab's
checks failed or a lab did not finish (the page is written all the same,
showing them), 2 on bad use or an unreadable JSON file (no page is written).
"""
import argparse
import html
import json
import os
import re
import statistics
import struct
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from benchlib import UNIT_NS  # noqa: E402

PROG = "report"

LAB_ID = re.compile(r"^\d\d-[A-Za-z0-9_.-]+$")
SUMMARY = re.compile(r"^lab (\d+): (\d+) checks passed, (\d+) failed$")
HEADING = re.compile(r"^── (.*?) ─*$")
TITLE = re.compile(r"^memlab lab \d+ · (.+)$")
# A check's row: our value, then (after CPython's) the verdict. Prose that
# merely mentions a ✓ has no "ours" column before it.
CHECK = re.compile(r"\bours\b.*([✓✗])")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
HEADER = re.compile(r"^#\s*(caption|lab|data):\s*(.*?)\s*$")

# machine.json's rows, each with the keys it may be written under (the first
# one present wins). Those DESIGN.md promises are always shown, "not
# measured" when absent; the others only when the file has them.
MACHINE_ROWS = [
    ("CPU model", True, ("cpu_model", "cpu")),
    ("cores", True, ("cores", "cpu_count", "num_cpus")),
    ("threads", False, ("threads",)),
    ("caches", True, ("caches",)),
    ("memory", True, ("memory_bytes", "memory")),
    ("operating system", True, ("os",)),
    ("kernel", False, ("kernel",)),
    ("architecture", False, ("arch",)),
    ("compiler", True, ("compiler", "cc")),
    ("compiler flags", True, ("cflags", "compiler_flags")),
    ("Google Benchmark", False, ("google_benchmark",)),
    ("hyperfine", False, ("hyperfine",)),
    ("python3", False, ("python3",)),
    ("commit", True, ("commit",)),
    ("uncommitted changes", False, ("dirty",)),
    ("CPU frequency governor", False, ("governor",)),
    ("CPU boost", False, ("boost",)),
    ("load average (1, 5, 15 min)", False, ("load_average",)),
    ("date", True, ("date",)),
]
# Bookkeeping, not a description of the machine.
MACHINE_SKIP = {"memlab_results", "machine", "null_reasons"}


class BadInput(Exception):
    """A file that is there but is not what it should be: exit 2."""


def fail(message):
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(2)


def esc(text):
    return html.escape(str(text), quote=True)


def href(relpath):
    """A relative link to a file of the results directory, escaped for an attribute."""
    return esc(urllib.parse.quote(relpath.replace(os.sep, "/"), safe="/"))


def anchor(lab_id):
    return "lab-" + re.sub(r"[^A-Za-z0-9_-]", "-", lab_id)


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def load_json(path, what, check):
    """The parsed file, None when absent; BadInput when it is not `what`."""
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise BadInput(f"{path}: not {what} ({e})")
    if not check(data):
        raise BadInput(f"{path}: not {what}")
    return data


def png_size(path):
    """(width, height) from a PNG's IHDR, or None if the file is not a PNG."""
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError:
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


# ---- labs -------------------------------------------------------------------

def lab_ids(results, labs_src):
    ids = set()
    for base in (labs_src, os.path.join(results, "labs")):
        if os.path.isdir(base):
            ids.update(d for d in os.listdir(base)
                       if LAB_ID.match(d) and os.path.isdir(os.path.join(base, d)))
    return sorted(ids)


def parse_transcript(text):
    """Title, the line under it (claims, mode, where CPython's column came
    from), steps [(heading, [(ok, [lines])])], and the summary line's counts
    (None when the lab did not get as far as printing it)."""
    # A transcript made without --no-color still reads right.
    lines = ANSI.sub("", text).replace("\r\n", "\n").split("\n")
    title, about, steps, summary = None, None, [], None
    heading = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if title is None and TITLE.match(stripped):
            title = TITLE.match(stripped).group(1)
            if i + 1 < len(lines) and lines[i + 1].startswith("claims "):
                about = lines[i + 1].strip()
        m = HEADING.match(stripped)
        if m:
            heading = m.group(1)
            continue
        m = CHECK.search(line)
        if not m:
            continue
        check = [line]
        # A label too long for its column sits alone on the line above.
        if line.lstrip().startswith("ours ") and i > 0 and lines[i - 1].strip():
            check.insert(0, lines[i - 1])
        if not steps or steps[-1][0] != heading:
            steps.append((heading, []))
        steps[-1][1].append(("✗" not in line[m.start():], check))
    for line in reversed(lines):
        if line.strip():
            m = SUMMARY.match(line.strip())
            if m:
                summary = (int(m.group(2)), int(m.group(3)))
            break
    return title, about, steps, summary


def common_indent(lines):
    widths = [len(s) - len(s.lstrip(" ")) for s in lines if s.strip()]
    return min(widths) if widths else 0


class Lab:
    def __init__(self, results, lab_id):
        self.id = lab_id
        self.dir = os.path.join(results, "labs", lab_id)
        self.rel = os.path.join("labs", lab_id)
        self.transcript = os.path.join(self.dir, "transcript.txt")
        self.title, self.about, self.steps, self.summary = None, None, [], None
        self.present = os.path.isfile(self.transcript)
        self.csvs = sorted(f for f in os.listdir(self.dir) if f.endswith(".csv")) \
            if os.path.isdir(self.dir) else []
        if self.present:
            self.title, self.about, self.steps, self.summary = \
                parse_transcript(read_text(self.transcript))
        self.figures = []

    @property
    def finished(self):
        return self.summary is not None

    @property
    def passed(self):
        return self.present and self.finished and self.summary[1] == 0

    def counts(self):
        """(passed, failed) checks: the summary line's, else the ✓/✗ lines'."""
        if self.summary:
            return self.summary
        ok = sum(1 for _, checks in self.steps for good, _ in checks if good)
        bad = sum(1 for _, checks in self.steps for good, _ in checks if not good)
        return ok, bad


# ---- figures ----------------------------------------------------------------

def read_figures(plots_src, results):
    """Every figure script's header: [{name, lab, caption, data, png, svg}]."""
    figures = []
    if not os.path.isdir(plots_src):
        return figures
    for name in sorted(os.listdir(plots_src)):
        # The comparison figures need two machines; they are not this page's.
        if not name.endswith(".gp") or name == "style.gp" or name.startswith("compare"):
            continue
        fig = {"name": name[:-3], "lab": None, "caption": "", "data": []}
        for line in read_text(os.path.join(plots_src, name)).split("\n"):
            if not line.startswith("#"):
                break
            m = HEADER.match(line)
            if m and m.group(1) == "data":
                fig["data"].append(m.group(2))
            elif m:
                fig[m.group(1)] = m.group(2)
        if not fig["lab"]:
            continue
        fig["png"] = os.path.join("plots", fig["name"] + ".png")
        fig["svg"] = os.path.join("plots", fig["name"] + ".svg")
        fig["size"] = png_size(os.path.join(results, fig["png"]))
        fig["has_svg"] = os.path.isfile(os.path.join(results, fig["svg"]))
        figures.append(fig)
    return figures


def render_figure(fig, results):
    out = []
    caption = esc(fig["caption"]) or f"<em>{esc(fig['name'])}</em> (no caption)"
    if fig["size"] is None:
        out.append('<div class="note figure-missing">')
        out.append(f'<p><strong>missing:</strong> figure <code>{esc(fig["name"])}</code> '
                   f'(<code>{esc(fig["png"])}</code>); run <code>make plots</code></p>')
        out.append(f'<p class="caption">{caption}</p></div>')
        return "\n".join(out)
    w, h = fig["size"]
    out.append(f'<figure id="fig-{esc(fig["name"])}">')
    out.append(f'<a href="{href(fig["png"])}"><img src="{href(fig["png"])}" '
               f'width="{w}" height="{h}" alt="{esc(fig["caption"] or fig["name"])}"></a>')
    links = [f'<a href="{href(fig["png"])}">PNG</a>']
    if fig["has_svg"]:
        links.append(f'<a href="{href(fig["svg"])}">SVG</a>')
    for d in fig["data"]:
        if os.path.isfile(os.path.join(results, d)):
            links.append(f'<a href="{href(d)}">{esc(os.path.basename(d))}</a>')
        else:
            links.append(f'<span class="bad">{esc(d)} missing</span>')
    out.append(f'<figcaption>{caption} <span class="files">{" · ".join(links)}</span>'
               f'</figcaption></figure>')
    return "\n".join(out)


# ---- machine ----------------------------------------------------------------

def fmt_bytes(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} B"


def fmt_value(key, value):
    """Any JSON value as one line of text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and value >= 1 << 20 and \
            any(w in key.lower() for w in ("mem", "size", "bytes", "ram")):
        return f"{fmt_bytes(value)} ({value} bytes)"
    if key == "caches" and isinstance(value, dict):
        return "; ".join(f"{level} " + (fmt_bytes(size) if isinstance(size, int) else
                                        "not measured" if size is None else str(size))
                         for level, size in value.items())
    if key == "caches" and isinstance(value, list):
        return "; ".join(fmt_cache(c) for c in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} {fmt_value(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(fmt_value(key, v) for v in value) if value else "none"
    if value is None or value == "":
        return "not measured"
    return str(value)


def fmt_cache(c):
    """One cache as Google Benchmark's context describes it."""
    if not isinstance(c, dict):
        return str(c)
    size = c.get("size")
    text = f"L{c.get('level', '?')} {str(c.get('type', '')).lower()} "
    text += fmt_bytes(size) if isinstance(size, int) else str(size)
    if isinstance(c.get("num_sharing"), int) and c["num_sharing"] > 1:
        text += f" (shared by {c['num_sharing']})"
    return text


def render_machine(machine, gbench):
    out = ['<section id="machine"><h2>The machine</h2>']
    if machine is None:
        out.append('<p class="note"><strong>missing:</strong> <code>machine.json</code>; '
                   'run <code>make bench</code> (it describes the machine)</p>')
    machine = machine or {}
    reasons = machine.get("null_reasons")
    reasons = reasons if isinstance(reasons, dict) else {}
    rows, used = [], set(MACHINE_SKIP)
    for label, always, keys in MACHINE_ROWS:
        key = next((k for k in keys if k in machine), None)
        if key is None:
            if always:
                rows.append((label, None, None))
            continue
        used.add(key)
        rows.append((label, machine[key], key))
    rows += [(key.replace("_", " "), value, key) for key, value in machine.items()
             if key not in used]
    out.append('<table class="kv"><tbody>')
    for label, value, key in rows:
        if value is None:
            why = reasons.get(key) if key else None
            cell = '<td class="na">not measured' + (f": {esc(why)}" if why else "") + "</td>"
        else:
            cell = f"<td>{esc(fmt_value(key, value))}</td>"
        out.append(f"<tr><th>{esc(label)}</th>{cell}</tr>")
    out.append("</tbody></table>")
    ctx = gbench.get("context") if gbench else None
    if isinstance(ctx, dict):
        out.append('<h3>As Google Benchmark saw it</h3><table class="kv"><tbody>')
        for key in ("date", "host_name", "memlab_mode", "num_cpus", "mhz_per_cpu",
                    "cpu_scaling_enabled", "caches", "load_avg", "library_build_type"):
            if key in ctx:
                out.append(f"<tr><th>{esc(key.replace('_', ' '))}</th>"
                           f"<td>{esc(fmt_value(key, ctx[key]))}</td></tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


# ---- benchmarks -------------------------------------------------------------



def fmt_ns(ns):
    for unit, size in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= size:
            return f"{ns / size:.3g} {unit}"
    return f"{ns:.3g} ns"


def is_gbench(d):
    return isinstance(d, dict) and isinstance(d.get("benchmarks"), list) and \
        all(isinstance(b, dict) and "name" in b for b in d["benchmarks"])


def is_hyperfine(d):
    return isinstance(d, dict) and isinstance(d.get("results"), list) and \
        all(isinstance(r, dict) and "command" in r for r in d["results"])


def gbench_rows(report):
    """{topic: [(name, stats)]} in the report's order; stats is a dict with
    median, lo, hi, n (ns) or error."""
    runs, order, aggregates, errors, items = {}, [], {}, {}, {}
    for b in report["benchmarks"]:
        name = b.get("run_name", b["name"])
        if name not in runs:
            runs[name] = []
            items[name] = []
            order.append(name)
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        try:
            ns = float(b["real_time"]) * UNIT_NS[b.get("time_unit", "ns")]
        except (KeyError, TypeError, ValueError):
            continue
        if b.get("run_type", "iteration") == "aggregate":
            aggregates.setdefault(name, {})[b.get("aggregate_name")] = ns
        else:
            runs[name].append(ns)
            # items_per_second divides by CPU time; the columns here are real time.
            rate, cpu = b.get("items_per_second"), b.get("cpu_time")
            if isinstance(rate, (int, float)) and isinstance(cpu, (int, float)) and rate > 0 < cpu:
                per_iteration = rate * cpu * UNIT_NS[b.get("time_unit", "ns")] / 1e9
                items[name].append(ns / per_iteration)
    topics = {}
    for name in order:
        times = runs[name]
        if name in errors:
            stats = {"error": errors[name]}
        elif times:
            stats = {"median": statistics.median(times), "lo": min(times),
                     "hi": max(times), "n": len(times),
                     "item": statistics.median(items[name]) if items[name] else None}
        elif "median" in aggregates.get(name, {}):
            stats = {"median": aggregates[name]["median"], "lo": None, "hi": None, "n": None,
                     "item": None}
        else:
            continue
        topic, _, rest = name.partition("/")
        topics.setdefault(topic, []).append((rest or name, stats))
    # Random interleaving shuffles the report; a reader looks for n:100 before n:1000.
    return {t: sorted(topics[t], key=lambda row: natural(row[0])) for t in sorted(topics)}


def natural(text):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p]


def bench_anchor(topic):
    return "bench-" + re.sub(r"[^A-Za-z0-9_-]", "-", topic)


def render_gbench(report, lab_list):
    out = ['<h3 id="gbench">Micro-benchmarks (Google Benchmark)</h3>']
    if report is None:
        out.append('<p class="note"><strong>missing:</strong> <code>bench/gbench.json</code>; '
                   'run <code>make bench QUICK=1</code></p>')
        return "\n".join(out)
    topics = gbench_rows(report)
    if not topics:
        out.append('<p class="note"><strong>missing:</strong> <code>bench/gbench.json</code> '
                   'holds no benchmark; run <code>make bench QUICK=1</code></p>')
        return "\n".join(out)
    out.append('<p>Real time per iteration: the median over the repetitions, their range '
               '(fastest – slowest), and the spread, (slowest − fastest) / median. A spread '
               'over 10% is marked: the machine was busy or the benchmark is noisy. '
               'Per item: the median real time per item processed, where the benchmark '
               'counts items (an iteration may handle many). '
               f'From <a href="{href("bench/gbench.json")}">bench/gbench.json</a>.</p>')
    for topic, rows in topics.items():
        lab = next((lab_id for lab_id in lab_list if lab_id[:2] == topic[:2]), None)
        see = f' <a class="see" href="#{esc(anchor(lab))}">lab {esc(lab)}</a>' if lab else ""
        out.append(f'<table class="num" id="{esc(bench_anchor(topic))}">'
                   f'<caption>{esc(topic)}{see}</caption>'
                   '<thead><tr><th>benchmark</th><th>median</th><th>fastest – slowest</th>'
                   '<th>spread</th><th>runs</th><th>per item</th></tr></thead><tbody>')
        for name, s in rows:
            if "error" in s:
                out.append(f'<tr class="fail"><td>{esc(name)}</td>'
                           f'<td colspan="5">error: {esc(s["error"])}</td></tr>')
                continue
            if s["lo"] is None:
                rng, spread, cls = "—", "—", ""
            else:
                rel = (s["hi"] - s["lo"]) / s["median"] if s["median"] > 0 else 0.0
                rng = f"{fmt_ns(s['lo'])} – {fmt_ns(s['hi'])}"
                spread, cls = f"{rel:.1%}", ' class="noisy"' if rel > 0.10 else ""
            out.append(f'<tr><td>{esc(name)}</td><td>{esc(fmt_ns(s["median"]))}</td>'
                       f'<td>{esc(rng)}</td><td{cls}>{esc(spread)}</td>'
                       f'<td>{esc(s["n"] if s["n"] is not None else "—")}</td>'
                       f'<td>{esc(fmt_ns(s["item"]) if s["item"] else "—")}</td></tr>')
        out.append("</tbody></table>")
    return "\n".join(out)


def hyperfine_stats(r):
    times = [t for t in r.get("times") or [] if isinstance(t, (int, float))]
    if times:
        return statistics.median(times) * 1e9, min(times) * 1e9, max(times) * 1e9, len(times)
    if isinstance(r.get("median"), (int, float)):
        lo, hi = r.get("min"), r.get("max")
        return (r["median"] * 1e9, lo * 1e9 if isinstance(lo, (int, float)) else None,
                hi * 1e9 if isinstance(hi, (int, float)) else None, None)
    return None


def fmt_run(stats):
    if stats is None:
        return '<td class="na">not measured</td>'
    median, lo, hi, n = stats
    rng = f" <small>({fmt_ns(lo)} – {fmt_ns(hi)})</small>" if lo is not None else ""
    return f"<td>{esc(fmt_ns(median))}{rng}</td>"


def render_hyperfine(report):
    out = ['<h3 id="hyperfine">Whole programs: each lab vs its CPython twin (hyperfine)</h3>']
    if report is None:
        out.append('<p class="note"><strong>missing:</strong> <code>bench/hyperfine.json</code>; '
                   'run <code>make bench QUICK=1</code></p>')
        return "\n".join(out)
    pairs, others = {}, []
    for r in report["results"]:
        command = str(r["command"])
        side, _, lab = command.partition("/")
        if side in ("lab", "twin") and lab:
            pairs.setdefault(lab, {})[side] = hyperfine_stats(r)
        else:
            others.append((command, hyperfine_stats(r)))
    mode = report.get("mode")
    mode = f" This was a {esc(mode)} run{' (both with --quick)' if mode == 'quick' else ''}." \
        if isinstance(mode, str) else ""
    out.append('<p>Wall time of a whole run, median over hyperfine\'s runs (fastest – slowest '
               'in brackets): the C lab, the same experiment in <code>python3</code> (the twin), '
               f'and how many times longer the twin took.{mode} From '
               f'<a href="{href("bench/hyperfine.json")}">bench/hyperfine.json</a>.</p>')
    out.append('<table class="num"><thead><tr><th>lab</th><th>ours (C)</th><th>CPython twin</th>'
               '<th>twin ÷ ours</th></tr></thead><tbody>')
    for lab in sorted(pairs):
        ours, twin = pairs[lab].get("lab"), pairs[lab].get("twin")
        ratio = f"{twin[0] / ours[0]:.1f}×" if ours and twin and ours[0] > 0 else "—"
        out.append(f'<tr><td><a href="#{esc(anchor(lab))}">{esc(lab)}</a></td>'
                   f'{fmt_run(ours)}{fmt_run(twin)}<td>{esc(ratio)}</td></tr>')
    for command, stats in others:
        out.append(f'<tr><td>{esc(command)}</td>{fmt_run(stats)}<td class="na">—</td>'
                   '<td>—</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def render_bench(results, gbench, hyperfine, figures, lab_list):
    out = ['<section id="bench"><h2>Benchmarks</h2>']
    for fig in figures:
        out.append(render_figure(fig, results))
    out.append(render_gbench(gbench, lab_list))
    out.append(render_hyperfine(hyperfine))
    extra = [f for f in ("bench/gc.csv", "bench/cpython-gc.json")
             if os.path.isfile(os.path.join(results, f))]
    if extra:
        out.append("<p>Other files: " + " · ".join(
            f'<a href="{href(f)}">{esc(f)}</a>' for f in extra) + "</p>")
    out.append("</section>")
    return "\n".join(out)


# ---- the page ---------------------------------------------------------------

def render_lab(lab, results):
    status = "missing" if not lab.present else "pass" if lab.passed else "fail"
    ok, bad = lab.counts()
    badge = {"missing": "missing",
             "pass": f"{ok} ✓",
             "fail": f"{ok} ✓ · {bad} ✗" if lab.finished else f"did not finish · {bad} ✗"}[status]
    title = lab.title or lab.id[3:].replace("-", " ")
    out = [f'<section class="lab {status}" id="{esc(anchor(lab.id))}">',
           f'<h3><span class="num">{esc(lab.id[:2])}</span> {esc(title)} '
           f'<span class="badge {status}">{esc(badge)}</span></h3>']
    if not lab.present:
        out.append(f'<p class="note"><strong>missing:</strong> '
                   f'<code>{esc(lab.rel)}/transcript.txt</code>; run '
                   f'<code>scripts/lab-data {esc(results)} {esc(lab.id)}</code> '
                   f'(or <code>make lab-data</code>)</p>')
    else:
        files = [f'<a href="{href(os.path.join(lab.rel, "transcript.txt"))}">transcript.txt</a>']
        files += [f'<a href="{href(os.path.join(lab.rel, c))}">{esc(c)}</a>' for c in lab.csvs]
        about = f"<br>{esc(lab.about)}" if lab.about else ""
        out.append(f'<p class="files">{esc(lab.id)}: {" · ".join(files)}{about}</p>')
        if not lab.finished:
            out.append('<p class="note"><strong>the lab did not finish:</strong> its transcript '
                       'has no summary line; read the transcript\'s end</p>')
        rows = sum(len(checks) for _, checks in lab.steps)
        if lab.finished and rows != ok + bad:
            out.append(f'<p class="note">the transcript shows {rows} check rows but its summary '
                       f'counts {ok + bad} checks; the transcript has the whole story</p>')
    for fig in lab.figures:
        out.append(render_figure(fig, results))
    if lab.present:
        if not lab.steps:
            out.append('<p class="note">no checks in the transcript</p>')
        else:
            opened = " open" if status != "pass" else ""
            what = f"{ok + bad} checks, all passed" if not bad else f"{ok + bad} checks, {bad} failed"
            out.append(f'<details class="checks"{opened}><summary>{esc(what)}</summary>')
            for heading, checks in lab.steps:
                if heading:
                    out.append(f"<h4>{esc(heading)}</h4>")
                lines = [line for _, check in checks for line in check]
                cut = common_indent(lines)
                out.append("<pre>")
                for good, check in checks:
                    text = esc("\n".join(line[cut:].rstrip() for line in check))
                    out.append(text if good else f'<span class="fail">{text}</span>')
                out.append("</pre>")
            out.append("</details>")
    out.append("</section>")
    return "\n".join(out)


STYLE = """
:root { --ink: #1d1d1f; --dim: #5f6368; --line: #d9dce0; --bg: #ffffff; --soft: #f5f6f8;
        --ok: #0b7a3b; --bad: #b3261e; --badbg: #fde8e6; --warn: #8a5a00; --warnbg: #fff4d6;
        --link: #0a58ca; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       line-height: 1.5; }
.page { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
header h1 { margin: 0 0 .25rem; font-size: 1.9rem; }
header p { margin: 0; color: var(--dim); }
h2 { margin-top: 2.5rem; padding-bottom: .3rem; border-bottom: 2px solid var(--line); }
h3 { margin-top: 2rem; }
h4 { margin: 1rem 0 .25rem; font-size: .95rem; color: var(--dim); }
a { color: var(--link); }
code, pre { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: .85rem; }
pre { background: var(--soft); padding: .6rem .8rem; border-radius: 6px; overflow-x: auto;
      margin: .25rem 0; line-height: 1.4; }
pre .fail { display: inline-block; min-width: 100%; background: var(--badbg); color: var(--bad);
            font-weight: bold; }
nav.toc { background: var(--soft); border-radius: 8px; padding: .75rem 1.25rem; margin: 1.5rem 0; }
nav.toc h2 { margin: 0 0 .25rem; border: 0; font-size: 1.1rem; }
nav.toc ol { margin: 0; padding-left: 1.25rem; }
nav.toc ol ol { columns: 2 18rem; column-gap: 2rem; }
nav.toc .fail a { color: var(--bad); font-weight: bold; }
nav.toc .missing a { color: var(--dim); }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; }
.card { flex: 1 1 12rem; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
.card .big { font-size: 1.8rem; font-weight: bold; }
.card.bad { border-color: var(--bad); background: var(--badbg); }
.card.bad .big { color: var(--bad); }
.card.good .big { color: var(--ok); }
table { border-collapse: collapse; margin: .75rem 0 1.25rem; font-size: .92rem;
        display: block; max-width: 100%; overflow-x: auto; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
caption .see { font-weight: normal; font-size: .85rem; margin-left: .5rem; }
th, td { padding: .3rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top;
         text-align: left; }
thead th { border-bottom: 2px solid var(--line); }
table.num td, table.num th { white-space: nowrap; }
table.num td + td, table.num th + th { text-align: right; font-variant-numeric: tabular-nums; }
table.kv th { color: var(--dim); font-weight: normal; white-space: nowrap; }
td.na, .na { color: var(--dim); font-style: italic; }
td.noisy { color: var(--warn); background: var(--warnbg); }
tr.fail td { color: var(--bad); background: var(--badbg); }
section.lab + section.lab { border-top: 1px solid var(--line); }
section.lab h3 .num { color: var(--dim); }
.badge { font-size: .8rem; font-weight: normal; border-radius: 999px; padding: .1rem .6rem;
         margin-left: .5rem; vertical-align: middle; white-space: nowrap; }
.badge.pass { background: #e3f4ea; color: var(--ok); }
.badge.fail { background: var(--badbg); color: var(--bad); font-weight: bold; }
.badge.missing { background: var(--soft); color: var(--dim); }
.files { color: var(--dim); font-size: .9rem; }
.note { background: var(--warnbg); color: var(--warn); border-left: 4px solid #e0a800;
        padding: .5rem .8rem; border-radius: 4px; }
.note p { margin: .2rem 0; }
.bad { color: var(--bad); }
figure { margin: 1rem 0 1.5rem; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line);
             border-radius: 4px; }
figcaption { color: var(--dim); font-size: .92rem; margin-top: .4rem; max-width: 60rem; }
figcaption .files { margin-left: .5rem; white-space: nowrap; }
details.checks > summary { cursor: pointer; font-weight: bold; margin: .5rem 0; }
footer { margin-top: 3rem; color: var(--dim); font-size: .85rem; }
"""


def render_page(results, machine_name, labs, machine, gbench, hyperfine, bench_figures):
    present = [lab for lab in labs if lab.present]
    failed_labs = [lab for lab in present if not lab.passed]
    missing = [lab for lab in labs if not lab.present]
    checks_ok = sum(lab.counts()[0] for lab in present)
    checks_bad = sum(lab.counts()[1] for lab in present)
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    out = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<title>memlab · {esc(machine_name)}</title>',
           '<link rel="icon" href="data:,">', f"<style>{STYLE}</style>", "</head><body>",
           '<div class="page"><header>', f"<h1>memlab on {esc(machine_name)}</h1>",
           f"<p>Every lab's checks and figures and the benchmarks for this machine, "
           f"generated {esc(now)} by <code>make report</code>.</p></header>"]

    out.append('<nav class="toc"><h2>Contents</h2><ol>')
    out.append('<li><a href="#summary">Summary</a></li><li><a href="#machine">The machine</a></li>')
    out.append('<li><a href="#labs">Labs</a><ol>')
    for lab in labs:
        status = "missing" if not lab.present else "pass" if lab.passed else "fail"
        mark = {"missing": " (missing)", "pass": "", "fail": " ✗"}[status]
        title = lab.title or lab.id[3:].replace("-", " ")
        out.append(f'<li class="{status}"><a href="#{esc(anchor(lab.id))}">'
                   f'{esc(lab.id[:2])} · {esc(title)}{esc(mark)}</a></li>')
    out.append('</ol></li><li><a href="#bench">Benchmarks</a><ol>')
    if gbench is not None:
        out.extend(f'<li><a href="#{esc(bench_anchor(t))}">{esc(t)}</a></li>' for t in gbench_rows(gbench))
    out.append('<li><a href="#hyperfine">whole programs: lab vs twin</a></li></ol></li></ol></nav>')

    out.append('<section id="summary"><h2>Summary</h2><div class="cards">')
    out.append(f'<div class="card {"bad" if failed_labs else "good"}"><div class="big">'
               f'{len(present) - len(failed_labs)} of {len(present)}</div>labs passed every check'
               f'{f", {len(failed_labs)} failed" if failed_labs else ""}</div>')
    out.append(f'<div class="card {"bad" if checks_bad else "good"}"><div class="big">'
               f'{checks_ok} ✓ · {checks_bad} ✗</div>checks passed · failed</div>')
    if missing:
        out.append(f'<div class="card"><div class="big">{len(missing)}</div>'
                   'labs without data</div>')
    out.append("</div>")
    if failed_labs:
        out.append('<p class="bad"><strong>Failed:</strong> ' + ", ".join(
            f'<a href="#{esc(anchor(lab.id))}">{esc(lab.id)}</a>' for lab in failed_labs) + "</p>")
    if missing:
        out.append('<p class="note"><strong>missing:</strong> no data for '
                   + ", ".join(esc(lab.id) for lab in missing)
                   + "; run <code>make lab-data</code> (or <code>make report</code>)</p>")
    out.append("</section>")

    out.append(render_machine(machine, gbench))
    out.append('<section id="labs"><h2>Labs</h2>')
    out.extend(render_lab(lab, results) for lab in labs)
    out.append("</section>")
    out.append(render_bench(results, gbench, hyperfine, bench_figures, [lab.id for lab in labs]))
    out.append("<footer>memlab · the files beside this page hold every number shown here: "
               "labs/NN-name/ (CSV and transcripts), bench/ and plots/ (PNG and SVG).</footer>")
    out.append("</div></body></html>\n")
    return "\n".join(out)


def write_whole(path, text):
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".index.html.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class Parser(argparse.ArgumentParser):
    def error(self, message):
        fail(f"{message} (see --help)")


def main():
    parser = Parser(prog="scripts/report.py", description=__doc__.split("\n\n")[0],
                    epilog="Exit status: 0 all labs passed, 1 a lab's checks failed "
                           "(the page is still written), 2 bad use or unreadable input.")
    parser.add_argument("results", metavar="RESULTS_DIR",
                        help="the machine's results folder, e.g. results/$(hostname -s)")
    parser.add_argument("--plots", default=os.path.join(ROOT, "plots"), metavar="DIR",
                        help="where the figure scripts (*.gp) are (default: plots/)")
    parser.add_argument("--labs", default=os.path.join(ROOT, "labs"), metavar="DIR",
                        help="the labs' sources, for the list of labs (default: labs/)")
    args = parser.parse_args()

    results = args.results
    if not os.path.isdir(results):
        fail(f"{results}: no such results folder (make report fills it)")
    if not os.access(results, os.W_OK | os.X_OK):
        fail(f"{results}: cannot write there")
    for opt, path in (("--plots", args.plots), ("--labs", args.labs)):
        if not os.path.isdir(path):
            fail(f"{opt} {path}: no such folder")

    try:
        machine = load_json(os.path.join(results, "machine.json"), "a JSON object",
                            lambda d: isinstance(d, dict))
        gbench = load_json(os.path.join(results, "bench", "gbench.json"),
                           "a Google Benchmark JSON report", is_gbench)
        hyperfine = load_json(os.path.join(results, "bench", "hyperfine.json"),
                              "a hyperfine JSON export", is_hyperfine)
    except BadInput as e:
        fail(str(e))

    try:
        labs = [Lab(results, i) for i in lab_ids(results, args.labs)]
        figures = read_figures(args.plots, results)
    except OSError as e:
        fail(f"{e.filename}: cannot read it ({e.strerror})")
    by_id = {lab.id: lab for lab in labs}
    bench_figures = []
    for fig in figures:
        if fig["lab"] == "bench":
            bench_figures.append(fig)
        elif fig["lab"] in by_id:
            by_id[fig["lab"]].figures.append(fig)

    name = os.path.basename(os.path.normpath(os.path.abspath(results)))
    if machine and isinstance(machine.get("machine"), str) and machine["machine"]:
        name = machine["machine"]
    page = render_page(results, name, labs, machine, gbench, hyperfine, bench_figures)
    index = os.path.join(results, "index.html")
    try:
        write_whole(index, page)
    except OSError as e:
        fail(f"{index}: cannot write it ({e.strerror})")

    present = [lab for lab in labs if lab.present]
    failed = [lab.id for lab in present if not lab.passed]
    ok = sum(lab.counts()[0] for lab in present)
    bad = sum(lab.counts()[1] for lab in present)
    print(f"{PROG}: {len(present)} labs ({len(failed)} failed), {ok} checks passed, {bad} failed"
          + (f", {len(labs) - len(present)} labs missing" if len(present) < len(labs) else ""))
    if failed:
        print(f"{PROG}: failed: {' '.join(failed)}")
    missing = [path for path, data in (("machine.json", machine), ("bench/gbench.json", gbench),
                                       ("bench/hyperfine.json", hyperfine)) if data is None]
    undrawn = [fig for lab in labs for fig in lab.figures] + bench_figures
    undrawn = sum(1 for fig in undrawn if fig["size"] is None)
    if undrawn:
        missing.append(f"{undrawn} figure(s)")
    if missing:
        print(f"{PROG}: missing (noted on the page): {', '.join(missing)}")
    print(f"{PROG}: wrote {index}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
