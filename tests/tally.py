"""tests/tally.py: what the Python test scripts share, as tests/tally.sh is
for the shell ones: the tally of checks, and the last line scripts/test.sh
counts, "N passed, M failed"."""

passed = failed = 0


def check(ok, what, detail="", indent="", quiet=False):
    """Counts one check and prints it (a pass only unless quiet); ok back."""
    global passed, failed
    if ok:
        passed += 1
        if not quiet:
            print(f"{indent}ok    {what}")
    else:
        failed += 1
        print(f"{indent}FAIL  {what}" + (f": {detail}" if detail else ""))
    return ok


def summary():
    """Prints the last line; returns the exit status, 1 if any check failed."""
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
