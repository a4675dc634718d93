#!/usr/bin/env bash
# tests/bench.sh [BUILD]: checks bench/run and bench/machine.py in a few
# seconds, on a tiny subset (two micro-benchmarks, lab 08, short times) in a
# scratch results directory:
#   - machine.json has every field, and each is non-null where this machine
#     exposes it (checked against /proc, /sys and the tools themselves);
#   - a run writes machine.json and bench/ whole, and leaves labs/ and plots/ be;
#   - a run stopped part-way (SIGTERM in Google Benchmark, SIGINT in hyperfine,
#     SIGKILL in Google Benchmark) leaves the previous results byte-identical,
#     and leaves no benchmark running;
#   - bad flags exit 2 with one line on stderr and write nothing.
# The last line is "N passed, M failed"; the exit status is 1 if any failed.
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
R=$T/results
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok    $1"; }
bad() { failed=$((failed + 1)); echo "FAIL  $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# The tiny run: one allocation benchmark and the collector's smallest shape
# (so gc-twin.py and gc.csv run too), lab 08 and its twin.
TINY=(--results "$R" --machine t --build "$B" --quick --repetitions 2 --min-time 0.01
      --filter '^(01-refcount/incref_decref|02-gc/collect_live/n:10000)$' --labs 08 --runs 2 --warmup 0)

# ---- machine.json -----------------------------------------------------------------
bench/machine.py --machine t >"$T/machine.json"
check "machine.json: every field, non-null where this machine has it" python3 - "$T/machine.json" <<'EOF'
import datetime, json, os, re, shutil, subprocess, sys
sys.path.insert(0, "bench")
import machine
m = json.load(open(sys.argv[1]))
problems = [f"missing {k}" for k in machine.FIELDS if k not in m]
reasons = m.get("null_reasons", {})
problems += [f"{k} is null with no reason" for k in machine.FIELDS if m.get(k) is None and k not in reasons]

def expect(key, has, valid=lambda v: True):
    """The machine has the thing: the field must be there and valid;
    it has not: the field must be null."""
    value = m.get(key)
    if has and (value is None or not valid(value)):
        problems.append(f"{key} = {value!r} though this machine has it")
    if not has and value is not None:
        problems.append(f"{key} = {value!r} though this machine does not expose it")

def exists(*paths):
    return any(os.path.exists(p) for p in paths)

def out(*argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True).stdout
    except OSError:
        return ""

sysc = "/sys/devices/system/cpu"
expect("memlab_results", True, lambda v: v == 1)
expect("machine", True, lambda v: v == "t")
now = datetime.datetime.now(datetime.timezone.utc)
expect("date", True, lambda v: abs((datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")
                                     .replace(tzinfo=datetime.timezone.utc) - now).total_seconds()) < 120)
cpuinfo = open("/proc/cpuinfo").read() if exists("/proc/cpuinfo") else ""
expect("cpu_model", "model name" in cpuinfo or "Model name" in out("lscpu"), lambda v: len(v) > 2)
expect("threads", True, lambda v: v == os.cpu_count())
expect("cores", exists(f"{sysc}/cpu0/topology/core_id"), lambda v: 1 <= v <= os.cpu_count())
caches = m.get("caches") or {}
for index in sorted(os.listdir(f"{sysc}/cpu0/cache")) if exists(f"{sysc}/cpu0/cache") else []:
    if not index.startswith("index"):
        continue
    d = f"{sysc}/cpu0/cache/{index}"
    level, kind, size = (open(f"{d}/{f}").read().strip() for f in ("level", "type", "size"))
    key = f"L{level}" + {"Data": "d", "Instruction": "i"}.get(kind, "")
    if caches.get(key) != int(size.rstrip("K")) * 1024:
        problems.append(f"caches.{key} = {caches.get(key)!r}, /sys says {size}")
expect("memory_bytes", exists("/proc/meminfo"), lambda v: v > 2**20)
expect("os", exists("/etc/os-release", "/usr/lib/os-release"), lambda v: len(v) > 2)
expect("kernel", True, lambda v: v == os.uname().release)
expect("arch", True, lambda v: v == os.uname().machine)
expect("compiler", shutil.which("cc") is not None, lambda v: v == out("cc", "--version").splitlines()[0])
expect("cflags", True, lambda v: "-O2" in v and "-std=c17" in v)
expect("google_benchmark", "install ok installed" in out("dpkg-query", "-W", "-f=${Status}", "libbenchmark-dev"),
       lambda v: re.match(r"\d+\.\d+", v))
expect("hyperfine", shutil.which("hyperfine") is not None, lambda v: v in out("hyperfine", "--version"))
expect("python3", True, lambda v: v in out("python3", "--version"))
expect("commit", exists(".git"), lambda v: re.fullmatch(r"[0-9a-f]{40}", v))
expect("dirty", exists(".git"), lambda v: isinstance(v, bool))
expect("governor", exists(f"{sysc}/cpu0/cpufreq/scaling_governor"))
expect("boost", exists(f"{sysc}/cpufreq/boost", f"{sysc}/cpu0/cpufreq/boost", f"{sysc}/intel_pstate/no_turbo"),
       lambda v: isinstance(v, bool))
expect("load_average", True, lambda v: len(v) == 3 and all(x >= 0 for x in v))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF

# ---- the plan ---------------------------------------------------------------------------
dry_run() {
    bench/run "${TINY[@]}" --results "$T/dry" --dry-run >"$T/dry.log" 2>&1 &&
        grep -q "benchmark-seconds planned" "$T/dry.log" && grep -q "twin/08-small-ints" "$T/dry.log" &&
        test ! -e "$T/dry"
}
check "--dry-run prints the plan and writes nothing" dry_run

# ---- a whole run ----------------------------------------------------------------------
mkdir -p "$R/t/labs/01-refcount" "$R/t/plots"
echo "x,y" >"$R/t/labs/01-refcount/data.csv"
echo "not really a png" >"$R/t/plots/figure.png"
check "a tiny run succeeds" bench/run "${TINY[@]}" >"$T/run.log" 2>&1
check "it wrote machine.json and bench/'s four files" python3 - "$R/t" <<'EOF'
import json, os, sys
d = sys.argv[1]
m = json.load(open(f"{d}/machine.json"))
g = json.load(open(f"{d}/bench/gbench.json"))
h = json.load(open(f"{d}/bench/hyperfine.json"))
runs = [b for b in g["benchmarks"] if b.get("run_type") == "iteration"]
names = {b["run_name"] for b in runs}
csv = open(f"{d}/bench/gc.csv").read().splitlines()
assert m["machine"] == "t" and m["memlab_results"] == 1, m
assert names == {"01-refcount/incref_decref", "02-gc/collect_live/n:10000"}, names
assert sorted(b["repetition_index"] for b in runs) == [0, 0, 1, 1], runs
assert g["context"]["memlab_mode"] == "quick", g["context"]
assert h["mode"] == "quick" and [r["command"] for r in h["results"]] == ["lab/08-small-ints", "twin/08-small-ints"], h
assert all(len(r["times"]) == 2 and r["median"] > 0 for r in h["results"]), h
assert "--quick" in h["command_lines"]["lab/08-small-ints"], h
assert csv[0].startswith("shape,n,") and csv[1].startswith("live,10000,"), csv
assert sorted(os.listdir(os.path.dirname(d))) == ["t"], os.listdir(os.path.dirname(d))
EOF
check "it left labs/ and plots/ alone" grep -qx "x,y" "$R/t/labs/01-refcount/data.csv"

# ---- interrupted runs -----------------------------------------------------------------
snapshot() { (cd "$R/t" && find . | sort && find . -type f | sort | xargs sha256sum); }
snapshot >"$T/before"

# interrupt SIGNAL STEP EXTRA...: starts a run, waits for step STEP's line,
# sends SIGNAL, and checks the results are as they were and nothing of the
# run is still going.
interrupt() {
    local sig=$1 step=$2 pid status
    shift 2
    bench/run "${TINY[@]}" "$@" >"$T/int.log" 2>&1 &
    pid=$!
    for _ in $(seq 200); do
        grep -q "^\[$step/6\]" "$T/int.log" && break
        sleep 0.05
    done
    sleep 0.3
    kill -"$sig" "$pid"
    status=0
    { wait "$pid"; } 2>/dev/null || status=$?
    for _ in $(seq 40); do
        running || break
        sleep 0.1
    done
    check "SIG$sig during step $step: the run stops (status $status)" test "$status" -ne 0
    snapshot >"$T/after"
    check "SIG$sig during step $step: previous results byte-identical" cmp -s "$T/before" "$T/after"
    check "SIG$sig during step $step: nothing left running" not running
}
# Whether a child of an interrupted run (the benchmark binary, hyperfine)
# still runs: their command lines name the temporary directory.
running() { pgrep -f "$R/.t.bench.tmp" >/dev/null; }
not() { ! "$@"; }
next_run() {
    bench/run "${TINY[@]}" >"$T/next.log" 2>&1 && grep -q 'left by an interrupted run' "$T/next.log" \
        && test ! -e "$R/.t.bench.tmp"
}
interrupt TERM 2 --min-time 5
check "SIGTERM: the temporary directory is gone" test ! -e "$R/.t.bench.tmp"
interrupt INT 4 --runs 1000
check "SIGINT: the temporary directory is gone" test ! -e "$R/.t.bench.tmp"
interrupt KILL 2 --min-time 5
check "the next run clears what SIGKILL left and writes new results" next_run
snapshot >"$T/after"
check "... which differ from the previous ones" not cmp -s "$T/before" "$T/after"

# ---- bad use --------------------------------------------------------------------------
# bad_use ARGS...: exit 2, one line on stderr, no results directory made.
bad_use() {
    local status=0
    bench/run --results "$T/none" --build "$B" "$@" >"$T/out" 2>"$T/err" || status=$?
    check "bad use: $* -> exit 2, one line, nothing written" \
        test "$status" -eq 2 -a "$(wc -l <"$T/err")" -eq 1 -a ! -s "$T/out" -a ! -e "$T/none"
}
bad_use --bogus
bad_use --runs
bad_use --runs x
bad_use --repetitions 0
bad_use --min-time -1
bad_use --labs 99
bad_use --machine ../up
bad_use --filter '^nothing-matches$'
bad_use --build "$T/no-build"
status=0
bench/run "${TINY[@]}" --results /proc/no/such/dir >"$T/out" 2>"$T/err" || status=$?
check "bad use: an unwritable results directory -> exit 2, one line" \
    test "$status" -eq 2 -a "$(wc -l <"$T/err")" -eq 1
status=0
bench/machine.py --bogus >"$T/out" 2>"$T/err" || status=$?
check "bad use: bench/machine.py --bogus -> exit 2, one line" \
    test "$status" -eq 2 -a "$(wc -l <"$T/err")" -eq 1 -a ! -s "$T/out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
