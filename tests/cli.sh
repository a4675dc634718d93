#!/usr/bin/env bash
# The lab contract's command line, for every lab: bad input gets one line
# and the usage on stderr with exit 2; good input runs, writes whole CSV
# files, and copes with a missing, failing or babbling python3.
#
#   tests/cli.sh [BUILD_DIR]       (default build); last line "N passed, M failed"
set -u
cd "$(dirname "$0")/.."
B=${1:-build}
. tests/tally.sh

# expect STATUS PATTERN LAB ARGS...: the exit status, and a line of output
# (stdout and stderr together) matching the extended regex PATTERN.
expect() {
    local want=$1 pattern=$2 lab=$3 status
    shift 3
    "$B/labs/$lab" "$@" >"$tmp/out" 2>&1
    status=$?
    if [ "$status" -ne "$want" ]; then
        bad "$lab $*: exit $status, wanted $want"
    elif ! grep -Eq -- "$pattern" "$tmp/out"; then
        bad "$lab $*: no line matching '$pattern' in: $(head -c 300 "$tmp/out")"
    else
        ok
    fi
}

# A usage error prints exactly one message line before the usage.
one_line_then_usage() {
    local lab=$1
    shift
    "$B/labs/$lab" "$@" >"$tmp/out" 2>"$tmp/err"
    if [ -s "$tmp/out" ]; then bad "$lab $*: wrote to stdout on a usage error"; else ok; fi
    if ! sed -n 1p "$tmp/err" | grep -q '^usage:' && sed -n 2p "$tmp/err" | grep -q '^usage:'; then ok; else
        bad "$lab $*: stderr is not one message line then the usage: $(head -c 300 "$tmp/err")"
    fi
}

for path in labs/[0-9][0-9]-*/lab.c; do
    lab=$(basename "$(dirname "$path")")

    expect 2 "unknown option '--bogus'" "$lab" --bogus
    one_line_then_usage "$lab" --bogus
    expect 2 "unexpected argument 'extra'" "$lab" extra

    # The lab's own numeric options, as its --help lists them ("  --name N").
    for opt in $("$B/labs/$lab" --help | sed -n 's/^  \(--[a-z-]*\) N .*/\1/p'); do
        expect 2 "$opt needs a value" "$lab" "$opt"
        expect 2 "'abc' is not a whole number" "$lab" "$opt" abc
        expect 2 "'12x' is not a whole number" "$lab" "$opt=12x"
        expect 2 "$opt must be at least" "$lab" "$opt" -3
        expect 2 "is not a whole number" "$lab" "$opt" 99999999999999999999999
        expect 2 "$opt must be at most" "$lab" "$opt" 9999999999999
    done
    expect 2 "--csv needs a directory" "$lab" --csv ""
    expect 2 "cannot write to directory '/dev/null/sub'" "$lab" --csv /dev/null/sub
    expect 0 "^usage: $lab " "$lab" --help

    # A normal run without CPython: n/a in its column, checks still pass.
    expect 0 "CPython n/a" "$lab" --quick --no-twin --check --csv "$tmp/csv-$lab/deeper"
    if grep -q $'\033' "$tmp/out"; then bad "$lab: colour codes on a pipe"; else ok; fi
    csvs=$(ls "$tmp/csv-$lab/deeper"/*.csv 2>/dev/null | wc -l)
    if [ "$csvs" -ge 1 ]; then ok; else bad "$lab: --csv wrote no CSV file"; fi
    if ls -a "$tmp/csv-$lab/deeper" | grep -q 'tmp$'; then bad "$lab: temporary file left"; else ok; fi
    for f in "$tmp/csv-$lab/deeper"/*.csv; do
        if head -n 1 "$f" | grep -Eq '^[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*)+$' && [ "$(wc -l <"$f")" -ge 2 ]; then ok; else
            bad "$lab: $f has no header line or no rows"
        fi
    done

    # python3 missing, failing, or printing something that is not JSON.
    MEMLAB_PYTHON=/nonexistent/python3 expect 0 "/nonexistent/python3 not found" "$lab" --quick --check
    MEMLAB_PYTHON=false expect 0 "twin failed" "$lab" --quick --check
    MEMLAB_PYTHON=echo expect 0 "twin printed no valid JSON" "$lab" --quick --check
done

tally
