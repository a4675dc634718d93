#!/usr/bin/env bash
# make fuzz: runs each libFuzzer harness of tests/fuzz/ for a set time.
#
#   scripts/fuzz.sh DIR SECONDS NAME...
#
# DIR holds the built harnesses (build/fuzz). Each NAME_fuzz starts from the
# seeds in tests/fuzz/corpus/NAME/ and grows DIR/corpus/NAME/; a crash, a
# leak or an oracle failure is saved in DIR/findings/. Progress every 10 s;
# at the end one line per harness (runs, exec/s, coverage) and "N passed,
# M failed", which make test counts. On a finding the harness's message,
# the input in hex and the command that replays it come first; the exit
# status is then 1 (2 for bad usage).
set -eu
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/fuzz.sh DIR SECONDS NAME... (make fuzz runs it)" >&2; exit 2; }
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    sed -n '2,/^set -eu/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
    exit 0
fi
[ "$#" -ge 3 ] || usage
dir=$1 seconds=$2
shift 2
case $seconds in '' | *[!0-9]*) echo "fuzz: SECONDS must be a whole number: $seconds" >&2; exit 2 ;; esac
[ "${#seconds}" -le 7 ] && [ "$seconds" -ge 1 ] && [ "$seconds" -le 604800 ] ||
    { echo "fuzz: SECONDS must be between 1 and 604800 (a week): $seconds" >&2; exit 2; }

total=$#
i=0
status=0
nfailed=0
summary=()
for name in "$@"; do
    i=$((i + 1))
    short=${name%_fuzz}
    bin=$dir/$name
    [ -x "$bin" ] || { echo "fuzz: $bin is not built (make fuzz-build)" >&2; exit 2; }
    corpus=$dir/corpus/$short findings=$dir/findings log=$dir/$name.log
    mkdir -p "$corpus" "$findings"
    echo "fuzz: [$i/$total] $name for $seconds s (seeds tests/fuzz/corpus/$short, corpus $corpus)"
    start=$(date +%s)
    set +e
    # LeakSanitizer cannot see into the runtime's pools, and its scan of the
    # reserved region after every input costs most of the time; each harness
    # checks the allocator's block count instead.
    "$bin" -max_total_time="$seconds" -timeout=10 -detect_leaks=0 -print_final_stats=1 \
        -artifact_prefix="$findings/$name-" "$corpus" "tests/fuzz/corpus/$short" >"$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        sleep 10
        kill -0 "$pid" 2>/dev/null || break
        now=$(($(date +%s) - start))
        last=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1 | sed -E 's/^(#[0-9]+)[[:space:]]+[A-Z]+[[:space:]]+/\1 /')
        echo "fuzz:   $name ${now}/${seconds} s, about $((seconds - now > 0 ? seconds - now : 0)) s left: $last"
    done
    wait "$pid"
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -a -o -E 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
    inputs=$(find "$corpus" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        summary+=("fuzz: $name: ${runs:-?} runs, ${rate:-?} exec/s, ${cov:-cov: ?}, corpus $inputs inputs, no findings")
    else
        status=1
        nfailed=$((nfailed + 1))
        artifact=$(grep -a -o -E 'Test unit written to [^ ]+' "$log" | tail -n 1 | sed 's/Test unit written to //')
        summary+=("fuzz: $name: FINDING after ${runs:-?} runs (exit $rc); log $log")
        echo "fuzz: $name found a problem (exit $rc); the whole report is in $log:"
        grep -a -E '^fuzz: oracle|ERROR: |runtime error:|memlab: fatal|^SUMMARY' "$log" |
            head -n 6 | sed 's/^/  | /'
        if [ -n "$artifact" ] && [ -f "$artifact" ]; then
            echo "fuzz: the input, $artifact:"
            od -A d -t x1 "$artifact" | head -n 16 | sed 's/^/  | /'
            echo "fuzz: replay it with: $bin -detect_leaks=0 $artifact"
        fi
    fi
done
printf '%s\n' "${summary[@]}"
echo "$((total - nfailed)) passed, $nfailed failed"
exit "$status"
