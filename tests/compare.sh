#!/usr/bin/env bash
# make compare and make compare-all on fixture results whose outcomes are
# known (tests/fixtures/compare/generate.py): a clear 2x difference, identical
# and A/A runs, a benchmark missing on one side, a corrupt file, a directory
# that is not a results directory, bad flags; and the statistics themselves
# (tests/compare_stats.py).
#
#   tests/compare.sh          last line "N passed, M failed"
set -u
cd "$(dirname "$0")/.."
F=tests/fixtures/compare
. tests/tally.sh

# run WANT_STATUS PROGRAM ARGS...: stdout in $tmp/out, stderr in $tmp/err.
run() {
    local want=$1 status
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -eq "$want" ]; then ok; else bad "$*: exit $status, wanted $want: $(head -c 300 "$tmp/err")"; fi
}

# refused PATTERN ARGS...: bench/compare exits 2 with one stderr line
# matching PATTERN, prints nothing on stdout and leaves $tmp/w empty.
refused() {
    local pattern=$1
    shift
    rm -rf "$tmp/w" && mkdir "$tmp/w"
    run 2 "$@"
    if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -Eq -- "$pattern" "$tmp/err"; then ok; else
        bad "$*: stderr is not one line matching '$pattern': $(head -c 300 "$tmp/err")"
    fi
    if [ -s "$tmp/out" ]; then bad "$*: wrote to stdout"; else ok; fi
    if [ -z "$(ls -A "$tmp/w")" ]; then ok; else bad "$*: left files behind: $(ls -A "$tmp/w")"; fi
}

# column NAME FILE: the values of a CSV column, one a line (no quoted commas in ours).
column() {
    awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next } { print $c }' "$2"
}

# verdicts DIR: each verdict of DIR/compare.csv with its count.
verdicts() { column verdict "$1/compare.csv" | sort | uniq -c | awk '{ $1 = $1; print }'; }

expect_eq() {
    if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', wanted '$3'"; fi
}

# --- the statistics
if python3 tests/compare_stats.py >"$tmp/stats" 2>&1; then ok; else bad "tests/compare_stats.py: $(grep -v '^[0-9]' "$tmp/stats")"; fi

# --- a clear 2x difference: every benchmark slower, ratio near 2, interval above 1
run 0 bench/compare --no-color --out "$tmp/w2" "$F/base" "$F/slow2x"
expect_eq "2x: verdicts" "$(verdicts "$tmp/w2")" "15 slower"
expect_eq "2x: ratios in [1.9, 2.1] with intervals above 1" \
    "$(awk -F, 'NR > 1 && !($8 >= 1.9 && $8 <= 2.1 && $9 > 1) { print $3 }' "$tmp/w2/compare.csv")" ""
grep -Eq '^\| all \| everything \| 15 \| 1\.9[0-9]*|^\| all \| everything \| 15 \| 2\.0' "$tmp/w2/compare.md" && ok ||
    bad "2x: compare.md has no overall geomean near 2: $(grep everything "$tmp/w2/compare.md")"
for f in compare.md compare.csv compare.png compare.svg; do
    if [ -s "$tmp/w2/$f" ]; then ok; else bad "2x: $f missing or empty"; fi
done
expect_eq "2x: csv has a header and one row per benchmark" "$(wc -l <"$tmp/w2/compare.csv")" 16
grep -q "Fixture CPU" "$tmp/w2/compare.md" && grep -q '| machine | base | slow2x |' "$tmp/w2/compare.md" && ok ||
    bad "2x: compare.md does not show the two machines side by side"
grep -q '| caches L2 | 1 MiB | 1 MiB |' "$tmp/w2/compare.md" && grep -q '| memory | 4 GiB | 4 GiB |' "$tmp/w2/compare.md" && ok ||
    bad "2x: sizes in bytes are not shown readably in compare.md"
grep -q "slower" "$tmp/out" && ok || bad "2x: the terminal table has no verdicts"
if grep -q $'\033' "$tmp/out"; then bad "2x: colour escapes with --no-color"; else ok; fi

# the same inputs give the same report, byte for byte (seeded bootstrap)
run 0 bench/compare --no-color --out "$tmp/w2b" "$F/base" "$F/slow2x"
cmp -s "$tmp/w2/compare.md" "$tmp/w2b/compare.md" && cmp -s "$tmp/w2/compare.csv" "$tmp/w2b/compare.csv" && ok ||
    bad "two runs on the same inputs differ"

# and B against A is the mirror image: every benchmark faster
run 0 bench/compare --out "$tmp/w2r" "$F/slow2x" "$F/base"
expect_eq "2x reversed: verdicts" "$(verdicts "$tmp/w2r")" "15 faster"

# --- identical runs and an A/A run: no real difference anywhere
run 0 bench/compare --out "$tmp/same" "$F/base" "$F/same"
expect_eq "identical: verdicts" "$(verdicts "$tmp/same")" "15 no real difference"
run 0 bench/compare --out "$tmp/rerun" "$F/base" "$F/rerun"
expect_eq "A/A: verdicts" "$(verdicts "$tmp/rerun")" "15 no real difference"

# make compare: A= and B= name results directories, never make's build tree
run 0 make -s compare A="$F/base" B="$F/rerun" OUT="$tmp/mk"
[ -s "$tmp/mk/compare.csv" ] && ok || bad "make compare wrote no compare.csv"
expect_eq "make compare: what B holds afterwards" "$(ls -A "$F/rerun" | tr '\n' ' ')" "bench machine.json "

# --- the default output directory: beside A, named after both
mkdir -p "$tmp/res" && cp -r "$F/base" "$F/slow2x" "$tmp/res/"
run 0 bench/compare "$tmp/res/base" "$tmp/res/slow2x"
[ -s "$tmp/res/compare-base-vs-slow2x/compare.csv" ] && ok || bad "no results/compare-base-vs-slow2x/compare.csv"
# run again: the old directory is replaced whole, no temporary left
run 0 bench/compare "$tmp/res/base" "$tmp/res/slow2x"
expect_eq "after two runs, results holds" "$(ls -A "$tmp/res" | tr '\n' ' ')" "base compare-base-vs-slow2x slow2x "

# a run that fails late (no gnuplot) leaves the earlier output as it was
cp "$tmp/res/compare-base-vs-slow2x/compare.csv" "$tmp/before.csv"
mkdir -p "$tmp/bin" && ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$tmp/bin/python3"
run 2 env PATH="$tmp/bin" python3 bench/compare "$tmp/res/base" "$tmp/res/slow2x"
grep -q "gnuplot: not found" "$tmp/err" && ok || bad "no gnuplot: $(cat "$tmp/err")"
cmp -s "$tmp/before.csv" "$tmp/res/compare-base-vs-slow2x/compare.csv" && ok || bad "no gnuplot: the earlier output changed"
expect_eq "no gnuplot: results holds" "$(ls -A "$tmp/res" | tr '\n' ' ')" "base compare-base-vs-slow2x slow2x "

# a machine that was busy when its bench run started is pointed out
cp -r "$F/rerun" "$tmp/busy"
python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); m["load_average"] = [3.5, 2, 1]; json.dump(m, open(sys.argv[1], "w"))' \
    "$tmp/busy/machine.json"
run 0 bench/compare --out "$tmp/busyout" "$F/base" "$tmp/busy"
grep -q "note: busy was busy: load average 3.5 on 2 threads" "$tmp/out" && ok || bad "no note on a busy machine: $(head -3 "$tmp/out")"
if grep -q "note: base was busy" "$tmp/out"; then bad "a quiet machine called busy"; else ok; fi

# --- a benchmark on one side only: listed, exit 0
run 0 bench/compare --out "$tmp/miss" "$F/base" "$F/missing"
grep -q "only in A (1, not compared): 01-refcount/incref/n:10" "$tmp/out" && ok || bad "missing: not listed in the table"
grep -q "only in B (1, not compared): 06-sequences/pop/n:10" "$tmp/out" && ok || bad "missing: B's extra not listed"
expect_eq "missing: the csv's only-in rows" "$(grep -c ',only in [AB]$' "$tmp/miss/compare.csv")" 2
grep -q "^## Only in A (base), not compared" "$tmp/miss/compare.md" && ok || bad "missing: not in compare.md"

# --- what is refused: one line naming the file, exit 2, nothing written
refused "$F/corrupt/bench/gbench.json: not valid JSON" bench/compare --out "$tmp/w/x" "$F/base" "$F/corrupt"
refused "$F/notresults: not a results directory \(no machine.json" bench/compare --out "$tmp/w/x" "$F/notresults" "$F/base"
refused "$F/base/?: A and B are the same directory" bench/compare --out "$tmp/w/x" "$F/base" "$F/base/"
refused "$tmp/none: no such directory" bench/compare --out "$tmp/w/x" "$F/base" "$tmp/none"
refused "no directory" bench/compare --out "$tmp/w/no/such/dir" "$F/base" "$F/slow2x"
refused "exists and was not written by compare" bench/compare --out "$F/same" "$F/base" "$F/slow2x"
refused "unknown option '--bogus'" bench/compare --bogus "$F/base" "$F/slow2x"
refused "--threshold: 'abc' is not a number" bench/compare --threshold abc "$F/base" "$F/slow2x"
refused "--alpha must be above 0 and below 0.5, not 2" bench/compare --alpha 2 "$F/base" "$F/slow2x"
refused "--out needs a value" bench/compare "$F/base" "$F/slow2x" --out
refused "needs two results directories" bench/compare "$F/base"
cp -r "$F/base" "$tmp/v2" && sed -i 's/"memlab_results": 1/"memlab_results": 2/' "$tmp/v2/machine.json"
refused "$tmp/v2/machine.json: memlab_results is 2" bench/compare --out "$tmp/w/x" "$F/base" "$tmp/v2"
cp -r "$F/base" "$tmp/badtime" && sed -i 's/"real_time":[0-9.e+-]*/"real_time":-1/' "$tmp/badtime/bench/gbench.json"
refused "$tmp/badtime/bench/gbench.json: .*real_time is not a positive number" bench/compare --out "$tmp/w/x" "$F/base" "$tmp/badtime"
cp -r "$F/base" "$tmp/empty" && : >"$tmp/empty/bench/hyperfine.json"
refused "$tmp/empty/bench/hyperfine.json: empty file" bench/compare --out "$tmp/w/x" "$tmp/empty" "$F/base"
run 0 bench/compare --help
grep -q "^Options:" "$tmp/out" && ok || bad "--help prints no options"

# --- compare-all on three machines, with a directory that is not one
mkdir -p "$tmp/class" && cp -r "$F/base" "$F/slow2x" "$F/rerun" "$F/notresults" "$tmp/class/"
run 0 bench/compare-all --no-color "$tmp/class"
grep -q "skipped $tmp/class/notresults: not a results directory" "$tmp/out" && ok || bad "compare-all: no note on notresults"
csv=$tmp/class/compare-all/compare-all.csv
for f in compare-all.md compare-all.csv compare-all.png compare-all.svg; do
    if [ -s "$tmp/class/compare-all/$f" ]; then ok; else bad "compare-all: $f missing or empty"; fi
done
everything() { awk -F, -v m="$1" '$1 == m && $3 == "everything" { print $5 }' "$csv"; }
expect_eq "compare-all: machines in the csv" "$(column machine "$csv" | sort -u | tr '\n' ' ')" "base rerun slow2x "
expect_eq "compare-all: the reference against itself" "$(everything base)" 1
awk -v r="$(everything slow2x)" 'BEGIN { exit !(r > 1.95 && r < 2.05) }' && ok || bad "compare-all: slow2x is $(everything slow2x), not ~2"
awk -v r="$(everything rerun)" 'BEGIN { exit !(r > 0.98 && r < 1.02) }' && ok || bad "compare-all: rerun is $(everything rerun), not ~1"
run 0 bench/compare-all --ref slow2x --out "$tmp/byslow" "$tmp/class"
awk -F, '$1 == "base" && $3 == "everything" { exit !($5 > 0.48 && $5 < 0.52) } ' "$tmp/byslow/compare-all.csv" && ok ||
    bad "compare-all --ref slow2x: base is not ~0.5"
# the earlier output in class/ is skipped, not read as a machine
run 0 bench/compare-all --out "$tmp/again" "$tmp/class"
grep -q "skipped $tmp/class/compare-all: a comparison" "$tmp/out" && ok || bad "compare-all: its own output not skipped"
refused "no machine named 'nobody'" bench/compare-all --ref nobody --out "$tmp/w/x" "$tmp/class"
refused "unknown option '--bogus'" bench/compare-all --bogus "$tmp/class"
refused "--ref needs a value" bench/compare-all "$tmp/class" --ref
refused "needs one directory" bench/compare-all
refused "$tmp/nowhere: no such directory" bench/compare-all "$tmp/nowhere"
run 0 bench/compare-all --help
grep -q "^Options:" "$tmp/out" && ok || bad "compare-all --help prints no options"
cp -r "$F/corrupt" "$tmp/class/"
refused "$tmp/class/corrupt/bench/gbench.json: not valid JSON" bench/compare-all --out "$tmp/w/x" "$tmp/class"
mkdir -p "$tmp/lonely" && cp -r "$F/base" "$tmp/lonely/"
refused "$tmp/lonely: 1 results directories in it" bench/compare-all --out "$tmp/w/x" "$tmp/lonely"

tally
