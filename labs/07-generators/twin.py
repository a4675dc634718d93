"""Lab 07's twin: generators against lists on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/07-generators/twin.py --quick

The bounds of the structural checks (ratios between decades, the
generator's flat peak) are the lab's, repeated here so that the JSON can
say whether CPython meets them.
"""
import os
import sys
import time
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

CACHED_SQUARES = 17      # 0*0 .. 16*16 are the small ints 0..256
INT_BYTES = 32           # what each other square asks the allocator for
LIST_BYTES = 56          # sys.getsizeof([])
FREE_LIST_SLACK = 56     # the list object may come from the free list, untraced
TEMPORARIES = 256        # the pipeline's few objects besides the list and its ints
RATIO_LO, RATIO_HI = 9, 11
GEN_PEAK_MAX = 1024      # "a few hundred bytes"
GEN_PEAK_SPREAD = 256    # largest - smallest generator peak


def decades(lo, hi):
    n = lo
    while n <= hi:
        yield n
        n *= 10


def list_pipeline(n):
    return sum([x*x for x in range(n)])


def gen_pipeline(n):
    return sum(x*x for x in range(n))


# ---- step 1: sizes -------------------------------------------------------------


def sizes(v, max_n):
    small, big = (x*x for x in range(10)), (x*x for x in range(10**6))
    v["sizeof_gen_small"] = sys.getsizeof(small)
    v["sizeof_gen_big"] = sys.getsizeof(big)
    v["gen_size_constant"] = sys.getsizeof(small) == sys.getsizeof(big)
    code = small.gi_code
    v["gen_slots"] = code.co_nlocals + code.co_stacksize  # .0 and x, and a stack of 3
    v["gen_fixed"] = sys.getsizeof(small) - 8 * v["gen_slots"]
    for n in decades(10, min(max_n, 10**6)):
        v[f"sizeof_list {n}"] = sys.getsizeof([x*x for x in range(n)])


# ---- step 2: peaks -----------------------------------------------------------------


def peak_of(pipeline, n):
    """The most traced memory while the pipeline runs, and its result.
    clear_traces() forgets everything traced so far, so current and peak
    start at 0 and nothing made before the line counts."""
    tracemalloc.clear_traces()
    s = pipeline(n)
    return tracemalloc.get_traced_memory()[1], s


def peaks(v, max_n):
    ns = list(decades(100, max_n))
    tracemalloc.start()
    list_peaks, gen_peaks, sums_ok = [], [], True
    for n in ns:
        lp, ls = peak_of(list_pipeline, n)
        gp, gs = peak_of(gen_pipeline, n)
        list_peaks.append(lp)
        gen_peaks.append(gp)
        closed = n * (n - 1) * (2 * n - 1) // 6
        sums_ok = sums_ok and ls == closed and gs == closed
        v[f"sum_list {n}"] = str(ls)
        v[f"sum_gen {n}"] = str(gs)
    tracemalloc.stop()
    v["n"] = ns
    v["peak_list"] = list_peaks
    v["peak_gen"] = gen_peaks
    v["sums_closed_form"] = sums_ok

    ratios = {n: b / a for n, a, b in zip(ns[1:], list_peaks, list_peaks[1:]) if n >= 10**4}
    for n, r in ratios.items():
        v[f"list_ratio {n}"] = r
    v["list_ratios_near_10"] = all(RATIO_LO <= r <= RATIO_HI for r in ratios.values())
    off = [p - (LIST_BYTES + 8 * twinlib.capacity_after_appends(n) + INT_BYTES * max(0, n - CACHED_SQUARES))
           for n, p in zip(ns, list_peaks)]
    v["list_minus_estimate_top"] = off[-1]
    v["list_near_estimate"] = all(-FREE_LIST_SLACK <= d <= TEMPORARIES for d in off)
    v["gen_peak_max"] = max(gen_peaks)
    v["gen_peak_small"] = max(gen_peaks) <= GEN_PEAK_MAX
    v["gen_peak_flat"] = max(gen_peaks) - min(gen_peaks) <= GEN_PEAK_SPREAD


# ---- step 3: time per element ------------------------------------------------------


def ns_per_item(pipeline, n, repeat):
    best = None
    for _ in range(repeat):
        t = time.perf_counter_ns()
        pipeline(n)
        t = time.perf_counter_ns() - t
        best = t if best is None else min(best, t)
    return best / n


def timings(v, n, repeat):
    v["time_n"] = n
    v["ns_list"] = ns_per_item(list_pipeline, n, repeat)
    v["ns_gen"] = ns_per_item(gen_pipeline, n, repeat)
    v["gen_over_list"] = v["ns_gen"] / v["ns_list"]


# ---- step 4: what a generator lets go of --------------------------------------------


def squares_of(data):
    for x in data:
        yield x*x


def half_way(m, measure_held):
    """Traced memory with a generator suspended half-way (if asked), and
    after del. The input is a tuple: a dead list's header would stay on
    CPython's free list, still traced."""
    tracemalloc.clear_traces()
    g = (x*x for x in tuple(range(1000, 1000 + m)))
    next(g)
    next(g)
    held = tracemalloc.get_traced_memory()[0] if measure_held else None
    del g
    return held, tracemalloc.get_traced_memory()[0]


def dropped_half_way(v, m):
    tracemalloc.start()
    # Two runs: the int that held becomes would itself still be traced at
    # the end of its run.
    v["held_suspended"], _ = half_way(m, True)
    _, v["after_del"] = half_way(m, False)
    tracemalloc.stop()


def exhausted(v, m):
    data = list(range(1000, 1000 + m))
    g = (x*x for x in data)
    v["rc_genexpr_new"] = sys.getrefcount(data)
    next(g)
    v["rc_genexpr_suspended"] = sys.getrefcount(data)
    for _ in g:
        pass
    v["rc_genexpr_exhausted"] = sys.getrefcount(data)

    r = range(m)
    g = (x*x for x in r)
    next(g)
    v["rc_range_suspended"] = sys.getrefcount(r)

    g = squares_of(data)
    v["rc_func_new"] = sys.getrefcount(data)
    next(g)
    v["rc_func_suspended"] = sys.getrefcount(data)
    for _ in g:
        pass
    v["rc_func_exhausted"] = sys.getrefcount(data)
    v["gi_frame_exhausted_is_none"] = g.gi_frame is None


def main():
    args = twinlib.parse_args("max-n", "repeat")
    max_n = args.max_n if args.max_n is not None else (10**5 if args.quick else 10**7)
    repeat = args.repeat if args.repeat is not None else (3 if args.quick else 5)
    v = {}
    sizes(v, max_n)
    peaks(v, max_n)
    timings(v, min(max_n, 10**6), repeat)
    dropped_half_way(v, 1000)
    exhausted(v, 1000)
    twinlib.emit(v)


main()
