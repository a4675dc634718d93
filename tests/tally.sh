# tests/tally.sh: what the shell test scripts share, sourced after they cd
# to the top of the tree. A scratch directory $tmp, removed on exit; the
# tally of checks (ok, bad); and tally, which prints the last line that
# scripts/test.sh counts, "N passed, M failed", and fails if any failed.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
tally() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
