"""Lab 09's twin: weak references on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/09-weakref/twin.py --quick
"""
import gc
import os
import sys
import tracemalloc
import weakref

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402


class Node:
    pass


class Point:
    __slots__ = ("x", "y")


class WeakPoint:
    __slots__ = ("x", "y", "__weakref__")


def refused(o):
    """Whether weakref.ref(o) raises the TypeError that names o's type."""
    try:
        weakref.ref(o)
    except TypeError as e:
        return str(e) == f"cannot create weak reference to '{type(o).__name__}' object"
    return False


def accepted(o):
    try:
        weakref.ref(o)
    except TypeError:
        return False
    return True


# ---- step 1: weakref.ref ---------------------------------------------------------


def basics(v):
    a = Node()
    v["rc_before"] = sys.getrefcount(a)
    r = weakref.ref(a)
    v["r_is_a"] = r() is a
    v["rc_with_ref"] = sys.getrefcount(a)
    v["sizeof_ref"] = sys.getsizeof(r)
    v["ref_shared"] = weakref.ref(a) is weakref.ref(a)
    v["weakrefcount"] = weakref.getweakrefcount(a)
    del a
    v["r_dead"] = r() is None

    v["refuse_list"] = refused([1, 2, 3])
    v["refuse_int"] = refused(int("1000"))
    v["refuse_point"] = refused(Point())
    v["accept_weakpoint"] = accepted(WeakPoint())
    v["sizeof_point"] = sys.getsizeof(Point())
    v["sizeof_weakpoint"] = sys.getsizeof(WeakPoint())


# ---- step 2: callbacks -----------------------------------------------------------

events = []


def callbacks(v):
    n = Node()
    all_dead = []

    def logger(tag):
        def callback(ref):
            events.append(tag)
            all_dead.append(r1() is None and r2() is None)
        return callback

    r1 = weakref.ref(n, logger("first"))
    r2 = weakref.ref(n, logger("second"))
    v["callback_refs_distinct"] = r1 is not r2
    v["callback_weakrefcount"] = weakref.getweakrefcount(n)
    events.clear()
    del n
    v["callback_order"] = ",".join(events)
    v["callbacks_saw_all_dead"] = len(all_dead) == 2 and all(all_dead)

    m = Node()
    r = weakref.ref(m, logger("late"))
    events.clear()
    del r
    del m
    v["calls_after_ref_died"] = len(events)


def by_the_collector(v):
    gc.collect()
    c = Node()
    c.me = c
    w = weakref.ref(c, lambda ref: events.append("callback"))
    events.clear()
    del c
    v["cycle_calls_before_collect"] = len(events)
    v["cycle_collect"] = gc.collect()
    v["cycle_calls_after_collect"] = len(events)
    v["cycle_ref_dead"] = w() is None


class D:
    def __del__(self):
        events.append("__del__")
        dead_in_del.append(watched() is None)


dead_in_del = []
watched = None


def finalizers(v):
    global watched
    gc.collect()
    b = D()
    watched = weakref.ref(b, lambda ref: events.append("callback"))
    events.clear()
    dead_in_del.clear()
    del b
    v["count_order"] = ",".join(events)
    v["count_dead_in_del"] = dead_in_del == [True]

    d = D()
    d.me = d
    watched = weakref.ref(d, lambda ref: events.append("callback"))
    events.clear()
    dead_in_del.clear()
    del d
    v["gc_collect_d"] = gc.collect()
    v["gc_order"] = ",".join(events)
    v["gc_dead_in_del"] = dead_in_del == [True]
    watched = None


# ---- step 3: a cache -------------------------------------------------------------

freed = 0
PAYLOAD = 64  # the slots of each cached item's list: what it is worth caching


class Item:
    def __del__(self):
        global freed
        freed += 1


def cache_run(v, n, kind):
    """n Items cached by key i and held by users; then users drops half."""
    global freed
    gc.collect()
    freed = 0
    tracemalloc.start()
    cache = weakref.WeakValueDictionary() if kind == "weak" else {}
    users = []
    for i in range(n):
        item = Item()
        item.payload = [0] * PAYLOAD
        cache[i] = item
        users.append(item)
    del item
    v[f"traced_{kind}_full"] = tracemalloc.get_traced_memory()[0]
    v[f"{kind}_len_full"] = len(cache)
    users = users[1::2]
    v[f"traced_{kind}_after"] = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    v[f"{kind}_len_after"] = len(cache)
    v[f"{kind}_live_after"] = n - freed
    v[f"{kind}_still_cached"] = sum(cache.get(2 * j + 1) is users[j] for j in range(len(users)))
    del users
    v[f"{kind}_live_no_users"] = n - freed
    del cache


def cache(v, n):
    cache_run(v, n, "weak")
    cache_run(v, n, "plain")
    v["weak_full_above_plain"] = v["traced_weak_full"] > v["traced_plain_full"]
    v["weak_after_below_plain"] = v["traced_weak_after"] < v["traced_plain_after"]
    v["keyedref_bytes_per_entry"] = (v["traced_weak_full"] - v["traced_plain_full"]) // n

    gc.collect()
    d = weakref.WeakValueDictionary()
    a = Item()
    a.me = a
    d["loop"] = a
    del a
    v["cycle_len_before_collect"] = len(d)
    gc.collect()
    v["cycle_len_after_collect"] = len(d)
    try:
        d["numbers"] = []
        v["wvd_refuses_list"] = False
    except TypeError as e:
        v["wvd_refuses_list"] = str(e) == "cannot create weak reference to 'list' object"


# ---- step 4: observers -----------------------------------------------------------

made = 0
gone = 0
delivered = 0


class Observer:
    def __init__(self):
        global made
        made += 1

    def __del__(self):
        global gone
        gone += 1

    def update(self):
        global delivered
        delivered += 1


class Subject:
    def __init__(self):
        self.observers = []

    def subscribe(self, o):
        self.observers.append(o)

    def unsubscribe(self, o):
        self.observers.remove(o)

    def unsubscribe_all(self, observers):
        for o in observers:
            self.unsubscribe(o)

    def notify(self):
        for o in self.observers:
            o.update()


class WeakSubject(Subject):
    def subscribe(self, o):
        # The callback is the list's own remove: a dead observer's entry
        # takes itself out of the list.
        self.observers.append(weakref.ref(o, self.observers.remove))

    def notify(self):
        for r in self.observers:
            o = r()
            if o is not None:
                o.update()


def observers_run(v, variant, rounds, per_round):
    global made, gone, delivered
    gc.collect()
    made = gone = 0
    subject = WeakSubject() if variant == "weak" else Subject()
    live = []
    current = []
    for _ in range(rounds):
        if variant == "cleanup":
            subject.unsubscribe_all(current)
        current = []
        for _ in range(per_round):
            o = Observer()
            subject.subscribe(o)
            current.append(o)
        del o
        delivered = 0
        subject.notify()
        live.append(made - gone)
    v[f"{variant}_delivered"] = delivered
    v[f"{variant}_len"] = len(subject.observers)
    if variant == "cleanup":
        subject.unsubscribe_all(current)
    current = []
    live.append(made - gone)
    gc.collect()
    v[f"{variant}_live_after_collect"] = made - gone
    v[f"live_{variant}"] = live
    v[f"{variant}_live_last_round"] = live[-2]
    v[f"{variant}_live_dropped"] = live[-1]
    del subject


def observers(v, rounds, per_round):
    for variant in ("strong", "weak", "cleanup"):
        observers_run(v, variant, rounds, per_round)


def main():
    args = twinlib.parse_args("objects", "rounds")
    n = args.objects if args.objects is not None else (400 if args.quick else 4000)
    rounds = args.rounds if args.rounds is not None else 10
    v = {}
    basics(v)
    callbacks(v)
    by_the_collector(v)
    finalizers(v)
    cache(v, n)
    observers(v, rounds, max(1, n // rounds))
    twinlib.emit(v)


main()
