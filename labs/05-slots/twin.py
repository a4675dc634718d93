"""Lab 05's twin: __dict__ and __slots__ on the real CPython.

Runs the lab's steps and prints the values as JSON (see labs/twinlib.py).
Run it alone to see them: python3 labs/05-slots/twin.py --quick
"""
import dis
import gc
import os
import sys
import timeit
import tracemalloc

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import twinlib  # noqa: E402

MAX_K = 8            # step 2 gives instances 0..MAX_K attributes
UNROLL = 10          # attribute operations per timed loop iteration (step 4)
WARM_UP = 100        # runs before the specializing interpreter settles
WATCHED_RUNS = 200   # runs whose instructions step 4 reports


# ---- what CPython 3.11's source predicts ----------------------------------------------


def values_bytes(size):
    """new_values in Objects/dictobject.c: a prefix of size + 2 bytes rounded
    up to a pointer, then size pointers."""
    return (size + 2 + 7) // 8 * 8 + 8 * size


def predicted_dict_bytes(k, n):
    """Traced bytes per instance for n instances of a fresh class, each given
    k attributes: 56 for the object, plus its values array, whose size is the
    class keys' names plus their room, 30 at first (SHARED_KEYS_MAX_SIZE),
    shrinking by one per instance made and per name added (init_inline_values)."""
    return sum(56 + values_bytes(max(29 - j, k + 1)) for j in range(n)) / n


def within(value, expected, fraction):
    return abs(value - expected) <= fraction * expected


# ---- 1: what sys.getsizeof says ------------------------------------------------------------


class A:
    pass


class S:
    __slots__ = ("x", "y")


def getsizeof_story(v):
    a = A()
    v["sizeof_a"] = sys.getsizeof(a)
    a.x = 1
    a.y = 2
    v["sizeof_a_xy"] = sys.getsizeof(a)
    s = S()
    v["sizeof_s"] = sys.getsizeof(s)
    s.x = 1
    s.y = 2
    v["sizeof_s_xy"] = sys.getsizeof(s)
    v["basicsize_a"] = A.__basicsize__
    v["basicsize_s"] = S.__basicsize__


# ---- 2: bytes per instance, traced ---------------------------------------------------------


def traced_per_instance(cls, names, n):
    keep = [None] * n  # made before tracing starts, as the lab's C array is
    tracemalloc.start()
    for i in range(n):
        o = cls()
        for name in names:
            setattr(o, name, 0)
        keep[i] = o
    current = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return current / n


def bytes_per_instance(v, n):
    dict_bytes, slots_bytes = [], []
    for k in range(MAX_K + 1):
        names = ["a%d" % i for i in range(k)]

        class Plain:  # a fresh class each time: its keys start with room for 30
            pass

        Slotted = type("Slotted", (), {"__slots__": tuple(names)})
        dict_bytes.append(traced_per_instance(Plain, names, n))
        slots_bytes.append(traced_per_instance(Slotted, names, n))
    for k in range(MAX_K + 1):
        v["dict_bytes_%d" % k] = dict_bytes[k]
        v["slots_bytes_%d" % k] = slots_bytes[k]
    v["dict_near_prediction"] = all(within(b, predicted_dict_bytes(k, n), 0.01)
                                    for k, b in enumerate(dict_bytes))
    v["slots_match_getsizeof"] = all(round(b) == 32 + 8 * k for k, b in enumerate(slots_bytes))
    v["slots_smaller"] = all(s < d for s, d in zip(slots_bytes, dict_bytes))


# ---- 3: the dict made on demand ------------------------------------------------------------


def has_dict(o):
    """The instance's traverse visits its dict once there is one, its
    attribute values while there is none."""
    return any(type(r) is dict for r in gc.get_referents(o))


def materialize(v, n):
    class B:
        pass

    b = B()
    b.x = 1
    b.y = 2
    v["b_has_dict_before"] = has_dict(b)
    v["sizeof_b_dict"] = sys.getsizeof(b.__dict__)
    v["b_has_dict_after"] = has_dict(b)
    sizes = []
    for _ in range(2):
        o = B()
        o.x = 1
        o.y = 2
        sizes.append(sys.getsizeof(o.__dict__))
    others = [B() for _ in range(40)]  # noqa: F841 (each made shrinks the room)
    e = B()
    e.x = 1
    e.y = 2
    sizes.append(sys.getsizeof(e.__dict__))
    v["sizeof_second_dict"], v["sizeof_third_dict"], v["sizeof_later_dict"] = sizes

    class C:
        pass

    keep = [None] * n
    tracemalloc.start()
    for i in range(n):
        o = C()
        o.x = 1
        o.y = 2
        keep[i] = o
    before = tracemalloc.get_traced_memory()[0]
    for o in keep:
        o.__dict__
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    v["before_materialize"] = before / n
    v["after_materialize"] = after / n
    v["materialize_extra"] = (after - before) / n
    v["materialize_extra_near_64"] = within((after - before) / n, 64, 0.10)


# ---- 4: attribute speed ----------------------------------------------------------------------


def specialized(o):
    """The instructions `o.x` and `o.x = v` become while the specializing
    interpreter runs them on o: every form seen after warming up, for an
    instruction may keep falling back and specializing again."""
    def get(o):
        return o.x

    def put(o, v):
        o.x = v

    def attribute_instruction(f):
        return next(i.opname for i in dis.get_instructions(f, adaptive=True) if "ATTR" in i.opname)

    for _ in range(WARM_UP):
        get(o)
        put(o, 1000)
    seen = {get: set(), put: set()}
    for _ in range(WATCHED_RUNS):
        get(o)
        put(o, 1000)
        for f, names in seen.items():
            names.add(attribute_instruction(f))
    return [" / ".join(sorted(seen[f])) for f in (get, put)]


def ns_per_op(stmt, o, ops):
    """Best of five: UNROLL copies of stmt per loop iteration, less the empty
    loop, per operation. o and v are locals of timeit's function, as they
    would be in a function of a program."""
    number = max(ops // UNROLL, 1)

    def best(code):
        return min(timeit.repeat(code, setup="o = obj; v = 1000", globals={"obj": o},
                                 number=number, repeat=5))

    body = "; ".join([stmt] * UNROLL)
    return max(best(body) - best("pass"), 0) / (number * UNROLL) * 1e9


def attribute_speed(v, ops):
    a = A()
    a.x = a.y = 1000
    m = A()
    m.x = m.y = 1000
    m.__dict__
    s = S()
    s.x = s.y = 1000
    for kind, o in (("dict", a), ("materialized", m), ("slots", s)):
        v["spec_get_" + kind], v["spec_set_" + kind] = specialized(o)
        v["get_ns_" + kind] = ns_per_op("o.x", o, ops)
        v["set_ns_" + kind] = ns_per_op("o.x = v", o, ops)
    v["get_ratio"] = v["get_ns_dict"] / max(v["get_ns_slots"], 1e-3)
    v["set_ratio"] = v["set_ns_dict"] / max(v["set_ns_slots"], 1e-3)


# ---- 5: the AttributeError -------------------------------------------------------------------


def caught(statement):
    """What a failed statement raised, as (type(e).__name__, str(e))."""
    try:
        statement()
    except AttributeError as e:
        return type(e).__name__, str(e)
    return "no error", "no error"


def undeclared(v):
    s = S()
    v["set_z_kind"], v["set_z_error"] = caught(lambda: setattr(s, "z", 1))
    v["get_z_error"] = caught(lambda: s.z)[1]
    v["s_has_dict"] = hasattr(s, "__dict__")
    D = type("D", (), {"__slots__": ("x", "y", "__dict__")})
    d = D()
    d.z = 1
    v["d_z"] = d.z
    v["sizeof_d"] = sys.getsizeof(d)


def main():
    args = twinlib.parse_args("instances", "ops")
    n = args.instances if args.instances is not None else (2000 if args.quick else 10000)
    ops = args.ops if args.ops is not None else (100000 if args.quick else 1000000)
    v = {}
    getsizeof_story(v)
    bytes_per_instance(v, n)
    materialize(v, n)
    attribute_speed(v, ops)
    undeclared(v)
    twinlib.emit(v)


main()
