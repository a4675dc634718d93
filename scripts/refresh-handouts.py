#!/usr/bin/env python3
"""Refills the handouts' expected-output blocks from real runs of the labs.

A block to refill is a fenced code block right after a marker line:

    <!-- output: build/labs/01-refcount --no-color -->
    ```text
    ...replaced by what the command prints...
    ```

Run from the top of the tree after `make`; handouts/*.md are rewritten in
place (whole or not at all). Exit 2 with a message if a command fails.
"""
import glob
import os
import re
import shlex
import subprocess
import sys

MARKER = re.compile(r"^<!-- output: (.+) -->$")


def refill(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        m = MARKER.match(lines[i])
        i += 1
        if not m:
            continue
        if i >= len(lines) or not lines[i].startswith("```"):
            sys.exit(f"refresh-handouts: {path}: no code block after '{lines[i - 1]}'")
        out.append(lines[i])
        end = i + 1
        while end < len(lines) and lines[end] != "```":
            end += 1
        run = subprocess.run(shlex.split(m.group(1)), capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"refresh-handouts: {path}: '{m.group(1)}' exited {run.returncode}:\n{run.stderr}")
        out.extend(run.stdout.rstrip("\n").split("\n"))
        i = end
    text = "\n".join(out)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    for path in sorted(glob.glob("handouts/*.md")):
        refill(path)
        print(f"refreshed {path}")


main()
