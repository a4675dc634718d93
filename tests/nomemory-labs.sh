#!/usr/bin/env bash
# Every lab with an allocation failing (MP_FAIL_ALLOC=N, see
# runtime/obmalloc.c): it either never makes that many allocations and ends
# as usual (exit 0, nothing on stderr), or it stops there with exactly one
# line on stderr, "lab NN: out of memory (MemoryError: ...) at step S", and
# exit 3. Never a crash, never anything else on stderr. A bad MP_FAIL_ALLOC
# is a usage error (exit 2, one line).
#
#   tests/nomemory-labs.sh [BUILD_DIR] [LAB...]   (default build, every lab)
#   last line "N passed, M failed"
set -u
cd "$(dirname "$0")/.."
B=${1:-build}
shift $(($# > 0 ? 1 : 0))
if [ $# -gt 0 ]; then
    labs="$*"
else
    labs=$(cd labs && ls -d [0-9][0-9]-*/ | tr -d /)
fi
POINTS=${NOMEMORY_POINTS:-"1 2 10 100 1000 10000 100000"}
. tests/tally.sh

total=$(( $(echo $labs | wc -w) * $(echo $POINTS | wc -w) ))
i=0
started=$(date +%s)
for lab in $labs; do
    if [ ! -x "$B/labs/$lab" ]; then
        bad "$lab: no $B/labs/$lab (build it first)"
        continue
    fi
    stopped=0
    for n in $POINTS; do
        i=$((i + 1))
        printf 'step %d of %d: %s with allocation %s failing (%ds)\n' "$i" "$total" "$lab" "$n" \
            "$(( $(date +%s) - started ))"
        MP_FAIL_ALLOC=$n "$B/labs/$lab" --quick --no-twin --no-color >"$tmp/out" 2>"$tmp/err"
        status=$?
        lines=$(wc -l <"$tmp/err")
        case $status in
        0)
            if [ -s "$tmp/err" ]; then
                bad "$lab MP_FAIL_ALLOC=$n: exit 0 but stderr: $(head -c 300 "$tmp/err")"
            else
                ok
            fi
            ;;
        3)
            stopped=$((stopped + 1))
            if [ "$lines" -eq 1 ] &&
                grep -Eq "^lab ${lab%%-*}: out of memory \(MemoryError: .+\) (at step [0-9]+|before step 1)$" "$tmp/err"; then
                ok
            else
                bad "$lab MP_FAIL_ALLOC=$n: exit 3 with stderr: $(head -c 300 "$tmp/err")"
            fi
            ;;
        *)
            bad "$lab MP_FAIL_ALLOC=$n: exit $status (wanted 0 or 3); stderr: $(head -c 300 "$tmp/err")"
            ;;
        esac
    done
    echo "$lab: stopped by the failure at $stopped of $(echo $POINTS | wc -w) points"
done

# A value that is not a positive whole number: one line, exit 2.
lab=$(echo $labs | cut -d' ' -f1)
for value in abc -5 0 12x; do
    MP_FAIL_ALLOC=$value "$B/labs/$lab" --quick --no-twin --no-color >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "MP_FAIL_ALLOC" "$tmp/err"; then
        ok
    else
        bad "$lab MP_FAIL_ALLOC=$value: exit $status, stderr: $(head -c 300 "$tmp/err")"
    fi
done

tally
