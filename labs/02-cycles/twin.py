"""Lab 02's twin: cycles and gc.collect() on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/02-cycles/twin.py --quick

Traced memory is read into a preallocated array.array, so that keeping the
readings allocates nothing the next reading would see. Step 1 counts only
what the line making the nodes holds: CPython's free lists can make the
total move by a tuple now and then.
"""
import array
import ctypes
import gc
import os
import sys
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402


class Node:
    pass


# The lab's arithmetic for a two-node cycle: 2 × (56 + 24) bytes.
CYCLE_BYTES = 160


def traced():
    return tracemalloc.get_traced_memory()[0]


def held_by(line):
    """Traced bytes still held by what one line of this file allocated."""
    stats = tracemalloc.take_snapshot().statistics("lineno")
    return sum(s.size for s in stats
               if s.traceback[0].lineno == line and s.traceback[0].filename == __file__)


def make_pair():
    a = Node(); b = Node(); a.other = b; b.other = a  # noqa: E702
    return a, b


PAIR_LINE = make_pair.__code__.co_firstlineno + 1


def counting_alone(v):
    gc.collect()
    # No automatic collection may free the nodes while their headers are
    # read through the addresses; the lab's runtime allocates nothing here.
    gc.disable()
    tracemalloc.start()
    a, b = make_pair()
    made = held_by(PAIR_LINE)
    v["rc_a"] = sys.getrefcount(a)
    id_a, id_b = id(a), id(b)
    del a, b
    after_del = held_by(PAIR_LINE)
    v["rc_a_after_del"] = ctypes.c_ssize_t.from_address(id_a).value
    v["rc_b_after_del"] = ctypes.c_ssize_t.from_address(id_b).value
    v["collect_step1"] = gc.collect()
    v["collect_freed_all"] = held_by(PAIR_LINE) == 0
    tracemalloc.stop()
    gc.enable()
    v["made_bytes"] = made
    v["freed_by_del"] = made - after_del


def two_nodes(v, ask_for_dicts):
    x = Node(); y = Node(); x.other = y; y.other = x  # noqa: E702
    if ask_for_dicts:
        x.__dict__; y.__dict__  # noqa: B018, E702
    key = "x_has_dict_after_asking" if ask_for_dicts else "x_has_dict"
    v[key] = any(type(r) is dict for r in gc.get_referents(x))
    del x, y
    v["collect_nodes_with_dicts" if ask_for_dicts else "collect_nodes"] = gc.collect()


def what_collect_counts(v):
    gc.collect()
    a = {}; b = {}; a["b"] = b; b["a"] = a  # noqa: E702
    del a, b
    v["collect_dicts"] = gc.collect()
    gc.collect()
    two_nodes(v, False)
    gc.collect()
    two_nodes(v, True)
    gc.collect()
    s = Node(); s.other = s  # noqa: E702
    del s
    v["collect_self"] = gc.collect()


def list_in_itself(v):
    gc.collect()
    lst = []; lst.append(lst)  # noqa: E702
    v["rc_lst"] = sys.getrefcount(lst)
    v["collect_bound_list"] = gc.collect()
    v["repr_lst"] = repr(lst)
    v["lst_still_there"] = lst[0] is lst
    del lst
    v["collect_unbound_list"] = gc.collect()


events = []
whole = []
saved = None
phoenix_dels = 0


class D:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        whole.append(self.other.other is self)
        events.append(self.tag)


class Phoenix:
    def __del__(self):
        global saved, phoenix_dels
        phoenix_dels += 1
        saved = self


def del_in_cycles(v):
    global saved
    gc.collect()
    x = D("x"); y = D("y"); x.other = y; y.other = x  # noqa: E702
    del x, y
    note_phase = lambda phase, info: events.append(phase)  # noqa: E731
    gc.callbacks.append(note_phase)
    events.append("collect"); n = gc.collect(); events.append("done")  # noqa: E702
    gc.callbacks.remove(note_phase)
    v["del_events"] = ",".join(events)
    v["del_saw_cycle_whole"] = all(whole)
    v["collect_with_del"] = n

    gc.collect()
    p = Phoenix(); p.me = p; del p  # noqa: E702
    v["collect_resurrected"] = gc.collect()
    v["saved_intact"] = saved is not None and saved.me is saved
    v["collect_resurrected_again"] = gc.collect()
    saved = None
    v["collect_after_del_saved"] = gc.collect()
    v["phoenix_dels"] = phoenix_dels
    v["garbage_len"] = len(gc.garbage)


def pile(n, nsamples, mem):
    """The lab's loop: n cycles of two nodes, traced memory sampled into mem."""
    at = [k * n // nsamples for k in range(nsamples + 1)]
    k = 1
    tracemalloc.start()
    start = traced()
    for i in range(1, n + 1):
        x = Node(); y = Node(); x.other = y; y.other = x  # noqa: E702
        if mem is not None and k <= nsamples and i == at[k]:
            mem[k] = traced() - start
            k += 1
    del x, y
    return start


def disable(v, n, nsamples):
    collections = []

    def count(phase, info):
        if phase == "stop":
            collections.append(info["collected"])

    gc.collect()
    on = array.array("q", [0] * (nsamples + 1))
    gc.callbacks.append(count)
    pile(n, nsamples, on)
    gc.callbacks.remove(count)
    gc.collect()
    tracemalloc.stop()
    v["on_collections"] = len(collections)
    v["on_max"] = max(on)
    v["on_bytes"] = list(on)

    gc.collect()
    off = array.array("q", [0] * (nsamples + 1))
    end = array.array("q", [0, 0])
    gc.disable()
    start = pile(n, nsamples, off)
    end[0] = traced() - start
    v["sizeof_node"] = sys.getsizeof(Node())
    v["off_collect"] = gc.collect()
    end[1] = traced() - start
    tracemalloc.stop()
    gc.enable()
    half = nsamples // 2
    v["off_end"] = end[0]
    v["off_bytes"] = list(off)
    v["off_bytes_per_cycle"] = round((off[nsamples] - off[half]) / (n - half * n // nsamples))
    v["off_grew_linearly"] = end[0] > 9 * n * CYCLE_BYTES // 10
    v["on_stayed_bounded"] = max(on) * 4 < end[0]
    v["off_back"] = end[1] * 100 < end[0]

    gc.collect()
    gc.disable()
    pile(n, nsamples, None)
    end[0] = traced()
    gc.enable()
    end[1] = traced()
    v["enable_frees_nothing"] = end[0] == end[1]
    collections.clear()
    gc.callbacks.append(count)
    z = Node()
    gc.callbacks.remove(count)
    v["enable_collected"] = sum(collections)
    del z
    tracemalloc.stop()


def main():
    args = twinlib.parse_args("cycles", "samples")
    n = args.cycles if args.cycles is not None else (2000 if args.quick else 10000)
    nsamples = args.samples if args.samples is not None else (20 if args.quick else 50)
    v = {}
    counting_alone(v)
    what_collect_counts(v)
    list_in_itself(v)
    del_in_cycles(v)
    disable(v, n, nsamples)
    twinlib.emit(v)


main()
