"""What every lab's twin.py shares: its command line and the JSON it prints.

A twin runs the same experiment as its lab, on the real CPython, and prints
one JSON object whose keys the lab looks up for its CPython column. The lab
passes --quick, and any lab option the user gave (such as --repeat=N), so
both sides measure the same sizes.
"""
import argparse
import json
import platform
import re
import sys


def parse_args(*options):
    """The twin's flags: --quick plus the lab's numeric options, by name."""
    parser = argparse.ArgumentParser(description="memlab twin")
    parser.add_argument("--quick", action="store_true")
    for name in options:
        parser.add_argument("--" + name, type=int, default=None)
    return parser.parse_args()


def emit(values):
    """Prints the values with the interpreter's version, as the lab expects."""
    out = dict(values)
    out["python"] = platform.python_version()
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


def capacity_after_appends(n):
    """Slots a list has after n appends from empty: CPython 3.11's
    list_resize formula, applied once per resize (an append resizes only
    when the list is full, at size allocated + 1)."""
    allocated = 0
    while allocated < n:
        size = allocated + 1
        allocated = (size + (size >> 3) + 6) & ~3
    return allocated


def site_lines(path, names):
    """line number -> index in names, for each code line of the file at path
    that ends with a "# site: NAME" comment naming one of names. A twin
    uses it to tell which of its lines a tracemalloc statistic points at."""
    marker = re.compile(r"#\s*site: (.+?)\s*$")
    lines = {}
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            m = marker.search(text)
            if m and m.group(1) in names and not text.lstrip().startswith("#"):
                lines[number] = names.index(m.group(1))
    return lines
