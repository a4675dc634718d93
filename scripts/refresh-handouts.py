#!/usr/bin/env python3
"""Keeps the handouts' expected output equal to what the labs print.

A handout's expected output is a fenced code block right after a marker:

    <!-- output: build/labs/01-refcount --no-color -->
    ```text
    ...what the command prints...
    ```

    scripts/refresh-handouts.py [HANDOUT...]          refill the blocks
    scripts/refresh-handouts.py --check [HANDOUT...]  fail if a block drifted

Without HANDOUT, every handouts/NN-*.md. Run from the top of the tree after
`make`. Each command runs with MEMLAB_MARK_MEASURED=1, so the lab wraps
every value it measured on this run (a time, a ratio of times, a resident
size, the CPython version) in two control characters (LAB_MEASURED in
labs/lab.h). Refreshing drops the marks. Checking compares the handout's
block with a fresh run word for word, exactly, except that a marked value
matches any number in its place, and that spacing is not compared: a
measured value's width moves columns and re-wraps paragraphs from run to
run. So a changed count, size, check, word or line fails the check; a new
timing does not.

Exit status: 0 done (or no drift), 1 a block drifted (--check), 2 bad use,
a missing or malformed handout, or a lab that failed to run. The last line
of --check is "N passed, M failed", one per handout. Files are rewritten
whole or not at all.
"""
import glob
import os
import re
import shlex
import subprocess
import sys
import time

MARKER = re.compile(r"^<!-- output: (.+) -->$")
MARK_OPEN, MARK_CLOSE = "\x0e", "\x0f"
# What a measured value may be in a handout: a number (or a version such as
# 3.11.7), or what a lab shows when it has none.
MEASURED_VALUE = r"\s*(?:[-+]?\d[\d.]*(?:e[-+]?\d+)?|n/a|—|nan|inf)"
TOKEN = re.compile(r"\s+|\x0e[^\x0e\x0f]*\x0f|[^\s\x0e\x0f]+")


class Failure(Exception):
    """A problem that stops the script: one line for stderr, exit 2."""


def strip_marks(text):
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def token_patterns(marked):
    """The fresh output as (pattern, text) pairs, one per word, space or
    measured value; the patterns joined match the handout's block."""
    pairs = []
    for m in TOKEN.finditer(marked):
        tok = m.group(0)
        if tok.isspace():
            pairs.append((r"\s+", tok))
        elif tok.startswith(MARK_OPEN):
            pairs.append((MEASURED_VALUE, tok[1:-1]))
        else:
            pairs.append((re.escape(tok), tok))
    return pairs


def first_difference(expected, marked):
    """None if the handout's block `expected` matches the marked fresh
    output; else (offset in expected, offset in the fresh output without
    its marks) where the two part."""
    pairs = token_patterns(marked.strip())
    if re.fullmatch(r"\s*" + "".join(p for p, _ in pairs) + r"\s*", expected):
        return None
    # The longest run of leading tokens that still matches: matching a
    # prefix is monotonic in the number of tokens, so bisect.
    lo, hi = 0, len(pairs)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if re.match(r"\s*" + "".join(p for p, _ in pairs[:mid]), expected):
            lo = mid
        else:
            hi = mid - 1
    m = re.match(r"\s*" + "".join(p for p, _ in pairs[:lo]), expected)
    return m.end(), len("".join(t for _, t in pairs[:lo]))


def line_at(text, offset):
    """(1-based line number, the line) of text at offset."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text.count("\n", 0, offset) + 1, text[start:end if end >= 0 else len(text)]


def blocks(path):
    """The handout's lines and, per marker, (command, first line of the
    block's body, index of its closing fence)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except (OSError, UnicodeDecodeError) as e:
        raise Failure(f"{path}: cannot read: {e}")
    found = []
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if not m:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            raise Failure(f"{path}:{i + 1}: no code block right after the output marker")
        end = i + 2
        while end < len(lines) and lines[end] != "```":
            end += 1
        if end == len(lines):
            raise Failure(f"{path}:{i + 2}: the expected-output block is never closed")
        found.append((m.group(1), i + 2, end))
    if not found:
        raise Failure(f"{path}: no '<!-- output: COMMAND -->' marker")
    return lines, found


def run_marked(path, command):
    """The command's stdout, with the marks of its measured values."""
    argv = shlex.split(command)
    if not argv or not re.fullmatch(r"build/labs/\d\d-[a-z0-9-]+", argv[0]):
        raise Failure(f"{path}: the marker's command must be a lab, build/labs/NN-name: '{command}'")
    if not os.access(argv[0], os.X_OK):
        raise Failure(f"{path}: {argv[0]} is not built; run make first")
    env = dict(os.environ, MEMLAB_MARK_MEASURED="1")
    run = subprocess.run(argv, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        last = (run.stderr.strip().split("\n") or [""])[-1]
        raise Failure(f"{path}: '{command}' exited {run.returncode}: {last}")
    return run.stdout.rstrip("\n")


def refresh(path):
    lines, found = blocks(path)
    out, done = [], 0
    for command, body, end in found:
        out.extend(lines[done:body])
        out.extend(strip_marks(run_marked(path, command)).split("\n"))
        done = end
    out.extend(lines[done:])
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("\n".join(out))
        os.replace(tmp, path)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise Failure(f"{path}: cannot write: {e}")
    return True


def check(path):
    lines, found = blocks(path)
    ok = True
    for command, body, end in found:
        marked = run_marked(path, command)
        expected = "\n".join(lines[body:end])
        where = first_difference(expected, marked)
        if where is None:
            continue
        ok = False
        e_line, e_text = line_at(expected, where[0])
        _, f_text = line_at(strip_marks(marked.strip()), where[1])
        print(f"\n{path}:{body + e_line}: the handout no longer matches '{command}'")
        print(f"    handout: {e_text.strip()}")
        print(f"    lab now: {f_text.strip()}", flush=True)
    return ok


def main(argv):
    if "--help" in argv or "-h" in argv:
        print(__doc__.strip())
        return 0
    checking = "--check" in argv
    args = [a for a in argv if a != "--check"]
    for a in args:
        if a.startswith("-"):
            print(f"refresh-handouts: unknown option {a} (see --help)", file=sys.stderr)
            return 2
    paths = args or sorted(glob.glob("handouts/[0-9][0-9]-*.md"))
    if not paths:
        print("refresh-handouts: no handouts/NN-*.md here; run it from the top of the tree",
              file=sys.stderr)
        return 2
    passed = failed = 0
    midline = False
    started = time.monotonic()
    try:
        for path in paths:  # every input readable and well-formed before any work
            if not blocks(path)[1]:
                raise Failure(f"{path}: no '<!-- output: COMMAND -->' marker: not a handout")
        for i, path in enumerate(paths, 1):
            t0 = time.monotonic()
            print(f"[{i}/{len(paths)}] {path} ...", end="", flush=True, file=sys.stderr)
            midline = True
            ok = check(path) if checking else refresh(path)
            passed += ok
            failed += not ok
            now = time.monotonic()
            left = (now - started) / i * (len(paths) - i)
            print(f" {'ok' if ok else 'DRIFTED'} ({now - t0:.1f} s, about {left:.0f} s to go)",
                  file=sys.stderr)
            midline = False
            if not checking:
                print(f"refreshed {path}")
    except Failure as e:
        if midline:
            print(file=sys.stderr)  # ends the progress line the failure cut short
        print(f"refresh-handouts: {e}", file=sys.stderr)
        return 2
    if checking:
        if failed:
            print("run scripts/refresh-handouts.py to refill the blocks, then read the "
                  "handouts' prose around them: it may quote what changed")
        print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
