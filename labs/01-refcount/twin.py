"""Lab 01's twin: reference counts on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/01-refcount/twin.py --quick
"""
import ctypes
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

events = []


class Noisy:
    """An object that says when it is freed."""

    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        events.append(str(self.tag))


def f(x):
    return sys.getrefcount(x)


def story(v):
    """Steps 1 to 3 of the lab, with `a` held by one name only."""
    a = [1, 2, 3]
    v["rc_new"] = sys.getrefcount(a)
    b = a
    v["rc_b"] = sys.getrefcount(a)
    c = a
    v["rc_c"] = sys.getrefcount(a)
    del b
    v["rc_del_b"] = sys.getrefcount(a)
    del c
    v["rc_del_c"] = sys.getrefcount(a)

    # The count stored in the object's header, read straight from memory:
    # id(a) is the header's address, and the count is its first word.
    v["ob_refcnt"] = ctypes.c_ssize_t.from_address(id(a)).value
    v["getrefcount_extra"] = sys.getrefcount(a) - v["ob_refcnt"]

    v["rc_in_call"] = f(a)
    v["rc_after_call"] = sys.getrefcount(a)

    holder = [a]
    v["rc_holder"] = sys.getrefcount(a)
    holder.append(a)
    v["rc_holder_twice"] = sys.getrefcount(a)
    del holder
    v["rc_del_holder"] = sys.getrefcount(a)

    v["type_at_id_plus_8"] = ctypes.c_void_p.from_address(id(a) + 8).value == id(type(a))
    v["gc_header_bytes"] = sys.getsizeof(a) - a.__sizeof__()


def freeing(v):
    events.clear()
    n = Noisy("freed")
    events.append("before")
    del n
    events.append("after")
    v["del_order"] = ",".join(events)

    events.clear()
    lst = [Noisy(0), Noisy(1), Noisy(2)]
    del lst
    v["list_free_order"] = ",".join(events)


def counts_once():
    a = [1, 2, 3]
    seen = [sys.getrefcount(a)]
    b = a
    seen.append(sys.getrefcount(a))
    del b
    seen.append(sys.getrefcount(a))
    return seen


def ns_per_assignment(n):
    """Time of `b = a` in a loop, less the empty loop: the best of three."""
    def assign(n):
        a = object()
        t = time.perf_counter_ns()
        for _ in range(n):
            b = a  # noqa: F841
        return time.perf_counter_ns() - t

    def empty(n):
        t = time.perf_counter_ns()
        for _ in range(n):
            pass
        return time.perf_counter_ns() - t

    best = min(assign(n) - empty(n) for _ in range(3))
    return max(best, 0) / n


def main():
    args = twinlib.parse_args("repeat")
    repeat = args.repeat if args.repeat is not None else (10**6 if args.quick else 10**7)
    v = {}
    story(v)
    freeing(v)
    v["counts_repeatable"] = all(counts_once() == counts_once() for _ in range(3))
    v["ns_per_assignment"] = ns_per_assignment(repeat)
    twinlib.emit(v)


main()
