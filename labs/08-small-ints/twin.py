"""Lab 08's twin: the small-int cache on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/08-small-ints/twin.py --quick
"""
import os
import sys
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

BUCKET_LO, BUCKET_HI, BUCKET_WIDTH = -64, 512, 32


def make(s):
    return int(s)  # the line whose allocations step 4 counts


MAKE_LINE = make.__code__.co_firstlineno + 1


def run_time_identity(v):
    """Values made while the program runs, never constants of the code."""
    for value, key in ((256, "is_256"), (257, "is_257"), (-5, "is_minus5"), (-6, "is_minus6")):
        text = str(value)
        v[key] = make(text) is make(text)


def cache_range(v, scan):
    cached = [x for x in range(-scan, scan + 1) if make(str(x)) is make(str(x))]
    contiguous = cached and cached[-1] - cached[0] + 1 == len(cached)
    v["cache_range"] = f"[{cached[0]}, {cached[-1]}]" if contiguous else f"{len(cached)} values"
    v["cached_count"] = len(cached)


def kept_per_bucket(v, repeat):
    """Blocks and bytes still held by the ints each bucket of values made."""
    blocks, sizes = [], []
    for lo in range(BUCKET_LO, BUCKET_HI, BUCKET_WIDTH):
        texts = [str(x) for x in range(lo, lo + BUCKET_WIDTH) for _ in range(repeat)]
        out = [None] * len(texts)
        tracemalloc.start()
        for i, text in enumerate(texts):
            out[i] = make(text)
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        at_line = [s for s in snapshot.statistics("lineno") if s.traceback[0].lineno == MAKE_LINE
                   and s.traceback[0].filename == __file__]
        blocks.append(sum(s.count for s in at_line))
        sizes.append(sum(s.size for s in at_line))
    v["bucket_blocks"] = blocks
    v["bucket_bytes"] = sizes
    first = [lo for lo in range(BUCKET_LO, BUCKET_HI, BUCKET_WIDTH)]
    def kept(lo, hi):
        return sum(b for b, start in zip(blocks, first) if lo <= start < hi)
    v["kept_below"] = kept(-64, 0)
    v["kept_cached"] = kept(0, 256)
    v["kept_above"] = kept(256, 512)
    v["bytes_per_kept_int"] = sum(sizes) // max(sum(blocks), 1)


def constants(v):
    """One compiled block stores each distinct constant once; two blocks do not share."""
    block = {}
    exec(compile("a = 257\nb = 257\n", "<block>", "exec"), block)
    v["same_block_is"] = block["a"] is block["b"]
    separate = {}
    exec(compile("a = 257\n", "<line 1>", "exec"), separate)
    exec(compile("b = 257\n", "<line 2>", "exec"), separate)
    v["separate_blocks_is"] = separate["a"] is separate["b"]


def main():
    args = twinlib.parse_args("repeat", "scan")
    repeat = args.repeat if args.repeat is not None else (10 if args.quick else 100)
    scan = args.scan if args.scan is not None else (1000 if args.quick else 100000)
    v = {}
    run_time_identity(v)
    cache_range(v, scan)
    v["refcount_of_1"] = sys.getrefcount(1)
    v["refcount_of_1_immortal"] = sys.getrefcount(1) >= 999999999
    kept_per_bucket(v, repeat)
    constants(v)
    sizes = {"0": 0, "1": 1, "256": 256, "257": 257, "2**30": 2**30, "2**60": 2**60, "10**100": 10**100}
    for name, value in sizes.items():
        v["sizeof " + name] = sys.getsizeof(value)
    twinlib.emit(v)


main()
