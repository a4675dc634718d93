/* test_tuple.c — tuples: sizes, the empty tuple, reference handling, hash,
 * comparison and repr (runtime/tuple.c). */

#include "support.h"

MP_TEST_SUITE(tuple);

/* A tuple of the given small ints. */
static mp_object *ints(mp_ssize_t n, const long *values)
{
    mp_object *t = mp_tuple_new(n);
    cr_assert_not_null(t);
    for (mp_ssize_t i = 0; i < n; i++)
        mp_tuple_set_item(t, i, mp_int_from_long(values[i]));
    return t;
}

static mp_object *pair(mp_object *a, mp_object *b)
{
    mp_object *t = mp_tuple_pack(2, a, b);
    cr_assert_not_null(t);
    return t;
}

/* ---- sizes ---------------------------------------------------------------------- */

/* python3 -c "import sys; print([sys.getsizeof(t) for t in ((), (1,), (1, 2, 3))])"
 * -> [40, 48, 64] */
Test(tuple, getsizeof_matches_cpython)
{
    mp_object *empty = mp_tuple_new(0);
    mp_object *one = ints(1, (long[]){1});
    mp_object *three = ints(3, (long[]){1, 2, 3});
    cr_expect_eq(mp_getsizeof(empty), 40);
    cr_expect_eq(mp_getsizeof(one), 48);
    cr_expect_eq(mp_getsizeof(three), 64);
    MP_DECREF(empty);
    MP_DECREF(one);
    MP_DECREF(three);
}

Test(tuple, size_is_the_item_count)
{
    mp_object *t = ints(3, (long[]){1, 2, 3});
    cr_expect_eq(mp_tuple_size(t), 3);
    MP_DECREF(t);
}

/* ---- the empty tuple ---------------------------------------------------------------- */

/* python3 -c "print(tuple([]) is tuple(()))"  -> True */
Test(tuple, new_of_zero_is_the_shared_empty_tuple)
{
    size_t start = blocks_in_use();
    mp_object *a = mp_tuple_new(0), *b = mp_tuple_new(0), *c = mp_tuple_pack(0);
    cr_expect_eq(a, b);
    cr_expect_eq(a, c);
    cr_expect_eq(blocks_in_use(), start, "the empty tuple was allocated");
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
}

Test(tuple, a_negative_size_is_an_error)
{
    cr_assert_null(mp_tuple_new(-1));
    cr_expect_eq(mp_err_occurred(), MP_ERR_SYSTEM);
    mp_err_clear();
}

/* ---- references ---------------------------------------------------------------------- */

Test(tuple, pack_takes_new_references)
{
    mp_object *a = mp_list_new(0), *b = mp_list_new(0);
    mp_object *t = pair(a, b);
    cr_expect_eq(mp_getrefcount(a), 3);
    cr_expect_eq(mp_getrefcount(b), 3);
    cr_expect_eq(mp_tuple_get_item(t, 0), a);
    cr_expect_eq(mp_tuple_get_item(t, 1), b);
    MP_DECREF(t);
    cr_expect_eq(mp_getrefcount(a), 2);
    cr_expect_eq(mp_getrefcount(b), 2);
    MP_DECREF(a);
    MP_DECREF(b);
}

Test(tuple, get_item_borrows)
{
    mp_object *a = mp_list_new(0);
    mp_object *t = mp_tuple_pack(1, a);
    mp_tuple_get_item(t, 0);
    cr_expect_eq(mp_getrefcount(a), 3);
    MP_DECREF(t);
    MP_DECREF(a);
}

Test(tuple, set_item_steals_the_reference)
{
    counted_deallocs = 0;
    mp_object *t = mp_tuple_new(1);
    mp_object *o = mp_object_new(&counted_type);
    mp_tuple_set_item(t, 0, o);
    cr_expect_eq(mp_getrefcount(o), 2, "the tuple's reference is the only one");
    MP_DECREF(t);
    cr_expect_eq(counted_deallocs, 1);
}

Test(tuple, items_are_released_when_the_tuple_dies)
{
    size_t start = blocks_in_use();
    counted_deallocs = 0;
    mp_object *t = mp_tuple_new(3);
    for (int i = 0; i < 3; i++)
        mp_tuple_set_item(t, i, mp_object_new(&counted_type));
    cr_expect_eq(counted_deallocs, 0);
    MP_DECREF(t);
    cr_expect_eq(counted_deallocs, 3);
    cr_expect_eq(blocks_in_use(), start);
}

Test(tuple, a_tuple_dying_with_empty_slots_is_fine)
{
    size_t start = blocks_in_use();
    mp_object *t = mp_tuple_new(4);
    mp_tuple_set_item(t, 1, mp_int_from_long(1000));
    MP_DECREF(t);
    cr_expect_eq(blocks_in_use(), start);
}

/* ---- the GC slots ------------------------------------------------------------------------- */

static int visits;

static int count_visit(mp_object *o, void *arg)
{
    (void)o;
    (void)arg;
    visits++;
    return 0;
}

Test(tuple, traverse_visits_every_item_and_skips_empty_slots)
{
    mp_object *t = mp_tuple_new(3);
    mp_tuple_set_item(t, 0, mp_int_from_long(1));
    mp_tuple_set_item(t, 2, mp_int_from_long(2));
    visits = 0;
    cr_expect_eq(mp_type_tuple.tp_traverse(t, count_visit, NULL), 0);
    cr_expect_eq(visits, 2);
    MP_DECREF(t);
}

/* ---- hash ---------------------------------------------------------------------------------- */

/* python3 -c "print(hash(()), hash((1,)), hash((1, 2, 3)), hash((-1,)), hash(((1, 2), 3)), hash((10**30, -1)))"
 * -> 5740354900026072187 -6644214454873602895 529344067295497451
 *    8078679518589016365 -333907151259015829 -5596611376840861852 */
Test(tuple, hash_matches_python)
{
    mp_object *empty = mp_tuple_new(0);
    mp_object *one = ints(1, (long[]){1});
    mp_object *three = ints(3, (long[]){1, 2, 3});
    mp_object *minus_one = ints(1, (long[]){-1});
    mp_object *inner = ints(2, (long[]){1, 2}), *three_int = mp_int_from_long(3);
    mp_object *nested = pair(inner, three_int);
    mp_object *big = mp_int_from_string("1000000000000000000000000000000");
    mp_object *minus = mp_int_from_long(-1);
    mp_object *with_big = pair(big, minus);

    cr_expect_eq(mp_object_hash(empty), 5740354900026072187);
    cr_expect_eq(mp_object_hash(one), -6644214454873602895);
    cr_expect_eq(mp_object_hash(three), 529344067295497451);
    cr_expect_eq(mp_object_hash(minus_one), 8078679518589016365);
    cr_expect_eq(mp_object_hash(nested), -333907151259015829);
    cr_expect_eq(mp_object_hash(with_big), -5596611376840861852);

    MP_DECREF(empty);
    MP_DECREF(one);
    MP_DECREF(three);
    MP_DECREF(minus_one);
    MP_DECREF(nested);
    MP_DECREF(inner);
    MP_DECREF(three_int);
    MP_DECREF(with_big);
    MP_DECREF(big);
    MP_DECREF(minus);
}

/* python3 -c "hash((1, []))"  -> TypeError: unhashable type: 'list' */
Test(tuple, hash_of_a_tuple_holding_a_list_is_a_type_error)
{
    mp_object *one = mp_int_from_long(1), *l = mp_list_new(0);
    mp_object *t = pair(one, l);
    cr_expect_eq(mp_object_hash(t), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "unhashable type: 'list'");
    mp_err_clear();
    MP_DECREF(t);
    MP_DECREF(one);
    MP_DECREF(l);
}

/* ---- comparison --------------------------------------------------------------------------------- */

/* python3 -c "print((1, 2) == (1, 2), (1, 2) != (1, 2, 3), (1, 2) <= (1, 2))"  -> True True True */
Test(tuple, equal_tuples_compare_equal)
{
    mp_object *a = ints(2, (long[]){1, 2}), *b = ints(2, (long[]){1, 2});
    mp_object *c = ints(3, (long[]){1, 2, 3});
    cr_expect_eq(mp_object_richcompare(a, b, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(a, c, MP_NE), 1);
    cr_expect_eq(mp_object_richcompare(a, b, MP_LE), 1);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
}

/* python3 -c "print((1, 2) < (1, 3), (1, 2) < (1, 2, 0), () < (0,), (2,) > (1, 5))"
 * -> True True True True */
Test(tuple, ordering_is_by_first_difference_then_length)
{
    mp_object *a = ints(2, (long[]){1, 2}), *b = ints(2, (long[]){1, 3});
    mp_object *c = ints(3, (long[]){1, 2, 0}), *empty = mp_tuple_new(0);
    mp_object *zero = ints(1, (long[]){0}), *d = ints(1, (long[]){2});
    mp_object *e = ints(2, (long[]){1, 5});
    cr_expect_eq(mp_object_richcompare(a, b, MP_LT), 1);
    cr_expect_eq(mp_object_richcompare(a, c, MP_LT), 1);
    cr_expect_eq(mp_object_richcompare(empty, zero, MP_LT), 1);
    cr_expect_eq(mp_object_richcompare(d, e, MP_GT), 1);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
    MP_DECREF(empty);
    MP_DECREF(zero);
    MP_DECREF(d);
    MP_DECREF(e);
}

/* python3 -c "print((1, 'a') < (1, 'b'), (1, 2) == (1, 'a'))"  -> True False */
Test(tuple, items_of_mixed_types_compare_like_python)
{
    mp_object *one = mp_int_from_long(1), *two = mp_int_from_long(2);
    mp_object *sa = mp_str_from_utf8("a"), *sb = mp_str_from_utf8("b");
    mp_object *x = pair(one, sa), *y = pair(one, sb), *z = pair(one, two);
    cr_expect_eq(mp_object_richcompare(x, y, MP_LT), 1);
    cr_expect_eq(mp_object_richcompare(z, x, MP_EQ), 0);
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(z);
    MP_DECREF(one);
    MP_DECREF(two);
    MP_DECREF(sa);
    MP_DECREF(sb);
}

/* python3 -c "(1, 2) < (1, 'a')"
 * -> TypeError: '<' not supported between instances of 'int' and 'str' */
Test(tuple, ordering_unorderable_items_is_a_type_error)
{
    mp_object *one = mp_int_from_long(1), *two = mp_int_from_long(2);
    mp_object *sa = mp_str_from_utf8("a");
    mp_object *x = pair(one, two), *y = pair(one, sa);
    cr_expect_eq(mp_object_richcompare(x, y, MP_LT), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "'<' not supported between instances of 'int' and 'str'");
    mp_err_clear();
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(one);
    MP_DECREF(two);
    MP_DECREF(sa);
}

/* ---- repr ------------------------------------------------------------------------------------------- */

/* python3 -c "print(repr(()), repr((1,)), repr((1, 2, 3)), repr(((1,), ())))"
 * -> () (1,) (1, 2, 3) ((1,), ()) */
Test(tuple, repr_matches_python)
{
    mp_object *empty = mp_tuple_new(0);
    mp_object *one = ints(1, (long[]){1});
    mp_object *three = ints(3, (long[]){1, 2, 3});
    mp_object *nested = pair(one, empty);
    expect_repr(empty, "()");
    expect_repr(one, "(1,)");
    expect_repr(three, "(1, 2, 3)");
    expect_repr(nested, "((1,), ())");
    MP_DECREF(nested);
    MP_DECREF(empty);
    MP_DECREF(one);
    MP_DECREF(three);
}

/* A one-tuple inside itself prints as (...), without the comma.
 * python3 -c "l = []; t = (l,); l.append(t); print(repr(t))"  -> ([(...)],) */
Test(tuple, repr_of_a_one_tuple_inside_itself)
{
    mp_object *l = mp_list_new(0);
    mp_object *t = mp_tuple_pack(1, l);
    mp_list_append(l, t);
    expect_repr(t, "([(...)],)");
    MP_DECREF(mp_list_pop(l, 0));
    MP_DECREF(t);
    MP_DECREF(l);
}
