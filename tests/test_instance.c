/* test_instance.c — classes and instances: CPython 3.11's sizes with a
 * __dict__ and with __slots__, attribute access and its errors, the
 * materialized __dict__, traced bytes per instance (runtime/instance.c). */
#include <stdlib.h>
#include <string.h>

#include "support.h"

MP_TEST_SUITE(instance);

static mp_object *new_class(const char *name, const char *const *slots)
{
    mp_object *c = mp_class_new(name, slots);
    cr_assert_not_null(c, "%s", mp_err_message());
    return c;
}

static mp_object *new_instance(mp_object *cls)
{
    mp_object *o = mp_instance_new(cls);
    cr_assert_not_null(o, "%s", mp_err_message());
    return o;
}

static void set_attr(mp_object *o, const char *name, long v)
{
    mp_object *value = mp_int_from_long(v);
    cr_assert_eq(mp_object_setattr_str(o, name, value), 0, "%s", mp_err_message());
    MP_DECREF(value);
}

static long get_attr(mp_object *o, const char *name)
{
    mp_object *v = mp_object_getattr_str(o, name);
    cr_assert_not_null(v, "%s", mp_err_message());
    long r = mp_int_as_long(v);
    MP_DECREF(v);
    return r;
}

static void expect_error(mp_err_kind kind, const char *message)
{
    cr_expect_eq(mp_err_occurred(), kind, "%s", mp_err_name(mp_err_occurred()));
    cr_expect_str_eq(mp_err_message(), message);
    mp_err_clear();
}

/* sys.getsizeof(o.__dict__), materializing it. */
static size_t dict_size_of(mp_object *o)
{
    mp_object *d = mp_instance_dict(o);
    cr_assert_not_null(d, "%s", mp_err_message());
    size_t n = mp_getsizeof(d);
    MP_DECREF(d);
    return n;
}

#define SLOTS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_SLOTS ((const char *const[]){NULL})

/* ---- sizes ------------------------------------------------------------------------ */

/* python3 -c "
 * import sys
 * class A: pass
 * a = A(); print(sys.getsizeof(a)); a.x = 1; a.y = 2; print(sys.getsizeof(a))"  -> 56 56 */
Test(instance, an_instance_with_a_dict_is_56_bytes_whatever_its_attributes)
{
    mp_object *A = new_class("A", NULL), *a = new_instance(A);
    cr_expect_eq(mp_getsizeof(a), 56);
    set_attr(a, "x", 1);
    set_attr(a, "y", 2);
    cr_expect_eq(mp_getsizeof(a), 56);
    MP_DECREF(a);
    MP_DECREF(A);
}

/* python3 -c "
 * import sys
 * shapes = [(), ('x', 'y'), ('x', 'y', '__weakref__'), ('x', '__dict__'),
 *           ('x', '__dict__', '__weakref__'), ('__weakref__',), ('y', 'x', 'x')]
 * for s in shapes:
 *     C = type('C', (), {'__slots__': s}); print(s, sys.getsizeof(C()), C.__weakrefoffset__)"
 * -> 32 0, 48 0, 56 32, 56 0, 64 24, 40 16, 56 0 */
Test(instance, slotted_instances_size_as_cpython)
{
    const struct {
        const char *const *slots;
        size_t size;
        mp_ssize_t weaklistoffset;
    } shapes[] = {
        {NO_SLOTS, 32, 0},
        {SLOTS("x", "y"), 48, 0},
        {SLOTS("x", "y", "__weakref__"), 56, 32},
        {SLOTS("x", "__dict__"), 56, 0},
        {SLOTS("x", "__dict__", "__weakref__"), 64, 24},
        {SLOTS("__weakref__"), 40, 16},
        {SLOTS("y", "x", "x"), 56, 0},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        mp_object *C = new_class("C", shapes[i].slots), *o = new_instance(C);
        cr_expect_eq(mp_getsizeof(o), shapes[i].size, "shape %zu", i);
        cr_expect_eq(((mp_type *)C)->tp_weaklistoffset, shapes[i].weaklistoffset, "shape %zu", i);
        MP_DECREF(o);
        MP_DECREF(C);
    }
}

/* The weak reference list follows the slots, which are laid out in sorted
 * order whatever order they were declared in.
 * python3 -c "
 * class A: pass
 * class T: __slots__ = ('b', 'a', '__weakref__', 'c')
 * print(A.__weakrefoffset__, A.__basicsize__, T.__weakrefoffset__, T.__basicsize__)"  -> 16 24 40 48 */
Test(instance, the_weak_reference_slot_is_where_cpython_puts_it)
{
    mp_object *A = new_class("A", NULL), *T = new_class("T", SLOTS("b", "a", "__weakref__", "c"));
    cr_expect_eq(((mp_type *)A)->tp_weaklistoffset, 16);
    cr_expect_eq(((mp_type *)A)->tp_basicsize, 24);
    cr_expect_eq(((mp_type *)T)->tp_weaklistoffset, 40);
    cr_expect_eq(((mp_type *)T)->tp_basicsize, 48);
    MP_DECREF(A);
    MP_DECREF(T);
}

/* ---- attributes ---------------------------------------------------------------------- */

/* python3 -c "
 * class A: pass
 * a = A(); a.x = 1; print(a.x); del a.x
 * for f in (lambda: a.x, lambda: delattr(a, 'x'), lambda: getattr(a, 1), lambda: setattr(a, 1, 2)):
 *     try: f()
 *     except Exception as e: print(type(e).__name__, e)"
 * -> 1, AttributeError 'A' object has no attribute 'x' (twice),
 *    TypeError attribute name must be string, not 'int' (twice) */
Test(instance, attributes_of_an_instance_with_a_dict)
{
    mp_object *A = new_class("A", NULL), *a = new_instance(A);
    set_attr(a, "x", 1);
    cr_expect_eq(get_attr(a, "x"), 1);
    set_attr(a, "x", 5000);
    cr_expect_eq(get_attr(a, "x"), 5000);
    cr_expect_eq(mp_object_setattr_str(a, "x", NULL), 0);
    cr_expect_null(mp_object_getattr_str(a, "x"));
    expect_error(MP_ERR_ATTRIBUTE, "'A' object has no attribute 'x'");
    cr_expect_eq(mp_object_setattr_str(a, "x", NULL), -1);
    expect_error(MP_ERR_ATTRIBUTE, "'A' object has no attribute 'x'");
    mp_object *one = mp_int_from_long(1);
    cr_expect_null(mp_object_getattr(a, one));
    expect_error(MP_ERR_TYPE, "attribute name must be string, not 'int'");
    cr_expect_eq(mp_object_setattr(a, one, one), -1);
    expect_error(MP_ERR_TYPE, "attribute name must be string, not 'int'");
    MP_DECREF(one);
    MP_DECREF(a);
    MP_DECREF(A);
}

/* A name set on one instance becomes a key of the class, for all of them;
 * the others still have no value for it. */
Test(instance, a_name_set_on_one_instance_is_not_an_attribute_of_another)
{
    mp_object *A = new_class("A", NULL), *a = new_instance(A), *b = new_instance(A);
    set_attr(a, "only_a", 1);
    cr_expect_null(mp_object_getattr_str(b, "only_a"));
    expect_error(MP_ERR_ATTRIBUTE, "'A' object has no attribute 'only_a'");
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(A);
}

/* python3 -c "
 * class S: __slots__ = ('x',)
 * s = S()
 * for f in (lambda: s.x, lambda: delattr(s, 'x'), lambda: setattr(s, 'z', 1), lambda: s.z,
 *           lambda: delattr(s, 'z'), lambda: s.__dict__):
 *     try: f()
 *     except AttributeError as e: print(e)"
 * -> 'S' object has no attribute 'x' / x / 'S' object has no attribute 'z' (three times)
 *    / 'S' object has no attribute '__dict__' */
Test(instance, slots_refuse_undeclared_attributes_with_cpythons_messages)
{
    mp_object *S = new_class("S", SLOTS("x")), *s = new_instance(S);
    cr_expect_null(mp_object_getattr_str(s, "x"));
    expect_error(MP_ERR_ATTRIBUTE, "'S' object has no attribute 'x'");
    cr_expect_eq(mp_object_setattr_str(s, "x", NULL), -1);
    expect_error(MP_ERR_ATTRIBUTE, "x");
    mp_object *one = mp_int_from_long(1);
    cr_expect_eq(mp_object_setattr_str(s, "z", one), -1);
    expect_error(MP_ERR_ATTRIBUTE, "'S' object has no attribute 'z'");
    cr_expect_null(mp_object_getattr_str(s, "z"));
    expect_error(MP_ERR_ATTRIBUTE, "'S' object has no attribute 'z'");
    cr_expect_eq(mp_object_setattr_str(s, "z", NULL), -1);
    expect_error(MP_ERR_ATTRIBUTE, "'S' object has no attribute 'z'");
    cr_expect_null(mp_instance_dict(s));
    expect_error(MP_ERR_ATTRIBUTE, "'S' object has no attribute '__dict__'");
    cr_expect_null(mp_object_getattr_str(s, "__dict__"));
    expect_error(MP_ERR_ATTRIBUTE, "'S' object has no attribute '__dict__'");
    cr_expect_eq(mp_object_setattr_str(s, "x", one), 0);
    cr_expect_eq(get_attr(s, "x"), 1);
    cr_expect_eq(mp_object_setattr_str(s, "x", NULL), 0);
    cr_expect_null(mp_object_getattr_str(s, "x"));
    mp_err_clear();
    MP_DECREF(one);
    MP_DECREF(s);
    MP_DECREF(S);
}

/* A name made at run time, not interned, still finds its slot. */
Test(instance, slots_are_found_by_a_name_that_is_not_interned)
{
    mp_object *S = new_class("S", SLOTS("value", "other")), *s = new_instance(S);
    set_attr(s, "value", 42);
    mp_object *name = mp_str_from_utf8("value");
    cr_assert(!mp_str_is_interned(name));
    mp_object *v = mp_object_getattr(s, name);
    cr_assert_not_null(v);
    cr_expect_eq(mp_int_as_long(v), 42);
    cr_expect_eq(mp_object_setattr(s, name, NULL), 0);
    cr_expect_null(mp_object_getattr_str(s, "value"));
    mp_err_clear();
    MP_DECREF(v);
    MP_DECREF(name);
    MP_DECREF(s);
    MP_DECREF(S);
}

/* __slots__ = ('x', '__dict__'): x in its slot, anything else in the dict. */
Test(instance, slots_with_a_dict_take_both_kinds_of_attribute)
{
    mp_object *D = new_class("D", SLOTS("x", "__dict__")), *d = new_instance(D);
    set_attr(d, "x", 1);
    set_attr(d, "y", 2);
    cr_expect_eq(get_attr(d, "x"), 1);
    cr_expect_eq(get_attr(d, "y"), 2);
    mp_object *dict = mp_instance_dict(d);
    expect_repr(dict, "{'y': 2}");
    MP_DECREF(dict);
    MP_DECREF(d);
    MP_DECREF(D);
}

/* python3 -c "
 * for s in (('1x',), ('__dict__', '__dict__'), ('__weakref__', '__weakref__')):
 *     try: type('S', (), {'__slots__': s})
 *     except TypeError as e: print(e)" */
Test(instance, bad_slots_are_type_errors)
{
    cr_expect_null(mp_class_new("S", SLOTS("1x")));
    expect_error(MP_ERR_TYPE, "__slots__ must be identifiers");
    cr_expect_null(mp_class_new("S", SLOTS("ok", "")));
    expect_error(MP_ERR_TYPE, "__slots__ must be identifiers");
    cr_expect_null(mp_class_new("S", SLOTS("__dict__", "__dict__")));
    expect_error(MP_ERR_TYPE, "__dict__ slot disallowed: we already got one");
    cr_expect_null(mp_class_new("S", SLOTS("__weakref__", "__weakref__")));
    expect_error(MP_ERR_TYPE,
                 "__weakref__ slot disallowed: either we already got one, or __itemsize__ != 0");
}

Test(instance, only_classes_make_instances)
{
    mp_object *one = mp_int_from_long(1);
    cr_expect_null(mp_instance_new(one));
    expect_error(MP_ERR_TYPE, "cannot create 'int' instances");
    cr_expect_null(mp_instance_new(MP_OBJ(&mp_type_int)));
    expect_error(MP_ERR_TYPE, "cannot create 'type' instances");
    cr_expect(!mp_class_check(MP_OBJ(&mp_type_int)));
    MP_DECREF(one);
}

/* ---- the materialized __dict__ ---------------------------------------------------- */

/* The shared keys' room shrinks with every instance made and every name
 * added, and a materialized dict's getsizeof counts 8 bytes per slot of
 * that room plus the names.
 * python3 -c "
 * import sys; g = sys.getsizeof
 * class A: pass
 * a = A(); a.x = 1; a.y = 2; print(g(a.__dict__))
 * b = A(); b.y = 1; b.x = 2; print(g(b.__dict__), list(b.__dict__))
 * keep = [A() for i in range(40)]
 * c = A(); c.x = 1; c.y = 2; print(g(c.__dict__)); c.z = 3; print(g(c.__dict__))
 * c.__dict__[1] = 2; print(g(c.__dict__), c.__dict__)"
 * -> 296, 288 ['y', 'x'], 88, 88, 352 {'x': 1, 'y': 2, 'z': 3, 1: 2} */
Test(instance, materialized_dicts_size_as_cpython)
{
    mp_object *A = new_class("A", NULL);
    mp_object *a = new_instance(A);
    set_attr(a, "x", 1);
    set_attr(a, "y", 2);
    cr_expect(mp_instance_has_values(a));
    cr_expect_eq(dict_size_of(a), 296);
    cr_expect(!mp_instance_has_values(a));

    mp_object *b = new_instance(A);
    set_attr(b, "y", 1);
    set_attr(b, "x", 2);
    mp_object *bd = mp_instance_dict(b);
    cr_expect_eq(mp_getsizeof(bd), 288);
    expect_repr(bd, "{'y': 1, 'x': 2}");
    mp_dict_layout l;
    mp_dict_get_layout(bd, &l);
    cr_expect(l.split);
    MP_DECREF(bd);

    mp_object *keep[40];
    for (int i = 0; i < 40; i++)
        keep[i] = new_instance(A);
    mp_object *c = new_instance(A);
    set_attr(c, "x", 1);
    set_attr(c, "y", 2);
    cr_expect_eq(dict_size_of(c), 88);
    set_attr(c, "z", 3);
    cr_expect_eq(dict_size_of(c), 88);
    mp_object *cd = mp_instance_dict(c), *one = mp_int_from_long(1), *two = mp_int_from_long(2);
    cr_assert_eq(mp_dict_setitem(cd, one, two), 0);
    cr_expect_eq(mp_getsizeof(cd), 352);
    expect_repr(cd, "{'x': 1, 'y': 2, 'z': 3, 1: 2}");
    mp_dict_get_layout(cd, &l);
    cr_expect(!l.split);
    cr_expect_eq(get_attr(c, "z"), 3, "the instance reads its now combined dict");
    MP_DECREF(one);
    MP_DECREF(two);
    MP_DECREF(cd);

    for (int i = 0; i < 40; i++)
        MP_DECREF(keep[i]);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
    MP_DECREF(A);
}

/* The class's keys hold 30 names; the first instance's values have room
 * for 29 (one went to the instance). The 30th name makes its dict, which
 * grows at once into a combined table.
 * python3 -c "
 * import sys
 * class B: pass
 * o = B()
 * for i in range(31): setattr(o, 'a%d' % i, i)
 * o2 = B()
 * for i in range(30): setattr(o2, 'a%d' % i, i)
 * print(sys.getsizeof(o.__dict__), sys.getsizeof(o2.__dict__))"  -> 1584 1584 */
Test(instance, full_class_keys_give_the_instance_a_dict)
{
    mp_object *B = new_class("B", NULL), *o = new_instance(B);
    char name[16];
    for (int i = 0; i < 31; i++) {
        snprintf(name, sizeof name, "a%d", i);
        set_attr(o, name, i);
        cr_expect_eq(mp_instance_has_values(o), i < 29, "after a%d", i);
    }
    mp_object *o2 = new_instance(B);
    for (int i = 0; i < 30; i++) {
        snprintf(name, sizeof name, "a%d", i);
        set_attr(o2, name, i);
    }
    cr_expect_eq(get_attr(o, "a30"), 30);
    cr_expect_eq(get_attr(o, "a3"), 3);
    cr_expect_eq(dict_size_of(o), 1584);
    cr_expect_eq(dict_size_of(o2), 1584);
    MP_DECREF(o);
    MP_DECREF(o2);
    MP_DECREF(B);
}

/* python3 -c "
 * import sys
 * class C: pass
 * x = C(); print(sys.getsizeof(x.__dict__))
 * y = C(); y.p = 1; del y.p; print(sys.getsizeof(y.__dict__), y.__dict__)"  -> 296, 288 {} */
Test(instance, an_empty_or_emptied_instance_materializes_an_empty_split_dict)
{
    mp_object *C = new_class("C", NULL), *x = new_instance(C);
    cr_expect_eq(dict_size_of(x), 296);
    mp_object *y = new_instance(C);
    set_attr(y, "p", 1);
    cr_expect_eq(mp_object_setattr_str(y, "p", NULL), 0);
    mp_object *d = mp_instance_dict(y);
    cr_expect_eq(mp_getsizeof(d), 288);
    expect_repr(d, "{}");
    MP_DECREF(d);
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(C);
}

/* python3 -c "
 * class D: pass
 * z = D(); z.a = 1; d = z.__dict__; z.b = 2; print(d); del z.a; print(d, d is z.__dict__)"
 * -> {'a': 1, 'b': 2}, {'b': 2} True */
Test(instance, after_materialization_attributes_live_in_the_dict)
{
    mp_object *D = new_class("D", NULL), *z = new_instance(D);
    set_attr(z, "a", 1);
    mp_object *d = mp_instance_dict(z);
    set_attr(z, "b", 2);
    expect_repr(d, "{'a': 1, 'b': 2}");
    cr_expect_eq(mp_object_setattr_str(z, "a", NULL), 0);
    expect_repr(d, "{'b': 2}");
    mp_object *again = mp_object_getattr_str(z, "__dict__");
    cr_expect_eq(again, d);
    MP_DECREF(again);
    mp_object *k = mp_str_from_utf8("c"), *v = mp_int_from_long(3);
    mp_dict_setitem(d, k, v);
    cr_expect_eq(get_attr(z, "c"), 3, "what goes into __dict__ is an attribute");
    MP_DECREF(k);
    MP_DECREF(v);
    MP_DECREF(d);
    MP_DECREF(z);
    MP_DECREF(D);
}

/* python3 -c "
 * class A: pass
 * a = A(); a.x = 1; a.__dict__ = {'y': 2}; print(a.y, hasattr(a, 'x'))
 * try: a.__dict__ = 5
 * except TypeError as e: print(e)"
 * -> 2 False / __dict__ must be set to a dictionary, not a 'int' */
Test(instance, assigning_dunder_dict_replaces_the_attributes)
{
    mp_object *A = new_class("A", NULL), *a = new_instance(A);
    set_attr(a, "x", 1);
    mp_object *d = mp_dict_new(), *k = mp_str_from_utf8("y"), *v = mp_int_from_long(2);
    mp_dict_setitem(d, k, v);
    cr_expect_eq(mp_object_setattr_str(a, "__dict__", d), 0);
    cr_expect_eq(get_attr(a, "y"), 2);
    cr_expect_null(mp_object_getattr_str(a, "x"));
    mp_err_clear();
    cr_expect_eq(mp_object_setattr_str(a, "__dict__", v), -1);
    expect_error(MP_ERR_TYPE, "__dict__ must be set to a dictionary, not a 'int'");
    cr_expect_eq(mp_object_setattr_str(a, "__dict__", NULL), 0);
    cr_expect_null(mp_object_getattr_str(a, "y"));
    mp_err_clear();
    set_attr(a, "w", 7); /* a fresh dict, over the class's keys */
    cr_expect_eq(get_attr(a, "w"), 7);
    cr_expect_eq(mp_getrefcount(d), 2, "the instance let go of the old dict");
    MP_DECREF(k);
    MP_DECREF(v);
    MP_DECREF(d);
    MP_DECREF(a);
    MP_DECREF(A);
}

/* ---- references and memory ----------------------------------------------------------- */

Test(instance, each_instance_holds_its_class_which_dies_with_the_last)
{
    size_t before = blocks_in_use();
    mp_object *A = new_class("A", NULL);
    mp_object *a = new_instance(A), *b = new_instance(A);
    cr_expect_eq(mp_getrefcount(A), 4);
    MP_DECREF(A);
    MP_DECREF(a);
    cr_expect_eq(mp_getrefcount(MP_OBJ(MP_TYPE(b))), 2);
    MP_DECREF(b);
    cr_expect_eq(blocks_in_use(), before, "class, keys, instances and values all freed");
}

Test(instance, an_instance_releases_its_attributes_and_slots)
{
    mp_object *A = new_class("A", NULL), *S = new_class("S", SLOTS("p", "q"));
    mp_object *a = new_instance(A), *s = new_instance(S), *v = mp_int_from_long(123456);
    mp_object_setattr_str(a, "x", v);
    mp_object_setattr_str(s, "q", v);
    cr_expect_eq(mp_getrefcount(v), 4);
    MP_DECREF(a);
    MP_DECREF(s);
    cr_expect_eq(mp_getrefcount(v), 2);
    MP_DECREF(v);
    MP_DECREF(A);
    MP_DECREF(S);
}

static int visited_count;
static mp_object *visited[8];

static int record_visit(mp_object *o, void *arg)
{
    (void)arg;
    visited[visited_count++] = o;
    return 0;
}

Test(instance, traverse_visits_slots_then_attributes_then_the_class)
{
    mp_object *D = new_class("D", SLOTS("s", "__dict__")), *o = new_instance(D);
    mp_object *v1 = mp_int_from_long(1001), *v2 = mp_int_from_long(1002);
    mp_object_setattr_str(o, "s", v1);
    mp_object_setattr_str(o, "x", v2);
    cr_expect(mp_type_is_gc(MP_TYPE(o)));
    visited_count = 0;
    cr_expect_eq(MP_TYPE(o)->tp_traverse(o, record_visit, NULL), 0);
    cr_assert_eq(visited_count, 3);
    cr_expect_eq(visited[0], v1);
    cr_expect_eq(visited[1], v2);
    cr_expect_eq(visited[2], D);
    cr_expect_eq(MP_TYPE(o)->tp_clear(o), 0);
    cr_expect_eq(mp_getrefcount(v1), 2);
    cr_expect_eq(mp_getrefcount(v2), 2);
    cr_expect_null(mp_object_getattr_str(o, "x"));
    mp_err_clear();
    set_attr(o, "x", 5); /* a cleared instance still takes attributes */
    cr_expect_eq(get_attr(o, "x"), 5);
    MP_DECREF(v1);
    MP_DECREF(v2);
    MP_DECREF(o);
    MP_DECREF(D);
}

/* Instances hash by identity, so they can be dict keys. */
Test(instance, instances_hash_by_identity_and_print_like_cpython)
{
    mp_object *A = new_class("A", NULL), *a = new_instance(A), *b = new_instance(A);
    mp_object *d = mp_dict_new(), *one = mp_int_from_long(1);
    mp_dict_setitem(d, a, one);
    cr_expect_eq(mp_dict_getitem(d, a), one);
    cr_expect_null(mp_dict_getitem(d, b));
    cr_expect_eq(mp_object_richcompare(a, b, MP_EQ), 0);
    char buf[64], want[64];
    snprintf(want, sizeof want, "<__main__.A object at %p>", (void *)a);
    cr_expect_str_eq(mp_repr(a, buf, sizeof buf), want);
    MP_DECREF(one);
    MP_DECREF(d);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(A);
}

/* ---- traced bytes per instance ------------------------------------------------------ */

/* tracemalloc's bytes per instance for 1000 instances of a fresh class,
 * each given k attributes.
 * python3 -c "
 * import tracemalloc, gc; gc.disable()
 * for k in (0, 2, 3, 4, 5):
 *     class A: pass
 *     names = ['a%d' % i for i in range(k)]; keep = [None] * 1000
 *     tracemalloc.start()
 *     for i in range(1000):
 *         o = A()
 *         for n in names: setattr(o, n, None)
 *         keep[i] = o
 *     print(k, tracemalloc.get_traced_memory()[0] / 1000); tracemalloc.stop()"
 * -> 0 75.64, 2 91.2, 3 98.992, 4 106.792, 5 114.6 (python3 3.11.7) */
static double traced_per_instance(mp_object *cls, int k)
{
    enum { N = 1000 };
    mp_object *names[8];
    for (int i = 0; i < k; i++) {
        char text[16];
        snprintf(text, sizeof text, "a%d", i);
        names[i] = mp_str_intern_from_utf8(text);
    }
    mp_object **keep = malloc(N * sizeof *keep);
    cr_assert_not_null(keep);
    mp_object *none = mp_int_from_long(0);
    cr_assert_eq(mp_tracemalloc_start(), 0);
    for (int i = 0; i < N; i++) {
        keep[i] = mp_instance_new(cls);
        for (int j = 0; j < k; j++)
            cr_assert_eq(mp_object_setattr(keep[i], names[j], none), 0);
    }
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    mp_tracemalloc_stop();
    for (int i = 0; i < N; i++)
        MP_DECREF(keep[i]);
    free(keep);
    for (int i = 0; i < k; i++)
        MP_DECREF(names[i]);
    MP_DECREF(none);
    return (double)current / N;
}

static void expect_within_10_percent(double ours, double cpython, const char *what)
{
    cr_expect(ours >= cpython * 0.9 && ours <= cpython * 1.1, "%s: %.1f bytes here, %.1f in CPython",
              what, ours, cpython);
}

Test(instance, traced_bytes_per_dict_instance_agree_with_cpython)
{
    static const struct {
        int k;
        double cpython;
    } cases[] = {{0, 75.64}, {2, 91.2}, {3, 98.992}, {4, 106.792}, {5, 114.6}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_object *A = new_class("A", NULL);
        char what[32];
        snprintf(what, sizeof what, "%d attributes", cases[i].k);
        expect_within_10_percent(traced_per_instance(A, cases[i].k), cases[i].cpython, what);
        MP_DECREF(A);
    }
}

/* python3 -c "
 * import tracemalloc
 * for s in (('a0', 'a1'), ('a0', 'a1', '__weakref__')):
 *     C = type('C', (), {'__slots__': s}); keep = [None] * 1000; tracemalloc.start()
 *     for i in range(1000):
 *         o = C(); o.a0 = o.a1 = None; keep[i] = o
 *     print(tracemalloc.get_traced_memory()[0] / 1000); tracemalloc.stop()"  -> 48.032 56.032 */
Test(instance, traced_bytes_per_slotted_instance_agree_with_cpython)
{
    mp_object *S = new_class("S", SLOTS("a0", "a1"));
    mp_object *W = new_class("W", SLOTS("a0", "a1", "__weakref__"));
    double s = traced_per_instance(S, 2), w = traced_per_instance(W, 2);
    expect_within_10_percent(s, 48.032, "slots");
    expect_within_10_percent(w, 56.032, "slots and __weakref__");
    cr_expect_eq(s, 48.0, "one block of exactly getsizeof's bytes");
    cr_expect_eq(w, 56.0);
    MP_DECREF(S);
    MP_DECREF(W);
}
