#!/usr/bin/env python3
"""Describes this machine for its bench results: results/<machine>/machine.json.

    bench/machine.py [--machine NAME]

Prints the JSON that bench/run writes as machine.json: the CPU, its caches,
the memory, the OS and kernel, the compiler and the release build's CFLAGS,
the versions of Google Benchmark, hyperfine and python3, the commit, the
date, the CPU frequency governor and boost state, and the load average.

Every key in FIELDS is always present, so a reader (bench/compare) can rely
on them: what this machine does not expose is null, and "null_reasons" says
why, keyed by the field ("caches.L3" for one cache level). "memlab_results"
is the format's version; bump FORMAT_VERSION when a key changes meaning.
"""
import argparse
import datetime
import json
import os
import platform
import re
import socket
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMAT_VERSION = 1
CPU_SYS = "/sys/devices/system/cpu"
CACHE_LEVELS = ("L1d", "L1i", "L2", "L3")
FIELDS = ("memlab_results", "machine", "date", "cpu_model", "cores", "threads", "caches",
          "memory_bytes", "os", "kernel", "arch", "compiler", "cflags", "google_benchmark",
          "hyperfine", "python3", "commit", "dirty", "governor", "boost", "load_average")


class Unavailable(Exception):
    """This machine does not expose the field; the message says why."""


def default_name():
    """The host name without its domain, as the Makefile's `hostname -s`."""
    return socket.gethostname().split(".")[0] or "machine"


def read(path):
    with open(path) as f:
        return f.read().strip()


def command(*argv):
    """First line of a command's output; Unavailable if it cannot run."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Unavailable(f"cannot run {argv[0]}: {e}") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise Unavailable(f"`{' '.join(argv)}` failed: {done.stderr.strip()[:200]}")
    return done.stdout.strip().splitlines()[0].strip()


def online_cpus():
    """CPU numbers from /sys's online list ("0-3,6")."""
    cpus = []
    for part in read(f"{CPU_SYS}/online").split(","):
        lo, _, hi = part.partition("-")
        cpus.extend(range(int(lo), int(hi or lo) + 1))
    return cpus


def cpu_model():
    try:
        for line in read("/proc/cpuinfo").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Processor", "cpu model") and value.strip():
                return value.strip()
    except OSError:
        pass
    # ARM's /proc/cpuinfo has no model line; lscpu decodes the part numbers.
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Model name" and value.strip() not in ("", "-"):
            return value.strip()
    raise Unavailable("neither /proc/cpuinfo nor lscpu names the CPU model")


def cores():
    """Physical cores: distinct (package, core) pairs among the online CPUs."""
    try:
        pairs = {(read(f"{CPU_SYS}/cpu{n}/topology/physical_package_id"),
                  read(f"{CPU_SYS}/cpu{n}/topology/core_id")) for n in online_cpus()}
    except (OSError, ValueError) as e:
        raise Unavailable(f"no CPU topology in {CPU_SYS}: {e}") from None
    return len(pairs)


def threads():
    try:
        return len(online_cpus())
    except (OSError, ValueError):
        if os.cpu_count():
            return os.cpu_count()
        raise Unavailable(f"neither {CPU_SYS}/online nor os.cpu_count() counts the CPUs") from None


def caches(reasons):
    """Size in bytes of each level as CPU 0 sees it (one instance; L3 is
    usually shared by several cores)."""
    sizes = dict.fromkeys(CACHE_LEVELS)
    base = f"{CPU_SYS}/cpu0/cache"
    try:
        entries = sorted(e for e in os.listdir(base) if e.startswith("index"))
    except OSError:
        entries = []
    for entry in entries:
        try:
            level = read(f"{base}/{entry}/level")
            kind = read(f"{base}/{entry}/type")
            size = read(f"{base}/{entry}/size")
        except OSError:
            continue
        m = re.fullmatch(r"(\d+)([KMG]?)", size)
        if not m:
            continue
        key = f"L{level}" + {"Data": "d", "Instruction": "i"}.get(kind, "")
        if key in sizes:
            sizes[key] = int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2)]
    for key, value in sizes.items():
        if value is None:
            reasons[f"caches.{key}"] = f"{base} lists no {key} cache"
    return sizes


def memory_bytes():
    try:
        for line in read("/proc/meminfo").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    raise Unavailable("/proc/meminfo has no MemTotal")


def os_name():
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            for line in read(path).splitlines():
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
        except OSError:
            continue
    raise Unavailable("no PRETTY_NAME in /etc/os-release or /usr/lib/os-release")


_make_vars = None


def make_variable(name):
    """A variable of the Makefile as make expands it (`make -pn`), so command
    line overrides (CC=clang, EXTRA_CFLAGS=...) passed down from `make bench`
    through MAKEFLAGS are seen too."""
    global _make_vars
    if _make_vars is None:
        try:
            done = subprocess.run(["make", "-pn", "--no-print-directory", "-C", ROOT, "help"],
                                  capture_output=True, text=True, timeout=60)
            out = done.stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        _make_vars = {}
        for line in out.splitlines():
            m = re.match(r"([A-Za-z_][A-Za-z0-9_]*) :?= (.*)$", line)
            if m:
                _make_vars.setdefault(m.group(1), " ".join(m.group(2).split()))
    if name not in _make_vars:
        raise Unavailable(f"`make -pn` in {ROOT} does not define {name}")
    return _make_vars[name]


def compiler():
    return command(make_variable("CC"), "--version")


def google_benchmark():
    # The library's JSON context has no version, so ask the package manager.
    try:
        return command("dpkg-query", "-W", "-f=${Version}", "libbenchmark-dev")
    except Unavailable:
        raise Unavailable("libbenchmark-dev is not installed as a Debian package") from None


def hyperfine():
    return command("hyperfine", "--version").split()[-1]


def python3():
    return command("python3", "--version").split()[-1]


def commit():
    return command("git", "rev-parse", "HEAD")


def dirty():
    """Whether the tree differs from the commit; untracked files count,
    since the Makefile's wildcards build them."""
    try:
        done = subprocess.run(["git", "status", "--porcelain"], capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Unavailable(f"cannot run git: {e}") from None
    if done.returncode != 0:
        raise Unavailable(f"`git status` failed: {done.stderr.strip()[:200]}")
    return bool(done.stdout.strip())


def governor():
    found = set()
    for n in online_cpus():
        try:
            found.add(read(f"{CPU_SYS}/cpu{n}/cpufreq/scaling_governor"))
        except OSError:
            pass
    if not found:
        raise Unavailable(f"no {CPU_SYS}/cpu*/cpufreq/scaling_governor "
                          "(no frequency scaling exposed; usual in a virtual machine)")
    return ",".join(sorted(found))


def boost():
    """Turbo/boost on (true) or off (false), from whichever driver shows it."""
    for path, on in ((f"{CPU_SYS}/cpufreq/boost", "1"), (f"{CPU_SYS}/cpu0/cpufreq/boost", "1"),
                     (f"{CPU_SYS}/intel_pstate/no_turbo", "0")):
        try:
            return read(path) == on
        except OSError:
            continue
    raise Unavailable(f"no boost switch in {CPU_SYS} (cpufreq/boost, cpu0/cpufreq/boost, "
                      "intel_pstate/no_turbo)")


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        raise Unavailable("os.getloadavg() is not available") from None


def describe(machine=None):
    """machine.json as a dict: every key of FIELDS, then null_reasons."""
    reasons = {}
    fields = {
        "memlab_results": lambda: FORMAT_VERSION,
        "machine": lambda: machine or default_name(),
        "date": lambda: datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu_model": cpu_model, "cores": cores, "threads": threads,
        "caches": lambda: caches(reasons), "memory_bytes": memory_bytes,
        "os": os_name, "kernel": platform.release, "arch": platform.machine,
        "compiler": compiler, "cflags": lambda: make_variable("RELEASE_CFLAGS"),
        "google_benchmark": google_benchmark, "hyperfine": hyperfine, "python3": python3,
        "commit": commit, "dirty": dirty, "governor": governor, "boost": boost,
        "load_average": load_average,
    }
    assert tuple(fields) == FIELDS
    out = {}
    for key, get in fields.items():
        try:
            out[key] = get()
        except Unavailable as e:
            out[key] = None
            reasons[key] = str(e)
        if out[key] in ("", None) and key not in reasons:
            out[key] = None
            reasons[key] = "empty"
    out["null_reasons"] = reasons
    return out


def main():
    parser = argparse.ArgumentParser(prog="bench/machine.py", description=__doc__.splitlines()[0])
    parser.add_argument("--machine", metavar="NAME", help="the machine's name (default: the host name)")
    parser.error = lambda message: (print(f"bench/machine.py: {message}", file=sys.stderr), sys.exit(2))
    args = parser.parse_args()
    json.dump(describe(args.machine), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
