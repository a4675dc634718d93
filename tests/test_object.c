/* test_object.c — reference counting, getrefcount, getsizeof, id, hash,
 * comparison and repr for any object (runtime/object.c). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "support.h"

#ifdef MP_DEBUG
#include "child.h"
#endif

MP_TEST_SUITE(object);

/* A container type with a GC header and room for one pointer. */
typedef struct {
    mp_object ob_base;
    mp_object *ref;
} box;

static void box_dealloc(mp_object *o) { mp_gc_del(o); }

static mp_type box_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "box",
    .tp_basicsize = sizeof(box),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = box_dealloc,
};

/* The same size as box, without a GC header. */
static mp_type plain_box_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "plain_box",
    .tp_basicsize = sizeof(box),
    .tp_dealloc = mp_object_del,
};

/* A variable-size type of 8-byte items with no __sizeof__ of its own. */
static mp_type var_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "var",
    .tp_basicsize = sizeof(mp_varobject),
    .tp_itemsize = 8,
    .tp_dealloc = mp_object_del,
};

static mp_object *list_of(mp_object *a, mp_object *b)
{
    mp_object *l = mp_list_new(0);
    cr_expect_eq(mp_list_append(l, a), 0);
    if (b)
        cr_expect_eq(mp_list_append(l, b), 0);
    return l;
}

/* ---- reference counts ------------------------------------------------------ */

/* python3 -c "import sys; l = []; print(sys.getrefcount(l))"  -> 2 */
Test(object, getrefcount_counts_its_argument)
{
    mp_object *l = mp_list_new(0);
    cr_expect_eq(mp_getrefcount(l), 2);
    MP_DECREF(l);
}

/* python3 -c "import sys; l = []; m = l; print(sys.getrefcount(l))"  -> 3 */
Test(object, getrefcount_sees_a_new_reference)
{
    mp_object *l = mp_list_new(0);
    mp_object *m = mp_newref(l);
    cr_expect_eq(m, l);
    cr_expect_eq(mp_getrefcount(l), 3);
    MP_DECREF(m);
    cr_expect_eq(mp_getrefcount(l), 2);
    MP_DECREF(l);
}

Test(object, getrefcount_leaves_the_count_unchanged)
{
    mp_object *l = mp_list_new(0);
    mp_getrefcount(l);
    cr_expect_eq(MP_REFCNT(l), 1);
    MP_DECREF(l);
}

Test(object, decref_deallocates_exactly_once_at_zero)
{
    size_t start = blocks_in_use();
    counted_deallocs = 0;
    mp_object *o = mp_object_new(&counted_type);
    cr_assert_not_null(o);
    MP_INCREF(o);
    MP_INCREF(o);
    MP_DECREF(o);
    MP_DECREF(o);
    cr_expect_eq(counted_deallocs, 0, "deallocated while a reference remained");
    MP_DECREF(o);
    cr_expect_eq(counted_deallocs, 1);
    cr_expect_eq(blocks_in_use(), start);
}

Test(object, xdecref_of_null_does_nothing)
{
    size_t start = blocks_in_use();
    mp_object *nothing = NULL;
    MP_XDECREF(nothing);
    cr_expect_eq(blocks_in_use(), start);
}

Test(object, clear_empties_the_slot_and_releases)
{
    counted_deallocs = 0;
    mp_object *slot = mp_object_new(&counted_type);
    MP_CLEAR(slot);
    cr_assert_null(slot);
    cr_expect_eq(counted_deallocs, 1);
}

/* ---- getsizeof and id ------------------------------------------------------- */

/* A type without a GC header reports exactly its basic size: box is
 * refcount + type + one pointer = 3 * 8 bytes. */
Test(object, getsizeof_of_a_plain_object_is_its_basic_size)
{
    mp_object *o = mp_object_new(&plain_box_type);
    cr_expect_eq(mp_getsizeof(o), 24);
    MP_DECREF(o);
}

/* python3 -c "import sys; print(sys.getsizeof([]) - [].__sizeof__())"  -> 16 */
Test(object, getsizeof_adds_16_for_gc_types)
{
    mp_object *o = mp_gc_new(&box_type);
    cr_expect_eq(mp_getsizeof(o), 24 + 16);
    MP_DECREF(o);
}

/* Without a __sizeof__, a var object is basicsize + itemsize * |ob_size|,
 * the sign of ob_size being int's sign: 24 + 8 * 3. */
Test(object, getsizeof_of_a_var_object_counts_its_items)
{
    mp_varobject *v = mp_object_new_var(&var_type, 3);
    cr_assert_not_null(v);
    cr_expect_eq(mp_getsizeof(MP_OBJ(v)), 48);
    MP_SIZE(v) = -3;
    cr_expect_eq(mp_getsizeof(MP_OBJ(v)), 48);
    MP_SIZE(v) = 3;
    MP_DECREF(v);
}

Test(object, id_is_the_address)
{
    mp_object *l = mp_list_new(0);
    cr_expect_eq(mp_id(l), (uintptr_t)l);
    MP_DECREF(l);
}

Test(object, ids_of_two_live_objects_differ)
{
    mp_object *a = mp_list_new(0), *b = mp_list_new(0);
    cr_expect_neq(mp_id(a), mp_id(b));
    MP_DECREF(a);
    MP_DECREF(b);
}

/* ---- hash -------------------------------------------------------------------- */

/* python3 -c "hash([])"  -> TypeError: unhashable type: 'list' */
Test(object, hash_of_a_list_is_a_type_error)
{
    mp_object *l = mp_list_new(0);
    cr_expect_eq(mp_object_hash(l), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "unhashable type: 'list'");
    mp_err_clear();
    MP_DECREF(l);
}

/* python3 -c "print(hash(1000))"  -> 1000 */
Test(object, hash_dispatches_to_the_type)
{
    mp_object *i = mp_int_from_long(1000);
    cr_expect_eq(mp_object_hash(i), 1000);
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    MP_DECREF(i);
}

/* ---- rich comparison ---------------------------------------------------------- */

/* python3 -c "print(1 == '1', 1 != '1')"  -> False True */
Test(object, objects_of_different_types_are_unequal)
{
    mp_object *i = mp_int_from_long(1), *s = mp_str_from_utf8("1");
    cr_expect_eq(mp_object_richcompare(i, s, MP_EQ), 0);
    cr_expect_eq(mp_object_richcompare(i, s, MP_NE), 1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    MP_DECREF(i);
    MP_DECREF(s);
}

/* python3 -c "1 < 'a'"
 * -> TypeError: '<' not supported between instances of 'int' and 'str' */
Test(object, ordering_different_types_is_a_type_error)
{
    mp_object *i = mp_int_from_long(1), *s = mp_str_from_utf8("a");
    cr_expect_eq(mp_object_richcompare(i, s, MP_LT), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "'<' not supported between instances of 'int' and 'str'");
    mp_err_clear();
    MP_DECREF(i);
    MP_DECREF(s);
}

/* python3 -c "'a' >= 1"
 * -> TypeError: '>=' not supported between instances of 'str' and 'int' */
Test(object, ordering_error_names_the_operator_and_operand_order)
{
    mp_object *i = mp_int_from_long(1), *s = mp_str_from_utf8("a");
    cr_expect_eq(mp_object_richcompare(s, i, MP_GE), -1);
    cr_expect_str_eq(mp_err_message(), "'>=' not supported between instances of 'str' and 'int'");
    mp_err_clear();
    MP_DECREF(i);
    MP_DECREF(s);
}

/* python3 -c "o = object(); p = object(); print(o == o, o == p, o != p)"
 * -> True False True */
Test(object, objects_without_a_comparison_equal_only_themselves)
{
    mp_object *a = mp_object_new(&counted_type), *b = mp_object_new(&counted_type);
    cr_expect_eq(mp_object_richcompare(a, a, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(a, b, MP_EQ), 0);
    cr_expect_eq(mp_object_richcompare(a, b, MP_NE), 1);
    MP_DECREF(a);
    MP_DECREF(b);
}

/* ---- repr ------------------------------------------------------------------------ */

/* python3 -c "l = []; l.append(l); print(repr(l))"  -> [[...]] */
Test(object, repr_of_a_list_holding_itself)
{
    mp_object *l = mp_list_new(0);
    cr_expect_eq(mp_list_append(l, l), 0);
    expect_repr(l, "[[...]]");
    MP_DECREF(mp_list_pop(l, 0));
    MP_DECREF(l);
}

/* python3 -c "print(repr([[1, 2], [3, [4]]]))"  -> [[1, 2], [3, [4]]] */
Test(object, repr_of_nested_lists)
{
    mp_object *one = mp_int_from_long(1), *two = mp_int_from_long(2);
    mp_object *three = mp_int_from_long(3), *four = mp_int_from_long(4);
    mp_object *a = list_of(one, two);
    mp_object *inner = list_of(four, NULL);
    mp_object *b = list_of(three, inner);
    mp_object *l = list_of(a, b);
    expect_repr(l, "[[1, 2], [3, [4]]]");
    MP_DECREF(l);
    MP_DECREF(b);
    MP_DECREF(inner);
    MP_DECREF(a);
    MP_DECREF(one);
    MP_DECREF(two);
    MP_DECREF(three);
    MP_DECREF(four);
}

/* The same list twice is not a cycle.
 * python3 -c "a = [1]; print(repr([a, a]))"  -> [[1], [1]] */
Test(object, repr_of_a_list_shared_twice_is_not_elided)
{
    mp_object *one = mp_int_from_long(1);
    mp_object *a = list_of(one, NULL);
    mp_object *l = list_of(a, a);
    expect_repr(l, "[[1], [1]]");
    MP_DECREF(l);
    MP_DECREF(a);
    MP_DECREF(one);
}

/* python3 -c "print(repr((1,)), repr(()), repr((1, 2)))"  -> (1,) () (1, 2) */
Test(object, repr_of_tuples)
{
    mp_object *one = mp_int_from_long(1), *two = mp_int_from_long(2);
    mp_object *single = mp_tuple_pack(1, one);
    mp_object *empty = mp_tuple_new(0);
    mp_object *pair = mp_tuple_pack(2, one, two);
    expect_repr(single, "(1,)");
    expect_repr(empty, "()");
    expect_repr(pair, "(1, 2)");
    MP_DECREF(single);
    MP_DECREF(empty);
    MP_DECREF(pair);
    MP_DECREF(one);
    MP_DECREF(two);
}

/* A buffer of 16 holds 12 characters of the repr, "..." and the NUL.
 * python3 -c "print(repr(list(range(100)))[:12] + '...')"  -> [0, 1, 2, 3,... */
Test(object, repr_is_cut_to_the_buffer_with_an_ellipsis)
{
    mp_object *l = mp_list_new(0);
    for (long v = 0; v < 100; v++) {
        mp_object *i = mp_int_from_long(v);
        mp_list_append(l, i);
        MP_DECREF(i);
    }
    char buf[16];
    cr_expect_str_eq(mp_repr(l, buf, sizeof buf), "[0, 1, 2, 3,...");
    MP_DECREF(l);
}

/* A type without a repr prints as object.__repr__ does: <name object at 0x...> */
Test(object, repr_without_a_slot_names_the_type_and_address)
{
    mp_object *o = mp_object_new(&counted_type);
    char expected[64], buf[64];
    snprintf(expected, sizeof expected, "<counted object at %p>", (void *)o);
    cr_expect_str_eq(mp_repr(o, buf, sizeof buf), expected);
    cr_expect_eq(strncmp(buf, "<counted object at 0x", 21), 0);
    MP_DECREF(o);
}

/* ---- debug-build misuse checks -------------------------------------------------- */

#ifdef MP_DEBUG

/* A type whose dealloc does nothing, so its object outlives count zero. */
static void leave_alone(mp_object *o) { (void)o; }

static mp_type undying_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "undying",
    .tp_basicsize = sizeof(mp_object),
    .tp_dealloc = leave_alone,
};

Test(object, debug_decref_of_a_freed_int_aborts_naming_it_and_the_call_site)
{
    mp_object *i = mp_int_from_long(1000);
    MP_DECREF(i);
    child_result r;
    RUN_IN_CHILD(&r, MP_DECREF(i));
    expect_aborted_here(&r, "freed int object");
}

Test(object, debug_refcount_below_zero_aborts_naming_the_type_and_the_call_site)
{
    mp_object *o = mp_object_new(&undying_type);
    MP_DECREF(o);
    child_result r;
    RUN_IN_CHILD(&r, MP_DECREF(o));
    expect_aborted_here(&r, "undying object");
    mp_object_del(o);
}

Test(object, debug_incref_of_a_freed_object_aborts)
{
    mp_object *l = mp_list_new(0);
    MP_DECREF(l);
    child_result r;
    RUN_IN_CHILD(&r, MP_INCREF(l));
    expect_aborted_here(&r, "freed list object");
}

#endif
