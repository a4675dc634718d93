#!/usr/bin/env bash
# Hostile input to every program and script a user runs: each row of the
# table below is one bad command line, and each must get one line naming the
# problem on stderr (a usage text may follow it), exit status 2, and leave no
# file behind: every row's outputs point into a fresh directory that must
# still be empty afterwards, and no input directory may gain a file.
#
#   tests/hostile.sh [BUILD_DIR]       (default build); last line "N passed, M failed"
#
# The labs' own option parsing (each numeric option's messages) is checked
# in more detail by tests/cli.sh; here the labs are rows like any program.
set -u
cd "$(dirname "$0")/.."
B=${1:-build}
. tests/tally.sh

# The hostile inputs the rows name. OUT is recreated empty for every row.
OUT=$tmp/out
MISSING=$tmp/no/such/file
UNWRITABLE=/dev/null/cannot-be-a-directory
EMPTY=$tmp/in/empty
CORRUPT=$tmp/in/corrupt
mkdir -p "$tmp/in/a-directory" "$tmp/in/not-results/labs"
DIRECTORY=$tmp/in/a-directory
NOT_RESULTS=$tmp/in/not-results
: >"$EMPTY"
printf '\x89PNG\r\n\x1a\n\x00\x00garbage{"json": [1,' >"$CORRUPT"
# A results directory whose files are all there but broken.
BROKEN=$tmp/in/broken
mkdir -p "$BROKEN/bench" "$BROKEN/labs/03-generations"
cp "$CORRUPT" "$BROKEN/machine.json"
cp "$CORRUPT" "$BROKEN/bench/gbench.json"
printf 'n,ours_ms,cpython_ms\n1000,fast,0.1\n' >"$BROKEN/labs/03-generations/pause_vs_heap.csv"

# row DESCRIPTION -- COMMAND...: runs one bad command line and checks it.
row() {
    local what=$1 status lines second leftover
    shift 2
    rm -rf "$OUT" && mkdir -p "$OUT"
    touch "$tmp/before"
    sleep 0.01
    "$@" </dev/null >"$tmp/stdout" 2>"$tmp/stderr"
    status=$?
    lines=$(grep -c . "$tmp/stderr")
    second=$(grep . "$tmp/stderr" | sed -n 2p)
    leftover=$( (find "$OUT" -mindepth 1; find "$tmp/in" -type f -newer "$tmp/before") | head -n 3)
    if [ "$status" -ne 2 ]; then
        fail "$what: exit $status, wanted 2" "$@"
    elif [ "$lines" -lt 1 ]; then
        fail "$what: nothing on stderr" "$@"
    elif [ "$lines" -gt 1 ] && ! printf '%s\n' "$second" | grep -q '^usage:'; then
        fail "$what: more than one line on stderr (and no usage after it)" "$@"
    elif grep -q 'Traceback (most recent call last)' "$tmp/stderr"; then
        fail "$what: a Python traceback instead of a message" "$@"
    elif [ -n "$leftover" ]; then
        fail "$what: left $leftover" "$@"
    else
        ok
    fi
}

fail() {
    local what=$1
    shift
    bad "$what"
    echo "      command: $*"
    sed 's/^/      | /' "$tmp/stderr" | head -n 5
}

# ---- the labs: every lab, the same rows ----------------------------------------
for path in labs/[0-9][0-9]-*/lab.c; do
    lab=$(basename "$(dirname "$path")")
    L=$B/labs/$lab
    row "$lab: unknown flag"                -- "$L" --bogus --csv "$OUT"
    row "$lab: --csv without a value"       -- "$L" --quick --csv
    row "$lab: --csv into an unwritable place" -- "$L" --quick --no-twin --csv "$UNWRITABLE"
    row "$lab: --csv naming a file"         -- "$L" --quick --no-twin --csv "$EMPTY"
    row "$lab: a stray argument"            -- "$L" extra --csv "$OUT"
    opt=$("$L" --help | sed -n 's/^  \(--[a-z-]*\) N .*/\1/p' | head -n 1)
    if [ -n "$opt" ]; then
        row "$lab: $opt not a number"       -- "$L" "$opt" ten --csv "$OUT"
        row "$lab: $opt negative"           -- "$L" "$opt" -5 --csv "$OUT"
        row "$lab: $opt huge"               -- "$L" "$opt" 99999999999999999999999 --csv "$OUT"
        row "$lab: $opt missing its value"  -- "$L" --csv "$OUT" "$opt"
    fi
done

# ---- lab data and figures -------------------------------------------------------
row "lab-data: no arguments"                -- scripts/lab-data
row "lab-data: unknown flag"                -- scripts/lab-data --bogus "$OUT" 01-refcount
row "lab-data: a lab that does not exist"   -- scripts/lab-data "$OUT" 99-nonsense
row "lab-data: results dir unwritable"      -- scripts/lab-data "$UNWRITABLE" 01-refcount
row "lab-data: results dir is a file"       -- scripts/lab-data "$EMPTY" 01-refcount

row "plots/draw: no arguments"              -- plots/draw
row "plots/draw: unknown flag"              -- plots/draw --bogus "$OUT"
row "plots/draw: missing results dir"       -- plots/draw "$MISSING"
row "plots/draw: results dir is a file"     -- plots/draw "$CORRUPT"
row "plots/draw: not a results dir"         -- plots/draw "$DIRECTORY"
row "plots/draw: unknown figure"            -- plots/draw "$NOT_RESULTS" no-such-figure
row "plots/draw: a CSV with a non-number"   -- plots/draw "$BROKEN" 03-pause-vs-heap
row "plots/draw: a corrupt gbench.json"     -- plots/draw "$BROKEN" bench-alloc-speed

# ---- the report -----------------------------------------------------------------
row "report.py: no arguments"               -- python3 scripts/report.py
row "report.py: unknown flag"               -- python3 scripts/report.py --bogus "$OUT"
row "report.py: missing results dir"        -- python3 scripts/report.py "$MISSING"
row "report.py: results dir is a file"      -- python3 scripts/report.py "$EMPTY"
row "report.py: --plots without a value"    -- python3 scripts/report.py "$OUT" --plots
row "report.py: corrupt machine.json"       -- python3 scripts/report.py "$BROKEN"

# ---- the handouts ---------------------------------------------------------------
row "render-handouts: no arguments"         -- scripts/render-handouts
row "render-handouts: unknown flag"         -- scripts/render-handouts --bogus "$OUT"
row "render-handouts: missing results dir"  -- scripts/render-handouts "$MISSING"
row "render-handouts: results dir is a file" -- scripts/render-handouts "$EMPTY"
row "render-handouts: figures missing"      -- scripts/render-handouts "$NOT_RESULTS"
row "render-handouts: --plots without value" -- scripts/render-handouts "$OUT" --plots
row "refresh-handouts: unknown flag"        -- python3 scripts/refresh-handouts.py --bogus
row "refresh-handouts: missing handout"     -- python3 scripts/refresh-handouts.py --check "$MISSING"
row "refresh-handouts: not a handout"       -- python3 scripts/refresh-handouts.py --check "$CORRUPT"
row "refresh-handouts: an empty file"       -- python3 scripts/refresh-handouts.py "$EMPTY"

# ---- the bench runner and its helpers ----------------------------------------------
R=(--results "$OUT" --machine hostile --build "$B" --labs none)
row "bench/run: unknown flag"               -- bench/run --bogus "${R[@]}"
row "bench/run: --repetitions not a number" -- bench/run --repetitions nine "${R[@]}"
row "bench/run: --repetitions negative"     -- bench/run --repetitions -9 "${R[@]}"
row "bench/run: --repetitions huge"         -- bench/run --repetitions 99999999999999999999 "${R[@]}"
row "bench/run: --min-time zero"            -- bench/run --min-time 0 "${R[@]}"
row "bench/run: --runs missing its value"   -- bench/run "${R[@]}" --runs
row "bench/run: a machine name with a slash" -- bench/run --results "$OUT" --machine ../x --build "$B" --labs none
row "bench/run: no such lab"                -- bench/run "${R[@]}" --labs 42
row "bench/run: a filter matching nothing"  -- bench/run --filter '^no such benchmark$' "${R[@]}"
row "bench/run: a build tree without benches" -- bench/run --results "$OUT" --machine hostile --build "$DIRECTORY" --labs none
row "bench/run: results unwritable"         -- bench/run --results "$UNWRITABLE" --machine hostile --build "$B" --labs none
row "bench/run: results is a file"          -- bench/run --results "$EMPTY" --machine hostile --build "$B" --labs none
row "machine.py: unknown flag"              -- python3 bench/machine.py --bogus
row "targets: --repetitions not a number"   -- bench/targets --repetitions many
row "targets: --min-time negative"          -- bench/targets --min-time -1
row "targets: --processes zero"             -- bench/targets --processes 0
row "gc-twin: --sizes not numbers"          -- python3 bench/gc-twin.py --sizes 10,lots
row "gc-twin: --repetitions huge"           -- python3 bench/gc-twin.py --repetitions 99999999
row "gc-csv: missing inputs"                -- python3 bench/gc-csv.py "$MISSING" "$MISSING" "$OUT/gc.csv"
row "gc-csv: corrupt inputs"                -- python3 bench/gc-csv.py "$CORRUPT" "$CORRUPT" "$OUT/gc.csv"

# ---- comparing machines ---------------------------------------------------------
F=tests/fixtures/compare
row "compare: no arguments"                 -- bench/compare --out "$OUT/c"
row "compare: one directory"                -- bench/compare --out "$OUT/c" "$F/base"
row "compare: unknown flag"                 -- bench/compare --bogus --out "$OUT/c" "$F/base" "$F/same"
row "compare: --alpha not a number"         -- bench/compare --alpha often --out "$OUT/c" "$F/base" "$F/same"
row "compare: --threshold negative"         -- bench/compare --threshold -5 --out "$OUT/c" "$F/base" "$F/same"
row "compare: --threshold huge"             -- bench/compare --threshold 1e999 --out "$OUT/c" "$F/base" "$F/same"
row "compare: missing directory"            -- bench/compare --out "$OUT/c" "$F/base" "$MISSING"
row "compare: a file, not a directory"      -- bench/compare --out "$OUT/c" "$F/base" "$EMPTY"
row "compare: not a results directory"      -- bench/compare --out "$OUT/c" "$F/base" "$DIRECTORY"
row "compare: corrupt results"              -- bench/compare --out "$OUT/c" "$F/base" "$BROKEN"
row "compare: unwritable output"            -- bench/compare --out "$UNWRITABLE" "$F/base" "$F/same"
row "compare-all: no arguments"             -- bench/compare-all --out "$OUT/c"
row "compare-all: unknown flag"             -- bench/compare-all --bogus --out "$OUT/c" "$F"
row "compare-all: missing directory"        -- bench/compare-all --out "$OUT/c" "$MISSING"
row "compare-all: no results in it"         -- bench/compare-all --out "$OUT/c" "$tmp/in"
row "compare-all: an unknown reference"     -- bench/compare-all --ref nobody --out "$OUT/c" "$F"
row "compare-all: unwritable output"        -- bench/compare-all --out "$UNWRITABLE" "$F"

# ---- the fuzzers ----------------------------------------------------------------
row "fuzz.sh: no arguments"                 -- scripts/fuzz.sh
row "fuzz.sh: seconds not a number"         -- scripts/fuzz.sh "$OUT" soon gc
row "fuzz.sh: seconds negative"             -- scripts/fuzz.sh "$OUT" -5 gc
row "fuzz.sh: seconds huge"                 -- scripts/fuzz.sh "$OUT" 99999999999 gc
row "fuzz.sh: no such harness"              -- scripts/fuzz.sh "$OUT" 1 no_such_fuzz

tally
