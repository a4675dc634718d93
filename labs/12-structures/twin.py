"""Lab 12's twin: choosing structures, on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/12-structures/twin.py --quick
"""
import dis
import gc
import math
import os
import random
import sys
import time
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

# The thresholds of step 2's structural checks, the same as the lab's.
LIST_SLOPE_MIN = 0.7   # log-log slope of a list miss against n: linear is 1
SET_SLOPE_MAX = 0.5    # and of a set lookup: flat is 0, caches allowing
SET_WINS_FROM = 100    # the set is faster at every n from here on
LIST_BUDGET = 1000000  # items compared per list measurement, at most
REPEATS = 3            # timings are the best of this many runs

TUPLE_FREELIST = 2000  # PyTuple_MAXFREELIST: spare tuples kept per size
LIST_FREELIST = 80     # PyList_MAXFREELIST: spare list objects


# ---- what CPython 3.11's source predicts -----------------------------------------------


def set_table_after_adds(n):
    """Slots of a set after n distinct keys are added one by one: the table
    is rebuilt when fill * 5 >= mask * 3, for used * 4 keys (used * 2 past
    50000), at the smallest power of two above that (set_add_entry)."""
    slots = 8
    for used in range(1, n + 1):
        if used * 5 >= (slots - 1) * 3:
            want = used * 2 if used > 50000 else used * 4
            slots = 8
            while slots <= want:
                slots <<= 1
    return slots


def predicted_set_sizeof(n):
    table = set_table_after_adds(n)
    return 216 + (16 * table if table > 8 else 0)


def step1_ns(quick):
    return list(range(11)) + ([100] if quick else [100, 1000, 10000])


def step2_ns(max_n):
    ns, n = [], 10
    while n <= max_n:
        ns.append(n)
        n = n * 3 if str(n)[0] == "1" else n * 10 // 3
    return ns


# ---- 1: tuple vs list ---------------------------------------------------------------------


def appended(items):
    out = []
    for x in items:
        out.append(x)
    return out


def drain_free_lists(n):
    """Objects to hold while tracing, so that every tuple of n items and
    every list made then is a fresh block, not a spare from a free list.
    Appending keeps any list from dying (and refilling the list's free
    list) on the way."""
    hold = []
    for _ in range(TUPLE_FREELIST + 100):
        hold.append(tuple(range(1000, 1000 + n)))
    for _ in range(LIST_FREELIST + 20):
        hold.append([])
    return hold


def traced(make, n):
    """Blocks and bytes of what make() returns, as tracemalloc counts them:
    every trace this file's lines still hold."""
    hold = drain_free_lists(n)
    tracemalloc.start()
    kept = make()
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, __file__)])
    tracemalloc.stop()
    del kept, hold
    return len(snapshot.traces), sum(t.size for t in snapshot.traces)


def tuple_vs_list(v, quick):
    ns = step1_ns(quick)
    x = object()
    v["step1_n"] = ns
    v["tuple_sizes"] = [sys.getsizeof(tuple([x] * n)) for n in ns]
    v["exact_sizes"] = [sys.getsizeof([x] * n) for n in ns]
    v["appended_sizes"] = [sys.getsizeof(appended([x] * n)) for n in ns]
    v["list_call_sizes"] = [sys.getsizeof(list((x,) * n)) for n in ns]
    v["tuple_formula"] = all(s == 40 + 8 * n for s, n in zip(v["tuple_sizes"], ns))
    v["exact_formula"] = all(s == 56 + 8 * n for s, n in zip(v["exact_sizes"], ns))
    v["appended_formula"] = all(s == 56 + 8 * twinlib.capacity_after_appends(n)
                                for s, n in zip(v["appended_sizes"], ns))
    v["tuple_smallest"] = all(t < min(e, a, c) for t, e, a, c in zip(
        v["tuple_sizes"], v["exact_sizes"], v["appended_sizes"], v["list_call_sizes"]))
    gaps = set(e - t for e, t in zip(v["exact_sizes"], v["tuple_sizes"]))
    v["exact_minus_tuple"] = gaps.pop() if len(gaps) == 1 else -1

    a, b, c = object(), object(), object()
    v["display_3"] = sys.getsizeof([a, b, c])
    v["display_consts_3"] = sys.getsizeof([1, 2, 3])
    v["list_call_3"] = sys.getsizeof(list((a, b, c)))
    v["display_31"] = sys.getsizeof(eval("[" + ", ".join(["a"] * 31) + "]", {"a": a}))

    for n in (3, 100 if quick else 1000):
        source = [x] * n
        for name, make in (("tuple", lambda: tuple(source)), ("exact", lambda: source[:]),
                           ("appended", lambda: appended(source))):
            v["traced_%s_blocks_%d" % (name, n)], v["traced_%s_bytes_%d" % (name, n)] = \
                traced(make, n)


# ---- 2: set vs list membership ---------------------------------------------------------------


def ns_per_lookup(container, probes, lookups):
    """Best of REPEATS: `p in container` for `lookups` probes, less the
    same loop without the test, per lookup."""
    probes = (probes * (lookups // len(probes) + 1))[:lookups]

    def run(test):
        best = math.inf
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            if test:
                for p in probes:
                    p in container  # noqa: B015 (the lookup is the point)
            else:
                for p in probes:
                    pass
            best = min(best, time.perf_counter() - t0)
        return best

    return max(run(True) - run(False), 0.0) / lookups * 1e9


def slope(ns, times):
    """The least-squares slope of log(time) against log(n), over every n."""
    xs = [math.log(n) for n in ns]
    ys = [math.log(max(t, 1e-3)) for t in times]
    k = len(xs)
    sx, sy = sum(xs), sum(ys)
    sxx, sxy = sum(x * x for x in xs), sum(x * y for x, y in zip(xs, ys))
    return (k * sxy - sx * sy) / (k * sxx - sx * sx)


def membership(v, max_n, count):
    ns = step2_ns(max_n)
    rng = random.Random(12345)
    times = {k: [] for k in ("set_hit", "set_miss", "list_hit", "list_miss")}
    set_sizes, list_sizes = [], []
    for n in ns:
        lst = [1000 + i for i in range(n)]
        s = set(lst)
        set_sizes.append(sys.getsizeof(s))
        list_sizes.append(sys.getsizeof(lst))
        hits = [int(str(1000 + i)) for i in range(n)]  # equal to the items, not the same objects
        misses = [int(str(-1000 - i)) for i in range(n)]
        rng.shuffle(hits)
        rng.shuffle(misses)
        list_lookups = max(10, min(count, LIST_BUDGET // n))
        times["set_hit"].append(ns_per_lookup(s, hits, count))
        times["set_miss"].append(ns_per_lookup(s, misses, count))
        times["list_hit"].append(ns_per_lookup(lst, hits, list_lookups))
        times["list_miss"].append(ns_per_lookup(lst, misses, list_lookups))
    v["step2_n"] = ns
    for k, t in times.items():
        for n, ns_per in zip(ns, t):
            v["%s_ns_%d" % (k, n)] = ns_per
    v["set_sizeof"] = set_sizes
    v["list_sizeof"] = list_sizes
    v["set_sizes_predicted"] = all(s == predicted_set_sizeof(n) for s, n in zip(set_sizes, ns))
    v["list_sizes_predicted"] = all(s == 56 + 8 * twinlib.capacity_after_appends(n)
                                    for s, n in zip(list_sizes, ns))
    v["list_slope"] = slope(ns, times["list_miss"])
    v["set_slope"] = max(slope(ns, times["set_hit"]), slope(ns, times["set_miss"]))
    v["list_grows"] = v["list_slope"] >= LIST_SLOPE_MIN
    v["set_flat"] = v["set_slope"] <= SET_SLOPE_MAX
    wins = [sh < lh and sm < lm for sh, sm, lh, lm in
            zip(times["set_hit"], times["set_miss"], times["list_hit"], times["list_miss"])]
    from_here = [all(wins[i:]) for i in range(len(ns))]
    v["set_wins_from"] = next((n for n, w in zip(ns, from_here) if w), 0)
    v["set_wins_from_100"] = all(w for n, w in zip(ns, wins) if n >= SET_WINS_FROM)


# ---- 3: bytes vs str -----------------------------------------------------------------------


TEXTS = {  # name: (one character, how many), as the lab's table
    "ascii": ("a", 100),
    "latin1": ("\u00e9", 100),
    "ucs2": ("\u5b57", 100),
    "ucs4": ("\U0001f600", 100),
}


def bytes_vs_str(v):
    for name, (ch, n) in TEXTS.items():
        text = "".join([ch] * n)  # made at run time, never a constant
        v["str_" + name] = sys.getsizeof(text)
        v["utf8_" + name] = sys.getsizeof(text.encode("utf-8"))
    mixed = "".join(["a"] * 99 + ["\U0001f600"])
    v["str_mixed"] = sys.getsizeof(mixed)
    v["utf8_mixed"] = sys.getsizeof(mixed.encode("utf-8"))
    v["str_empty"] = sys.getsizeof("".join([]))
    v["bytes_empty"] = sys.getsizeof(bytes(0))
    data = bytes(range(256))
    v["binary_bytes"] = sys.getsizeof(data)
    v["binary_latin1"] = sys.getsizeof(data.decode("latin-1"))
    v["binary_hex"] = sys.getsizeof(data.hex())
    v["binary_bytes_smallest"] = v["binary_bytes"] < min(v["binary_latin1"], v["binary_hex"])


# ---- 4: interning --------------------------------------------------------------------------


def compiled_constant(text):
    """The str constant a separate compilation of `s = <text>` makes."""
    namespace = {}
    exec(compile("s = %r\n" % text, "<%s>" % text, "exec"), namespace)
    return namespace["s"]


def make_copy(prefix, suffix):
    return prefix + suffix  # the line whose blocks step 4 counts


def make_interned(prefix, suffix):
    return sys.intern(prefix + suffix)  # the line whose blocks step 4 counts


MAKE_LINES = {make_copy: make_copy.__code__.co_firstlineno + 1,
              make_interned: make_interned.__code__.co_firstlineno + 1}


def kept_by(make, copies, prefix, suffix):
    keep = [None] * copies
    tracemalloc.start()
    for i in range(copies):
        keep[i] = make(prefix, suffix)
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    at_line = [s for s in snapshot.statistics("lineno")
               if s.traceback[0].filename == __file__ and s.traceback[0].lineno == MAKE_LINES[make]]
    return sum(s.count for s in at_line), sum(s.size for s in at_line), keep


def interning(v, copies):
    v["ident_separate_is"] = compiled_constant("hello") is compiled_constant("hello")
    long_name = "long_name_" * 6
    v["ident_long_is"] = compiled_constant(long_name) is compiled_constant(long_name)
    v["space_separate_is"] = compiled_constant("hello world") is compiled_constant("hello world")
    v["accent_separate_is"] = compiled_constant("h\u00e9llo") is compiled_constant("h\u00e9llo")
    hello = compiled_constant("hello")
    made = "".join(["hel", "lo"])
    v["made_is_constant"] = made is hello
    v["made_equals_constant"] = made == hello
    v["intern_made_is_constant"] = sys.intern(made) is hello
    world = compiled_constant("hello world")
    v["intern_space_is"] = sys.intern("".join(["hello", " world"])) is sys.intern(world)
    v["one_char_is"] = chr(104) is "".join(["h", "i"])[0]
    names = compiled_constant.__code__.co_varnames
    v["names_interned"] = all(sys.intern("".join(list(name))) is name for name in names)

    prefix, suffix = "".join(["status: ", "active"]), "".join([" since ", "2024-01-01"])
    canonical = sys.intern(prefix + suffix)
    v["copy_len"] = len(canonical)
    v["copy_sizeof"] = sys.getsizeof(canonical)
    v["copies_blocks"], v["copies_bytes"], keep = kept_by(make_copy, copies, prefix, suffix)
    v["copies_distinct"] = len(set(map(id, keep)))
    v["interned_blocks"], v["interned_bytes"], keep = kept_by(make_interned, copies, prefix, suffix)
    v["interned_distinct"] = len(set(map(id, keep)))
    v["interned_all_canonical"] = all(s is canonical for s in keep)


# ---- 5: comprehension vs append loop ---------------------------------------------------------


LAST = None     # the last item: f() looks at the heap when it gets it
WATCHED = {}    # what f() saw then


def f(x):
    if x is LAST and tracemalloc.is_tracing():
        WATCHED["during"] = tracemalloc.take_snapshot()
    return x + 1000


def comprehension(data):
    return [f(x) for x in data]


def append_loop(data):
    out = []
    for x in data:
        out.append(f(x))
    return out


def code_lines(fn):
    """The lines of fn's code, the comprehension's own code included."""
    codes = [fn.__code__] + [c for c in fn.__code__.co_consts if hasattr(c, "co_lines")]
    return {line for code in codes for _, _, line in code.co_lines() if line}


def held(snapshot, lines):
    """Blocks and bytes that fn's own lines hold in a snapshot."""
    traces = [t for t in snapshot.traces
              if t.traceback[0].filename == __file__ and t.traceback[0].lineno in lines]
    return len(traces), sum(t.size for t in traces)


def loop_instructions(fn):
    """Instructions per item: from FOR_ITER to the jump back, both included."""
    code = fn.__code__
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            code = const
    names = [i.opname for i in dis.get_instructions(code)]
    start = names.index("FOR_ITER")
    return names.index("JUMP_BACKWARD", start) - start + 1


def append_instruction(fn):
    """What the instruction that appends became, once the code has run."""
    code = fn.__code__
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            code = const
    names = [i.opname for i in dis.get_instructions(code, adaptive=True)]
    if "LIST_APPEND" in names:
        return "LIST_APPEND"
    method = next(n for n in names if n.startswith("LOAD_METHOD"))
    call = [n for n in names if n.startswith("PRECALL")][-1]
    return method + " + " + call


def ns_per_item(fn, data):
    best = math.inf
    for _ in range(REPEATS * 3):
        t0 = time.perf_counter()
        fn(data)
        best = min(best, time.perf_counter() - t0)
    return best / len(data) * 1e9


def comprehension_vs_loop(v, n):
    global LAST
    data = [int(str(1000 + i)) for i in range(n)]
    LAST = data[-1]
    for name, fn in (("comp", comprehension), ("loop", append_loop)):
        for _ in range(100):  # let the specializing interpreter settle first
            fn(data)
        lines = code_lines(fn)
        gc.collect()
        hold = drain_free_lists(0)
        tracemalloc.start()
        out = fn(data)
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        during = WATCHED.pop("during")
        del hold
        v[name + "_during_blocks"], v[name + "_during_bytes"] = held(during, lines)
        v[name + "_after_blocks"], v[name + "_after_bytes"] = held(after, lines)
        v[name + "_temporaries"] = v[name + "_during_blocks"] - v[name + "_after_blocks"]
        v[name + "_temporary_bytes"] = v[name + "_during_bytes"] - v[name + "_after_bytes"]
        v[name + "_results"] = sum(1 for t in after.traces if t.traceback[0].filename == __file__
                                   and t.traceback[0].lineno == f.__code__.co_firstlineno + 3)
        v[name + "_sizeof"] = sys.getsizeof(out)
        v[name + "_instructions"] = loop_instructions(fn)
        v[name + "_append_as"] = append_instruction(fn)
        v[name + "_ns"] = ns_per_item(fn, data)
        del out, during, after
    v["n5"] = n
    v["comp_fewer_temporaries"] = v["comp_temporaries"] < v["loop_temporaries"]
    v["same_sizeof"] = v["comp_sizeof"] == v["loop_sizeof"]
    v["sizeof_predicted"] = v["comp_sizeof"] == 56 + 8 * twinlib.capacity_after_appends(n)
    v["function_sizeof"] = sys.getsizeof(comprehension)
    v["bound_method_sizeof"] = sys.getsizeof([].append)


def main():
    args = twinlib.parse_args("max-n", "count", "copies")
    max_n = args.max_n if args.max_n is not None else (1000 if args.quick else 100000)
    count = args.count if args.count is not None else (10000 if args.quick else 100000)
    copies = args.copies if args.copies is not None else (1000 if args.quick else 10000)
    v = {}
    tuple_vs_list(v, args.quick)
    membership(v, max_n, count)
    bytes_vs_str(v)
    interning(v, copies)
    comprehension_vs_loop(v, 100 if args.quick else 1000)
    twinlib.emit(v)


main()
