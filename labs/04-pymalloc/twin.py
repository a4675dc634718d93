"""Lab 04's twin: pymalloc on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/04-pymalloc/twin.py --quick

CPython's allocator is reached through ctypes (PyObject_Malloc and
PyObject_Free, called directly), and observed through
sys._debugmallocstats(), which prints pymalloc's tables to the C stderr.
Pointers are kept in ctypes arrays, never in Python lists: a list of
addresses would be a list of int objects, themselves pymalloc blocks, and
would show up in the very tables being read.
"""
import ctypes
import gc
import os
import re
import sys
import tempfile
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

malloc = ctypes.pythonapi.PyObject_Malloc
malloc.restype = ctypes.c_void_p
malloc.argtypes = [ctypes.c_size_t]
free = ctypes.pythonapi.PyObject_Free
free.restype = None
free.argtypes = [ctypes.c_void_p]

POOL_SIZE = 16384
POOL_MASK = ~(POOL_SIZE - 1)
POOL_OVERHEAD = 48
# struct pool_header in 3.11's Objects/obmalloc.c: ref, freeblock, nextpool and
# prevpool (8 bytes each), then arenaindex and szidx (4 bytes each).
ARENAINDEX_OFFSET = 32
SZIDX_OFFSET = 36


def mallocstats():
    """The text of sys._debugmallocstats(), caught from file descriptor 2."""
    sys.stderr.flush()
    with tempfile.TemporaryFile() as f:
        saved = os.dup(2)
        os.dup2(f.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        f.seek(0)
        return f.read().decode()


CLASS_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", re.M)


def class_table(text):
    """{block size: (pools, blocks in use, available blocks)}"""
    return {int(m[2]): (int(m[3]), int(m[4]), int(m[5])) for m in CLASS_ROW.finditer(text)}


def stat(text, name):
    m = re.search(r"^" + re.escape(name) + r"\s*=\s*([\d,]+)", text, re.M)
    return int(m[1].replace(",", ""))


def who_serves(v):
    """Which class grows when PyObject_Malloc(n) is called K times."""
    k = 256
    held = (ctypes.c_void_p * k)()
    for n in (0, 1, 16, 17, 512, 513):
        before = class_table(mallocstats())
        for i in range(k):
            held[i] = malloc(n)
        after = class_table(mallocstats())
        for i in range(k):
            free(held[i])
        grew = {size: after[size][1] - before.get(size, (0, 0, 0))[1] for size in after}
        size = max(grew, key=grew.get)
        # Other allocations in between move a class by a few blocks, never by K/2.
        pooled = grew[size] >= k // 2
        v[f"serves {n}"] = f"class {size // 16 - 1}, {size} B" if pooled else "system malloc"


def pool_geometry(v):
    k = 300
    held = (ctypes.c_void_p * k)()
    for size in (16, 64, 256, 400, 512):
        for i in range(k):
            held[i] = malloc(size)
        pools, used, avail = class_table(mallocstats())[size]
        for i in range(k):
            free(held[i])
        v[f"blocks_per_pool {size}"] = (used + avail) // pools


def arenas(v, n_arenas):
    """Fill the room there is, then n arenas; free all but one block per arena; free those."""
    per_pool = (POOL_SIZE - POOL_OVERHEAD) // 64

    def room(text):
        unused_pools = int(re.search(r"^(\d+) unused pools \*", text, re.M)[1])
        return class_table(text).get(64, (0, 0, 0))[2] + per_pool * unused_pools

    # An arena is a page-aligned mmap of 1 MiB: usually 63 whole pools fit,
    # 64 when it happens to start on a pool boundary. Filling 63 per arena,
    # less two pools for whatever else the interpreter takes meanwhile,
    # makes n new arenas either way.
    wanted = (n_arenas * 63 - 2) * per_pool
    blocks = (ctypes.c_void_p * (room(mallocstats()) + wanted))()
    text = mallocstats()  # again: making the array took blocks too
    count = min(room(text) + wanted, len(blocks))
    base = stat(text, "# arenas allocated current")
    v["arenas_start"] = 0
    for i in range(count):
        blocks[i] = malloc(64)
    v["arenas_alloc"] = stat(mallocstats(), "# arenas allocated current") - base

    # Whatever this bookkeeping keeps alive would take pools in the arenas
    # being drained, so it keeps nothing: the pins go into a ctypes array,
    # and arena indices (a few dozen here) are cached small ints.
    pins = (ctypes.c_void_p * 256)()
    npins, seen = 0, [False] * 65536
    pool = arena = None
    for i in range(count):
        p = blocks[i]
        if p & POOL_MASK != pool:
            pool = p & POOL_MASK
            if ctypes.c_uint.from_address(pool + SZIDX_OFFSET).value != 64 // 16 - 1:
                raise SystemExit("twin: a 64-byte block outside a 64-byte pool")
            arena = ctypes.c_uint.from_address(pool + ARENAINDEX_OFFSET).value
        if seen[arena] or npins == len(pins):
            free(p)
        else:
            seen[arena] = True
            pins[npins] = p
            npins += 1
    del p, pool, arena, seen
    v["pins"] = npins
    v["arenas_pinned"] = stat(mallocstats(), "# arenas allocated current") - base
    for i in range(npins):
        free(pins[i])
    freed = stat(mallocstats(), "# arenas allocated current") - base
    v["arenas_freed"] = freed
    v["kept_at_most_one"] = freed <= 1


PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


def resident_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / MIB


def del_and_collect(v, n):
    gc.collect()  # whatever start-up left for the collector, gone before measuring
    v["rss_before_mib"] = resident_mib()
    data = list(range(1000, 1000 + n))
    v["rss_built_mib"] = resident_mib()
    del data
    v["rss_del_mib"] = resident_mib()
    gc.collect()
    v["rss_collect_mib"] = resident_mib()

    tracemalloc.start()
    before = v["traced_before"] = tracemalloc.get_traced_memory()[0]
    data = list(range(1000, 1000 + n))
    built = v["traced_built"] = tracemalloc.get_traced_memory()[0]
    del data
    after_del = v["traced_del"] = tracemalloc.get_traced_memory()[0]
    v["gc_collect_returned"] = gc.collect()
    after_collect = v["traced_collect"] = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    grown = built - before
    v["del_freed_most"] = (built - after_del) / grown >= 0.99
    v["collect_freed_little"] = (after_del - after_collect) / grown < 0.01


def main():
    args = twinlib.parse_args("arenas", "items", "ops")
    n_arenas = args.arenas if args.arenas is not None else (2 if args.quick else 8)
    items = args.items if args.items is not None else (10**5 if args.quick else 10**6)
    # --ops sizes the lab's timing of its own allocator against malloc, which
    # has no counterpart here: through ctypes the call would cost more than
    # the allocation.
    v = {}
    who_serves(v)
    pool_geometry(v)
    arenas(v, n_arenas)
    del_and_collect(v, items)
    twinlib.emit(v)


main()
