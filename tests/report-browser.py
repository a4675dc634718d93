#!/usr/bin/env python3
"""The machine's page, checked by its generator's rules and in a real browser.

    tests/report-browser.py [--keep DIR]

Builds a small results folder from tests/fixtures/report/data/ and draws
its two figures (tests/fixtures/report/plots/*.gp) with gnuplot, then runs
scripts/report.py on it. The fixture's pieces: labs 01 and 08 are real
`--quick --check --no-color --csv` runs; bench/gbench.json is a real
`build/bench/micro --benchmark_filter=01-refcount --benchmark_repetitions=3`
run, bench/hyperfine.json a real 3-run hyperfine of lab 08 and its twin,
machine.json what bench/machine.py printed; lab 99 (a failing check,
markup in its transcript) is written by hand. Then headless Chromium (Debian's chromium, driven through
chromedriver's WebDriver HTTP interface with the standard library) opens
index.html from the file system and checks: every <img> loaded, no error in
the console, a screenshot that is not one flat colour, and the transcript's
markup shown as text. The same checks must FAIL on broken
copies of the page (an image removed, a console error, a blank page), or
the checks prove nothing.

The generator's command line is checked too: bad use, a corrupt JSON file
(exit 2 and no page), a folder with nothing in it (a page of "missing"
notes, exit 0).

--keep DIR keeps the results folders there instead of in a temporary one.
The last line is "N passed, M failed"; the exit status is 1 if any failed.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib

import tally

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "report")
REPORT = os.path.join(ROOT, "scripts", "report.py")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FIGURES = ("fixture-refcount", "fixture-small-ints")
INJECTED = "<script>console.error('injected')</script>"


def expect(ok, what, detail=""):
    tally.check(ok, what, detail, indent="  ")


# ---- the fixture ------------------------------------------------------------

def make_results(where):
    """A fresh copy of the fixture results with its figures drawn."""
    shutil.copytree(os.path.join(FIXTURE, "data"), where)
    os.makedirs(os.path.join(where, "plots"))
    for name in FIGURES:
        subprocess.run(["gnuplot", "-e", f"results='{where}'; out='{where}/plots/{name}.png'",
                        os.path.join(FIXTURE, "plots", name + ".gp")], cwd=ROOT, check=True)
    return where


def report(*args):
    return subprocess.run([sys.executable, REPORT, *args], capture_output=True, text=True)


# ---- a PNG decoder (8-bit RGB or RGBA, no interlace: what Chromium writes) ----

def png_pixels(data):
    """(width, height, channels, rows), rows a list of bytes, unfiltered."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour})")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if width is None:
        raise ValueError("PNG without IHDR")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        elif kind != 0:
            raise ValueError(f"bad PNG filter {kind}")
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def ink_fraction(png):
    """The share of pixels whose colour is not the most common one."""
    width, height, channels, rows = png_pixels(png)
    counts = {}
    for row in rows:
        for x in range(0, len(row), channels):
            px = row[x:x + 3]
            counts[px] = counts.get(px, 0) + 1
    return 1 - max(counts.values()) / (width * height)


# ---- the browser, through chromedriver's WebDriver HTTP interface ----------

class Browser:
    def __init__(self, workdir):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.log = open(os.path.join(workdir, "chromedriver.log"), "w")
        self.driver = subprocess.Popen([CHROMEDRIVER, f"--port={port}"],
                                       stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{port}"
        try:
            self.start(workdir)
        except BaseException:
            self.stop()
            raise

    def start(self, workdir):
        for _ in range(300):
            try:
                if self.call("GET", "/status")["ready"]:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        options = {"binary": CHROMIUM,
                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--hide-scrollbars",
                            "--window-size=1024,900",
                            f"--user-data-dir={os.path.join(workdir, 'profile')}"]}
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL"}}}}
        self.session = "/session/" + self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as r:
                return json.load(r)["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"chromedriver {method} {path}: {e.read().decode()[:400]}")

    def run(self, script):
        return self.call("POST", self.session + "/execute/sync", {"script": script, "args": []})

    def check(self, index, min_images):
        """The problems a reader would meet on this page, as a list of strings."""
        problems = []
        self.call("POST", self.session + "/se/log", {"type": "browser"})  # drop older entries
        self.call("POST", self.session + "/url", {"url": "file://" + os.path.abspath(index)})
        for _ in range(100):
            if self.run("return document.readyState") == "complete":
                break
            time.sleep(0.1)
        images = self.run("return Array.from(document.images).map("
                          "i => [i.getAttribute('src'), i.complete, i.naturalWidth]);")
        if len(images) < min_images:
            problems.append(f"image: {len(images)} on the page, expected {min_images}")
        for src, complete, width in images:
            if not complete or not width:
                problems.append(f"image: {src} did not load")
        for entry in self.call("POST", self.session + "/se/log", {"type": "browser"}):
            if entry.get("level") == "SEVERE":
                problems.append(f"console: {entry.get('message', '')[:200]}")
        shot = base64.b64decode(self.call("GET", self.session + "/screenshot"))
        ink = ink_fraction(shot)
        if ink < 0.01:
            problems.append(f"screenshot: blank ({ink:.2%} of the pixels differ from the background)")
        return problems

    def close(self):
        try:
            self.call("DELETE", self.session)
        finally:
            self.stop()

    def stop(self):
        self.driver.terminate()
        self.driver.wait(timeout=30)
        self.log.close()


def broken_copy(good, where, change):
    shutil.copytree(good, where)
    change(where)
    return os.path.join(where, "index.html")


def add_to_page(markup):
    def change(where):
        path = os.path.join(where, "index.html")
        with open(path, encoding="utf-8") as f:
            page = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(page.replace("</body>", markup + "</body>"))
    return change


# ---- the checks -------------------------------------------------------------

def generator_checks(work):
    print("scripts/report.py")
    good = make_results(os.path.join(work, "good"))
    run = report("--plots", os.path.join(FIXTURE, "plots"), good)
    index = os.path.join(good, "index.html")
    expect(run.returncode == 1 and os.path.isfile(index),
           "a lab's checks failed: exit 1, the page written all the same",
           f"exit {run.returncode}: {run.stderr.strip()}")
    page = open(index, encoding="utf-8").read() if os.path.isfile(index) else ""
    expect('id="lab-99-fixture"' in page and '<span class="fail">' in page,
           "the failing lab's ✗ line is highlighted")
    expect("<script" not in page and "&lt;script&gt;console.error(&#x27;injected&#x27;)" in page,
           "markup in a transcript is escaped")
    expect(all(f'src="plots/{name}.png"' in page for name in FIGURES),
           "both figures linked relatively, under their lab")
    expect("http://" not in page and "https://" not in page, "no link leaves the folder")

    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    run = report("--plots", os.path.join(FIXTURE, "plots"), empty)
    page = open(os.path.join(empty, "index.html"), encoding="utf-8").read() \
        if run.returncode == 0 else ""
    expect(run.returncode == 0 and page.count("<strong>missing:</strong>") >= 4
           and page.count("run <code>make plots</code>") == len(FIGURES),
           "an empty results folder: a page of 'missing' notes, figures too, exit 0",
           f"exit {run.returncode}: {run.stderr.strip()}")

    cut = os.path.join(work, "cut-short")
    shutil.copytree(os.path.join(FIXTURE, "data"), cut)
    transcript = os.path.join(cut, "labs", "01-refcount", "transcript.txt")
    with open(transcript, encoding="utf-8") as f:
        lines = f.read().split("\n")
    with open(transcript, "w", encoding="utf-8") as f:
        f.write("\n".join(lines[:len(lines) // 2]))
    run = report(cut)
    page = open(os.path.join(cut, "index.html"), encoding="utf-8").read() \
        if os.path.exists(os.path.join(cut, "index.html")) else ""
    expect(run.returncode == 1 and "the lab did not finish" in page and "01-refcount" in run.stdout,
           "a transcript without its summary line: the lab did not finish, exit 1",
           f"exit {run.returncode}: {run.stdout.strip()} {run.stderr.strip()}")

    corrupt = os.path.join(work, "corrupt")
    shutil.copytree(os.path.join(FIXTURE, "data"), corrupt)
    with open(os.path.join(corrupt, "bench", "gbench.json"), "w") as f:
        f.write('{"benchmarks": [')
    run = report(corrupt)
    expect(run.returncode == 2 and len(run.stderr.strip().split("\n")) == 1
           and "gbench.json" in run.stderr and not os.path.exists(os.path.join(corrupt, "index.html")),
           "a corrupt gbench.json: one line naming it, exit 2, no page",
           f"exit {run.returncode}: {run.stderr.strip()}")
    for args, what in ((["--bogus", good], "an unknown flag"),
                       ([os.path.join(work, "nowhere")], "a results folder that is not there"),
                       ([], "no results folder")):
        run = report(*args)
        expect(run.returncode == 2 and len(run.stderr.strip().split("\n")) == 1,
               f"{what}: one line on stderr, exit 2", f"exit {run.returncode}: {run.stderr.strip()}")
    return good


def browser_checks(work, good):
    print("the page in headless Chromium")
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            expect(False, f"{tool} is there", "run scripts/deps.sh")
            return
    browser = Browser(work)
    try:
        index = os.path.join(good, "index.html")
        problems = browser.check(index, len(FIGURES))
        expect(not problems, f"{os.path.relpath(index, work)}: every image loaded, "
               "no console error, not blank", "; ".join(problems))
        shown = browser.run("return document.body.innerText")
        expect(INJECTED in shown, "the transcript's markup is shown as text")

        no_image = broken_copy(good, os.path.join(work, "no-image"),
                               lambda w: os.remove(os.path.join(w, "plots", FIGURES[0] + ".png")))
        problems = browser.check(no_image, len(FIGURES))
        expect(any(p.startswith("image:") for p in problems),
               "a missing image is caught", "no image problem reported")

        console = broken_copy(good, os.path.join(work, "console-error"),
                              add_to_page("<script>console.error('deliberate')</script>"))
        problems = browser.check(console, len(FIGURES))
        expect(any(p.startswith("console:") for p in problems),
               "a console error is caught", "no console problem reported")

        blank = broken_copy(good, os.path.join(work, "blank"),
                            add_to_page("<style>body { visibility: hidden; }</style>"))
        problems = browser.check(blank, len(FIGURES))
        expect(any(p.startswith("screenshot:") for p in problems),
               "a blank page is caught", "no screenshot problem reported")
    finally:
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="DIR", help="keep the results folders in DIR (new)")
    args = parser.parse_args()
    if args.keep:
        os.makedirs(args.keep)
        work = os.path.abspath(args.keep)
    else:
        work = tempfile.mkdtemp(prefix="memlab-report-")
    try:
        good = generator_checks(work)
        browser_checks(work, good)
    except (OSError, RuntimeError, ValueError, subprocess.CalledProcessError) as e:
        expect(False, "the test ran to the end", str(e))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return tally.summary()


if __name__ == "__main__":
    sys.exit(main())
