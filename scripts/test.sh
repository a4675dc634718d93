#!/usr/bin/env bash
# make test: every check memlab has, stage by stage. Each stage prints one
# line; a failing stage also prints the end of its log (all logs are kept in
# build/test-logs/). The last line is "N passed, N failed", counted over
# every unit test, lab check and stage, and the exit status is 1 if any failed.
#
# Run through make, which passes MAKE, B, SAN, STRESS, LABS and TESTS.
set -u
cd "$(dirname "$0")/.."

MAKE=${MAKE:-make}
B=${B:-build}
SAN=${SAN:-$B/san}
STRESS=${STRESS:-$B/stress}
LOGS=$B/test-logs
mkdir -p "$LOGS"

passed=0
failed=0
started=$(date +%s.%N)

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

# report NAME OK_COUNT FAIL_COUNT LOG T0: one line, and the log's tail on failure.
report() {
    local name=$1 ok=$2 bad=$3 log=$4 t0=$5
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -eq 0 ]; then
        printf '  ok    %-48s %5d passed  %s\n' "$name" "$ok" "$(elapsed "$t0")"
    else
        printf '  FAIL  %-48s %5d passed, %d failed  %s\n' "$name" "$ok" "$bad" "$(elapsed "$t0")"
        sed 's/^/        | /' "$log" | tail -n 40
    fi
}

# step NAME COMMAND...: a stage that passes or fails as a whole, unless its
# last line says "N passed, M failed", which then counts.
step() {
    local name=$1 log t0 status ok bad
    shift
    log=$LOGS/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-').log
    t0=$(date +%s.%N)
    "$@" >"$log" 2>&1
    status=$?
    ok=$(tail -n 1 "$log" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    bad=$(tail -n 1 "$log" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -z "$ok" ]; then
        ok=$((status == 0)); bad=$((status != 0))
    elif [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1
    fi
    report "$name" "$ok" "$bad" "$log" "$t0"
    return "$status"
}

# unit_tests TREE: every Criterion binary, counted test by test.
unit_tests() {
    local tree=$1 t log ok bad line
    for t in $TESTS; do
        log=$LOGS/$(echo "$tree-$t" | tr '/' '-').log
        local t0
        t0=$(date +%s.%N)
        "$tree/tests/$t" --jobs 2 >"$log" 2>&1
        line=$(grep -a 'Synthesis:' "$log" | tail -n 1)
        ok=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
        bad=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\) | Crashing: \([0-9]*\).*/\1 \2/p' | awk '{ print $1 + $2 }')
        [ -n "$ok" ] || { ok=0; bad=1; }
        report "unit $t ($tree)" "$ok" "${bad:-1}" "$log" "$t0"
    done
}

# labs TREE: every lab in quick mode, its checks counted; a crash or a
# non-zero exit counts as one more failure.
labs() {
    local tree=$1 lab log ok bad status t0
    for lab in $LABS; do
        log=$LOGS/$(echo "$tree-$lab" | tr '/' '-').log
        t0=$(date +%s.%N)
        "$tree/labs/$lab" --quick --check --no-color >"$log" 2>&1
        status=$?
        ok=$(sed -n 's/^lab [0-9]*: \([0-9]*\) checks passed, \([0-9]*\) failed$/\1/p' "$log")
        bad=$(sed -n 's/^lab [0-9]*: \([0-9]*\) checks passed, \([0-9]*\) failed$/\2/p' "$log")
        [ -n "$ok" ] || { ok=0; bad=0; }
        [ "$status" -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
        report "lab $lab --quick --check ($tree)" "$ok" "$bad" "$log" "$t0"
    done
}

# memcheck: every lab under valgrind; any error or any byte left allocated fails.
memcheck() {
    local lab log t0
    for lab in $LABS; do
        log=$LOGS/valgrind-$lab.log
        t0=$(date +%s.%N)
        if valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
            --errors-for-leak-kinds=all "$B/labs/$lab" --quick --no-twin >"$log" 2>&1; then
            report "valgrind $lab --quick" 1 0 "$log" "$t0"
        else
            report "valgrind $lab --quick" 0 1 "$log" "$t0"
        fi
    done
}

echo "memlab: make test"
step "dependencies (scripts/deps.sh)" scripts/deps.sh
if ! step "build: release, sanitizer and stress trees" "$MAKE" -j2 all san stress; then
    echo "$passed passed, $failed failed"
    exit 1
fi
unit_tests "$B"
unit_tests "$SAN"
unit_tests "$STRESS"
labs "$B"
labs "$SAN"
step "lab command lines (tests/cli.sh)" tests/cli.sh "$B"
memcheck
step "bench smoke run (every benchmark once)" "$B/bench/micro" --benchmark_min_time=0
step "bench runner and machine.json (tests/bench.sh)" tests/bench.sh "$B"
step "plot smoke run: every figure (tests/plots.sh)" tests/plots.sh "$B"
step "report page in headless Chromium" tests/report-browser.py
step "labs, an allocation failing (nomemory-labs.sh)" tests/nomemory-labs.sh "$B"
step "make compare on fixtures (tests/compare.sh)" tests/compare.sh
step "handouts: structure, drift, pages (tests/handouts.py)" tests/handouts.py
step "hostile input to every program (tests/hostile.sh)" tests/hostile.sh "$B"
step "fuzzers, 30 s each (make fuzz FUZZ_SECONDS=30)" "$MAKE" --no-print-directory fuzz FUZZ_SECONDS=30

echo "memlab: make test took $(elapsed "$started")"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
