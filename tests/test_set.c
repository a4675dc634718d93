/* test_set.c — sets: CPython 3.11's sizes, growth and iteration order,
 * dummies left by deletions, errors, references, comparison and repr
 * (runtime/set.c). Orders are compared with CPython's: int hashes are the
 * same in both, so the same probing puts keys in the same slots. */

#include "support.h"

MP_TEST_SUITE(set);

static mp_object *range_list(long start, long stop)
{
    mp_object *l = mp_list_new(0);
    for (long v = start; v < stop; v++) {
        mp_object *i = mp_int_from_long(v);
        mp_list_append(l, i);
        MP_DECREF(i);
    }
    return l;
}

/* set(range(n)), built from a list of the same ints. */
static mp_object *set_of_range(long n)
{
    mp_object *l = range_list(0, n), *s = mp_set_new(l);
    cr_assert_not_null(s);
    MP_DECREF(l);
    return s;
}

static void add_long(mp_object *s, long v)
{
    mp_object *i = mp_int_from_long(v);
    cr_assert_eq(mp_set_add(s, i), 0);
    MP_DECREF(i);
}

static int discard_long(mp_object *s, long v)
{
    mp_object *i = mp_int_from_long(v);
    int r = mp_set_discard(s, i);
    MP_DECREF(i);
    return r;
}

static mp_object *set_of(const long *values, size_t n)
{
    mp_object *s = mp_set_new(NULL);
    for (size_t i = 0; i < n; i++)
        add_long(s, values[i]);
    return s;
}

/* The keys in iteration order are exactly `expected`. */
static void expect_order(mp_object *s, const long *expected, size_t n)
{
    mp_object *it = mp_object_getiter(s), *x;
    size_t i = 0;
    while ((x = mp_iter_next(it)) != NULL) {
        cr_expect_lt(i, n, "more keys than expected");
        if (i < n)
            cr_expect_eq(mp_int_as_long(x), expected[i], "key %zu: %ld, expected %ld", i,
                         mp_int_as_long(x), expected[i]);
        i++;
        MP_DECREF(x);
    }
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(i, n);
    MP_DECREF(it);
}

#define ORDER(s, ...)                                                                          \
    expect_order(s, (const long[]){__VA_ARGS__}, sizeof((const long[]){__VA_ARGS__}) / sizeof(long))

/* ---- sizes ------------------------------------------------------------------ */

/* python3 -c "import sys; print(sys.getsizeof(set()), sys.getsizeof(iter(set())))"  -> 216 64 */
Test(set, empty_set_is_216_bytes_and_its_iterator_64)
{
    mp_object *s = mp_set_new(NULL), *it = mp_object_getiter(s);
    cr_expect_eq(mp_getsizeof(s), 216);
    cr_expect_eq(mp_getsizeof(it), 64);
    cr_expect_eq(mp_set_size(s), 0);
    MP_DECREF(it);
    MP_DECREF(s);
}

/* python3 -c "import sys; print([sys.getsizeof(set(range(n))) for n in
 *   (0, 1, 4, 5, 18, 19, 76, 77, 306, 307, 1228, 1229)])"
 * -> [216, 216, 216, 728, 728, 2264, 2264, 8408, 8408, 32984, 32984, 131288] */
Test(set, set_of_range_sizes_match_cpython)
{
    static const struct {
        long n;
        size_t size;
    } cases[] = {{0, 216},    {1, 216},    {4, 216},     {5, 728},     {18, 728},    {19, 2264},
                 {76, 2264},  {77, 8408},  {306, 8408},  {307, 32984}, {1228, 32984},
                 {1229, 131288}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_object *s = set_of_range(cases[i].n);
        cr_expect_eq(mp_getsizeof(s), cases[i].size, "set(range(%ld)): %zu, CPython %zu",
                     cases[i].n, mp_getsizeof(s), cases[i].size);
        cr_expect_eq(mp_set_size(s), cases[i].n);
        MP_DECREF(s);
    }
}

/* Where sys.getsizeof changes while adding 0, 1, 2 ... one at a time, as
 * (length, size); past 50000 keys the table grows by 2x instead of 4x.
 * python3 -c "
 * import sys; s = set(); prev = None; pts = []
 * for i in range(200000):
 *     s.add(i); z = sys.getsizeof(s)
 *     if z != prev: pts.append((len(s), z)); prev = z
 * print(pts)" */
Test(set, sizes_while_adding_one_at_a_time_match_cpython)
{
    static const struct {
        long length;
        size_t size;
    } steps[] = {{1, 216},        {5, 728},        {19, 2264},       {77, 8408},
                 {307, 32984},    {1229, 131288},  {4915, 524504},   {19661, 2097368},
                 {78643, 4194520}, {157286, 8388824}};
    mp_object *s = mp_set_new(NULL);
    size_t k = 0, prev = 0;
    for (long i = 0; i < 200000; i++) {
        add_long(s, i);
        size_t z = mp_getsizeof(s);
        if (z != prev) {
            cr_assert_lt(k, sizeof steps / sizeof steps[0], "an extra growth at %ld", i + 1);
            cr_expect_eq(i + 1, steps[k].length, "growth %zu at length %ld, CPython %ld", k,
                         i + 1, steps[k].length);
            cr_expect_eq(z, steps[k].size);
            k++;
            prev = z;
        }
    }
    cr_expect_eq(k, sizeof steps / sizeof steps[0]);
    MP_DECREF(s);
}

/* Copying a set sizes the table once for the keys it brings (set_merge).
 * python3 -c "import sys; print([sys.getsizeof(set(set(range(n)))) for n in
 *   (4, 5, 10, 18, 76, 1000)])"  -> [216, 472, 728, 1240, 4312, 32984] */
Test(set, a_copy_of_a_set_is_sized_as_cpython_sizes_it)
{
    static const struct {
        long n;
        size_t size;
    } cases[] = {{4, 216}, {5, 472}, {10, 728}, {18, 1240}, {76, 4312}, {1000, 32984}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_object *s = set_of_range(cases[i].n), *copy = mp_set_new(s);
        cr_expect_eq(mp_getsizeof(copy), cases[i].size, "set(set(range(%ld)))", cases[i].n);
        cr_expect_eq(mp_set_size(copy), cases[i].n);
        int eq = mp_object_richcompare(s, copy, MP_EQ);
        cr_expect_eq(eq, 1);
        MP_DECREF(copy);
        MP_DECREF(s);
    }
}

/* ---- deletion and dummies --------------------------------------------------- */

/* python3 -c "import sys; s = set(range(18)); [s.discard(i) for i in range(18)];
 *   print(sys.getsizeof(s), len(s)); s.clear(); print(sys.getsizeof(s))"
 * -> 728 0, then 216 */
Test(set, discards_never_shrink_the_table_but_clear_does)
{
    mp_object *s = set_of_range(18);
    for (long i = 0; i < 18; i++)
        cr_expect_eq(discard_long(s, i), 1);
    cr_expect_eq(mp_set_size(s), 0);
    cr_expect_eq(mp_getsizeof(s), 728);
    mp_set_clear(s);
    cr_expect_eq(mp_getsizeof(s), 216);
    MP_DECREF(s);
}

/* A deleted slot is reused by the next key whose search passes it.
 * python3 -c "import sys; s = set(range(4)); s.discard(0); s.add(8);
 *   print(sys.getsizeof(s), list(s))"  -> 216 [8, 1, 2, 3] */
Test(set, an_add_reuses_the_dummy_its_search_passed)
{
    mp_object *s = set_of_range(4);
    cr_expect_eq(discard_long(s, 0), 1);
    add_long(s, 8);
    cr_expect_eq(mp_getsizeof(s), 216, "a fifth fill would have grown the table");
    ORDER(s, 8, 1, 2, 3);
    MP_DECREF(s);
}

/* Dummies count towards the 60% load: after emptying a 32-slot table by
 * discards, new keys reuse the dummies they pass until one lands in a
 * virgin slot and the table is rebuilt.
 * python3 -c "
 * import sys; s = set(range(18)); [s.discard(i) for i in range(18)]
 * for i in range(100, 108): s.add(i); print(sys.getsizeof(s), list(s))" */
Test(set, adds_after_discards_follow_cpython)
{
    mp_object *s = set_of_range(18);
    for (long i = 0; i < 18; i++)
        discard_long(s, i);
    for (long i = 100; i < 107; i++)
        add_long(s, i);
    cr_expect_eq(mp_getsizeof(s), 728);
    ORDER(s, 106, 103, 100, 101, 105, 104, 102);
    add_long(s, 107);
    cr_expect_eq(mp_getsizeof(s), 1240);
    ORDER(s, 100, 101, 102, 103, 104, 105, 106, 107);
    MP_DECREF(s);
}

/* Keys spread over the whole hash space, some deleted, others added.
 * python3 -c "
 * import random, sys; random.seed(7)
 * keys = [random.randrange(-10**12, 10**12) for _ in range(40)]
 * s = set()
 * for k in keys: s.add(k)
 * for k in keys[::3]: s.discard(k)
 * for k in keys[:5]: s.add(k * 7)
 * print(keys); print(list(s), sys.getsizeof(s))" */
Test(set, random_keys_with_deletions_land_where_cpython_puts_them)
{
    static const long keys[] = {
        -131768713929, -894125042608, 804197375795,  -791539974101, 281470876152,
        997408896117,  -529669144843, -810860396328, -79014504614,  -471418995825,
        211570386905,  -869327685082, 244796851375,  383938273369,  282595059381,
        -862785634903, 286673859791,  -890922087916, -510475711796, 224265750448,
        -704255129909, -79633136234,  186030544548,  254636364224,  229685566008,
        502448822319,  -775885486709, 256628404113,  -584939027129, -787947167229,
        565720640297,  237220257847,  357465650612,  91806279135,   171153400148,
        706938511486,  23551468271,   -203484638160, -453251663955, -601451174873};
    mp_object *s = set_of(keys, 40);
    for (size_t i = 0; i < 40; i += 3)
        cr_expect_eq(discard_long(s, keys[i]), 1);
    for (size_t i = 0; i < 5; i++)
        add_long(s, keys[i] * 7);
    cr_expect_eq(mp_getsizeof(s), 2264);
    ORDER(s, -922380997503, -787947167229, -775885486709, -890922087916, 186030544548,
          -869327685082, -453251663955, -5540779818707, 224265750448, 502448822319,
          -203484638160, 804197375795, 357465650612, 282595059381, -6258875298256,
          237220257847, 254636364224, -584939027129, 1970296133064, -704255129909,
          286673859791, -894125042608, 171153400148, -810860396328, 383938273369,
          211570386905, -79014504614, 5629381630565, 997408896117, 281470876152,
          706938511486);
    MP_DECREF(s);
}

/* hash(-1) == hash(-2) == -2 and hash(2**61 - 1) == hash(0) == 0: equal
 * hashes, different keys, both kept.
 * python3 -c "print(list({-1, -2}), list({-2, -1}), list({0, 2**61 - 1}))"
 * -> [-1, -2] [-2, -1] [0, 2305843009213693951] */
Test(set, keys_with_equal_hashes_are_told_apart_by_equality)
{
    mp_object *a = set_of((const long[]){-1, -2}, 2);
    mp_object *b = set_of((const long[]){-2, -1}, 2);
    mp_object *c = set_of((const long[]){0, 2305843009213693951}, 2);
    ORDER(a, -1, -2);
    ORDER(b, -2, -1);
    ORDER(c, 0, 2305843009213693951);
    cr_expect_eq(discard_long(a, -1), 1);
    ORDER(a, -2);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
}

/* python3 -c "s = set(range(10)); print([s.pop() for _ in range(10)])
 * s = {1000, 2000, 3000, 17, 33}; s.pop(); s.add(49); print(list(s), s.pop(), list(s))"
 * -> [0, 1, ..., 9], then [1000, 2000, 17, 49, 3000] 1000 [2000, 17, 49, 3000] */
Test(set, pop_walks_the_table_from_its_finger)
{
    mp_object *s = set_of_range(10);
    for (long i = 0; i < 10; i++) {
        mp_object *k = mp_set_pop(s);
        cr_expect_eq(mp_int_as_long(k), i);
        MP_DECREF(k);
    }
    cr_expect_null(mp_set_pop(s));
    cr_expect_eq(mp_err_occurred(), MP_ERR_KEY);
    cr_expect_str_eq(mp_err_message(), "pop from an empty set");
    mp_err_clear();
    MP_DECREF(s);

    s = set_of((const long[]){1000, 2000, 3000, 17, 33}, 5);
    MP_DECREF(mp_set_pop(s));
    add_long(s, 49);
    ORDER(s, 1000, 2000, 17, 49, 3000);
    mp_object *k = mp_set_pop(s);
    cr_expect_eq(mp_int_as_long(k), 1000);
    MP_DECREF(k);
    ORDER(s, 2000, 17, 49, 3000);
    MP_DECREF(s);
}

/* ---- membership, errors ------------------------------------------------------ */

Test(set, contains_finds_equal_keys_not_only_identical_ones)
{
    mp_object *s = set_of_range(100);
    mp_object *a = mp_int_from_long(99), *b = mp_int_from_long(100);
    mp_object *x = mp_int_from_string("99"); /* a distinct object, equal to 99 */
    cr_expect_eq(mp_set_contains(s, a), 1);
    cr_expect_eq(mp_set_contains(s, x), 1);
    cr_expect_eq(mp_set_contains(s, b), 0);
    cr_expect_eq(mp_sequence_contains(s, a), 1, "the contains slot");
    mp_object *hello = mp_str_from_utf8("hello"), *hello2 = mp_str_from_utf8("hello");
    cr_expect_eq(mp_set_add(s, hello), 0);
    cr_expect_eq(mp_set_contains(s, hello2), 1);
    cr_expect_eq(mp_set_size(s), 101);
    MP_DECREF(hello);
    MP_DECREF(hello2);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(x);
    MP_DECREF(s);
}

Test(set, adding_an_equal_key_again_keeps_the_first)
{
    mp_object *s = mp_set_new(NULL);
    mp_object *a = mp_int_from_long(5000), *b = mp_int_from_long(5000);
    mp_set_add(s, a);
    mp_set_add(s, b);
    cr_expect_eq(mp_set_size(s), 1);
    cr_expect_eq(mp_getrefcount(a), 3, "the set holds the first key");
    cr_expect_eq(mp_getrefcount(b), 2, "and not the second");
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(s);
}

/* python3 -c "s = set(); s.remove(5)"  -> KeyError: 5
 * python3 -c "s = set(); s.remove('k')"  -> KeyError: 'k' */
Test(set, remove_of_a_missing_key_is_a_key_error_naming_it)
{
    mp_object *s = set_of_range(3), *five = mp_int_from_long(5), *two = mp_int_from_long(2);
    cr_expect_eq(mp_set_remove(s, five), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_KEY);
    cr_expect_str_eq(mp_err_message(), "5");
    mp_err_clear();
    mp_object *k = mp_str_from_utf8("k");
    cr_expect_eq(mp_set_remove(s, k), -1);
    cr_expect_str_eq(mp_err_message(), "'k'");
    mp_err_clear();
    cr_expect_eq(mp_set_remove(s, two), 0);
    cr_expect_eq(mp_set_size(s), 2);
    cr_expect_eq(mp_set_discard(s, two), 0, "discard of a missing key is no error");
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    MP_DECREF(k);
    MP_DECREF(five);
    MP_DECREF(two);
    MP_DECREF(s);
}

/* python3 -c "s = set(); s.add([])"  -> TypeError: unhashable type: 'list' */
Test(set, unhashable_keys_are_a_type_error)
{
    mp_object *s = mp_set_new(NULL), *l = mp_list_new(0);
    cr_expect_eq(mp_set_add(s, l), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "unhashable type: 'list'");
    mp_err_clear();
    cr_expect_eq(mp_set_contains(s, l), -1);
    mp_err_clear();
    cr_expect_eq(mp_set_add(s, s), -1, "a set is unhashable too");
    cr_expect_str_eq(mp_err_message(), "unhashable type: 'set'");
    mp_err_clear();
    cr_expect_eq(mp_getrefcount(l), 2);
    MP_DECREF(l);
    MP_DECREF(s);
}

Test(set, set_of_an_iterable_with_an_unhashable_item_fails_cleanly)
{
    mp_object *l = range_list(0, 3), *inner = mp_list_new(0);
    mp_list_append(l, inner);
    cr_expect_null(mp_set_new(l));
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    mp_err_clear();
    MP_DECREF(inner);
    MP_DECREF(l);
}

/* ---- iteration --------------------------------------------------------------- */

/* python3 -c "s = {1, 2}; it = iter(s); next(it); s.add(3); next(it)"
 *   -> RuntimeError: Set changed size during iteration (and again on the next call) */
Test(set, changing_size_during_iteration_is_a_runtime_error_that_sticks)
{
    mp_object *s = set_of_range(2), *it = mp_object_getiter(s);
    MP_DECREF(mp_iter_next(it));
    add_long(s, 3);
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_err_occurred(), MP_ERR_RUNTIME);
    cr_expect_str_eq(mp_err_name(mp_err_occurred()), "RuntimeError");
    cr_expect_str_eq(mp_err_message(), "Set changed size during iteration");
    mp_err_clear();
    discard_long(s, 3);
    cr_expect_null(mp_iter_next(it), "the size is back, but the iterator stays broken");
    cr_expect_eq(mp_err_occurred(), MP_ERR_RUNTIME);
    mp_err_clear();
    MP_DECREF(it);
    MP_DECREF(s);
}

/* python3 -c "import sys; s = set(); i = iter(s); print(sys.getrefcount(s));
 *   list(i); print(sys.getrefcount(s))"  -> 3, then 2 */
Test(set, an_iterator_holds_its_set_until_exhausted)
{
    mp_object *s = set_of_range(3), *it = mp_object_getiter(s);
    cr_expect_eq(mp_getrefcount(s), 3);
    mp_object *x;
    long n = 0;
    while ((x = mp_iter_next(it)) != NULL) {
        n++;
        MP_DECREF(x);
    }
    cr_expect_eq(n, 3);
    cr_expect_eq(mp_getrefcount(s), 2);
    cr_expect_null(mp_iter_next(it));
    MP_DECREF(it);
    MP_DECREF(s);
}

/* ---- references, traverse, clear ----------------------------------------------- */

/* counted_type with object.__hash__: the address, shifted as CPython's
 * _Py_HashPointer does, as the keys' hash. */
static mp_hash_t identity_hash(mp_object *o)
{
    uintptr_t a = (uintptr_t)o;
    mp_hash_t h = (mp_hash_t)((a >> 4) | (a << (8 * sizeof a - 4)));
    return h == -1 ? -2 : h;
}

static mp_type hashable_counted_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "counted",
    .tp_basicsize = sizeof(mp_object),
    .tp_dealloc = counted_dealloc,
    .tp_hash = identity_hash,
};

Test(set, keys_are_released_by_discard_clear_and_dealloc)
{
    mp_object *keys[3];
    for (int i = 0; i < 3; i++)
        keys[i] = mp_object_new(&hashable_counted_type);
    counted_deallocs = 0;
    mp_object *s = mp_set_new(NULL);
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(mp_set_add(s, keys[i]), 0);
        MP_DECREF(keys[i]);
    }
    cr_expect_eq(counted_deallocs, 0);
    cr_expect_eq(mp_set_discard(s, keys[0]), 1);
    cr_expect_eq(counted_deallocs, 1);
    mp_set_clear(s);
    cr_expect_eq(counted_deallocs, 3);
    mp_object *k = mp_object_new(&hashable_counted_type);
    mp_set_add(s, k);
    MP_DECREF(k);
    MP_DECREF(s);
    cr_expect_eq(counted_deallocs, 4);
}

static int count_visit(mp_object *o, void *arg)
{
    (void)o;
    ++*(int *)arg;
    return 0;
}

Test(set, traverse_visits_the_active_keys_and_clear_drops_them)
{
    mp_object *s = set_of_range(300);
    for (long i = 0; i < 300; i += 2)
        discard_long(s, i);
    int visited = 0;
    cr_expect_eq(mp_type_set.tp_traverse(s, count_visit, &visited), 0);
    cr_expect_eq(visited, 150, "dummies are not visited");
    size_t before = blocks_in_use();
    cr_expect_eq(mp_type_set.tp_clear(s), 0);
    cr_expect_eq(mp_set_size(s), 0);
    /* Freed: the separate table and the odd keys 257 .. 299, the only ones
     * outside the small-int cache. */
    cr_expect_eq(blocks_in_use(), before - 1 - 22);
    MP_DECREF(s);
}

/* ---- comparison and repr --------------------------------------------------------- */

/* python3 -c "a = {1, 2}; b = {2, 1}; c = {1, 2, 3};
 *   print(a == b, a != c, a < c, a <= b, c > a, a < b, c <= a)"
 * -> True True True True True False False */
Test(set, equality_and_the_subset_orders)
{
    mp_object *a = set_of((const long[]){1, 2}, 2), *b = set_of((const long[]){2, 1}, 2);
    mp_object *c = set_of((const long[]){1, 2, 3}, 3);
    cr_expect_eq(mp_object_richcompare(a, b, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(a, c, MP_NE), 1);
    cr_expect_eq(mp_object_richcompare(a, c, MP_LT), 1);
    cr_expect_eq(mp_object_richcompare(a, b, MP_LE), 1);
    cr_expect_eq(mp_object_richcompare(c, a, MP_GT), 1);
    cr_expect_eq(mp_object_richcompare(a, b, MP_LT), 0);
    cr_expect_eq(mp_object_richcompare(c, a, MP_LE), 0);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
}

/* python3 -c "print(set(), {1, 2}, {-1, 300}, {'a'})"  -> set() {1, 2} {300, -1} {'a'} */
Test(set, repr_is_cpythons)
{
    mp_object *e = mp_set_new(NULL), *a = set_of((const long[]){1, 2}, 2);
    mp_object *b = set_of((const long[]){-1, 300}, 2), *c = mp_set_new(NULL);
    mp_object *str = mp_str_from_utf8("a");
    mp_set_add(c, str);
    expect_repr(e, "set()");
    expect_repr(a, "{1, 2}");
    expect_repr(b, "{300, -1}");
    expect_repr(c, "{'a'}");
    MP_DECREF(str);
    MP_DECREF(e);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
}

/* python3 -c "print(list({5, 3, 9, 1, 100, 33, 8, 16, 24}))"
 * -> [1, 33, 3, 100, 5, 8, 9, 16, 24] */
Test(set, iteration_order_is_cpythons)
{
    mp_object *s = set_of((const long[]){5, 3, 9, 1, 100, 33, 8, 16, 24}, 9);
    ORDER(s, 1, 33, 3, 100, 5, 8, 9, 16, 24);
    expect_repr(s, "{1, 33, 3, 100, 5, 8, 9, 16, 24}");
    MP_DECREF(s);
}

Test(set, update_adds_from_any_iterable_and_from_itself_is_a_no_op)
{
    mp_object *s = set_of_range(3), *l = range_list(2, 6);
    cr_expect_eq(mp_set_update(s, l), 0);
    cr_expect_eq(mp_set_size(s), 6);
    cr_expect_eq(mp_set_update(s, s), 0);
    cr_expect_eq(mp_set_size(s), 6);
    mp_object *n = mp_int_from_long(1);
    cr_expect_eq(mp_set_update(s, n), -1);
    cr_expect_str_eq(mp_err_message(), "'int' object is not iterable");
    mp_err_clear();
    MP_DECREF(n);
    MP_DECREF(l);
    MP_DECREF(s);
}
