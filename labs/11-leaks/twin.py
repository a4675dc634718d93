"""Lab 11's twin: leaks and caches on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/11-leaks/twin.py --quick

Memory over time is sampled into array.array buffers made before tracing
starts: storing a number there allocates nothing, where a list of ints
would grow with every sample and show up in the very figures it holds.
Each line the lab names ends with a "# site: NAME" comment; twinlib.site_lines
finds them, so a statistic can say which role its line plays.
"""
import array
import functools
import gc
import os
import sys
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

SAMPLES = 20     # points on each curve of memory_over_time.csv, after the start
FIRST_KEY = 1000  # the keys are ints above the small-int cache: each is an object
OLD_GAP = 1003    # one call in ten asks again for the key of this many calls back
MAXSIZE = 128
WARM_UP = 100     # requests served before the first snapshot

# The roles of the lines step 2 names, in the lab's order (its enum role).
ROLES = ["request", "path", "user", "registry"]


LINES = twinlib.site_lines(__file__, ROLES)


def role_of(traceback):
    frame = traceback[0]
    return ROLES[LINES[frame.lineno]] if frame.filename == __file__ and frame.lineno in LINES else "other"


def only_this_file(snapshot):
    return snapshot.filter_traces([tracemalloc.Filter(True, __file__)])


def sampler():
    """A buffer for SAMPLES + 1 numbers that allocates nothing when written."""
    return array.array("q", bytes(8 * (SAMPLES + 1)))


def traced():
    return tracemalloc.get_traced_memory()[0]


# ---- step 1: an unbounded cache and a bounded one ---------------------------------


def key_at(i):
    """The key of call i. Seven calls in ten ask for a key never seen; the
    eighth repeats the call before it, the ninth the call three back, and the
    tenth asks again for the key of OLD_GAP calls back (three back, early on)."""
    block, r = divmod(i, 10)
    if r < 7:
        return FIRST_KEY + 7 * block + r
    if r == 7:
        return FIRST_KEY + 7 * block + 6
    if r == 8:
        return FIRST_KEY + 7 * block + 5
    if i >= OLD_GAP:
        return FIRST_KEY + 7 * ((i - OLD_GAP) // 10) + 6
    return FIRST_KEY + 7 * block + 6


def describe(k):
    """The function being cached: a str computed from the key."""
    return "<li>item %07d</li>" % k


cache = {}


def describe_memo(k):
    """The articles' memo: a module-level dict that is never emptied."""
    if k in cache:
        return cache[k]
    result = cache[k] = describe(k)
    return result


def call_range(f, start, stop):
    for i in range(start, stop):
        f(key_at(i))


def run_cache(f, calls, samples, sizes=None):
    """calls calls of f over the key stream; memory (and f's size) sampled
    SAMPLES times, relative to just before the first call. The base waits
    in samples[0], and the loops run in functions of their own, so that no
    int of the sampling's own is alive when a sample is taken."""
    samples[0] = traced()
    for s in range(1, SAMPLES + 1):
        call_range(f, calls * (s - 1) // SAMPLES, calls * s // SAMPLES)
        samples[s] = traced() - samples[0]
        if sizes is not None:
            sizes[s] = f.cache_info().currsize
    samples[0] = 0


def caches(v, calls):
    tracemalloc.start()
    dict_mem = sampler()
    run_cache(describe_memo, calls, dict_mem)
    v["dict_len"] = len(cache)
    v["dict_hits"] = calls - len(cache)
    v["dict_mem"] = dict_mem[SAMPLES]
    v["dict_sizeof"] = sys.getsizeof(cache)
    entry = 32 + sys.getsizeof(describe(FIRST_KEY))  # the key's int and the result
    v["dict_entry"] = entry
    # The dict object was made at import, before tracing began: its 64
    # bytes are untraced.
    v["dict_minus_estimate"] = dict_mem[SAMPLES] - (sys.getsizeof(cache) - 64 + entry * len(cache))
    # The interpreter may keep an odd small object of its own alive.
    v["dict_near_estimate"] = abs(v["dict_minus_estimate"]) <= 64
    v["dict_grows"] = all(dict_mem[s] > dict_mem[s - 1] for s in range(1, SAMPLES + 1))
    v["dict_samples"] = list(dict_mem)
    cache.clear()

    unbounded = functools.lru_cache(maxsize=None)(describe)
    none_mem = sampler()
    run_cache(unbounded, calls, none_mem)
    for field, value in unbounded.cache_info()._asdict().items():
        v["none_" + field] = value
    v["none_mem"] = none_mem[SAMPLES]
    v["none_samples"] = list(none_mem)
    unbounded.cache_clear()

    bounded = functools.lru_cache(maxsize=MAXSIZE)(describe)
    lru_mem, lru_size = sampler(), sampler()
    run_cache(bounded, calls, lru_mem, lru_size)
    for field, value in bounded.cache_info()._asdict().items():
        v["lru_" + field] = value
    v["lru_mem"] = lru_mem[SAMPLES]
    v["lru_first"] = lru_mem[1]
    # The links (56 bytes each), keys and results, and the dict's table of
    # 512 slots: 32 + 2 * 512 + 24 * 341 bytes (see the lab).
    v["lru_near_estimate"] = abs(lru_mem[1] - (MAXSIZE * (56 + entry) + 9240)) <= 64
    v["lru_flat"] = all(lru_mem[s] == lru_mem[1] for s in range(1, SAMPLES + 1))
    v["lru_currsize_flat"] = all(lru_size[s] == MAXSIZE for s in range(1, SAMPLES + 1))
    v["lru_samples"] = list(lru_mem)
    v["lru_sizes"] = list(lru_size)
    v["ratio_dict_lru"] = dict_mem[SAMPLES] / lru_mem[SAMPLES]
    bounded.cache_clear()
    tracemalloc.stop()


# ---- step 2: a forgotten reference ----------------------------------------------


class Request:
    def __init__(self, i):
        self.path = "/items/%06d" % i  # site: path
        self.user = FIRST_KEY + i  # site: user


registry = []  # module-level: meant for debugging, then forgotten


def handle(i):
    request = Request(i)  # site: request
    registry.append(request)  # site: registry
    return len(request.path)


def handle_fixed(i):
    request = Request(i)  # site: request
    return len(request.path)


def serve(handler, start, stop):
    for i in range(start, stop):
        handler(i)


def diff_of(handler, requests, samples):
    """Serves WARM_UP requests, then requests more between two snapshots,
    sampling memory SAMPLES times on the way."""
    serve(handler, 0, WARM_UP)
    old = only_this_file(tracemalloc.take_snapshot())
    samples[0] = traced()
    for s in range(1, SAMPLES + 1):
        serve(handler, WARM_UP + requests * (s - 1) // SAMPLES, WARM_UP + requests * s // SAMPLES)
        samples[s] = traced() - samples[0]
    samples[0] = 0
    new = only_this_file(tracemalloc.take_snapshot())
    return new.compare_to(old, "lineno")


def holders(v, requests):
    tracemalloc.start()
    leak, fixed = sampler(), sampler()
    diff = diff_of(handle, requests, leak)
    grew = [d for d in diff if d.size_diff]
    for rank, d in enumerate(grew, 1):
        v["leak_role_%d" % rank] = role_of(d.traceback)
    v["leak_line"] = [d.traceback[0].lineno for d in grew]
    v["leak_size_diff"] = [d.size_diff for d in grew]
    v["leak_count_diff"] = [d.count_diff for d in grew]
    v["leak_total"] = sum(d.size_diff for d in diff)
    v["leak_count_total"] = sum(d.count_diff for d in diff)
    v["registry_diff"] = sum(d.size_diff for d in diff if role_of(d.traceback) == "registry")
    v["sizeof_request"] = sys.getsizeof(registry[-1])
    v["sizeof_path"] = sys.getsizeof(registry[-1].path)
    v["registry_len"] = len(registry)

    # Who holds the leaked requests? No global name refers to this one.
    found = gc.get_referrers(registry[-1])
    v["referrers"] = len(found)
    v["referrer_is_registry"] = len(found) == 1 and found[0] is registry
    registry.clear()

    diff = diff_of(handle_fixed, requests, fixed)
    v["fixed_total"] = sum(d.size_diff for d in diff)
    v["fixed_lines"] = sum(1 for d in diff if d.size_diff)
    v["fixed_flat"] = v["fixed_total"] < requests
    tracemalloc.stop()
    v["leak_samples"] = list(leak)
    v["fixed_samples"] = list(fixed)


# ---- step 3: a cache as the holder ------------------------------------------------


def live_requests():
    return sum(1 for o in gc.get_objects() if type(o) is Request)


@functools.lru_cache(maxsize=None)
def owner(request):
    return request.user


@functools.lru_cache(maxsize=MAXSIZE)
def owner_bounded(request):
    return request.user


def handle_with(cached, i):
    request = Request(i)
    return cached(request)


def cache_holders(v, requests):
    v["live_before"] = live_requests()
    for i in range(requests):
        handle_with(owner, i)
    v["live_unbounded"] = live_requests()
    owner.cache_clear()
    v["live_cleared"] = live_requests()
    for i in range(requests):
        handle_with(owner_bounded, i)
    v["live_bounded"] = live_requests()
    owner_bounded.cache_clear()


# ---- step 4: prompt release ----------------------------------------------------------


def report(n, release, samples):
    """Uses a big list, then builds n short strs; release says when data goes.
    Tracing starts just before the call, so traced() is this call's memory."""
    data = list(range(n))
    view = data if release == "aliased" else None
    total = sum(data)
    samples[0] = traced()
    if release in ("del", "aliased"):
        del data
    elif release == "None":
        data = None
    lines = []
    for s in range(1, SAMPLES + 1):
        for i in range(n * (s - 1) // SAMPLES, n * s // SAMPLES):
            lines.append("row %06d" % i)
        samples[s] = traced()
    return total + len(lines)


def release(v, n):
    for how in ("kept", "None", "del", "aliased"):
        samples = sampler()
        tracemalloc.start()
        report(n, how, samples)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        v["peak_" + how] = peak
        v["after_" + how] = current
        v["samples_" + how] = list(samples)
    data = list(range(n))
    v["sizeof_data"] = sys.getsizeof(data)
    data_bytes = sys.getsizeof(data) + 32 * max(0, n - 257)
    v["data_bytes"] = data_bytes
    v["kept_minus_del"] = v["peak_kept"] - v["peak_del"]
    # The list object may come from the free list, untraced: 56 bytes less.
    v["saved_is_data"] = abs(v["kept_minus_del"] - data_bytes) <= 56
    v["none_is_del"] = v["peak_None"] == v["peak_del"]
    v["aliased_is_kept"] = v["peak_aliased"] == v["peak_kept"]
    # A 2-tuple freed while tracing may stay on CPython's tuple free list,
    # traced: 56 bytes.
    v["after_max"] = max(v["after_" + how] for how in ("kept", "None", "del", "aliased"))
    v["freed_at_return"] = all(v["after_" + how] <= 56 for how in ("kept", "None", "del", "aliased"))
    lines = []
    for i in range(n):
        lines.append("row %06d" % i)
    v["sizeof_row"] = sys.getsizeof(lines[0])
    v["sizeof_lines"] = sys.getsizeof(lines)
    v["peak_del_minus_lines"] = v["peak_del"] - (sys.getsizeof(lines) + n * sys.getsizeof(lines[0]))


def main():
    args = twinlib.parse_args("keys", "requests", "size")
    keys = args.keys if args.keys is not None else (10000 if args.quick else 50000)
    requests = args.requests if args.requests is not None else (1000 if args.quick else 10000)
    size = args.size if args.size is not None else (10000 if args.quick else 100000)
    v = {"keys": keys, "requests": requests, "size": size}
    caches(v, keys)
    holders(v, requests)
    cache_holders(v, requests)
    release(v, size)
    twinlib.emit(v)


main()
