"""Lab 06's twin: list, array and deque on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/06-sequences/twin.py --quick

The sizes, the bounds of the structural checks and the way step 3 sweeps
a container's length are the lab's, repeated here so that the JSON can say
whether CPython meets them.
"""
import array
import collections
import os
import sys
import timeit
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

LIST_BYTES = 56        # sys.getsizeof([]): 40 of list, 16 of GC header
ARRAY_BYTES = 80       # sys.getsizeof(array('i')): 64 of array, 16 of GC header
DEQUE_BYTES = 232      # sys.getsizeof(deque()) without its block
BLOCK_BYTES = 528      # a deque block: 64 slots and two links
BLOCKLEN = 64
CENTER = 31            # an empty deque's right end; appends start at 32

FIRST = 1000           # step 2's numbers are FIRST, FIRST + 1, ...: none is cached
INT_BYTES = 32         # what each asks for: _PyLong_FromMedium's sizeof(PyLongObject)
SPARE_LISTS = 100      # more than the 80 dead lists CPython keeps for reuse
RATIO_I, RATIO_D = 8, 4
LINEAR_MIN = 10        # list front: ns at n_hi / ns at n_hi/100 above this
FLAT_MAX = 3           # O(1) ends: slowest n / fastest n below this
SWEEP_MAX = 512        # operations per timed batch, at most


# ---- step 1: how each grows ------------------------------------------------------------


def list_capacities(n):
    """Capacity after 0..n appends by list_resize: when full, room for
    newsize + newsize/8 + 6, rounded down to a multiple of 4."""
    caps, allocated = [0], 0
    for size in range(1, n + 1):
        if size > allocated:
            allocated = (size + (size >> 3) + 6) & ~3
        caps.append(allocated)
    return caps


def array_capacities(n):
    """Capacity after 0..n appends by array_resize: when full, room for
    newsize + newsize/16 + 3 while the array is under 8 items, else + 7."""
    caps, allocated = [0], 0
    for size in range(1, n + 1):
        if size > allocated:
            allocated = (size >> 4) + (3 if size - 1 < 8 else 7) + size
        caps.append(allocated)
    return caps


def deque_blocks(n):
    """Blocks after 0..n appends at the right: one, and another each time
    the right end passes the end of a block."""
    return [1 + (CENTER + length) // BLOCKLEN for length in range(n + 1)]


def changes(values):
    """[length, value, ...] wherever the value differs from the one before."""
    flat = [0, values[0]]
    for length in range(1, len(values)):
        if values[length] != values[length - 1]:
            flat += [length, values[length]]
    return flat


def growth(v, n):
    lst, arr, deq = [], array.array("i"), collections.deque()
    sizes = {"list": [sys.getsizeof(lst)], "array": [sys.getsizeof(arr)],
             "deque": [sys.getsizeof(deq)]}
    for _ in range(n):
        lst.append(0)
        arr.append(0)
        deq.append(0)
        sizes["list"].append(sys.getsizeof(lst))
        sizes["array"].append(sys.getsizeof(arr))
        sizes["deque"].append(sys.getsizeof(deq))
    list_caps = [(s - LIST_BYTES) // 8 for s in sizes["list"]]
    array_caps = [(s - ARRAY_BYTES) // arr.itemsize for s in sizes["array"]]
    blocks = [(s - DEQUE_BYTES) // BLOCK_BYTES for s in sizes["deque"]]
    v["list_changes"] = changes(list_caps)
    v["array_changes"] = changes(array_caps)
    v["deque_changes"] = changes(blocks)
    v["list_formula"] = list_caps == list_capacities(n) and all(
        s == LIST_BYTES + 8 * c for s, c in zip(sizes["list"], list_caps))
    v["array_formula"] = array_caps == array_capacities(n) and all(
        s == ARRAY_BYTES + 4 * c for s, c in zip(sizes["array"], array_caps))
    v["deque_formula"] = blocks == deque_blocks(n) and all(
        s == DEQUE_BYTES + BLOCK_BYTES * b for s, b in zip(sizes["deque"], blocks))
    v["list_resizes"] = len(v["list_changes"]) // 2 - 1
    v["array_resizes"] = len(v["array_changes"]) // 2 - 1
    v["sizeof_empty_list"] = sys.getsizeof([])
    v["sizeof_empty_array"] = sys.getsizeof(array.array("i"))
    v["sizeof_empty_deque"] = sys.getsizeof(collections.deque())
    v["deque_basicsize"] = collections.deque.__basicsize__
    v["array_itemsize_i"] = array.array("i").itemsize
    v["array_itemsize_d"] = array.array("d").itemsize


# ---- step 2: bytes per number --------------------------------------------------------------


def fill(c, items):
    for x in items:
        c.append(x)
    return c


KINDS = (
    ("list", lambda items: fill([], items)),
    ("tuple", tuple),
    ("array_i", lambda items: fill(array.array("i"), items)),
    ("array_d", lambda items: fill(array.array("d"), items)),
    ("deque", lambda items: fill(collections.deque(), items)),
)


def traced(make, items):
    """Traced bytes of make(items) while it lives, and its sys.getsizeof.
    CPython reuses the headers of up to 80 dead lists, untraced: taking
    them all first makes the new list's header traced, as ours always is."""
    spare = [[] for _ in range(SPARE_LISTS)]
    tracemalloc.start()
    c = make(items)
    current = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del spare
    return current, sys.getsizeof(c)


def bytes_per_number(v, n):
    nums = list(range(FIRST, FIRST + n))
    with_ints, alone, sizes = {}, {}, {}
    for kind, make in KINDS:
        with_ints[kind], sizes[kind] = traced(make, range(FIRST, FIRST + n))
        alone[kind], _ = traced(make, nums)
        v["with_ints " + kind] = with_ints[kind]
        v["alone " + kind] = alone[kind]
        v["sizeof " + kind] = sizes[kind]
    v["alone_is_sizeof"] = all(alone[k] == sizes[k] for k in alone)
    v["ints_cost"] = all(with_ints[k] - alone[k] == (0 if k.startswith("array") else INT_BYTES * n)
                         for k in alone)
    v["ratio list/array_i"] = with_ints["list"] / with_ints["array_i"]
    v["ratio list/array_d"] = with_ints["list"] / with_ints["array_d"]
    v["ratio alone list/array_i"] = alone["list"] / alone["array_i"]
    v["ratio_i_ok"] = v["ratio list/array_i"] >= RATIO_I
    v["ratio_d_ok"] = v["ratio list/array_d"] >= RATIO_D


# ---- step 3: time per operation as n grows ---------------------------------------------------

# (container, (name, statement) that adds at an end, (name, statement) that
# takes from it): a round of each leaves the length where it was.
PAIRS = (
    ("list", ("list_insert0", "c.insert(0, x)"), ("list_pop0", "c.pop(0)")),
    ("deque", ("deque_appendleft", "c.appendleft(x)"), ("deque_popleft", "c.popleft()")),
    ("list", ("list_append", "c.append(x)"), ("list_pop", "c.pop()")),
    ("array", ("array_append", "c.append(x)"), ("array_pop", "c.pop()")),
    ("deque", ("deque_append", "c.append(x)"), ("deque_pop", "c.pop()")),
)
DEQUE_LEFT_OPS = ("deque_appendleft", "deque_popleft")
RIGHT_OPS = ("list_append", "list_pop", "array_append", "array_pop", "deque_append", "deque_pop")


def container(kind, x, m):
    if kind == "list":
        return [x] * m
    if kind == "array":
        return array.array("i", [x]) * m
    return collections.deque([x] * m)


def ops_for(name, n, work, ops):
    """Operations per measurement: a list's front moves n items each, so it
    gets about work / n of them; every other end gets ops."""
    if name == "list_insert0":
        return max(10, min(ops, work // n))
    return ops


class Sweep:
    """One container measured at length n: k adds then k removes per round,
    so the length sweeps n - k/2 .. n + k/2 and averages n; as many rounds
    as make ops. k is at most SWEEP_MAX, the same at every n but 100 (see
    the lab). best holds ns per operation of each: the fastest batch."""

    def __init__(self, kind, grow, shrink, n, ops, x):
        self.k = max(1, min(n // 2, ops, SWEEP_MAX))
        self.rounds = max(1, ops // self.k)
        c = container(kind, x, n - self.k // 2)
        self.timers = [timeit.Timer(stmt, setup="c = C; x = X", globals={"C": c, "X": x})
                       for stmt in (grow, shrink)]
        for t in self.timers:  # one round unmeasured: capacities and caches settle
            t.timeit(self.k)
        self.best = [float("inf"), float("inf")]

    def measure(self, clock):
        """Times every batch of one run; the fastest batch is the cost."""
        for _ in range(self.rounds):
            for i, t in enumerate(self.timers):
                ns = max(t.timeit(self.k) - clock, 0) / self.k * 1e9
                self.best[i] = min(self.best[i], ns)


def clock_cost():
    """What timeit's two readings of the clock cost, the least of many
    tries: each timed batch pays it once, and has it taken off."""
    empty = timeit.Timer("pass")
    return min(empty.timeit(0) for _ in range(1000))


def decades(max_n):
    n = 100
    while n <= max_n:
        yield n
        n *= 10


def times(v, max_n, repeat, work, ops):
    x = int("100000")  # made at run time, outside the small-int cache
    sweeps = [(n, g_name, s_name, Sweep(kind, g_stmt, s_stmt, n, ops_for(g_name, n, work, ops), x))
              for n in decades(max_n)
              for kind, (g_name, g_stmt), (s_name, s_stmt) in PAIRS]
    # Every container once per run, so that a busy moment of the machine
    # spoils one run of each, not every run of one.
    clock = clock_cost()
    for _ in range(repeat):
        for *_, sweep in sweeps:
            sweep.measure(clock)
    ns = {}
    for n, g_name, s_name, sweep in sweeps:
        ns[g_name, n], ns[s_name, n] = sweep.best
        v["ns %s %d" % (g_name, n)] = sweep.best[0]
        v["ns %s %d" % (s_name, n)] = sweep.best[1]
    sizes = list(decades(max_n))
    n_hi = max(n for n in sizes if n <= 10**5)
    n_lo = n_hi // 100
    for name in ("list_insert0", "list_pop0"):
        v["growth " + name] = ns[name, n_hi] / ns[name, n_lo]
    v["list_front_linear"] = all(v["growth " + name] > LINEAR_MIN
                                 for name in ("list_insert0", "list_pop0"))
    for name in DEQUE_LEFT_OPS + RIGHT_OPS:
        values = [ns[name, n] for n in sizes]
        v["spread " + name] = max(values) / min(values)
    v["deque_left_flat"] = all(v["spread " + name] < FLAT_MAX for name in DEQUE_LEFT_OPS)
    v["right_flat"] = all(v["spread " + name] < FLAT_MAX for name in RIGHT_OPS)


def main():
    args = twinlib.parse_args("appends", "elements", "max-n", "repeat")
    quick = args.quick
    appends = args.appends if args.appends is not None else (1000 if quick else 10000)
    elements = args.elements if args.elements is not None else (10000 if quick else 100000)
    max_n = args.max_n if args.max_n is not None else (10**4 if quick else 10**6)
    repeat = args.repeat if args.repeat is not None else 5
    work, ops = (2 * 10**6, 10**4) if quick else (2 * 10**7, 10**5)
    v = {}
    growth(v, appends)
    bytes_per_number(v, elements)
    times(v, max_n, repeat, work, ops)
    twinlib.emit(v)


main()
