"""Lab 10's twin: tracemalloc on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/10-tracemalloc/twin.py --quick

Each line the lab names ends with a "# site: NAME" comment; twinlib.site_lines
finds them, so the JSON can say which workload a statistic belongs to.
The two runtimes share sizes, not line numbers.
"""
import collections
import os
import sys
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

# The same sizes as the lab's program (step 2) and leak (step 3).
TABLES, TABLE_LEN = 3, 40000
NAMES = 8000
ROWS, ROW_LEN = 300, 20
BUFFER_LEN, REBUILD_EVERY = 25000, 100

# The sites both runtimes name, in the lab's order (its enum site_name).
SITES = ["big lists", "short strs", "int tuples", "list of lists", "list of strs",
         "list of tuples", "remember", "buffer", "scratch", "loop variable"]


LINES = twinlib.site_lines(__file__, SITES)


def site_of(traceback):
    """The SITES index of a statistic's line in this file, or -1."""
    frame = traceback[0]
    return LINES.get(frame.lineno, -1) if frame.filename == __file__ else -1


def only_this_file(snapshot):
    """The lab's snapshots only ever hold lab.c's lines; this keeps the
    twin's program to its own file too (no tracemalloc.py, no importlib)."""
    return snapshot.filter_traces([tracemalloc.Filter(True, __file__)])


# ---- step 1: the articles' example ------------------------------------------------


def articles_example(v, count):
    tracemalloc.start()
    data = [i for i in range(count)]
    current, peak = tracemalloc.get_traced_memory()
    sizes = collections.Counter(t.size for t in tracemalloc.take_snapshot().traces)
    tracemalloc.stop()

    ints = max(0, count - 257)  # 0..256 are the cached small ints
    # What each int asks the allocator for: sizeof(PyLongObject), 32 bytes,
    # though sys.getsizeof says 28 (_PyLong_FromMedium asks for the struct).
    estimate = sys.getsizeof(data) + 32 * ints
    # The comprehension is a function object, called once with an iterator
    # over range(count); both die when it returns. range(count) itself dies
    # as soon as the iterator is made, before the first int.
    function, iterator, range_obj = (sys.getsizeof(lambda: None), sys.getsizeof(iter(range(count))),
                                     sys.getsizeof(range(count)))
    v["count"] = count
    v["sizeof_data"] = sys.getsizeof(data)
    v["capacity"] = twinlib.capacity_after_appends(count)
    v["current"] = current
    v["peak"] = peak
    v["current_minus_estimate"] = current - estimate
    # The list object itself may come from the free list of dead lists,
    # allocated before tracing began: its 56-byte header is then untraced.
    v["current_near_estimate"] = abs(current - estimate) <= 56
    v["peak_minus_current"] = peak - current
    v["peak_is_current_plus_temporaries"] = (
        peak == max(current + function + iterator, function + range_obj + iterator))
    # The most common block size while data is alive: one block per int.
    v["traced_int_bytes"] = sizes.most_common(1)[0][0] if ints >= 2 else 0


# ---- step 2: the top lines of a small program ----------------------------------------


def program():
    """Three workloads of clearly different sizes, each on a line of its own."""
    tables = [None] * TABLES  # site: list of lists
    for k in range(TABLES):  # site: loop variable
        tables[k] = [0] * TABLE_LEN  # site: big lists
    names = [None] * NAMES  # site: list of strs
    for i in range(NAMES):  # site: loop variable
        names[i] = "user-%05d" % i  # site: short strs
    rows = [None] * ROWS  # site: list of tuples
    for i in range(ROWS):  # site: loop variable
        rows[i] = tuple(range(1000 + ROW_LEN * i, 1000 + ROW_LEN * (i + 1)))  # site: int tuples
    return tables, names, rows


def top_lines(v):
    tracemalloc.start()
    kept = program()
    snapshot = only_this_file(tracemalloc.take_snapshot())
    tracemalloc.stop()
    stats = snapshot.statistics("lineno")
    top = stats[:10]
    v["top_line"] = [s.traceback[0].lineno for s in top]
    v["top_site"] = [site_of(s.traceback) for s in top]
    v["top_size"] = [s.size for s in top]
    v["top_count"] = [s.count for s in top]

    by_site = collections.defaultdict(lambda: [0, 0])
    for s in stats:
        by_site[site_of(s.traceback)][0] += s.size
        by_site[site_of(s.traceback)][1] += s.count
    # The expectations and tolerances the lab checks: what each object asks
    # the allocator for (see the lab's step 2 for why each tolerance).
    tables, names, rows = kept
    workloads = [
        ("big_lists", 0, TABLES * sys.getsizeof(tables[0]), 56 * TABLES),
        ("short_strs", 1, NAMES * sys.getsizeof(names[0]), 0),
        ("int_tuples", 2, ROWS * (sys.getsizeof(rows[0]) + ROW_LEN * 32), 0),
    ]
    for key, site, expected, tolerance in workloads:
        v["size_" + key] = by_site[site][0]
        v["count_" + key] = by_site[site][1]
        v["near_" + key] = abs(by_site[site][0] - expected) <= tolerance
    ranked = sorted(workloads, key=lambda w: -by_site[w[1]][0])
    v["workload_order"] = " > ".join(SITES[w[1]].split()[-1] for w in ranked)
    del kept


# ---- step 3: a snapshot diff finds a leak ----------------------------------------------

registry = []  # module-level: what remember() puts here stays for good
buffer = None


def remember(i):
    """Code that remembers everything: it keeps every record it makes."""
    registry.append("request %06d: accepted" % i)  # site: remember


def rebuild_buffer():
    global buffer
    buffer = [0] * BUFFER_LEN  # site: buffer


def scratch_work(i):
    """Allocates more than remember() per call, and keeps none of it."""
    scratch = ["scratch %06d: accepted" % (i + j) for j in range(4)]  # site: scratch
    return len(scratch)


def serve(i):
    remember(i)
    scratch_work(i)
    if i % REBUILD_EVERY == REBUILD_EVERY - 1:
        rebuild_buffer()


def leak_diff(v, calls):
    tracemalloc.start()
    rebuild_buffer()
    old = only_this_file(tracemalloc.take_snapshot())
    for i in range(calls):  # site: loop variable
        serve(i)
    new = only_this_file(tracemalloc.take_snapshot())
    tracemalloc.stop()
    diff = new.compare_to(old, "lineno")
    top = diff[:5]
    v["diff_line"] = [d.traceback[0].lineno for d in top]
    v["diff_site"] = [site_of(d.traceback) for d in top]
    v["diff_size_diff"] = [d.size_diff for d in top]
    v["diff_count_diff"] = [d.count_diff for d in top]
    v["diff_size"] = [d.size for d in top]
    v["diff_count"] = [d.count for d in top]
    first = diff[0]
    v["leak_first"] = site_of(first.traceback) == SITES.index("remember")
    v["leak_size_diff"] = first.size_diff
    v["leak_count_diff"] = first.count_diff
    v["sizeof_record"] = sys.getsizeof(registry[0])
    v["sizeof_registry"] = sys.getsizeof(registry)
    biggest = new.statistics("lineno")[0]
    v["biggest_line_now"] = SITES[site_of(biggest.traceback)] if site_of(biggest.traceback) >= 0 else "?"
    registry.clear()


# ---- step 4: where one object was made ---------------------------------------------------


def object_tracebacks(v, tag):
    early = "made before start %d" % tag
    tracemalloc.start()
    text = "user-%05d" % tag  # site: short strs
    row = tuple(range(1000 + tag, 1000 + tag + ROW_LEN))  # site: int tuples
    table = [0] * TABLE_LEN  # site: big lists
    seven = int("7")
    tb_text = tracemalloc.get_object_traceback(text)
    tb_row = tracemalloc.get_object_traceback(row)
    v["tb_text_line"] = tb_text[0].lineno if tb_text else -1
    v["tb_text_ok"] = tb_text is not None and site_of(tb_text) == SITES.index("short strs")
    v["tb_row_line"] = tb_row[0].lineno if tb_row else -1
    v["tb_row_ok"] = tb_row is not None and site_of(tb_row) == SITES.index("int tuples")
    v["tb_seven_none"] = tracemalloc.get_object_traceback(seven) is None
    v["tb_early_none"] = tracemalloc.get_object_traceback(early) is None
    v["tb_table_frames"] = len(tracemalloc.get_object_traceback(table) or ())
    v["tb_nframe"] = len(tb_text) if tb_text else 0
    tracemalloc.stop()


def main():
    args = twinlib.parse_args("count", "calls")
    count = args.count if args.count is not None else 10000
    calls = args.calls if args.calls is not None else (200 if args.quick else 1000)
    v = {}
    articles_example(v, count)
    top_lines(v)
    leak_diff(v, calls)
    object_tracebacks(v, 42)
    twinlib.emit(v)


main()
