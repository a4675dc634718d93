"""Lab 03's twin: generations on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/03-generations/twin.py --quick

The interpreter's own objects (modules, functions, types: tens of thousands
of containers) are frozen first with gc.freeze(), so every collection looks
only at the objects this file makes, as the lab's collections do.
"""
import gc
import os
import sys
import time
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

DEFAULT = (700, 10, 10)
LOW_OLDER = (700, 1, 1)  # step 4's second run: full collections come sooner
TRADEOFF = [(100, 10, 10), (700, 10, 10), (1000, 10, 10), (5000, 10, 10),
            (10000, 10, 10), (50000, 10, 10), (1000, 15, 15)]
REPEATS = 5  # collections timed keep the fastest of these
CHURN_REPEATS = 3  # and step 6's loops the fastest of these


def decades(heap):
    """Steps 4 and 5's sizes: the powers of ten from 1000 up to heap."""
    sizes, n = [], 1000
    while n <= heap:
        sizes.append(n)
        n *= 10
    return sizes


# ---- step 1: the thresholds and the count ---------------------------------------------


def thresholds_and_count(v):
    v["threshold"] = "(%d, %d, %d)" % gc.get_threshold()
    x = 10 ** 10
    counts = []
    gc.collect()
    # gc.collect() empties CPython's free lists, so the first get_count()
    # after it makes a fresh tuple for its answer, counted like any other
    # container, and so does the first (a,) below, a temporary of one item.
    # Made once here, each goes back to its free list and is reused
    # uncounted, so the count shows only what the lines keep.
    gc.get_count()
    (x,)
    base = gc.get_count()[0]
    a = []
    counts.append(gc.get_count()[0] - base)
    b = [a]
    counts.append(gc.get_count()[0] - base)
    n = x * x
    s = repr(n)
    counts.append(gc.get_count()[0] - base)
    t = (a, b)
    counts.append(gc.get_count()[0] - base)
    row = (a,) * 25
    counts.append(gc.get_count()[0] - base)
    del row
    counts.append(gc.get_count()[0] - base)
    del t
    counts.append(gc.get_count()[0] - base)
    u = (b, a)
    counts.append(gc.get_count()[0] - base)
    keys = ["count_a", "count_b", "count_atoms", "count_t", "count_row", "count_del_row",
            "count_del_t", "count_u"]
    v.update(zip(keys, counts))
    del u, n, s


# ---- step 2: automatic collections, counted --------------------------------------------


def run_lengths(gens):
    """How many collections of each generation: "g0 / g1 / g2"."""
    return " / ".join(str(gens.count(g)) for g in range(3))


def automatic(v, lists):
    log = []
    keep = None

    def record(phase, info):
        if phase == "start":
            log.append((info["generation"], len(keep)))

    gc.collect()
    keep = []
    gc.callbacks.append(record)
    for _ in range(lists):
        keep.append([])
    gc.callbacks.remove(record)
    gens = [g for g, _ in log]
    at = [n for _, n in log]
    # The lab compares the first `compared` collections: CPython's own
    # containers may add or take one at the end of the run.
    compared = lists // (DEFAULT[0] + 1) - 1
    v["auto_collections"] = len(log)
    v["auto_generations"] = gens
    v["auto_first_at"] = at[0] if at else -1
    gaps = [b - a for a, b in zip(at, at[1:])]
    v["auto_gap"] = max(set(gaps), key=gaps.count) if gaps else -1
    v["auto_other_gaps"] = sum(gap != v["auto_gap"] for gap in gaps)
    v["auto_split"] = run_lengths(gens[:compared])
    v["auto_first_gen1"] = gens.index(1) + 1 if 1 in gens[:compared] else 0
    v["auto_first_gen2"] = gens.index(2) + 1 if 2 in gens[:compared] else 0
    del keep


# ---- step 3: promotion -------------------------------------------------------------------------


def gen_of(o):
    """The generation whose list holds o, as gc.get_objects(g) shows it."""
    for g in range(3):
        if any(p is o for p in gc.get_objects(g)):
            return g
    return -1


def young_cycle():
    c = []
    d = [c]
    c.append(d)


def promotion(v, heap):
    gc.collect()
    x = []
    v["gen_new"] = gen_of(x)
    gc.collect(0)
    v["gen_after_0"] = gen_of(x)
    gc.collect(1)
    v["gen_after_1"] = gen_of(x)
    gc.collect()
    v["gen_after_2"] = gen_of(x)

    a = []
    b = [a]
    a.append(b)
    gc.collect()
    del a, b
    young_cycle()
    v["found_by_0"] = gc.collect(0)
    v["found_by_1"] = gc.collect(1)
    v["found_by_2"] = gc.collect(2)

    keep = [[] for _ in range(heap)]
    gc.collect()
    v["old_heap"] = len(gc.get_objects(2))
    young, full = [], []
    for _ in range(REPEATS):
        young_cycle()
        v["young_examined"] = len(gc.get_objects(0))
        t0 = time.perf_counter()
        v["young_found"] = gc.collect(0)
        young.append(time.perf_counter() - t0)
        young_cycle()
        t0 = time.perf_counter()
        v["full_found"] = gc.collect(2)
        full.append(time.perf_counter() - t0)
    v["young_us"] = min(young) * 1e6
    v["full_ms"] = min(full) * 1e3
    v["young_faster"] = min(young) < min(full)
    del keep


# ---- step 4: the 25% rule ---------------------------------------------------------------------


def fulls_while_building(n, thresholds):
    """len(keep) at each full collection while n kept lists are made."""
    at = []
    keep = None

    def record(phase, info):
        if phase == "start" and info["generation"] == 2:
            at.append(len(keep))

    gc.set_threshold(*thresholds)
    gc.collect()
    keep = []
    gc.callbacks.append(record)
    for _ in range(n):
        keep.append([])
    gc.callbacks.remove(record)
    gc.set_threshold(*DEFAULT)
    del keep
    return at


def grew_a_quarter(at):
    """Each full collection after the first found at least 1.25 times the
    lists of the one before."""
    return all(4 * b >= 5 * a for a, b in zip(at, at[1:]))


def quarter_rule(v, heap):
    for name, thresholds in (("default", DEFAULT), ("low", LOW_OLDER)):
        for n in decades(heap):
            at = fulls_while_building(n, thresholds)
            v["fulls %s %d" % (name, n)] = len(at)
        v["full_at_" + name] = at
        v["quarter_" + name] = grew_a_quarter(at)


# ---- step 5: pause time vs heap size -----------------------------------------------------------


def pause(v, heap):
    times, found = [], 0
    for n in decades(heap):
        keep = [[] for _ in range(n)]
        gc.collect()
        best = None
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            found += gc.collect()
            t = time.perf_counter() - t0
            best = t if best is None else min(best, t)
        times.append(best)
        v["pause_ms %d" % n] = best * 1e3
        del keep
    v["pause_found"] = found
    v["pause_grows"] = all(a < b for a, b in zip(times, times[1:]))


# ---- step 6: the threshold trade-off ---------------------------------------------------------


def churn(cycles):
    """Makes garbage two-list cycles, one live at a time."""
    for _ in range(cycles):
        a = []
        b = [a]
        a.append(b)


def collections_run():
    return [s["collections"] for s in gc.get_stats()]


def one_setting(thresholds, cycles, traced):
    """Collections run per generation, seconds, and tracemalloc's peak."""
    gc.collect()
    gc.set_threshold(*thresholds)
    before = collections_run()
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    churn(cycles)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    runs = [b - a for a, b in zip(before, collections_run())]
    # Restored only now: back at 700, the count left by a higher threshold
    # would start a collection at the next container made.
    gc.set_threshold(*DEFAULT)
    return runs, seconds, peak


def tradeoff(v, cycles):
    collections, older, per_cycle, peaks = [], [], [], []
    for thresholds in TRADEOFF:
        fastest = None
        for _ in range(CHURN_REPEATS):
            runs, seconds, _ = one_setting(thresholds, cycles, False)
            fastest = seconds if fastest is None else min(fastest, seconds)
        _, _, peak = one_setting(thresholds, cycles, True)
        collections.append(sum(runs))
        older.append(runs[1] + runs[2])
        per_cycle.append(round(fastest / cycles * 1e9))
        peaks.append(peak)
    v["tradeoff_collections"] = collections
    v["tradeoff_older"] = older
    v["tradeoff_ns"] = per_cycle
    v["tradeoff_peak"] = peaks
    rising = TRADEOFF.index((1000, 15, 15))  # the six gen-0 thresholds come first
    c, p = collections[:rising], peaks[:rising]
    v["fewer_collections"] = all(a > b for a, b in zip(c, c[1:]))
    v["higher_peak"] = all(a < b for a, b in zip(p, p[1:]))
    default, claimed = TRADEOFF.index(DEFAULT), rising
    v["claim_fewer"] = collections[claimed] < collections[default]
    v["claim_peak"] = peaks[claimed] > peaks[default]


def main():
    args = twinlib.parse_args("lists", "heap", "cycles")
    lists = args.lists if args.lists is not None else (10000 if args.quick else 100000)
    heap = args.heap if args.heap is not None else (100000 if args.quick else 1000000)
    cycles = args.cycles if args.cycles is not None else (30000 if args.quick else 60000)
    gc.collect()
    gc.freeze()
    v = {}
    thresholds_and_count(v)
    automatic(v, lists)
    promotion(v, heap)
    quarter_rule(v, heap)
    pause(v, heap)
    tradeoff(v, cycles)
    twinlib.emit(v)


main()
