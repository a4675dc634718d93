"""The statistics `make compare` rests on, written out so they can be checked.

Two samples of repeated timings, A and B, are compared without assuming any
distribution (benchmark times are skewed and have outliers):

- the Mann-Whitney U test, two-sided: exact for small samples without ties
  (the null distribution of U counted by the Gaussian binomial coefficient,
  see u_counts), else the normal approximation with the tie correction and
  a continuity correction;
- the Hodges-Lehmann estimate of the ratio B/A: the median of all m*n
  pairwise log-ratios log(b/a), exponentiated, with the distribution-free
  confidence interval read off the same sorted log-ratios at the rank the
  U distribution's critical value gives (Lehmann's construction), so the
  interval and the test agree;
- a bootstrap over repetitions, with a fixed seed, for the interval of a
  geometric mean of many benchmarks' ratios.

Invariant: every function is deterministic (the bootstrap takes its own
seeded generator), so the same inputs give the same report, byte for byte.
"""
import functools
import math
import statistics

# The exact distribution is used while m*n is at most this; its cost grows
# as m * (m*n), and beyond it the normal approximation is already close.
EXACT_MAX_PAIRS = 2500


@functools.lru_cache(maxsize=64)
def u_counts(m, n):
    """How many of the C(m+n, m) orderings of two tie-free samples of sizes
    m and n give U = u, for u = 0 .. m*n. These are the coefficients of the
    Gaussian binomial [m+n choose m]_q = prod_{k=1..m} (1-q^(n+k)) / (1-q^k),
    built one factor at a time; every partial product is itself a Gaussian
    binomial, so the division is exact in integers."""
    poly = [1]
    for k in range(1, m + 1):
        grown = poly + [0] * (n + k)
        for i in range(len(grown) - 1, n + k - 1, -1):
            grown[i] -= grown[i - n - k]
        for i in range(k, len(grown)):
            grown[i] += grown[i - k]
        poly = grown[:len(grown) - k]
    return tuple(poly)


def _ranks(values):
    """Mid-ranks (1-based) of values, and the tie groups' sizes."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    ties = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        if j > i:
            ties.append(j - i + 1)
        i = j + 1
    return ranks, ties


def u_statistic(a, b):
    """U of sample a: the number of pairs (x in a, y in b) with x > y, ties
    counting one half. Also the tie groups' sizes of the pooled sample."""
    ranks, ties = _ranks(list(a) + list(b))
    m = len(a)
    return sum(ranks[:m]) - m * (m + 1) / 2, ties


def _u_sd(m, n, ties):
    """Standard deviation of U under the null, corrected for ties."""
    total = m + n
    tie_term = sum(t ** 3 - t for t in ties) / (total * (total - 1)) if total > 1 else 0.0
    return math.sqrt(m * n / 12 * ((total + 1) - tie_term))


def _exact(m, n, ties):
    return not ties and m * n <= EXACT_MAX_PAIRS


def mann_whitney_p(a, b):
    """Two-sided p-value of the Mann-Whitney U test of a against b."""
    m, n = len(a), len(b)
    if m == 0 or n == 0:
        return 1.0
    u, ties = u_statistic(a, b)
    if _exact(m, n, ties):
        counts = u_counts(m, n)
        k = int(u)
        low = sum(counts[:k + 1])
        high = sum(counts[k:])
        return min(1.0, 2 * min(low, high) / sum(counts))
    sd = _u_sd(m, n, ties)
    distance = abs(u - m * n / 2) - 0.5
    if sd == 0 or distance <= 0:
        return 1.0
    return min(1.0, math.erfc(distance / sd / math.sqrt(2)))


def critical_rank(m, n, alpha, ties=()):
    """Lehmann's k: the largest k with P(U <= k-1) <= alpha/2 under the null,
    so that [D(k), D(mn+1-k)] of the sorted pairwise differences covers the
    shift with probability at least 1 - alpha. 0 when no k qualifies: the
    samples are too small for any interval at that level."""
    if _exact(m, n, ties):
        counts = u_counts(m, n)
        total = sum(counts)
        k, below = 0, 0
        while k < len(counts) and below + counts[k] <= alpha / 2 * total:
            below += counts[k]
            k += 1
        return k
    z = statistics.NormalDist().inv_cdf(1 - alpha / 2)
    k = math.floor(m * n / 2 - z * _u_sd(m, n, ties))
    return max(k, 0)


def hodges_lehmann_ratio(a, b, alpha):
    """The ratio B/A (median of the pairwise b/a) and its 1-alpha confidence
    interval (lo, hi), or (ratio, None, None) when the samples are too small
    for an interval. a and b are positive times."""
    la = [math.log(x) for x in a]
    lb = [math.log(y) for y in b]
    diffs = sorted(y - x for x in la for y in lb)
    estimate = math.exp(statistics.median(diffs))
    _, ties = u_statistic(a, b)
    k = critical_rank(len(a), len(b), alpha, tuple(ties))
    if k < 1:
        return estimate, None, None
    return estimate, math.exp(diffs[k - 1]), math.exp(diffs[len(diffs) - k])


def geomean(ratios):
    return math.exp(statistics.fmean(math.log(r) for r in ratios))


def _median_sorted(s):
    half = len(s) // 2
    return s[half] if len(s) % 2 else (s[half - 1] + s[half]) / 2


def bootstrap_log_ratios(a, b, resamples, rng):
    """log(median(B*) / median(A*)) for resamples of each sample drawn with
    replacement (rng: a seeded random.Random): the spread of one benchmark's
    ratio from its repetitions."""
    m, n = len(a), len(b)
    return [math.log(_median_sorted(sorted(rng.choices(b, k=n))) / _median_sorted(sorted(rng.choices(a, k=m))))
            for _ in range(resamples)]


def geomean_interval(replicates, alpha):
    """Percentile interval of a geometric mean of ratios, given each
    benchmark's bootstrap log-ratios (equal-length lists, resample i of every
    benchmark taken together)."""
    means = sorted(statistics.fmean(column) for column in zip(*replicates))
    lo = means[math.floor(alpha / 2 * (len(means) - 1))]
    hi = means[math.ceil((1 - alpha / 2) * (len(means) - 1))]
    return math.exp(lo), math.exp(hi)
