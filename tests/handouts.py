#!/usr/bin/env python3
"""The handouts' tests (a stage of make test): run from the top of the tree
after make.

  structure  every handouts/NN-name.md has the eight sections in order, a
             background that names CPython source files, one expected-
             output marker running its own lab, prose that quotes the same
             summary line as its block, and a "common claims, checked"
             entry, with a verdict, for exactly the claims its lab checks
             (the lab_spec `claims` field in labs/NN-name/lab.c)
  drift      the test of the test: on a copy of one handout, a changed count
             must fail scripts/refresh-handouts.py --check and a changed
             measured value must not; then every handout against a fresh
             full run of its lab
  render     scripts/render-handouts into a scratch results directory with
             figures drawn here by gnuplot: every page exists, shows every
             heading of its handout, links only to images and pages that
             exist, fetches nothing from the network; with a figure missing
             it fails and leaves the previous pages as they were

    tests/handouts.py [--no-drift]   (--no-drift skips the full lab runs)

The last line is "N passed, M failed"; exit status 1 if any failed.
"""
import glob
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile

import tally

SECTIONS = ["Goal", "Time needed", "Background", "Steps", "Expected output", "Checkoff",
            "Questions", "Common claims, checked"]
CPYTHON_FILE = re.compile(r"`(?:Objects|Include|Python|Modules|Lib|Parser)/[\w/.-]+\.(?:c|h|py|md)`")
SPEC = re.compile(r'lab_spec spec = \{"(\d\d-[\w-]+)", "[^"]*", "([^"]*)"')


def handouts():
    return sorted(glob.glob("handouts/[0-9][0-9]-*.md"))


def lab_claims(lab):
    """The claim numbers lab_spec names, "1-5, 33" -> {1, 2, 3, 4, 5, 33}."""
    with open(f"labs/{lab}/lab.c", encoding="utf-8") as f:
        m = SPEC.search(f.read())
    if not m or m.group(1) != lab:
        return None
    claims = set()
    for part in m.group(2).split(","):
        lo, _, hi = part.strip().partition("-")
        claims.update(range(int(lo), int(hi or lo) + 1))
    return claims


def sections(text):
    """{heading: body} of the '## ' sections, and the headings in order."""
    order, body, current = [], {}, None
    for line in text.split("\n"):
        if line.startswith("## "):
            current = line[3:].strip()
            order.append(current)
            body[current] = []
        elif current:
            body[current].append(line)
    return order, {k: "\n".join(v) for k, v in body.items()}


def check_structure(path):
    lab = os.path.basename(path)[:-3]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    order, body = sections(text)
    tally.check(text.startswith(f"# Lab {lab[:2]} "), f"{path}: title '# Lab {lab[:2]} ...'",
                text.split("\n")[0])
    tally.check(order == SECTIONS, f"{path}: the eight sections in order", f"found {order}")
    tally.check(bool(CPYTHON_FILE.search(body.get("Background", ""))),
                f"{path}: background names CPython source files", "no `Objects/...` or the like")
    markers = re.findall(r"^<!-- output: (\S+)", text, re.M)
    tally.check(markers == [f"build/labs/{lab}"],
                f"{path}: one output marker running build/labs/{lab}", f"markers: {markers}")
    # The prose quotes the block's summary line (the checkoff does): a lab
    # that gains a check must not leave the old count in the text.
    block = re.search(r"^<!-- output: .* -->\n```[a-z]*\n(.*?)\n```$", text, re.M | re.S)
    summary = block.group(1).strip().split("\n")[-1] if block else ""
    outside = text.replace(block.group(1), "") if block else text
    quoted = re.findall(r"lab \d\d: \d+ checks passed, \d+ failed", outside)
    tally.check(bool(quoted) and all(q == summary for q in quoted),
                f"{path}: the prose quotes the block's summary line",
                f"{quoted} against {summary!r}")
    want = lab_claims(lab)
    claims_text = body.get("Common claims, checked", "")
    have = [int(n) for n in re.findall(r"^\*\*Claim (\d+)\*\*", claims_text, re.M)]
    verdicts = len(re.findall(r"^Verdict: \*\*", claims_text, re.M))
    tally.check(want is not None and sorted(have) == sorted(want) and len(have) == len(set(have))
                and verdicts == len(have),
                f"{path}: a claim with a verdict for each of the lab's claims",
                f"lab checks {sorted(want or [])}, handout has {have} with {verdicts} verdicts")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def check_drift_detects():
    """Edits a copy of a quick lab's handout and asks the check about it."""
    src = "handouts/02-cycles.md"
    with open(src, encoding="utf-8") as f:
        text = f.read()
    tmp = tempfile.mkdtemp(prefix="memlab-handouts-")
    try:
        copy = os.path.join(tmp, "02-cycles.md")

        def check_with(changed):
            with open(copy, "w", encoding="utf-8") as f:
                f.write(changed)
            return run([sys.executable, "scripts/refresh-handouts.py", "--check", copy]).returncode

        tally.check(check_with(text) == 0, "drift check: an untouched handout passes")
        count = re.search(r"^(   >>> gc\.collect\(\) +ours )(\d+)", text, re.M)
        tally.check(count is not None and check_with(
            text[:count.start(2)] + str(int(count.group(2)) + 1) + text[count.end(2):]) == 1,
            "drift check: a changed count fails", "the count did not make it fail")
        version = re.search(r"CPython column: CPython (3\.\d+\.\d+)", text)
        tally.check(version is not None and check_with(
            text[:version.start(1)] + "3.99.1" + text[version.end(1):]) == 0,
            "drift check: a changed measured value passes", "the measured value made it fail")
    finally:
        shutil.rmtree(tmp)


def check_drift():
    r = run([sys.executable, "scripts/refresh-handouts.py", "--check"])
    last = r.stdout.strip().split("\n")[-1] if r.stdout.strip() else ""
    m = re.fullmatch(r"(\d+) passed, (\d+) failed", last)
    tally.check(r.returncode == 0 and m is not None and int(m.group(1)) == len(handouts()),
                "drift check: every handout matches a fresh run of its lab",
                (r.stdout + r.stderr).strip()[-1500:])


class Page(html.parser.HTMLParser):
    """What the test needs of a page: heading texts, links, sources."""

    def __init__(self):
        super().__init__()
        self.headings, self.links, self.sources, self.scripts = [], [], [], 0
        self._heading = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
        elif tag == "img":
            self.sources.append(a.get("src", ""))
        elif tag == "link":
            self.sources.append(a.get("href", ""))
        elif tag == "script":
            self.scripts += 1
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append(normal("".join(self._heading)))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


def normal(text):
    text = re.sub(r"[`*]", "", text)
    text = text.translate(str.maketrans("‘’“”", "''\"\""))
    return " ".join(text.split())


def parse(path):
    page = Page()
    with open(path, encoding="utf-8") as f:
        page.feed(f.read())
    return page


def check_render():
    if not shutil.which("pandoc") or not shutil.which("gnuplot"):
        tally.check(False, "render", "pandoc or gnuplot missing: run scripts/deps.sh")
        return
    tmp = tempfile.mkdtemp(prefix="memlab-render-")
    try:
        plots, results = os.path.join(tmp, "plots"), os.path.join(tmp, "results", "m1")
        os.makedirs(plots)
        os.makedirs(os.path.join(results, "plots"))
        # Two figures for lab 01 (their order is the file names'), one for lab 07
        # and a machine-wide one that no handout shows; drawn here, by hand.
        figures = {"refcount-b": "01-refcount", "refcount-a": "01-refcount",
                   "peak": "07-generators", "alloc": "bench"}
        for name, lab in figures.items():
            with open(os.path.join(plots, name + ".gp"), "w", encoding="utf-8") as f:
                f.write(f"# caption: Figure {name} of {lab}, with an_underscore.\n# lab: {lab}\n"
                        f"# data: labs/{lab}/x.csv\n")
            if lab != "bench":
                png = os.path.join(results, "plots", name + ".png")
                r = run(["gnuplot", "-e", f"set terminal pngcairo size 320,200; "
                         f"set output '{png}'; plot sin(x) title '{name}'"])
                if r.returncode != 0:
                    tally.check(False, "render: gnuplot draws the test figures", r.stderr.strip())
                    return
        render = ["scripts/render-handouts", "--plots", plots, results]
        r = run(render)
        tally.check(r.returncode == 0, "render: scripts/render-handouts succeeds", r.stderr.strip())
        if r.returncode != 0:
            return
        out = os.path.join(results, "handouts")
        for path in handouts() + ["handouts/INSTRUCTORS.md"]:
            if not os.path.exists(path):
                continue
            name = os.path.basename(path)[:-3] + ".html"
            page_path = os.path.join(out, name)
            if not os.path.isfile(page_path):
                tally.check(False, f"render: {name} exists", "not written")
                continue
            page = parse(page_path)
            with open(path, encoding="utf-8") as f:
                wanted = [normal(l.lstrip("#")) for l in f.read().split("\n")
                          if re.match(r"#{1,6} ", l)]
            missing = [h for h in wanted if h not in page.headings]
            tally.check(not missing, f"render: {name} shows every heading", f"missing {missing}")
            broken = [s for s in page.sources + [l for l in page.links if "://" not in l
                                                   and not l.startswith(("#", "mailto:"))]
                      if not os.path.exists(os.path.join(out, s.split("#")[0]))]
            remote = [s for s in page.sources if "://" in s or s.startswith("//")]
            tally.check(not broken and not remote and page.scripts == 0,
                        f"render: {name} links only to files that exist, fetches nothing",
                        f"broken {broken}, remote {remote}, {page.scripts} scripts")
        lab01 = parse(os.path.join(out, "01-refcount.html"))
        tally.check([s for s in lab01.sources if s.endswith(".png")]
                    == ["../plots/refcount-a.png", "../plots/refcount-b.png"],
                    "render: a lab shows its figures, in file-name order, and no other's",
                    f"images {lab01.sources}")
        index = parse(os.path.join(out, "index.html"))
        pages = sorted(os.path.basename(p)[:-3] + ".html" for p in handouts())
        tally.check(all(p in index.links for p in pages), "render: the index links every handout",
                    f"links {index.links}")
        # Whole or not at all: with a figure gone the render fails and the
        # pages already there stay as they were.
        before = {p: os.path.getmtime(os.path.join(out, p)) for p in os.listdir(out)}
        os.remove(os.path.join(results, "plots", "peak.png"))
        r = run(render)
        after = {p: os.path.getmtime(os.path.join(out, p)) for p in os.listdir(out)}
        leftovers = [p for p in os.listdir(results) if p.startswith(".")]
        tally.check(r.returncode == 2 and "peak.png" in r.stderr and before == after
                    and not leftovers,
                    "render: a missing figure fails (exit 2, named) and changes nothing",
                    f"exit {r.returncode}, stderr {r.stderr.strip()!r}, leftovers {leftovers}")
        r = run(["scripts/render-handouts", "--plots", plots, "--missing", results])
        tally.check(r.returncode == 1 and r.stdout.strip().endswith("peak.png"),
                    "render: --missing lists the missing figure", r.stdout + r.stderr)
    finally:
        shutil.rmtree(tmp)


def main(argv):
    if "--help" in argv:
        print(__doc__.strip())
        return 0
    unknown = [a for a in argv if a != "--no-drift"]
    if unknown:
        print(f"tests/handouts.py: unknown argument {unknown[0]} (see --help)", file=sys.stderr)
        return 2
    if not handouts():
        print("tests/handouts.py: no handouts/NN-name.md; run it from the top of the tree",
              file=sys.stderr)
        return 2
    for path in handouts():
        check_structure(path)
    check_drift_detects()
    if "--no-drift" not in argv:
        check_drift()
    check_render()
    return tally.summary()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
