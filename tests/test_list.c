/* test_list.c — lists: CPython 3.11's over-allocation, insert, pop, item
 * access, reference handling, comparison and repr (runtime/list.c). */

#include "support.h"

MP_TEST_SUITE(list);

/* A plain type whose dealloc records the order objects die in. */
typedef struct {
    mp_object ob_base;
    int id;
} tagged;

static int died[16], ndied;

static void tagged_dealloc(mp_object *o)
{
    died[ndied++] = ((tagged *)o)->id;
    mp_object_del(o);
}

static mp_type tagged_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "tagged",
    .tp_basicsize = sizeof(tagged),
    .tp_dealloc = tagged_dealloc,
};

static mp_object *new_tagged(int id)
{
    tagged *t = (tagged *)mp_object_new(&tagged_type);
    cr_assert_not_null(t);
    t->id = id;
    return MP_OBJ(t);
}

/* [0, 1, ..., n-1] */
static mp_object *range_list(long n)
{
    mp_object *l = mp_list_new(0);
    cr_assert_not_null(l);
    for (long v = 0; v < n; v++) {
        mp_object *i = mp_int_from_long(v);
        cr_expect_eq(mp_list_append(l, i), 0);
        MP_DECREF(i);
    }
    return l;
}

/* ---- sizes and over-allocation ------------------------------------------------------- */

/* python3 -c "import sys; print(sys.getsizeof([]))"  -> 56 */
Test(list, getsizeof_of_empty_is_56)
{
    mp_object *l = mp_list_new(0);
    cr_expect_eq(mp_getsizeof(l), 56);
    cr_expect_eq(mp_list_allocated(l), 0);
    MP_DECREF(l);
}

/* Where sys.getsizeof changes while appending to an empty list, as
 * (length, size) pairs; between them the size stays put.
 * python3 -c "
 * import sys; l = []; pts = [(0, sys.getsizeof(l))]
 * for i in range(1000):
 *     l.append(None); s = sys.getsizeof(l)
 *     if s != pts[-1][1]: pts.append((len(l), s))
 * print(pts)" */
static const struct {
    mp_ssize_t length;
    size_t size;
} append_sizes[] = {
    {0, 56},     {1, 88},     {5, 120},    {9, 184},    {17, 248},   {25, 312},
    {33, 376},   {41, 472},   {53, 568},   {65, 664},   {77, 792},   {93, 920},
    {109, 1080}, {129, 1240}, {149, 1432}, {173, 1656}, {201, 1912}, {233, 2200},
    {269, 2520}, {309, 2872}, {353, 3256}, {401, 3704}, {457, 4216}, {521, 4792},
    {593, 5432}, {673, 6136}, {761, 6936}, {861, 7832}, {973, 8856},
};

static size_t expected_append_size(mp_ssize_t length)
{
    size_t size = 0;
    for (size_t i = 0; i < sizeof append_sizes / sizeof append_sizes[0]; i++) {
        if (append_sizes[i].length <= length)
            size = append_sizes[i].size;
    }
    return size;
}

Test(list, getsizeof_while_appending_matches_cpython)
{
    mp_object *l = mp_list_new(0);
    mp_object *item = mp_int_from_long(0);
    cr_expect_eq(mp_getsizeof(l), 56);
    for (mp_ssize_t n = 1; n <= 1000; n++) {
        cr_expect_eq(mp_list_append(l, item), 0);
        cr_expect_eq(mp_getsizeof(l), expected_append_size(n), "after %td appends", n);
    }
    MP_DECREF(l);
    MP_DECREF(item);
}

/* python3 -c "
 * l = []
 * for i in range(10): l.insert(0, i)
 * import sys; print((sys.getsizeof(l) - 56) // 8, l)"  -> 16 [9, 8, ..., 0] */
Test(list, inserting_at_the_front_over_allocates_as_appending_does)
{
    mp_object *l = mp_list_new(0);
    for (long v = 0; v < 10; v++) {
        mp_object *i = mp_int_from_long(v);
        mp_list_insert(l, 0, i);
        MP_DECREF(i);
    }
    cr_expect_eq(mp_list_allocated(l), 16);
    expect_repr(l, "[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]");
    MP_DECREF(l);
}

/* A list made with n slots has exactly n; the first append past them
 * over-allocates from there.
 * python3 -c "import sys; l = [None] * 5; print(sys.getsizeof(l)); l.append(1); print(sys.getsizeof(l))"
 * -> 96 152 */
Test(list, new_has_exactly_n_slots)
{
    mp_object *l = mp_list_new(5);
    for (mp_ssize_t i = 0; i < 5; i++)
        mp_list_set_item(l, i, mp_int_from_long(0));
    cr_expect_eq(mp_getsizeof(l), 96);
    mp_object *one = mp_int_from_long(1);
    mp_list_append(l, one);
    cr_expect_eq(mp_getsizeof(l), 152);
    MP_DECREF(one);
    MP_DECREF(l);
}

Test(list, a_negative_size_is_an_error)
{
    cr_assert_null(mp_list_new(-1));
    cr_expect_eq(mp_err_occurred(), MP_ERR_SYSTEM);
    mp_err_clear();
}

/* Capacities (from sys.getsizeof) while popping a 100-item list down to
 * empty, from the end and from the front; both shrink alike.
 * python3 -c "
 * import sys
 * cap = lambda l: (sys.getsizeof(l) - 56) // 8
 * for front in (False, True):
 *     l = []
 *     for i in range(100): l.append(None)
 *     pts = [(len(l), cap(l))]
 *     while l:
 *         l.pop(0) if front else l.pop()
 *         if cap(l) != pts[-1][1]: pts.append((len(l), cap(l)))
 *     print(pts)"
 * -> [(100, 108), (53, 64), (31, 40), (19, 24), (11, 16), (7, 12), (5, 8), (1, 4), (0, 0)] twice */
static const struct {
    mp_ssize_t length, allocated;
} pop_capacities[] = {
    {100, 108}, {53, 64}, {31, 40}, {19, 24}, {11, 16}, {7, 12}, {5, 8}, {1, 4}, {0, 0},
};

static mp_ssize_t expected_capacity_after_pops(mp_ssize_t length)
{
    mp_ssize_t allocated = -1;
    for (size_t i = 0; i < sizeof pop_capacities / sizeof pop_capacities[0]; i++) {
        if (pop_capacities[i].length >= length)
            allocated = pop_capacities[i].allocated;
    }
    return allocated;
}

static void expect_pop_capacities(mp_ssize_t where)
{
    mp_object *l = range_list(100);
    cr_expect_eq(mp_list_allocated(l), 108);
    for (mp_ssize_t n = 99; n >= 0; n--) {
        mp_object *item = mp_list_pop(l, where);
        cr_assert_not_null(item);
        MP_DECREF(item);
        cr_expect_eq(mp_list_allocated(l), expected_capacity_after_pops(n), "at length %td", n);
        cr_expect_eq(mp_getsizeof(l), 56 + 8 * (size_t)expected_capacity_after_pops(n));
    }
    MP_DECREF(l);
}

Test(list, capacity_shrinks_like_cpython_when_popping_from_the_end)
{
    expect_pop_capacities(-1);
}

Test(list, capacity_shrinks_like_cpython_when_popping_from_the_front)
{
    expect_pop_capacities(0);
}

/* ---- insert ------------------------------------------------------------------------------ */

/* python3 -c "
 * for i in (0, 1, 3, -1, 1000, -1000):
 *     l = [0, 1, 2]; l.insert(i, 9); print(i, l)"
 * -> 0 [9, 0, 1, 2] / 1 [0, 9, 1, 2] / 3 [0, 1, 2, 9] / -1 [0, 1, 9, 2]
 *    1000 [0, 1, 2, 9] / -1000 [9, 0, 1, 2] */
Test(list, insert_clamps_the_index_as_python_does)
{
    struct {
        mp_ssize_t where;
        const char *repr;
    } cases[] = {
        {0, "[9, 0, 1, 2]"},  {1, "[0, 9, 1, 2]"},    {3, "[0, 1, 2, 9]"},
        {-1, "[0, 1, 9, 2]"}, {1000, "[0, 1, 2, 9]"}, {-1000, "[9, 0, 1, 2]"},
    };
    mp_object *nine = mp_int_from_long(9);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_object *l = range_list(3);
        cr_expect_eq(mp_list_insert(l, cases[i].where, nine), 0);
        char buf[64];
        cr_expect_str_eq(mp_repr(l, buf, sizeof buf), cases[i].repr, "insert(%td, 9)",
                         cases[i].where);
        MP_DECREF(l);
    }
    MP_DECREF(nine);
}

Test(list, insert_takes_a_new_reference)
{
    mp_object *l = mp_list_new(0), *item = mp_list_new(0);
    mp_list_insert(l, 0, item);
    cr_expect_eq(mp_getrefcount(item), 3);
    MP_DECREF(l);
    cr_expect_eq(mp_getrefcount(item), 2);
    MP_DECREF(item);
}

Test(list, append_takes_a_new_reference)
{
    mp_object *l = mp_list_new(0), *item = mp_list_new(0);
    mp_list_append(l, item);
    cr_expect_eq(mp_getrefcount(item), 3);
    cr_expect_eq(mp_list_size(l), 1);
    MP_DECREF(l);
    cr_expect_eq(mp_getrefcount(item), 2);
    MP_DECREF(item);
}

/* ---- pop --------------------------------------------------------------------------------- */

/* python3 -c "l = [0, 1, 2, 3]; print(l.pop(), l.pop(0), l.pop(-2), l)"  -> 3 0 1 [2] */
Test(list, pop_takes_from_the_end_the_front_and_negative_indexes)
{
    mp_object *l = range_list(4);
    mp_object *a = mp_list_pop(l, -1), *b = mp_list_pop(l, 0), *c = mp_list_pop(l, -2);
    cr_expect_eq(mp_int_as_long(a), 3);
    cr_expect_eq(mp_int_as_long(b), 0);
    cr_expect_eq(mp_int_as_long(c), 1);
    expect_repr(l, "[2]");
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
    MP_DECREF(l);
}

Test(list, pop_hands_over_the_lists_reference)
{
    mp_object *l = mp_list_new(0), *item = mp_list_new(0);
    mp_list_append(l, item);
    mp_object *popped = mp_list_pop(l, -1);
    cr_expect_eq(popped, item);
    cr_expect_eq(mp_getrefcount(item), 3, "held by 'item' and 'popped'");
    MP_DECREF(popped);
    cr_expect_eq(mp_getrefcount(item), 2);
    MP_DECREF(item);
    MP_DECREF(l);
}

/* python3 -c "[].pop()"  -> IndexError: pop from empty list */
Test(list, pop_from_empty_is_an_index_error)
{
    mp_object *l = mp_list_new(0);
    cr_expect_null(mp_list_pop(l, -1));
    cr_expect_eq(mp_err_occurred(), MP_ERR_INDEX);
    cr_expect_str_eq(mp_err_message(), "pop from empty list");
    mp_err_clear();
    MP_DECREF(l);
}

/* python3 -c "
 * for i in (3, -4):
 *     try: [0, 1, 2].pop(i)
 *     except IndexError as e: print(e)"  -> pop index out of range (twice) */
Test(list, pop_out_of_range_is_an_index_error)
{
    mp_object *l = range_list(3);
    mp_ssize_t bad[] = {3, -4};
    for (size_t i = 0; i < 2; i++) {
        cr_expect_null(mp_list_pop(l, bad[i]));
        cr_expect_eq(mp_err_occurred(), MP_ERR_INDEX);
        cr_expect_str_eq(mp_err_message(), "pop index out of range");
        mp_err_clear();
    }
    cr_expect_eq(mp_list_size(l), 3);
    MP_DECREF(l);
}

/* ---- item access --------------------------------------------------------------------------- */

Test(list, get_item_borrows)
{
    mp_object *l = mp_list_new(0), *item = mp_list_new(0);
    mp_list_append(l, item);
    cr_expect_eq(mp_list_get_item(l, 0), item);
    cr_expect_eq(mp_getrefcount(item), 3);
    MP_DECREF(l);
    MP_DECREF(item);
}

/* PyList_GetItem does not count from the end: -1 is out of range too.
 * python3 -c "[0, 1, 2][3]"  -> IndexError: list index out of range */
Test(list, get_item_out_of_range_is_an_index_error)
{
    mp_object *l = range_list(3);
    mp_ssize_t bad[] = {3, -1, 1000};
    for (size_t i = 0; i < 3; i++) {
        cr_expect_null(mp_list_get_item(l, bad[i]));
        cr_expect_eq(mp_err_occurred(), MP_ERR_INDEX);
        cr_expect_str_eq(mp_err_message(), "list index out of range");
        mp_err_clear();
    }
    MP_DECREF(l);
}

Test(list, set_item_steals_and_releases_the_old_item)
{
    ndied = 0;
    mp_object *l = mp_list_new(0);
    mp_object *old = new_tagged(1);
    mp_list_append(l, old);
    MP_DECREF(old);
    mp_object *fresh = new_tagged(2);
    cr_expect_eq(mp_list_set_item(l, 0, fresh), 0);
    cr_expect_eq(ndied, 1, "the old item was not released");
    cr_expect_eq(died[0], 1);
    cr_expect_eq(mp_getrefcount(fresh), 2, "the list's reference is the only one");
    MP_DECREF(l);
    cr_expect_eq(ndied, 2);
}

/* python3 -c "l = [0, 1, 2]; l[3] = 0"
 * -> IndexError: list assignment index out of range (PyList_SetItem says the same) */
Test(list, set_item_out_of_range_is_an_index_error)
{
    mp_object *l = range_list(3);
    mp_object *zero = mp_int_from_long(0);
    cr_expect_eq(mp_list_set_item(l, 3, zero), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_INDEX);
    cr_expect_str_eq(mp_err_message(), "list assignment index out of range");
    mp_err_clear();
    MP_DECREF(l);
}

Test(list, set_item_out_of_range_still_releases_the_item)
{
    ndied = 0;
    mp_object *l = mp_list_new(0);
    cr_expect_eq(mp_list_set_item(l, 0, new_tagged(7)), -1);
    cr_expect_eq(ndied, 1);
    mp_err_clear();
    MP_DECREF(l);
}

/* ---- dealloc ---------------------------------------------------------------------------------- */

Test(list, dealloc_releases_the_items_last_to_first)
{
    size_t start = blocks_in_use();
    ndied = 0;
    mp_object *l = mp_list_new(0);
    for (int id = 1; id <= 3; id++) {
        mp_object *t = new_tagged(id);
        mp_list_append(l, t);
        MP_DECREF(t);
    }
    cr_expect_eq(ndied, 0);
    MP_DECREF(l);
    cr_expect_eq(ndied, 3);
    cr_expect_eq(died[0], 3);
    cr_expect_eq(died[1], 2);
    cr_expect_eq(died[2], 1);
    cr_expect_eq(blocks_in_use(), start);
}

Test(list, a_grown_and_emptied_list_leaves_no_blocks)
{
    size_t start = blocks_in_use();
    mp_object *l = range_list(500);
    while (mp_list_size(l) > 0)
        MP_DECREF(mp_list_pop(l, 0));
    MP_DECREF(l);
    cr_expect_eq(blocks_in_use(), start);
}

/* ---- the GC slots --------------------------------------------------------------------------- */

static int visits;

static int count_visit(mp_object *o, void *arg)
{
    (void)o;
    visits++;
    return visits == *(int *)arg ? 99 : 0;
}

Test(list, traverse_visits_every_item)
{
    mp_object *l = range_list(5);
    int never = -1;
    visits = 0;
    cr_expect_eq(mp_type_list.tp_traverse(l, count_visit, &never), 0);
    cr_expect_eq(visits, 5);
    MP_DECREF(l);
}

Test(list, traverse_stops_at_the_first_nonzero_visit)
{
    mp_object *l = range_list(5);
    int stop_at = 2;
    visits = 0;
    cr_expect_eq(mp_type_list.tp_traverse(l, count_visit, &stop_at), 99);
    cr_expect_eq(visits, 2);
    MP_DECREF(l);
}

/* While clear releases the items, the list they die from is already empty. */
static mp_object *being_cleared;
static mp_ssize_t size_seen_from_dealloc = -1;

static void watching_dealloc(mp_object *o)
{
    size_seen_from_dealloc = mp_list_size(being_cleared);
    mp_object_del(o);
}

static mp_type watching_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "watching",
    .tp_basicsize = sizeof(mp_object),
    .tp_dealloc = watching_dealloc,
};

Test(list, clear_empties_the_list_before_releasing_the_items)
{
    mp_object *l = range_list(3);
    mp_object *w = mp_object_new(&watching_type);
    mp_list_append(l, w);
    MP_DECREF(w);
    being_cleared = l;
    cr_expect_eq(mp_type_list.tp_clear(l), 0);
    cr_expect_eq(size_seen_from_dealloc, 0);
    cr_expect_eq(mp_list_size(l), 0);
    cr_expect_eq(mp_list_allocated(l), 0);
    cr_expect_eq(mp_getsizeof(l), 56);
    MP_DECREF(l);
}

/* ---- comparison and repr ---------------------------------------------------------------------- */

/* python3 -c "print([1, 2] == [1, 2], [1, 2] < [1, 2, 3], [1, 2] != [2, 1], [] < [0], [2] > [1, 9])"
 * -> True True True True True */
Test(list, comparison_is_item_by_item_then_by_length)
{
    mp_object *a = range_list(2), *b = range_list(2), *c = range_list(3), *empty = mp_list_new(0);
    mp_object *zero = range_list(1);
    mp_object *reversed = mp_list_new(0);
    mp_list_append(reversed, mp_list_get_item(a, 1));
    mp_list_append(reversed, mp_list_get_item(a, 0));
    cr_expect_eq(mp_object_richcompare(a, b, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(a, c, MP_LT), 1);
    cr_expect_eq(mp_object_richcompare(a, reversed, MP_NE), 1);
    cr_expect_eq(mp_object_richcompare(reversed, a, MP_GT), 1);
    cr_expect_eq(mp_object_richcompare(empty, zero, MP_LT), 1);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
    MP_DECREF(empty);
    MP_DECREF(zero);
    MP_DECREF(reversed);
}

/* python3 -c "print([[1]] == [[1]])"  -> True */
Test(list, nested_lists_compare_by_value)
{
    mp_object *one = mp_int_from_long(1);
    mp_object *x = mp_list_new(0), *y = mp_list_new(0), *ix = mp_list_new(0), *iy = mp_list_new(0);
    mp_list_append(ix, one);
    mp_list_append(iy, one);
    mp_list_append(x, ix);
    mp_list_append(y, iy);
    cr_expect_eq(mp_object_richcompare(x, y, MP_EQ), 1);
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(ix);
    MP_DECREF(iy);
    MP_DECREF(one);
}

/* python3 -c "[1] < ['a']"
 * -> TypeError: '<' not supported between instances of 'int' and 'str' */
Test(list, ordering_unorderable_items_is_a_type_error)
{
    mp_object *one = mp_int_from_long(1), *a = mp_str_from_utf8("a");
    mp_object *x = mp_list_new(0), *y = mp_list_new(0);
    mp_list_append(x, one);
    mp_list_append(y, a);
    cr_expect_eq(mp_object_richcompare(x, y, MP_LT), -1);
    cr_expect_str_eq(mp_err_message(), "'<' not supported between instances of 'int' and 'str'");
    mp_err_clear();
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(one);
    MP_DECREF(a);
}

/* python3 -c "print([0, 1] == (0, 1)); [0, 1] < (0, 1)"
 * -> False, then TypeError: '<' not supported between instances of 'list' and 'tuple' */
Test(list, a_list_and_a_tuple_are_unequal_and_unordered)
{
    mp_object *l = range_list(2);
    mp_object *t = mp_tuple_pack(2, mp_list_get_item(l, 0), mp_list_get_item(l, 1));
    cr_expect_eq(mp_object_richcompare(l, t, MP_EQ), 0);
    cr_expect_eq(mp_object_richcompare(l, t, MP_LT), -1);
    cr_expect_str_eq(mp_err_message(),
                     "'<' not supported between instances of 'list' and 'tuple'");
    mp_err_clear();
    MP_DECREF(t);
    MP_DECREF(l);
}

/* python3 -c "print(repr([]), repr([1, [2, 3], 'a']))"  -> [] [1, [2, 3], 'a'] */
Test(list, repr_matches_python)
{
    mp_object *empty = mp_list_new(0);
    mp_object *one = mp_int_from_long(1), *a = mp_str_from_utf8("a");
    mp_object *inner = range_list(4);
    MP_DECREF(mp_list_pop(inner, 0));
    MP_DECREF(mp_list_pop(inner, 0));
    mp_object *l = mp_list_new(0);
    mp_list_append(l, one);
    mp_list_append(l, inner);
    mp_list_append(l, a);
    expect_repr(empty, "[]");
    expect_repr(l, "[1, [2, 3], 'a']");
    MP_DECREF(l);
    MP_DECREF(inner);
    MP_DECREF(one);
    MP_DECREF(a);
    MP_DECREF(empty);
}
