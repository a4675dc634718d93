/* test_dict.c — dicts: CPython 3.11's sizes while growing and after
 * deletions, lookups, references, order, iterators, repr and comparison
 * (runtime/dict.c). */
#include <string.h>

#include "support.h"

MP_TEST_SUITE(dict);

static mp_object *str(const char *s)
{
    mp_object *o = mp_str_from_utf8(s);
    cr_assert_not_null(o);
    return o;
}

static mp_object *num(long v)
{
    mp_object *o = mp_int_from_long(v);
    cr_assert_not_null(o);
    return o;
}

/* d[key] = value, dropping the caller's references to both. */
static void put(mp_object *d, mp_object *key, mp_object *value)
{
    cr_assert_eq(mp_dict_setitem(d, key, value), 0, "%s", mp_err_message());
    MP_DECREF(key);
    MP_DECREF(value);
}

static void put_str(mp_object *d, const char *key, long value) { put(d, str(key), num(value)); }

static void del_str(mp_object *d, const char *key)
{
    mp_object *k = str(key);
    cr_assert_eq(mp_dict_delitem(d, k), 0, "%s", mp_err_message());
    MP_DECREF(k);
}

static mp_object *str_key(long i)
{
    char text[32];
    snprintf(text, sizeof text, "k%ld", i);
    return str(text);
}

/* A plain object with a hash of its own, whose dealloc records the order
 * objects die in. */
typedef struct {
    mp_object ob_base;
    int id;
} tagged;

static int died[32], ndied;

static void tagged_dealloc(mp_object *o)
{
    died[ndied++] = ((tagged *)o)->id;
    mp_object_del(o);
}

static mp_hash_t tagged_hash(mp_object *o) { return ((tagged *)o)->id; }

static mp_type tagged_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "tagged",
    .tp_basicsize = sizeof(tagged),
    .tp_dealloc = tagged_dealloc,
    .tp_hash = tagged_hash,
};

static mp_object *new_tagged(int id)
{
    tagged *t = (tagged *)mp_object_new(&tagged_type);
    cr_assert_not_null(t);
    t->id = id;
    return MP_OBJ(t);
}

/* ---- sizes ------------------------------------------------------------------------ */

/* python3 -c "import sys; print(sys.getsizeof({}))"  -> 64 */
Test(dict, an_empty_dict_is_64_bytes_and_shares_the_empty_keys)
{
    mp_object *d = mp_dict_new();
    cr_expect_eq(mp_getsizeof(d), 64);
    mp_dict_layout l;
    mp_dict_get_layout(d, &l);
    cr_expect(l.shared_empty);
    cr_expect_eq(l.usable, 0);
    MP_DECREF(d);
}

/* Where sys.getsizeof changes while inserting keys from empty, as
 * (length, size); between them the size stays put.
 * python3 -c "
 * import sys
 * for mk in (lambda i: 'k%d' % i, lambda i: i, lambda i: (i,)):
 *     d = {}; p = [(0, sys.getsizeof(d))]
 *     for i in range(200):
 *         d[mk(i)] = i; s = sys.getsizeof(d)
 *         if s != p[-1][1]: p.append((len(d), s))
 *     print(p)"
 * -> str keys first; int keys and tuple keys alike, second and third. */
typedef struct {
    mp_ssize_t length;
    size_t size;
} size_point;

static const size_point str_key_sizes[] = {
    {0, 64}, {1, 184}, {6, 272}, {11, 464}, {22, 832}, {43, 1584}, {86, 3328}, {171, 6576},
};

static const size_point general_key_sizes[] = {
    {0, 64}, {1, 224}, {6, 352}, {11, 632}, {22, 1168}, {43, 2264}, {86, 4688}, {171, 9304},
};

static size_t expected_size(const size_point *points, size_t n, mp_ssize_t length)
{
    size_t size = 0;
    for (size_t i = 0; i < n; i++) {
        if (points[i].length <= length)
            size = points[i].size;
    }
    return size;
}

#define EXPECTED_SIZE(points, length)                                                          \
    expected_size(points, sizeof points / sizeof points[0], length)

Test(dict, getsizeof_while_inserting_str_keys_matches_cpython)
{
    mp_object *d = mp_dict_new();
    for (long i = 0; i < 200; i++) {
        put(d, str_key(i), num(i));
        cr_expect_eq(mp_getsizeof(d), EXPECTED_SIZE(str_key_sizes, i + 1), "at length %ld", i + 1);
    }
    MP_DECREF(d);
}

Test(dict, getsizeof_while_inserting_int_keys_matches_cpython)
{
    mp_object *d = mp_dict_new();
    for (long i = 0; i < 200; i++) {
        put(d, num(i), num(i));
        cr_expect_eq(mp_getsizeof(d), EXPECTED_SIZE(general_key_sizes, i + 1), "at length %ld",
                     i + 1);
    }
    MP_DECREF(d);
}

Test(dict, getsizeof_while_inserting_tuple_keys_matches_cpython)
{
    mp_object *d = mp_dict_new();
    for (long i = 0; i < 200; i++) {
        mp_object *v = num(i);
        put(d, mp_tuple_pack(1, v), v);
        cr_expect_eq(mp_getsizeof(d), EXPECTED_SIZE(general_key_sizes, i + 1), "at length %ld",
                     i + 1);
    }
    MP_DECREF(d);
}

/* Entries: 16 bytes for str keys, 24 otherwise; the table two thirds
 * usable: 48 + 16 (GC) + 32 (keys header) + 8 slots of 1 byte + 5 entries. */
Test(dict, the_first_key_makes_a_table_of_eight_with_five_entries)
{
    mp_object *s = mp_dict_new(), *g = mp_dict_new();
    put_str(s, "a", 1);
    put(g, num(1), num(1));
    mp_dict_layout ls, lg;
    mp_dict_get_layout(s, &ls);
    mp_dict_get_layout(g, &lg);
    cr_expect_eq(ls.table_size, 8);
    cr_expect_eq(ls.index_bytes, 1);
    cr_expect_eq(ls.entry_bytes, 16);
    cr_expect_eq(ls.usable, 4);
    cr_expect_eq(lg.entry_bytes, 24);
    cr_expect_eq(mp_getsizeof(s), 48 + 16 + 32 + 8 + 5 * 16);
    cr_expect_eq(mp_getsizeof(g), 48 + 16 + 32 + 8 + 5 * 24);
    MP_DECREF(s);
    MP_DECREF(g);
}

/* The index table's slots widen with the table: 1 byte up to 128 slots, 2
 * up to 2**15, 4 beyond (8 would take 2**32 slots).
 * python3 -c "
 * import sys; d = {}
 * for i in range(21846):
 *     d[i] = i
 *     if len(d) in (85, 86, 21845, 21846): print(len(d), sys.getsizeof(d))"
 * -> 85 2264, 86 4688, 21845 589912, 21846 1310800 */
Test(dict, index_slots_widen_from_one_to_two_to_four_bytes)
{
    mp_object *d = mp_dict_new();
    mp_dict_layout l;
    for (long i = 0; i < 21846; i++) {
        put(d, num(i), num(i));
        mp_ssize_t n = i + 1;
        if (n != 85 && n != 86 && n != 21845 && n != 21846)
            continue;
        mp_dict_get_layout(d, &l);
        size_t expected = n == 85 ? 2264 : n == 86 ? 4688 : n == 21845 ? 589912 : 1310800;
        int width = n == 85 ? 1 : n == 21846 ? 4 : 2;
        cr_expect_eq(mp_getsizeof(d), expected, "at length %td", n);
        cr_expect_eq(l.index_bytes, width, "at length %td", n);
        /* 32 header + slots * width + two thirds of the slots as entries */
        cr_expect_eq(mp_getsizeof(d),
                     64 + 32 + (size_t)(l.table_size * width) + (size_t)(l.table_size * 2 / 3) * 24);
    }
    MP_DECREF(d);
}

/* python3 -c "import sys; d = {'a': 1}; d[1] = 2; print(sys.getsizeof(d))"  -> 352
 * The table is rebuilt for GROWTH_RATE = 1 * 3, which calculate_log2_keysize
 * rounds up to 16 slots. */
Test(dict, a_non_str_key_rebuilds_a_str_table_with_24_byte_entries)
{
    mp_object *d = mp_dict_new();
    put_str(d, "a", 1);
    cr_expect_eq(mp_getsizeof(d), 184);
    put(d, num(1), num(2));
    cr_expect_eq(mp_getsizeof(d), 352);
    mp_dict_layout l;
    mp_dict_get_layout(d, &l);
    cr_expect_eq(l.entry_bytes, 24);
    cr_expect_eq(l.table_size, 16);
    expect_repr(d, "{'a': 1, 1: 2}");
    MP_DECREF(d);
}

/* Deleting keeps the size (and the dead entries) until the next resize,
 * which is sized by the items still there.
 * python3 -c "
 * import sys; d = {}
 * for i in range(10): d['k%d' % i] = i
 * print(sys.getsizeof(d))
 * for i in range(8): del d['k%d' % i]
 * print(sys.getsizeof(d)); d['a'] = 1; print(sys.getsizeof(d)); d['b'] = 1
 * print(sys.getsizeof(d), list(d))"  -> 272 272 272 272 ['k8', 'k9', 'a', 'b'] */
Test(dict, deleting_keeps_the_size_until_the_next_resize)
{
    mp_object *d = mp_dict_new();
    for (long i = 0; i < 10; i++)
        put(d, str_key(i), num(i));
    cr_expect_eq(mp_getsizeof(d), 272);
    for (long i = 0; i < 8; i++) {
        mp_object *k = str_key(i);
        cr_assert_eq(mp_dict_delitem(d, k), 0);
        MP_DECREF(k);
    }
    cr_expect_eq(mp_getsizeof(d), 272);
    mp_dict_layout l;
    mp_dict_get_layout(d, &l);
    cr_expect_eq(mp_dict_size(d), 2);
    cr_expect_eq(l.nentries, 10, "deleted entries stay behind");
    cr_expect_eq(l.usable, 0);
    put_str(d, "a", 1); /* full: rebuilt for 2 * 3, i.e. 16 slots again */
    cr_expect_eq(mp_getsizeof(d), 272);
    mp_dict_get_layout(d, &l);
    cr_expect_eq(l.nentries, 3);
    put_str(d, "b", 1);
    cr_expect_eq(mp_getsizeof(d), 272);
    expect_repr(d, "{'k8': 8, 'k9': 9, 'a': 1, 'b': 1}");
    MP_DECREF(d);
}

/* python3 -c "
 * import sys; d = {}; out = []
 * for r in range(30):
 *     d[r] = r
 *     if r % 3 == 2: del d[r - 1]
 *     out.append(sys.getsizeof(d))
 * print(out)" */
Test(dict, interleaved_insertions_and_deletions_size_as_cpython)
{
    static const size_t expected[30] = {
        224,  224,  224,  224,  224,  352,  352,  352,  352,  352,  352,  632,  632,  632,  632,
        632,  632,  632,  632,  632,  632,  632,  632,  632,  1168, 1168, 1168, 1168, 1168, 1168,
    };
    mp_object *d = mp_dict_new();
    for (long r = 0; r < 30; r++) {
        put(d, num(r), num(r));
        if (r % 3 == 2) {
            mp_object *k = num(r - 1);
            cr_assert_eq(mp_dict_delitem(d, k), 0);
            MP_DECREF(k);
        }
        cr_expect_eq(mp_getsizeof(d), expected[r], "after step %ld", r);
    }
    cr_expect_eq(mp_dict_size(d), 20);
    MP_DECREF(d);
}

/* python3 -c "
 * import sys; d = {}
 * for i in range(5): d[i] = i
 * for i in range(5): del d[i]
 * print(sys.getsizeof(d)); d[100] = 0; print(sys.getsizeof(d))"  -> 224 224 */
Test(dict, a_full_table_emptied_by_deletions_is_rebuilt_at_the_minimum)
{
    mp_object *d = mp_dict_new();
    for (long i = 0; i < 5; i++)
        put(d, num(i), num(i));
    for (long i = 0; i < 5; i++) {
        mp_object *k = num(i);
        mp_dict_delitem(d, k);
        MP_DECREF(k);
    }
    cr_expect_eq(mp_getsizeof(d), 224);
    put(d, num(100), num(0));
    cr_expect_eq(mp_getsizeof(d), 224);
    mp_dict_layout l;
    mp_dict_get_layout(d, &l);
    cr_expect_eq(l.nentries, 1);
    MP_DECREF(d);
}

/* python3 -c "import sys; d = {i: i for i in range(100)}; d.clear(); print(sys.getsizeof(d))"  -> 64 */
Test(dict, clear_goes_back_to_the_empty_keys)
{
    mp_object *d = mp_dict_new();
    for (long i = 0; i < 100; i++)
        put(d, num(1000 + i), num(i));
    size_t before = blocks_in_use();
    mp_dict_clear(d);
    cr_expect_eq(mp_getsizeof(d), 64);
    cr_expect_eq(mp_dict_size(d), 0);
    cr_expect_eq(blocks_in_use(), before - 101, "the keys object and the 100 int keys");
    put_str(d, "a", 1);
    cr_expect_eq(mp_getsizeof(d), 184);
    MP_DECREF(d);
}

/* What tracemalloc sees of a combined dict is what sys.getsizeof says: the
 * dict object and its keys object. */
Test(dict, traced_bytes_of_a_dict_are_its_getsizeof)
{
    mp_object *keys[50];
    for (long i = 0; i < 50; i++)
        keys[i] = str_key(i);
    cr_assert_eq(mp_tracemalloc_start(), 0);
    mp_object *d = mp_dict_new();
    for (long i = 0; i < 50; i++)
        cr_assert_eq(mp_dict_setitem(d, keys[i], keys[i]), 0);
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    cr_expect_eq(current, mp_getsizeof(d));
    cr_expect_eq(current, 1584);
    mp_tracemalloc_stop();
    MP_DECREF(d);
    for (long i = 0; i < 50; i++)
        MP_DECREF(keys[i]);
}

/* ---- lookups and references ------------------------------------------------------- */

Test(dict, getitem_returns_a_borrowed_reference_or_null_without_an_error)
{
    mp_object *d = mp_dict_new(), *k = str("key"), *v = num(1234);
    cr_assert_eq(mp_dict_setitem(d, k, v), 0);
    cr_expect_eq(mp_getrefcount(k), 3);
    cr_expect_eq(mp_getrefcount(v), 3);
    mp_object *equal = str("key");
    cr_expect_eq(mp_dict_getitem(d, equal), v);
    cr_expect_eq(mp_getrefcount(v), 3, "borrowed");
    mp_object *absent = str("nope");
    cr_expect_null(mp_dict_getitem(d, absent));
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(mp_dict_contains(d, equal), 1);
    cr_expect_eq(mp_dict_contains(d, absent), 0);
    cr_expect_eq(mp_sequence_contains(d, equal), 1);
    MP_DECREF(absent);
    MP_DECREF(equal);
    MP_DECREF(d);
    cr_expect_eq(mp_getrefcount(k), 2);
    cr_expect_eq(mp_getrefcount(v), 2);
    MP_DECREF(k);
    MP_DECREF(v);
}

/* python3 -c "d = {}; d[[]] = 1"  -> TypeError: unhashable type: 'list'
 * (and the same for d.get([]), [] in d, del d[[]]) */
Test(dict, an_unhashable_key_is_a_type_error_everywhere)
{
    mp_object *d = mp_dict_new(), *l = mp_list_new(0), *v = num(1);
    cr_expect_eq(mp_dict_setitem(d, l, v), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "unhashable type: 'list'");
    mp_err_clear();
    cr_expect_null(mp_dict_getitem(d, l));
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    mp_err_clear();
    cr_expect_eq(mp_dict_contains(d, l), -1);
    mp_err_clear();
    cr_expect_eq(mp_dict_delitem(d, l), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    mp_err_clear();
    cr_expect_eq(mp_dict_size(d), 0);
    cr_expect_eq(mp_getrefcount(l), 2, "a failed insertion keeps no reference");
    MP_DECREF(v);
    MP_DECREF(l);
    MP_DECREF(d);
}

/* python3 -c "
 * d = {}
 * for k in ('x', 5):
 *     try: del d[k]
 *     except KeyError as e: print(repr(str(e)))"  -> "'x'" '5' */
Test(dict, deleting_an_absent_key_is_a_key_error_naming_its_repr)
{
    mp_object *d = mp_dict_new(), *x = str("x"), *five = num(5);
    cr_expect_eq(mp_dict_delitem(d, x), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_KEY);
    cr_expect_str_eq(mp_err_message(), "'x'");
    cr_expect_eq(mp_dict_delitem(d, five), -1);
    cr_expect_str_eq(mp_err_message(), "5");
    mp_err_clear();
    MP_DECREF(x);
    MP_DECREF(five);
    MP_DECREF(d);
}

/* A key already there keeps its first key object; the new value replaces
 * the old, which is released. */
Test(dict, replacing_a_value_keeps_the_first_key_object)
{
    mp_object *d = mp_dict_new(), *k1 = num(5000), *k2 = num(5000);
    mp_object *v1 = new_tagged(1), *v2 = new_tagged(2);
    mp_dict_setitem(d, k1, v1);
    MP_DECREF(v1);
    ndied = 0;
    mp_dict_setitem(d, k2, v2);
    cr_expect_eq(ndied, 1, "the old value is released");
    cr_expect_eq(mp_getrefcount(k1), 3);
    cr_expect_eq(mp_getrefcount(k2), 2, "the second key object is not kept");
    cr_expect_eq(mp_dict_getitem(d, k1), v2);
    cr_expect_eq(mp_dict_size(d), 1);
    mp_dict_setitem(d, k1, v2);
    cr_expect_eq(mp_getrefcount(v2), 3, "storing the same value again keeps one reference");
    MP_DECREF(v2);
    MP_DECREF(k1);
    MP_DECREF(k2);
    MP_DECREF(d);
}

/* Equal ints are one key whatever object carries them; unequal ints with
 * the same hash are two.
 * python3 -c "print(hash(2**61 - 1), hash(0), hash(-1), hash(-2))"  -> 0 0 -2 -2 */
Test(dict, keys_are_found_by_hash_and_equality)
{
    mp_object *d = mp_dict_new();
    mp_object *big = mp_int_from_string("2305843009213693951"); /* 2**61 - 1 */
    put(d, num(0), str("zero"));
    put(d, big, str("big"));
    put(d, num(-1), str("minus one"));
    put(d, num(-2), str("minus two"));
    cr_expect_eq(mp_dict_size(d), 4);
    mp_object *k = mp_int_from_string("2305843009213693951");
    cr_expect_eq(mp_object_hash(k), 0);
    mp_object *m1 = num(-1);
    cr_expect_eq(mp_object_hash(m1), -2);
    MP_DECREF(m1);
    expect_repr(mp_dict_getitem(d, k), "'big'");
    MP_DECREF(k);
    k = num(-1);
    expect_repr(mp_dict_getitem(d, k), "'minus one'");
    MP_DECREF(k);
    mp_object *a = num(7), *t1 = mp_tuple_pack(2, a, a), *t2 = mp_tuple_pack(2, a, a);
    put(d, t1, str("tuple"));
    expect_repr(mp_dict_getitem(d, t2), "'tuple'");
    MP_DECREF(t2);
    MP_DECREF(a);
    MP_DECREF(d);
}

/* ---- order ---------------------------------------------------------------------- */

/* python3 -c "d = {'a': 1, 'b': 2, 'c': 3}; del d['a']; d['a'] = 4; print(d)"
 * -> {'b': 2, 'c': 3, 'a': 4} */
Test(dict, insertion_order_survives_deletion_and_reinsertion)
{
    mp_object *d = mp_dict_new();
    put_str(d, "a", 1);
    put_str(d, "b", 2);
    put_str(d, "c", 3);
    del_str(d, "a");
    put_str(d, "a", 4);
    expect_repr(d, "{'b': 2, 'c': 3, 'a': 4}");
    const char *expected[] = {"'b'", "'c'", "'a'"};
    mp_ssize_t pos = 0, i = 0;
    mp_object *k, *v;
    while (mp_dict_next(d, &pos, &k, &v))
        expect_repr(k, expected[i++]);
    cr_expect_eq(i, 3);
    MP_DECREF(d);
}

Test(dict, dealloc_releases_keys_and_values_in_insertion_order)
{
    mp_object *d = mp_dict_new(), *eleven = NULL;
    for (int i = 0; i < 4; i++) {
        mp_object *k = new_tagged(10 + i);
        if (i == 1)
            eleven = mp_newref(k);
        put(d, k, new_tagged(20 + i));
    }
    ndied = 0;
    cr_assert_eq(mp_dict_delitem(d, eleven), 0, "tagged keys are equal only to themselves");
    cr_expect_eq(ndied, 1, "the value goes at once; the key is still ours");
    MP_DECREF(eleven);
    ndied = 0;
    MP_DECREF(d);
    int expected[] = {10, 20, 12, 22, 13, 23};
    cr_assert_eq(ndied, 6);
    for (int i = 0; i < 6; i++)
        cr_expect_eq(died[i], expected[i], "death %d", i);
}

/* ---- iterators ---------------------------------------------------------------------- */

/* python3 -c "
 * import sys; d = {}
 * print([(type(i).__name__, sys.getsizeof(i)) for i in (iter(d), iter(d.values()), iter(d.items()))])"
 * -> dict_keyiterator, dict_valueiterator, dict_itemiterator, 72 bytes each */
Test(dict, iterators_are_72_bytes_with_cpythons_names)
{
    mp_object *d = mp_dict_new();
    mp_object *its[] = {mp_object_getiter(d), mp_dict_iter_values(d), mp_dict_iter_items(d)};
    const char *names[] = {"dict_keyiterator", "dict_valueiterator", "dict_itemiterator"};
    for (int i = 0; i < 3; i++) {
        cr_expect_str_eq(MP_TYPE(its[i])->tp_name, names[i]);
        cr_expect_eq(mp_getsizeof(its[i]), 72);
        MP_DECREF(its[i]);
    }
    MP_DECREF(d);
}

Test(dict, keys_values_and_items_come_in_insertion_order)
{
    mp_object *d = mp_dict_new();
    put_str(d, "x", 1);
    put(d, num(2), num(20));
    put_str(d, "z", 3);
    mp_object *k = num(2);
    mp_dict_delitem(d, k);
    MP_DECREF(k);
    put(d, num(4), num(40));
    const char *keys[] = {"'x'", "'z'", "4"}, *values[] = {"1", "3", "40"};
    const char *items[] = {"('x', 1)", "('z', 3)", "(4, 40)"};
    mp_object *its[] = {mp_dict_iter_keys(d), mp_dict_iter_values(d), mp_dict_iter_items(d)};
    const char **want[] = {keys, values, items};
    for (int t = 0; t < 3; t++) {
        mp_object *x;
        int n = 0;
        while ((x = mp_iter_next(its[t])) != NULL) {
            cr_assert_lt(n, 3);
            expect_repr(x, want[t][n++]);
            MP_DECREF(x);
        }
        cr_expect_eq(n, 3);
        cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
        MP_DECREF(its[t]);
    }
    MP_DECREF(d);
}

/* python3 -c "
 * d = {'a': 1, 'b': 2}; it = iter(d.items()); a = next(it); i = id(a); del a
 * print(id(next(it)) == i)
 * it = iter(d.items()); a = next(it); print(a is next(it))"  -> True False */
Test(dict, the_items_iterator_reuses_its_tuple_when_the_caller_let_go)
{
    mp_object *d = mp_dict_new();
    put_str(d, "a", 1);
    put_str(d, "b", 2);
    mp_object *it = mp_dict_iter_items(d);
    mp_object *a = mp_iter_next(it);
    MP_DECREF(a);
    mp_object *b = mp_iter_next(it);
    cr_expect_eq(a, b, "the same tuple, refilled");
    expect_repr(b, "('b', 2)");
    MP_DECREF(b);
    MP_DECREF(it);

    it = mp_dict_iter_items(d);
    a = mp_iter_next(it);
    b = mp_iter_next(it);
    cr_expect_neq(a, b, "a tuple still held is not overwritten");
    expect_repr(a, "('a', 1)");
    expect_repr(b, "('b', 2)");
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(it);
    MP_DECREF(d);
}

/* python3 -c "
 * import sys; d = {}; it = iter(d); print(sys.getrefcount(d)); list(it); print(sys.getrefcount(d))"
 * -> 3 2 */
Test(dict, an_iterator_holds_its_dict_until_exhausted)
{
    mp_object *d = mp_dict_new(), *it = mp_object_getiter(d);
    cr_expect_eq(mp_getrefcount(d), 3);
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_getrefcount(d), 2);
    MP_DECREF(it);
    MP_DECREF(d);
}

/* python3 -c "
 * d = {1: 2}
 * for k in d: d[k + 1] = 0"  -> RuntimeError: dictionary changed size during iteration */
Test(dict, changing_size_while_iterating_is_a_runtime_error_that_sticks)
{
    mp_object *d = mp_dict_new();
    put(d, num(1), num(2));
    mp_object *it = mp_object_getiter(d);
    mp_object *k = mp_iter_next(it);
    cr_assert_not_null(k);
    MP_DECREF(k);
    put(d, num(2), num(0));
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_err_occurred(), MP_ERR_RUNTIME);
    cr_expect_str_eq(mp_err_message(), "dictionary changed size during iteration");
    mp_err_clear();
    k = num(2);
    mp_dict_delitem(d, k); /* back to the old size: still broken */
    MP_DECREF(k);
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_err_occurred(), MP_ERR_RUNTIME);
    mp_err_clear();
    MP_DECREF(it);
    MP_DECREF(d);
}

/* python3 -c "
 * d = {1: 1, 2: 2}; it = iter(d); print(next(it)); del d[1]; d[3] = 3
 * print(next(it)); next(it)"  -> 1, 2, RuntimeError: dictionary keys changed during iteration */
Test(dict, same_size_but_new_keys_is_a_runtime_error_too)
{
    mp_object *d = mp_dict_new();
    put(d, num(1), num(1));
    put(d, num(2), num(2));
    mp_object *it = mp_object_getiter(d), *k = mp_iter_next(it);
    expect_repr(k, "1");
    MP_DECREF(k);
    k = num(1);
    mp_dict_delitem(d, k);
    MP_DECREF(k);
    put(d, num(3), num(3));
    k = mp_iter_next(it);
    expect_repr(k, "2");
    MP_DECREF(k);
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_err_occurred(), MP_ERR_RUNTIME);
    cr_expect_str_eq(mp_err_message(), "dictionary keys changed during iteration");
    mp_err_clear();
    MP_DECREF(it);
    MP_DECREF(d);
}

/* ---- repr, comparison, len ---------------------------------------------------------- */

/* python3 -c "print({'a': 1, 2: (3,), \"q'\": {}}); d = {}; d['self'] = d; print(d)"
 * -> {'a': 1, 2: (3,), "q'": {}}  and  {'self': {...}} */
Test(dict, repr_is_pythons_and_survives_self_reference)
{
    mp_object *d = mp_dict_new(), *three = num(3);
    expect_repr(d, "{}");
    put_str(d, "a", 1);
    put(d, num(2), mp_tuple_pack(1, three));
    put(d, str("q'"), mp_dict_new());
    expect_repr(d, "{'a': 1, 2: (3,), \"q'\": {}}");
    MP_DECREF(three);
    MP_DECREF(d);

    d = mp_dict_new();
    mp_object *k = str("self");
    mp_dict_setitem(d, k, d);
    expect_repr(d, "{'self': {...}}");
    mp_dict_delitem(d, k); /* break the cycle: there is no collector yet */
    MP_DECREF(k);
    MP_DECREF(d);
}

/* python3 -c "
 * print({'a': 1, 'b': 2} == {'b': 2, 'a': 1}, {'a': 1} == {'a': 2}, {'a': 1} != {'a': 1, 'b': 2})
 * {} < {}"  -> True False True, then TypeError: '<' not supported between instances of 'dict' and 'dict' */
Test(dict, equality_ignores_order_and_ordering_is_a_type_error)
{
    mp_object *a = mp_dict_new(), *b = mp_dict_new(), *c = mp_dict_new();
    put_str(a, "a", 1);
    put_str(a, "b", 2);
    put_str(b, "b", 2);
    put_str(b, "a", 1);
    put_str(c, "a", 1);
    cr_expect_eq(mp_object_richcompare(a, b, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(a, b, MP_NE), 0);
    cr_expect_eq(mp_object_richcompare(c, a, MP_NE), 1);
    put_str(c, "b", 3);
    cr_expect_eq(mp_object_richcompare(a, c, MP_EQ), 0);
    cr_expect_eq(mp_object_richcompare(a, b, MP_LT), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "'<' not supported between instances of 'dict' and 'dict'");
    mp_err_clear();
    cr_expect_eq(mp_object_len(a), 2);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
}

/* ---- the collector's slots ---------------------------------------------------------- */

static int visited_count;
static mp_object *visited[16];

static int record_visit(mp_object *o, void *arg)
{
    (void)arg;
    visited[visited_count++] = o;
    return 0;
}

Test(dict, traverse_visits_values_and_non_str_keys_and_clear_empties)
{
    mp_object *s = mp_dict_new(), *g = mp_dict_new(), *k = num(1000), *v = num(2000);
    mp_dict_setitem(s, k, v);
    mp_object *name = str("s");
    mp_dict_setitem(s, name, v); /* s is general now: both keys visited */
    mp_dict_setitem(g, name, v);
    visited_count = 0;
    cr_expect_eq(mp_type_dict.tp_traverse(g, record_visit, NULL), 0);
    cr_expect_eq(visited_count, 1, "a str key cannot be in a cycle: not visited");
    visited_count = 0;
    cr_expect_eq(mp_type_dict.tp_traverse(s, record_visit, NULL), 0);
    cr_expect_eq(visited_count, 4);
    cr_expect_eq(visited[0], v);
    cr_expect_eq(visited[1], k);
    cr_expect_eq(visited[3], name);
    cr_expect_eq(mp_type_dict.tp_clear(s), 0);
    cr_expect_eq(mp_dict_size(s), 0);
    cr_expect_eq(mp_getrefcount(k), 2);
    cr_expect_eq(mp_getrefcount(v), 3, "only g holds it now");
    MP_DECREF(name);
    MP_DECREF(k);
    MP_DECREF(v);
    MP_DECREF(s);
    MP_DECREF(g);
}

/* A key whose == empties the dict being searched: the lookup notices and
 * starts again, as CPython's does when the table changes under it. */
static mp_object *victim;

static int clearing_compare(mp_object *a, mp_object *b, mp_compare_op op)
{
    (void)a;
    (void)b;
    (void)op;
    mp_dict_clear(victim);
    return 0;
}

static mp_hash_t constant_hash(mp_object *o)
{
    (void)o;
    return 42;
}

static mp_type clearing_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "clearing",
    .tp_basicsize = sizeof(mp_object),
    .tp_dealloc = mp_object_del,
    .tp_hash = constant_hash,
    .tp_richcompare = clearing_compare,
};

Test(dict, a_lookup_restarts_when_a_comparison_changes_the_dict)
{
    victim = mp_dict_new();
    mp_object *a = mp_object_new(&clearing_type), *b = mp_object_new(&clearing_type);
    put(victim, a, num(1));
    cr_expect_null(mp_dict_getitem(victim, b));
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(mp_dict_size(victim), 0);
    MP_DECREF(b);
    MP_DECREF(victim);
}
