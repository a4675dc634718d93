#!/usr/bin/env python3
"""Unit checks of bench/stats.py against values known independently:
scipy's documented mannwhitneyu example (exact and asymptotic), the
published table of the U test's two-sided 5% critical values, counts of U
by brute-force enumeration, and cases worked out by hand (in the comments).
Prints one line per failure and ends with "N passed, M failed"."""
import itertools
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import comparelib  # noqa: E402
import stats  # noqa: E402
import tally  # noqa: E402


def check(what, ok, got=None):
    tally.check(ok, what, f"got {got!r}", quiet=True)


def close(what, got, want, tol=1e-9):
    check(f"{what} = {want}", got is not None and abs(got - want) <= tol * max(1.0, abs(want)), got)


# U's distribution, counted by enumerating every ordering of two samples.
for m, n in ((1, 1), (2, 3), (3, 4), (4, 4), (5, 3)):
    counts = [0] * (m * n + 1)
    for where in itertools.combinations(range(m + n), m):
        chosen = set(where)
        counts[sum(sum(1 for j in range(i) if j not in chosen) for i in where)] += 1
    check(f"u_counts({m}, {n}) matches enumeration", tuple(counts) == stats.u_counts(m, n), stats.u_counts(m, n))
check("u_counts(9, 9) sums to C(18, 9)", sum(stats.u_counts(9, 9)) == math.comb(18, 9))

# scipy.stats.mannwhitneyu's documentation: males against females,
# U1 = 17, exact two-sided p = 0.1111111 (= 2 * 7/126 by hand: U <= 3 in 7 of
# the C(9, 4) orderings), asymptotic with continuity correction 0.11134688653.
males, females = [19, 22, 16, 29, 24], [20, 11, 17, 12]
close("U of scipy's example", stats.u_statistic(males, females)[0], 17)
close("exact p of scipy's example", stats.mann_whitney_p(males, females), 0.1111111111111111)
saved, stats.EXACT_MAX_PAIRS = stats.EXACT_MAX_PAIRS, 0
close("asymptotic p of scipy's example", stats.mann_whitney_p(males, females), 0.11134688653314041, 1e-7)
stats.EXACT_MAX_PAIRS = saved

# Two samples of 9 that do not overlap: the most extreme of C(18, 9) = 48620
# orderings on either side, p = 2/48620.
a = [1, 2, 3, 4, 5, 6, 7, 8, 9]
b = [x + 100 for x in a]
close("p of two separated samples of 9", stats.mann_whitney_p(a, b), 2 / 48620)
close("p is symmetric", stats.mann_whitney_p(b, a), 2 / 48620)

# Critical values of U, two-sided alpha = 0.05, from the published table
# (reject when U <= c): n1 = n2 = 5: 2, 8: 13, 9: 17, 10: 23; (4, 6): 2; (6, 8): 8.
for m, n, c in ((5, 5, 2), (8, 8, 13), (9, 9, 17), (10, 10, 23), (4, 6, 2), (6, 8, 8)):
    check(f"critical U for {m}, {n} is {c}", stats.critical_rank(m, n, 0.05) - 1 == c,
          stats.critical_rank(m, n, 0.05) - 1)
# Three against three: even the most extreme ordering has p = 2/20 = 0.1, so
# no 95% interval exists.
check("no 95% interval from 3 and 3", stats.critical_rank(3, 3, 0.05) == 0)
check("hodges_lehmann_ratio(3 vs 3) has no interval", stats.hodges_lehmann_ratio([1, 2, 3], [2, 4, 6], 0.05)[1] is None)

# Identical samples: U at its mean, p = 1, ratio exactly 1.
check("p of identical samples is 1", stats.mann_whitney_p(a, list(a)) == 1.0, stats.mann_whitney_p(a, list(a)))
check("p of all-tied samples is 1", stats.mann_whitney_p([5] * 4, [5] * 6) == 1.0)

# B = 2 A exactly: every pairwise ratio b_j/a_i with i = j is 2, and the
# median of all 81 log-ratios is log 2 because the set is symmetric about it.
ratio, lo, hi = stats.hodges_lehmann_ratio(a, [2 * x for x in a], 0.05)
close("Hodges-Lehmann ratio of B = 2A", ratio, 2.0)
check("its interval holds 2", lo < 2 < hi, (lo, hi))
# With 9 and 9 the interval is [D(18), D(64)] of the 81 sorted log-ratios.
la, lb = [math.log(x) for x in a], [math.log(2 * x) for x in a]
d = sorted(y - x for x in la for y in lb)
close("its lower end is D(18)", lo, math.exp(d[17]))
close("its upper end is D(64)", hi, math.exp(d[63]))

# Ties: a = [1, 2, 2, 3], b = [2, 3, 4, 5]. Pooled mid-ranks: 1 -> 1,
# 2 -> 3 (three tied), 3 -> 5.5 (two tied), 4 -> 7, 5 -> 8. R_a = 1+3+3+5.5 =
# 12.5, U_a = 12.5 - 10 = 2.5. Var = 4*4/12 * (9 - (24 + 6)/(8*7)) = 11.2857,
# z = (8 - 2.5 - 0.5)/3.35942 = 1.48835, Phi(z) = 0.931671 (between the
# table's 0.93056 at 1.48 and 0.93189 at 1.49), p = 2 (1 - Phi(z)) = 0.136658.
u, ties = stats.u_statistic([1, 2, 2, 3], [2, 3, 4, 5])
close("U with ties", u, 2.5)
close("p with ties (normal, tie-corrected)", stats.mann_whitney_p([1, 2, 2, 3], [2, 3, 4, 5]),
      math.erfc(5 / math.sqrt(16 / 12 * (9 - 30 / 56)) / math.sqrt(2)))
close("p with ties, by hand", stats.mann_whitney_p([1, 2, 2, 3], [2, 3, 4, 5]), 0.136658, 1e-5)

# The bootstrap is deterministic for a seed, and the interval of a geomean
# of B = 2A (times 1 +- tiny noise) is tight around 2.
r1 = stats.bootstrap_log_ratios(a, [2 * x for x in a], 200, random.Random(1))
r2 = stats.bootstrap_log_ratios(a, [2 * x for x in a], 200, random.Random(1))
check("bootstrap is deterministic for a seed", r1 == r2)
rng = random.Random(2)
reps = []
for base in (10, 20, 40):
    xs = [base * math.exp(rng.gauss(0, 0.01)) for _ in range(9)]
    ys = [2 * base * math.exp(rng.gauss(0, 0.01)) for _ in range(9)]
    reps.append(stats.bootstrap_log_ratios(xs, ys, 500, rng))
glo, ghi = stats.geomean_interval(reps, 0.05)
check("geomean interval of 2x is within [1.97, 2.03]", 1.97 < glo < 2 < ghi < 2.03, (glo, ghi))
close("geomean of 1, 4", stats.geomean([1, 4]), 2.0)

# The A/A requirement (two runs of the same binary: at least 95% "no real
# difference"), simulated: 300 benchmarks, 9 repetitions, 3% noise between
# repetitions and, worse, a 2% shift between runs (memory layout, frequency)
# that the repetitions of one run cannot see. The test alone is fooled by the
# shift; the 5% threshold is what keeps the verdicts honest.


def aa_fraction(threshold, seed=7, benches=300):
    rng = random.Random(seed)
    calm = 0
    for _ in range(benches):
        a, b = comparelib.Bench("x", "micro", "t"), comparelib.Bench("x", "micro", "t")
        for bench in (a, b):
            shift = math.exp(rng.gauss(0, 0.02))
            bench.times = [100 * shift * math.exp(rng.gauss(0, 0.03)) for _ in range(9)]
        calm += comparelib.Row(a, b, 0.05, threshold).verdict == "no real difference"
    return calm / benches


check("simulated A/A with the 5% threshold: >= 95% no real difference",
      aa_fraction(comparelib.THRESHOLD) >= 0.95, aa_fraction(comparelib.THRESHOLD))
check("simulated A/A without a threshold: < 95% (the test alone is fooled)",
      aa_fraction(0.0) < 0.95, aa_fraction(0.0))

sys.exit(tally.summary())
