/* test_pipeline.c — map, filter and sum, alone and chained with range and
 * generators; sums past 64 bits (runtime/pipeline.c). */
#include <limits.h>

#include "support.h"

MP_TEST_SUITE(pipeline);

static mp_object *square(mp_object *x) { return mp_int_mul(x, x); }

static mp_object *negate(mp_object *x)
{
    mp_object *zero = mp_int_from_long(0), *r = mp_int_sub(zero, x);
    MP_DECREF(zero);
    return r;
}

static int is_odd(mp_object *x) { return (mp_int_as_long(x) & 1) != 0; }

static int refuse_seven(mp_object *x)
{
    if (mp_int_as_long(x) != 7)
        return 1;
    mp_err_set(MP_ERR_VALUE, "seven");
    return -1;
}

static mp_object *range(long start, long stop, long step)
{
    mp_object *r = mp_range_new(start, stop, step);
    cr_assert_not_null(r);
    return r;
}

static void expect_values(mp_object *it, const long *expected, size_t n)
{
    mp_object *x;
    size_t i = 0;
    while ((x = mp_iter_next(it)) != NULL) {
        cr_assert_lt(i, n, "more values than expected");
        cr_expect_eq(mp_int_as_long(x), expected[i], "value %zu", i);
        i++;
        MP_DECREF(x);
    }
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE, "%s", mp_err_message());
    cr_expect_eq(i, n);
}

/* The next value of it is v. */
static void expect_next(mp_object *it, long v)
{
    mp_object *x = mp_iter_next(it);
    cr_assert_not_null(x, "%s", mp_err_message());
    cr_expect_eq(mp_int_as_long(x), v);
    MP_DECREF(x);
}

#define VALUES(it, ...)                                                                            \
    expect_values(it, (const long[]){__VA_ARGS__},                                                 \
                  sizeof((const long[]){__VA_ARGS__}) / sizeof(long))

static void expect_sum(mp_object *iterable, const char *expected)
{
    mp_object *s = mp_sum(iterable);
    cr_assert_not_null(s, "sum failed: %s", mp_err_message());
    expect_repr(s, expected);
    MP_DECREF(s);
}

/* [x*x for x in range(n)]: what a list comprehension builds, one append
 * per item. */
static mp_object *squares_list(long n)
{
    mp_object *r = range(0, n, 1), *it = mp_object_getiter(r), *l = mp_list_new(0), *x;
    while ((x = mp_iter_next(it)) != NULL) {
        mp_object *sq = mp_int_mul(x, x);
        mp_list_append(l, sq);
        MP_DECREF(sq);
        MP_DECREF(x);
    }
    MP_DECREF(it);
    MP_DECREF(r);
    return l;
}

/* ---- map and filter ------------------------------------------------------------- */

/* python3 -c "import sys; print(sys.getsizeof(map(abs, [])), sys.getsizeof(filter(None, [])))"
 * -> 48 48 */
Test(pipeline, map_and_filter_objects_are_48_bytes)
{
    mp_object *l = mp_list_new(0), *m = mp_map_new(square, l), *f = mp_filter_new(is_odd, l);
    cr_expect_eq(mp_getsizeof(m), 48);
    cr_expect_eq(mp_getsizeof(f), 48);
    MP_DECREF(m);
    MP_DECREF(f);
    MP_DECREF(l);
}

/* python3 -c "print(list(map(lambda x: x*x, range(5))), list(filter(lambda x: x % 2, range(10))))"
 * -> [0, 1, 4, 9, 16] [1, 3, 5, 7, 9] */
Test(pipeline, map_applies_and_filter_keeps)
{
    mp_object *r = range(0, 5, 1), *m = mp_map_new(square, r);
    VALUES(m, 0, 1, 4, 9, 16);
    cr_expect_null(mp_iter_next(m), "stays exhausted");
    mp_object *r10 = range(0, 10, 1), *f = mp_filter_new(is_odd, r10);
    VALUES(f, 1, 3, 5, 7, 9);
    MP_DECREF(m);
    MP_DECREF(f);
    MP_DECREF(r);
    MP_DECREF(r10);
}

/* python3 -c "map(abs, 5)"  -> TypeError: 'int' object is not iterable */
Test(pipeline, map_and_filter_take_iter_at_once)
{
    mp_object *five = mp_int_from_long(5);
    cr_expect_null(mp_map_new(square, five));
    cr_expect_str_eq(mp_err_message(), "'int' object is not iterable");
    mp_err_clear();
    cr_expect_null(mp_filter_new(is_odd, five));
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    mp_err_clear();
    MP_DECREF(five);
}

Test(pipeline, an_error_in_the_function_reaches_the_consumer)
{
    mp_object *r = range(0, 10, 1), *f = mp_filter_new(refuse_seven, r);
    mp_object *s = mp_sum(f);
    cr_expect_null(s);
    cr_expect_eq(mp_err_occurred(), MP_ERR_VALUE);
    cr_expect_str_eq(mp_err_message(), "seven");
    mp_err_clear();
    MP_DECREF(f);
    MP_DECREF(r);
}

/* python3 -c "print(list(map(lambda x: -x, filter(lambda x: x % 2, (x*x for x in range(8))))))"
 * -> [-1, -9, -25, -49] */
Test(pipeline, stages_chain)
{
    mp_object *r = range(0, 8, 1), *g = mp_gen_squares(r), *f = mp_filter_new(is_odd, g);
    mp_object *m = mp_map_new(negate, f);
    MP_DECREF(g);
    MP_DECREF(f);
    VALUES(m, -1, -9, -25, -49);
    MP_DECREF(m);
    MP_DECREF(r);
}

Test(pipeline, a_pipeline_dropped_half_way_releases_every_stage)
{
    mp_object *r = range(0, 1000000, 1);
    size_t before = blocks_in_use();
    mp_object *g = mp_gen_squares(r), *f = mp_filter_new(is_odd, g), *m = mp_map_new(negate, f);
    MP_DECREF(g);
    MP_DECREF(f);
    expect_next(m, -1);
    expect_next(m, -9);
    expect_next(m, -25);
    cr_expect_eq(blocks_in_use(), before + 4, "map, filter, generator, range iterator");
    MP_DECREF(m);
    cr_expect_eq(blocks_in_use(), before);
    MP_DECREF(r);
}

static int count_visit(mp_object *o, void *arg)
{
    (void)o;
    ++*(int *)arg;
    return 0;
}

Test(pipeline, traverse_visits_the_source_and_clear_drops_it)
{
    mp_object *l = mp_list_new(0), *m = mp_map_new(square, l);
    int visited = 0;
    cr_expect_eq(mp_type_map.tp_traverse(m, count_visit, &visited), 0);
    cr_expect_eq(visited, 1);
    cr_expect_eq(mp_type_map.tp_clear(m), 0);
    visited = 0;
    mp_type_map.tp_traverse(m, count_visit, &visited);
    cr_expect_eq(visited, 0);
    cr_expect_null(mp_iter_next(m), "a cleared map is exhausted");
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    MP_DECREF(m);
    MP_DECREF(l);
}

/* ---- sum ------------------------------------------------------------------------ */

/* python3 -c "print(sum([]), sum(range(-10, 11, 3)), sum(range(1000)))"  -> 0 -7 499500 */
Test(pipeline, sum_of_small_sequences)
{
    mp_object *e = mp_list_new(0), *a = range(-10, 11, 3), *b = range(0, 1000, 1);
    expect_sum(e, "0");
    expect_sum(a, "-7");
    expect_sum(b, "499500");
    MP_DECREF(e);
    MP_DECREF(a);
    MP_DECREF(b);
}

/* The total leaves a long on the way up and on the way down.
 * python3 -c "print(sum([2**62, 2**62, 2**62, -5]), sum([-2**62, -2**62, -2**62, 2**62, 5]),
 *   sum([2**63 - 1, 1, -1]))"
 * -> 13835058055282163707 -9223372036854775803 9223372036854775807 */
Test(pipeline, sum_goes_on_past_64_bits)
{
    long up[] = {1L << 62, 1L << 62, 1L << 62, -5};
    long down[] = {-(1L << 62), -(1L << 62), -(1L << 62), 1L << 62, 5};
    long edge[] = {LONG_MAX, 1, -1};
    struct {
        long *v;
        size_t n;
        const char *sum;
    } cases[] = {{up, 4, "13835058055282163707"},
                 {down, 5, "-9223372036854775803"},
                 {edge, 3, "9223372036854775807"}};
    for (size_t c = 0; c < 3; c++) {
        mp_object *l = mp_list_new(0);
        for (size_t i = 0; i < cases[c].n; i++) {
            mp_object *x = mp_int_from_long(cases[c].v[i]);
            mp_list_append(l, x);
            MP_DECREF(x);
        }
        expect_sum(l, cases[c].sum);
        MP_DECREF(l);
    }
}

/* python3 -c "sum([1, 'a'])" and "sum([2**62, 2**62, 2**62, 'a'])"
 *   -> TypeError: unsupported operand type(s) for +: 'int' and 'str' (both)
 * python3 -c "sum(5)"  -> TypeError: 'int' object is not iterable */
Test(pipeline, sum_of_a_non_int_is_cpythons_type_error)
{
    mp_object *a = mp_str_from_utf8("a"), *big = mp_int_from_long(1L << 62);
    mp_object *one = mp_int_from_long(1);
    mp_object *l1 = mp_list_new(0), *l2 = mp_list_new(0);
    mp_list_append(l1, one);
    mp_list_append(l1, a);
    for (int i = 0; i < 3; i++)
        mp_list_append(l2, big);
    mp_list_append(l2, a);
    mp_object *lists[] = {l1, l2};
    for (int i = 0; i < 2; i++) {
        cr_expect_null(mp_sum(lists[i]));
        cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
        cr_expect_str_eq(mp_err_message(), "unsupported operand type(s) for +: 'int' and 'str'");
        mp_err_clear();
    }
    cr_expect_null(mp_sum(one));
    cr_expect_str_eq(mp_err_message(), "'int' object is not iterable");
    mp_err_clear();
    MP_DECREF(l1);
    MP_DECREF(l2);
    MP_DECREF(a);
    MP_DECREF(big);
    MP_DECREF(one);
}

/* The sum of the squares below 10**7 needs 69 bits.
 * python3 -c "print(sum(x*x for x in range(10**7)))"  -> 333333283333335000000 */
Test(pipeline, sum_of_squares_below_ten_million_as_a_generator_pipeline)
{
    mp_object *r = range(0, 10000000, 1), *g = mp_gen_squares(r);
    expect_sum(g, "333333283333335000000");
    MP_DECREF(g);
    MP_DECREF(r);
}

/* python3 -c "n = 10**5; print(sum([x*x for x in range(n)]), sum(map(lambda x: x*x, range(n))))"
 * -> 333328333350000 333328333350000 */
Test(pipeline, a_list_a_generator_and_a_map_sum_alike)
{
    mp_object *l = squares_list(100000), *r = range(0, 100000, 1);
    mp_object *g = mp_gen_squares(r), *m = mp_map_new(square, r);
    expect_sum(l, "333328333350000");
    expect_sum(g, "333328333350000");
    expect_sum(m, "333328333350000");
    MP_DECREF(l);
    MP_DECREF(g);
    MP_DECREF(m);
    MP_DECREF(r);
}

/* What lab 07 measures: the generator pipeline's peak is a few objects,
 * the list's grows with n. */
Test(pipeline, a_generator_pipeline_holds_a_few_blocks_where_a_list_holds_n)
{
    long n = 100000;
    mp_object *r = range(0, n, 1);
    size_t before = blocks_in_use();
    mp_object *l = squares_list(n);
    cr_expect_geq(blocks_in_use() - before, (size_t)n - 16, "one int per square above 256");
    MP_DECREF(l);
    mp_object *g = mp_gen_squares(r), *x;
    size_t most = 0;
    while ((x = mp_iter_next(g)) != NULL) {
        size_t now = blocks_in_use() - before;
        most = now > most ? now : most;
        MP_DECREF(x);
    }
    cr_expect_leq(most, 4, "generator, range iterator, the square: %zu blocks", most);
    MP_DECREF(g);
    MP_DECREF(r);
}
