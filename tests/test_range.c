/* test_range.c — ranges: size, length, iteration at the ends of a long,
 * O(1) membership, equality and repr (runtime/range.c). */
#include <limits.h>

#include "support.h"

MP_TEST_SUITE(range);

static mp_object *range(long start, long stop, long step)
{
    mp_object *r = mp_range_new(start, stop, step);
    cr_assert_not_null(r, "%s", mp_err_message());
    return r;
}

/* The items of r are exactly `expected`, then the iterator stays done. */
static void expect_items(mp_object *r, const long *expected, size_t n)
{
    mp_object *it = mp_object_getiter(r), *x;
    size_t i = 0;
    while ((x = mp_iter_next(it)) != NULL) {
        cr_assert_lt(i, n, "more items than expected");
        cr_expect_eq(mp_int_as_long(x), expected[i], "item %zu: %ld, expected %ld", i,
                     mp_int_as_long(x), expected[i]);
        i++;
        MP_DECREF(x);
    }
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(i, n);
    cr_expect_null(mp_iter_next(it));
    MP_DECREF(it);
}

#define ITEMS(r, ...)                                                                          \
    expect_items(r, (const long[]){__VA_ARGS__}, sizeof((const long[]){__VA_ARGS__}) / sizeof(long))

static int contains_long(mp_object *r, long v)
{
    mp_object *i = mp_int_from_long(v);
    int found = mp_sequence_contains(r, i);
    MP_DECREF(i);
    return found;
}

/* python3 -c "import sys; print(sys.getsizeof(range(10)), sys.getsizeof(range(10**18)),
 *   sys.getsizeof(iter(range(10))), sys.getsizeof(iter(range(-2**63, 2**63 - 1))))"
 * -> 48 48 48 48 */
Test(range, a_range_and_its_iterators_are_48_bytes_whatever_the_length)
{
    mp_object *small = range(0, 10, 1), *big = range(0, 1000000000000000000, 1);
    mp_object *huge = range(LONG_MIN, LONG_MAX, 1);
    mp_object *it = mp_object_getiter(small), *longit = mp_object_getiter(huge);
    cr_expect_eq(mp_getsizeof(small), 48);
    cr_expect_eq(mp_getsizeof(big), 48);
    cr_expect_eq(mp_getsizeof(it), 48);
    cr_expect_eq(mp_getsizeof(longit), 48);
    MP_DECREF(it);
    MP_DECREF(longit);
    MP_DECREF(small);
    MP_DECREF(big);
    MP_DECREF(huge);
}

/* python3 -c "r = range(-2**63, 2**63 - 1); print(type(iter(r)).__name__,
 *   type(iter(range(3))).__name__)"  -> longrange_iterator range_iterator */
Test(range, a_range_too_long_for_a_long_gets_a_longrange_iterator)
{
    mp_object *r = range(LONG_MIN, LONG_MAX, 1), *s = range(0, 3, 1);
    mp_object *a = mp_object_getiter(r), *b = mp_object_getiter(s);
    cr_expect_str_eq(a->ob_type->tp_name, "longrange_iterator");
    cr_expect_str_eq(b->ob_type->tp_name, "range_iterator");
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(r);
    MP_DECREF(s);
}

/* python3 -c "print(len(range(10, 0, -3)), len(range(0, 10, 3)), len(range(5, 5)),
 *   len(range(5, 0)), len(range(-2**63, 2**63 - 1, 3)))"
 * -> 4 4 0 0 6148914691236517205 */
Test(range, len_counts_the_items)
{
    static const struct {
        long start, stop, step;
        mp_ssize_t len;
    } cases[] = {{10, 0, -3, 4},
                 {0, 10, 3, 4},
                 {5, 5, 1, 0},
                 {5, 0, 1, 0},
                 {LONG_MIN, LONG_MAX, 3, 6148914691236517205}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_object *r = range(cases[i].start, cases[i].stop, cases[i].step);
        cr_expect_eq(mp_object_len(r), cases[i].len, "case %zu", i);
        MP_DECREF(r);
    }
}

/* python3 -c "len(range(-2**63, 2**63 - 1))"
 * -> OverflowError: Python int too large to convert to C ssize_t */
Test(range, len_of_a_range_longer_than_a_ssize_t_is_an_overflow_error)
{
    mp_object *r = range(LONG_MIN, LONG_MAX, 1);
    cr_expect_eq(mp_object_len(r), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_OVERFLOW);
    cr_expect_str_eq(mp_err_message(), "Python int too large to convert to C ssize_t");
    mp_err_clear();
    MP_DECREF(r);
}

/* python3 -c "range(0, 1, 0)"  -> ValueError: range() arg 3 must not be zero */
Test(range, a_zero_step_is_a_value_error)
{
    cr_expect_null(mp_range_new(0, 1, 0));
    cr_expect_eq(mp_err_occurred(), MP_ERR_VALUE);
    cr_expect_str_eq(mp_err_message(), "range() arg 3 must not be zero");
    mp_err_clear();
}

/* python3 -c "print(list(range(10, 0, -3)), list(range(2**63 - 3, 2**63 - 1)),
 *   list(range(-2**63, -2**63 + 6, 2)), list(range(2**63 - 2, -2**63, -(2**62))))"
 * -> [10, 7, 4, 1] [9223372036854775805, 9223372036854775806]
 *    [-9223372036854775808, -9223372036854775806, -9223372036854775804]
 *    [9223372036854775806, 4611686018427387902, -2, -4611686018427387906] */
Test(range, iteration_yields_each_item_up_to_the_ends_of_a_long)
{
    mp_object *a = range(10, 0, -3), *b = range(LONG_MAX - 2, LONG_MAX, 1);
    mp_object *c = range(LONG_MIN, LONG_MIN + 6, 2);
    mp_object *d = range(LONG_MAX - 1, LONG_MIN, -(1L << 62));
    mp_object *e = range(3, 3, 1);
    ITEMS(a, 10, 7, 4, 1);
    ITEMS(b, 9223372036854775805, 9223372036854775806);
    ITEMS(c, LONG_MIN, LONG_MIN + 2, LONG_MIN + 4);
    ITEMS(d, 9223372036854775806, 4611686018427387902, -2, -4611686018427387906);
    expect_items(e, NULL, 0);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
    MP_DECREF(d);
    MP_DECREF(e);
}

/* python3 -c "r = iter(range(-2**63, 2**63 - 1)); print(next(r), next(r))"
 * -> -9223372036854775808 -9223372036854775807 */
Test(range, the_longest_range_of_longs_iterates)
{
    mp_object *r = range(LONG_MIN, LONG_MAX, 1), *it = mp_object_getiter(r);
    mp_object *x = mp_iter_next(it), *y = mp_iter_next(it);
    cr_expect_eq(mp_int_as_long(x), LONG_MIN);
    cr_expect_eq(mp_int_as_long(y), LONG_MIN + 1);
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(it);
    MP_DECREF(r);
}

/* python3 -c "print(5 in range(0, 10, 2), 4 in range(0, 10, 2), -3 in range(10, -10, -3),
 *   -2 in range(10, -10, -3), 10**30 in range(10))"  -> False True False True False
 * python3 -c "r = range(-2**63, 2**63 - 1); print(2**63 - 1 in r, 2**63 - 2 in r,
 *   -2**63 in range(-2**63, 2**63 - 1, 3), 2**63 - 2 in range(-2**63, 2**63 - 1, 3))"
 * -> False True True False */
Test(range, membership_of_ints_is_arithmetic)
{
    mp_object *evens = range(0, 10, 2), *down = range(10, -10, -3);
    mp_object *all = range(LONG_MIN, LONG_MAX, 1), *thirds = range(LONG_MIN, LONG_MAX, 3);
    cr_expect_eq(contains_long(evens, 5), 0);
    cr_expect_eq(contains_long(evens, 4), 1);
    cr_expect_eq(contains_long(evens, 10), 0);
    cr_expect_eq(contains_long(down, -3), 0);
    cr_expect_eq(contains_long(down, -2), 1);
    cr_expect_eq(contains_long(down, 10), 1);
    cr_expect_eq(contains_long(down, -10), 0);
    cr_expect_eq(contains_long(all, LONG_MAX), 0);
    cr_expect_eq(contains_long(all, LONG_MAX - 1), 1);
    cr_expect_eq(contains_long(thirds, LONG_MIN), 1);
    cr_expect_eq(contains_long(thirds, LONG_MAX - 1), 0);
    mp_object *big = mp_int_from_string("1000000000000000000000000000000");
    mp_object *ten = range(0, 10, 1);
    cr_expect_eq(mp_sequence_contains(ten, big), 0);
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE, "an int beyond a long is simply absent");
    MP_DECREF(big);
    MP_DECREF(ten);
    MP_DECREF(evens);
    MP_DECREF(down);
    MP_DECREF(all);
    MP_DECREF(thirds);
}

/* Checking 10**17 in range(10**18) would take years item by item; here it
 * must come back at once. */
Test(range, membership_does_not_walk_the_items, .timeout = 5)
{
    mp_object *r = range(0, 1000000000000000000, 1);
    cr_expect_eq(contains_long(r, 999999999999999999), 1);
    MP_DECREF(r);
}

/* python3 -c "print('a' in range(3))"  -> False (found by comparing with
 * every item: a non-int takes the slow way) */
Test(range, membership_of_other_objects_compares_with_every_item)
{
    mp_object *r = range(0, 3, 1), *a = mp_str_from_utf8("a");
    size_t before = stats().allocations;
    cr_expect_eq(mp_sequence_contains(r, a), 0);
    cr_expect_eq(stats().allocations, before + 1, "one iterator made (the items are cached ints)");
    MP_DECREF(a);
    MP_DECREF(r);
}

/* python3 -c "print(range(0) == range(5, 5), range(0, 3, 2) == range(0, 4, 2),
 *   range(1, 2) == range(1, 2, 5), range(0, 10) == range(0, 10, 2))"
 * -> True True True False */
Test(range, ranges_are_equal_when_they_hold_the_same_items)
{
    mp_object *a = range(0, 0, 1), *b = range(5, 5, 1), *c = range(0, 3, 2), *d = range(0, 4, 2);
    mp_object *e = range(1, 2, 1), *f = range(1, 2, 5), *g = range(0, 10, 1), *h = range(0, 10, 2);
    cr_expect_eq(mp_object_richcompare(a, b, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(c, d, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(e, f, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(g, h, MP_EQ), 0);
    cr_expect_eq(mp_object_richcompare(g, h, MP_NE), 1);
    /* python3 -c "range(1) < range(2)"
     * -> TypeError: '<' not supported between instances of 'range' and 'range' */
    cr_expect_eq(mp_object_richcompare(a, b, MP_LT), -1);
    cr_expect_str_eq(mp_err_message(),
                     "'<' not supported between instances of 'range' and 'range'");
    mp_err_clear();
    mp_object *all[] = {a, b, c, d, e, f, g, h};
    for (size_t i = 0; i < 8; i++)
        MP_DECREF(all[i]);
}

/* python3 -c "print(range(10), range(0, 10, 2), range(-5, 5, 1), range(10, 0, -3))"
 * -> range(0, 10) range(0, 10, 2) range(-5, 5) range(10, 0, -3) */
Test(range, repr_is_cpythons)
{
    mp_object *a = range(0, 10, 1), *b = range(0, 10, 2);
    mp_object *c = range(-5, 5, 1), *d = range(10, 0, -3);
    expect_repr(a, "range(0, 10)");
    expect_repr(b, "range(0, 10, 2)");
    expect_repr(c, "range(-5, 5)");
    expect_repr(d, "range(10, 0, -3)");
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
    MP_DECREF(d);
}

/* python3 -c "import sys; s = set(range(1000)); print(len(s), sys.getsizeof(s))"  -> 1000 32984 */
Test(range, a_range_feeds_a_set)
{
    mp_object *r = range(0, 1000, 1), *s = mp_set_new(r);
    cr_expect_eq(mp_set_size(s), 1000);
    cr_expect_eq(mp_getsizeof(s), 32984);
    MP_DECREF(s);
    MP_DECREF(r);
}
