/* test_abstract.c — iteration, len, membership and attributes for any
 * object (runtime/abstract.c), and the list and tuple iterators
 * (runtime/seqiter.c). */
#include <string.h>

#include "support.h"

MP_TEST_SUITE(abstract);

static mp_object *ints(long n)
{
    mp_object *l = mp_list_new(0);
    for (long i = 0; i < n; i++) {
        mp_object *v = mp_int_from_long(1000 + i);
        mp_list_append(l, v);
        MP_DECREF(v);
    }
    return l;
}

Test(abstract, a_list_iterator_yields_every_item_in_order_then_stops)
{
    mp_object *l = ints(5), *it = mp_object_getiter(l);
    cr_assert_not_null(it);
    for (long i = 0; i < 5; i++) {
        mp_object *x = mp_iter_next(it);
        cr_assert_not_null(x);
        cr_expect_eq(mp_int_as_long(x), 1000 + i);
        MP_DECREF(x);
    }
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE, "exhaustion is not an error");
    cr_expect_null(mp_iter_next(it), "an exhausted iterator stays exhausted");
    MP_DECREF(it);
    MP_DECREF(l);
}

/* python3 -c "import sys; l = []; i = iter(l); print(sys.getrefcount(l));
 *             list(i); print(sys.getrefcount(l))"  -> 3, then 2 */
Test(abstract, an_iterator_holds_its_list_until_exhausted)
{
    mp_object *l = ints(2), *it = mp_object_getiter(l);
    cr_expect_eq(mp_getrefcount(l), 3);
    mp_object *x;
    while ((x = mp_iter_next(it)) != NULL)
        MP_DECREF(x);
    cr_expect_eq(mp_getrefcount(l), 2);
    MP_DECREF(it);
    MP_DECREF(l);
}

/* python3 -c "import sys; print(sys.getsizeof(iter([])), sys.getsizeof(iter(())))"  -> 48 48 */
Test(abstract, list_and_tuple_iterators_are_48_bytes)
{
    mp_object *l = mp_list_new(0), *t = mp_tuple_new(0);
    mp_object *li = mp_object_getiter(l), *ti = mp_object_getiter(t);
    cr_expect_eq(mp_getsizeof(li), 48);
    cr_expect_eq(mp_getsizeof(ti), 48);
    MP_DECREF(li);
    MP_DECREF(ti);
    MP_DECREF(l);
    MP_DECREF(t);
}

Test(abstract, an_iterator_is_its_own_iterator)
{
    mp_object *l = ints(1), *it = mp_object_getiter(l), *again = mp_object_getiter(it);
    cr_expect_eq(again, it);
    MP_DECREF(again);
    MP_DECREF(it);
    MP_DECREF(l);
}

Test(abstract, a_list_iterator_sees_appends_made_while_iterating)
{
    mp_object *l = ints(1), *it = mp_object_getiter(l);
    mp_object *x = mp_iter_next(it);
    MP_DECREF(x);
    mp_object *v = mp_int_from_long(7);
    mp_list_append(l, v);
    MP_DECREF(v);
    x = mp_iter_next(it);
    cr_assert_not_null(x);
    cr_expect_eq(mp_int_as_long(x), 7);
    MP_DECREF(x);
    MP_DECREF(it);
    MP_DECREF(l);
}

Test(abstract, a_tuple_iterates_too)
{
    mp_object *a = mp_int_from_long(1), *b = mp_int_from_long(2);
    mp_object *t = mp_tuple_pack(2, a, b), *it = mp_object_getiter(t);
    mp_object *x = mp_iter_next(it), *y = mp_iter_next(it);
    cr_expect_eq(x, a);
    cr_expect_eq(y, b);
    cr_expect_null(mp_iter_next(it));
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(it);
    MP_DECREF(t);
    MP_DECREF(a);
    MP_DECREF(b);
}

/* python3 -c "iter(5)"  -> TypeError: 'int' object is not iterable */
Test(abstract, an_int_is_not_iterable)
{
    mp_object *five = mp_int_from_long(5);
    cr_expect_null(mp_object_getiter(five));
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "'int' object is not iterable");
    mp_err_clear();
    MP_DECREF(five);
}

/* python3 -c "next([])"  -> TypeError: 'list' object is not an iterator */
Test(abstract, a_list_is_not_an_iterator)
{
    mp_object *l = mp_list_new(0);
    cr_expect_null(mp_iter_next(l));
    cr_expect_str_eq(mp_err_message(), "'list' object is not an iterator");
    mp_err_clear();
    MP_DECREF(l);
}

/* python3 -c "len(5)"  -> TypeError: object of type 'int' has no len() */
Test(abstract, len_of_lists_and_tuples_and_not_of_ints)
{
    mp_object *l = ints(3), *t = mp_tuple_new(0), *five = mp_int_from_long(5);
    cr_expect_eq(mp_object_len(l), 3);
    cr_expect_eq(mp_object_len(t), 0);
    cr_expect_eq(mp_object_len(five), -1);
    cr_expect_str_eq(mp_err_message(), "object of type 'int' has no len()");
    mp_err_clear();
    MP_DECREF(l);
    MP_DECREF(t);
    MP_DECREF(five);
}

/* Membership compares with ==, so an equal int that is another object is
 * found: python3 -c "print(int('1001') in [1000, 1001])"  -> True */
Test(abstract, membership_finds_equal_items_not_only_identical_ones)
{
    mp_object *l = ints(3), *probe = mp_int_from_string("1001"), *absent = mp_int_from_long(5000);
    cr_expect_eq(mp_sequence_contains(l, probe), 1);
    cr_expect_eq(mp_sequence_contains(l, absent), 0);
    mp_object *t = mp_tuple_pack(1, probe);
    cr_expect_eq(mp_sequence_contains(t, probe), 1);
    MP_DECREF(t);
    MP_DECREF(l);
    MP_DECREF(probe);
    MP_DECREF(absent);
}

/* python3 -c "(5).x"  -> AttributeError: 'int' object has no attribute 'x' */
Test(abstract, an_int_has_no_attributes)
{
    mp_object *five = mp_int_from_long(5);
    cr_expect_null(mp_object_getattr_str(five, "x"));
    cr_expect_eq(mp_err_occurred(), MP_ERR_ATTRIBUTE);
    cr_expect_str_eq(mp_err_message(), "'int' object has no attribute 'x'");
    mp_err_clear();
    cr_expect_eq(mp_object_setattr_str(five, "x", five), -1);
    cr_expect_str_eq(mp_err_message(), "'int' object has no attribute 'x'");
    mp_err_clear();
    MP_DECREF(five);
}
