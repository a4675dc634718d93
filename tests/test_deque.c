/* test_deque.c — collections.deque: sizes against CPython while growing and
 * shrinking at either end, blocks crossed both ways, maxlen, pops, items by
 * index, repr, iteration and its mutation check, clear and the block cache
 * (runtime/deque.c). */
#include "support.h"

MP_TEST_SUITE(deque);

static mp_object *new_deque(mp_ssize_t maxlen)
{
    mp_object *d = mp_deque_new(maxlen);
    cr_assert_not_null(d, "%s", mp_err_message());
    return d;
}

static void append_long(mp_object *d, long v, bool left)
{
    mp_object *x = mp_int_from_long(v);
    cr_assert_eq(left ? mp_deque_appendleft(d, x) : mp_deque_append(d, x), 0);
    MP_DECREF(x);
}

/* deque(range(n)), appended one by one on the right. */
static mp_object *range_deque(long n)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    for (long v = 0; v < n; v++)
        append_long(d, v, false);
    return d;
}

static long pop_long(mp_object *d, bool left)
{
    mp_object *x = left ? mp_deque_popleft(d) : mp_deque_pop(d);
    cr_assert_not_null(x, "%s", mp_err_message());
    long v = mp_int_as_long(x);
    MP_DECREF(x);
    return v;
}

static void expect_error(mp_err_kind kind, const char *message)
{
    cr_expect_eq(mp_err_occurred(), kind, "got %s: %s", mp_err_name(mp_err_occurred()),
                 mp_err_message());
    cr_expect_str_eq(mp_err_message(), message);
    mp_err_clear();
}

/* ---- sizes ----------------------------------------------------------------------------------- */

/* python3 -c "import collections, sys; print(sys.getsizeof(collections.deque()))"  -> 760:
 * 216 bytes of deque, 16 of GC header, one 528-byte block */
Test(deque, an_empty_deque_is_760_bytes)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    cr_expect_eq(mp_getsizeof(d), 760);
    cr_expect_eq(mp_deque_size(d), 0);
    cr_expect_eq(mp_deque_maxlen(d), MP_DEQUE_UNBOUNDED);
    cr_expect(mp_type_is_gc(MP_TYPE(d)));
    MP_DECREF(d);
}

/* How sys.getsizeof moves while 10 000 items go in at one end or both, then
 * come out by pop, popleft or both in turn: one block (528 bytes) at a
 * time, at lengths that start at `first` and then step by the cycle.
 * python3 -c "
 * import sys, collections
 * D = collections.deque
 * grow = {'right': lambda d, i: d.append(i), 'left': lambda d, i: d.appendleft(i),
 *         'mixed': lambda d, i: (d.append if i % 2 else d.appendleft)(i)}
 * shrink = {'pop': lambda d, i: d.pop(), 'popleft': lambda d, i: d.popleft(),
 *           'alternate': lambda d, i: (d.popleft if i % 2 else d.pop)()}
 * def pattern(d, step, n=10000):
 *     ls, s = [], sys.getsizeof(d)
 *     for i in range(n):
 *         step(d, i)
 *         if sys.getsizeof(d) != s:
 *             assert abs(sys.getsizeof(d) - s) == 528
 *             ls.append(len(d)); s = sys.getsizeof(d)
 *     steps = [abs(a - b) for a, b in zip(ls, ls[1:])]
 *     cycle = steps[:1] if steps[0] == steps[1] else steps[:2]
 *     assert steps == (cycle * len(steps))[:len(steps)]
 *     return ls[0], cycle, len(ls)
 * for g in grow:
 *     print(g, pattern(D(), grow[g]))
 *     for s in shrink:
 *         d = D(); pattern(d, grow[g]); print(' ', s, pattern(d, shrink[s]))"
 * -> right (33, [64], 156): pop (9952, [64]), popleft (9968, [64]), alternate (9936, [31, 97])
 *    left (33, [64], 156): pop (9968, [64]), popleft (9952, [64]), alternate (9937, [33, 95])
 *    mixed (65, [1, 127], 156): pop (9960, [64]), popleft (9960, [64]), alternate (9921, [1, 127])
 *    (156 changes each time) */
typedef enum { GROW_RIGHT, GROW_LEFT, GROW_MIXED } grow_kind;
typedef enum { SHRINK_POP, SHRINK_POPLEFT, SHRINK_ALTERNATE } shrink_kind;

typedef struct {
    mp_ssize_t first, cycle[2]; /* cycle[1] == 0: a single step */
} change_pattern;

static const change_pattern growth[] = {
    [GROW_RIGHT] = {33, {64, 0}},
    [GROW_LEFT] = {33, {64, 0}},
    [GROW_MIXED] = {65, {1, 127}},
};

static const change_pattern shrinking[3][3] = {
    [GROW_RIGHT] = {{9952, {64, 0}}, {9968, {64, 0}}, {9936, {31, 97}}},
    [GROW_LEFT] = {{9968, {64, 0}}, {9952, {64, 0}}, {9937, {33, 95}}},
    [GROW_MIXED] = {{9960, {64, 0}}, {9960, {64, 0}}, {9921, {1, 127}}},
};

#define CHANGES 156
#define ITEMS 10000

/* The lengths where the size changes, in the order they are reached. */
static void change_points(change_pattern p, int direction, mp_ssize_t out[CHANGES])
{
    mp_ssize_t at = p.first;
    for (int k = 0; k < CHANGES; k++) {
        out[k] = at;
        mp_ssize_t step = p.cycle[1] && k % 2 ? p.cycle[1] : p.cycle[0];
        at += direction * step;
    }
}

static void expect_sizes(grow_kind g, shrink_kind s)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED), *item = mp_int_from_long(100000);
    mp_ssize_t points[CHANGES];
    change_points(growth[g], 1, points);
    size_t blocks = 1;
    int k = 0;
    for (long i = 0; i < ITEMS; i++) {
        bool left = g == GROW_LEFT || (g == GROW_MIXED && i % 2 == 0);
        cr_assert_eq(left ? mp_deque_appendleft(d, item) : mp_deque_append(d, item), 0);
        if (k < CHANGES && mp_deque_size(d) == points[k])
            blocks++, k++;
        if (mp_getsizeof(d) != 760 - 528 + 528 * blocks) {
            cr_expect_eq(mp_getsizeof(d), 760 - 528 + 528 * blocks, "growing (%d) at length %td", g,
                         mp_deque_size(d));
            break;
        }
    }
    change_points(shrinking[g][s], -1, points);
    k = 0;
    for (long i = 0; i < ITEMS; i++) {
        bool left = s == SHRINK_POPLEFT || (s == SHRINK_ALTERNATE && i % 2 == 1);
        mp_object *x = left ? mp_deque_popleft(d) : mp_deque_pop(d);
        cr_assert_eq(x, item);
        MP_DECREF(x);
        if (k < CHANGES && mp_deque_size(d) == points[k])
            blocks--, k++;
        if (mp_getsizeof(d) != 760 - 528 + 528 * blocks) {
            cr_expect_eq(mp_getsizeof(d), 760 - 528 + 528 * blocks, "shrinking (%d, %d) at length %td",
                         g, s, mp_deque_size(d));
            break;
        }
    }
    cr_expect_eq(mp_getsizeof(d), 760);
    cr_expect_eq(mp_getrefcount(item), 2);
    MP_DECREF(item);
    MP_DECREF(d);
}

Test(deque, sizes_match_cpython_growing_right_then_shrinking)
{
    expect_sizes(GROW_RIGHT, SHRINK_POP);
    expect_sizes(GROW_RIGHT, SHRINK_POPLEFT);
    expect_sizes(GROW_RIGHT, SHRINK_ALTERNATE);
}

Test(deque, sizes_match_cpython_growing_left_then_shrinking)
{
    expect_sizes(GROW_LEFT, SHRINK_POP);
    expect_sizes(GROW_LEFT, SHRINK_POPLEFT);
    expect_sizes(GROW_LEFT, SHRINK_ALTERNATE);
}

Test(deque, sizes_match_cpython_growing_at_both_ends_then_shrinking)
{
    expect_sizes(GROW_MIXED, SHRINK_POP);
    expect_sizes(GROW_MIXED, SHRINK_POPLEFT);
    expect_sizes(GROW_MIXED, SHRINK_ALTERNATE);
}

/* python3 -c "
 * import sys, collections; d = collections.deque(maxlen=100); pts = []
 * for i in range(1, 10001):
 *     d.append(i); pts.append(sys.getsizeof(d))
 * assert all(s == (1816 if (i - 97) % 64 < 35 else 1288) for i, s in enumerate(pts, 1) if i >= 97)
 * print(pts[31], pts[32], pts[95], pts[96])"  -> 760 1288 1288 1816: a full deque of 100 spans
 * two or three blocks as its window slides */
Test(deque, a_bounded_deque_slides_over_its_blocks_as_cpythons_does)
{
    mp_object *d = new_deque(100), *item = mp_int_from_long(100000);
    for (long i = 1; i <= ITEMS; i++) {
        cr_assert_eq(mp_deque_append(d, item), 0);
        size_t expected = i < 33 ? 760 : i < 97 ? 1288 : (i - 97) % 64 < 35 ? 1816 : 1288;
        if (mp_getsizeof(d) != expected) {
            cr_expect_eq(mp_getsizeof(d), expected, "after %ld appends", i);
            break;
        }
    }
    cr_expect_eq(mp_deque_size(d), 100);
    cr_expect_eq(mp_getrefcount(item), 102);
    MP_DECREF(item);
    MP_DECREF(d);
}

/* python3 -c "import collections, sys; D = collections.deque
 *             print(sys.getsizeof(D(range(40))), sys.getsizeof(D(range(63))), sys.getsizeof(D(range(64))))"
 * -> 760 760 1288: extend starts an empty deque at the left of its block */
Test(deque, extend_fills_an_empty_deque_from_the_left_of_its_block)
{
    mp_object *r40 = range_deque(40), *r63 = range_deque(63), *r64 = range_deque(64);
    mp_object *d40 = new_deque(MP_DEQUE_UNBOUNDED), *d63 = new_deque(MP_DEQUE_UNBOUNDED),
              *d64 = new_deque(MP_DEQUE_UNBOUNDED);
    cr_expect_eq(mp_deque_extend(d40, r40), 0);
    cr_expect_eq(mp_deque_extend(d63, r63), 0);
    cr_expect_eq(mp_deque_extend(d64, r64), 0);
    cr_expect_eq(mp_getsizeof(r40), 1288, "appended one by one from the centre");
    cr_expect_eq(mp_getsizeof(d40), 760);
    cr_expect_eq(mp_getsizeof(d63), 760);
    cr_expect_eq(mp_getsizeof(d64), 1288);
    mp_object *objs[] = {r40, r63, r64, d40, d63, d64};
    for (size_t k = 0; k < 6; k++)
        MP_DECREF(objs[k]);
}

/* ---- the ends ----------------------------------------------------------------------------------- */

Test(deque, items_cross_block_boundaries_at_both_ends_in_order)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    for (long v = 1; v <= 300; v++) {
        append_long(d, v, false);
        append_long(d, -v, true);
    }
    cr_expect_eq(mp_deque_size(d), 600);
    for (long v = 300; v >= 1; v--) {
        cr_expect_eq(pop_long(d, true), -v);
        cr_expect_eq(pop_long(d, false), v);
    }
    cr_expect_eq(mp_deque_size(d), 0);
    cr_expect_eq(mp_getsizeof(d), 760);
    MP_DECREF(d);
}

Test(deque, a_queue_through_the_blocks_keeps_fifo_order)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    long next_in = 0, next_out = 0;
    for (int round = 0; round < 50; round++) {
        for (int k = 0; k < 37; k++)
            append_long(d, next_in++, false);
        for (int k = 0; k < 30; k++)
            cr_expect_eq(pop_long(d, true), next_out++);
    }
    while (mp_deque_size(d) > 0)
        cr_expect_eq(pop_long(d, true), next_out++);
    cr_expect_eq(next_out, next_in);
    MP_DECREF(d);
}

/* python3 -c "
 * import collections; d = collections.deque()
 * for f in (d.pop, d.popleft, lambda: d[0], lambda: collections.deque(maxlen=-1)):
 *     try: f()
 *     except Exception as e: print(type(e).__name__, e)"
 * -> IndexError pop from an empty deque (twice), IndexError deque index out of range,
 *    ValueError maxlen must be non-negative */
Test(deque, errors_are_cpythons)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    cr_expect_null(mp_deque_pop(d));
    expect_error(MP_ERR_INDEX, "pop from an empty deque");
    cr_expect_null(mp_deque_popleft(d));
    expect_error(MP_ERR_INDEX, "pop from an empty deque");
    cr_expect_null(mp_deque_getitem(d, 0));
    expect_error(MP_ERR_INDEX, "deque index out of range");
    cr_expect_null(mp_deque_new(-2));
    expect_error(MP_ERR_VALUE, "maxlen must be non-negative");
    MP_DECREF(d);
}

Test(deque, append_takes_a_reference_and_pop_hands_it_over)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED), *x = mp_int_from_long(5000);
    cr_expect_eq(mp_getrefcount(x), 2);
    mp_deque_append(d, x);
    mp_deque_appendleft(d, x);
    cr_expect_eq(mp_getrefcount(x), 4);
    mp_object *a = mp_deque_pop(d), *b = mp_deque_popleft(d);
    cr_expect_eq(a, x);
    cr_expect_eq(b, x);
    cr_expect_eq(mp_getrefcount(x), 4, "the deque's references now belong to the caller");
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(x);
    MP_DECREF(d);
}

/* ---- maxlen -------------------------------------------------------------------------------------- */

/* python3 -c "
 * import collections; d = collections.deque([1, 2, 3], maxlen=2); print(d)
 * d.appendleft(0); print(d)"  -> deque([2, 3], maxlen=2) / deque([0, 2], maxlen=2) */
Test(deque, a_full_bounded_deque_drops_from_the_other_end)
{
    mp_object *d = new_deque(2);
    for (long v = 1; v <= 3; v++)
        append_long(d, v, false);
    expect_repr(d, "deque([2, 3], maxlen=2)");
    append_long(d, 0, true);
    expect_repr(d, "deque([0, 2], maxlen=2)");
    cr_expect_eq(mp_deque_maxlen(d), 2);
    MP_DECREF(d);
}

Test(deque, the_dropped_item_is_released_at_once)
{
    mp_object *d = new_deque(3);
    for (int k = 0; k < 3; k++) {
        mp_object *o = mp_object_new(&counted_type);
        mp_deque_append(d, o);
        MP_DECREF(o);
    }
    counted_deallocs = 0;
    mp_object *o = mp_object_new(&counted_type);
    mp_deque_appendleft(d, o);
    cr_expect_eq(counted_deallocs, 1, "the rightmost item died as the new one went in");
    mp_deque_append(d, o); /* drops the o at the left: o lives on at the right */
    cr_expect_eq(counted_deallocs, 1);
    cr_expect_eq(mp_getrefcount(o), 3);
    MP_DECREF(o);
    MP_DECREF(d);
    cr_expect_eq(counted_deallocs, 4);
}

/* python3 -c "import collections; d = collections.deque(maxlen=0); d.append(1); print(d, len(d))"
 * -> deque([], maxlen=0) 0 */
Test(deque, a_deque_bounded_at_zero_keeps_nothing)
{
    mp_object *d = new_deque(0), *o = mp_object_new(&counted_type), *r = range_deque(5);
    counted_deallocs = 0;
    cr_expect_eq(mp_deque_append(d, o), 0);
    MP_DECREF(o);
    cr_expect_eq(counted_deallocs, 1);
    cr_expect_eq(mp_deque_extend(d, r), 0);
    cr_expect_eq(mp_deque_size(d), 0);
    expect_repr(d, "deque([], maxlen=0)");
    cr_expect_eq(mp_getsizeof(d), 760);
    MP_DECREF(r);
    MP_DECREF(d);
}

/* ---- items by index ---------------------------------------------------------------------------- */

Test(deque, items_are_found_by_index_across_blocks_from_either_end)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    for (long v = 499; v >= 0; v--)
        append_long(d, v, true); /* left-grown: items span 9 blocks */
    for (long v = 500; v < 1000; v++)
        append_long(d, v, false);
    for (mp_ssize_t i = 0; i < 1000; i++) {
        mp_object *x = mp_deque_getitem(d, i), *y = mp_deque_getitem(d, i - 1000);
        cr_expect_eq(mp_int_as_long(x), i);
        cr_expect_eq(x, y, "d[%td] is d[%td]", i, i - 1000);
        MP_DECREF(x);
        MP_DECREF(y);
    }
    cr_expect_null(mp_deque_getitem(d, 1000));
    expect_error(MP_ERR_INDEX, "deque index out of range");
    cr_expect_null(mp_deque_getitem(d, -1001));
    expect_error(MP_ERR_INDEX, "deque index out of range");
    MP_DECREF(d);
}

/* python3 -c "
 * import collections; d = collections.deque([1, 2, 3]); it = iter(d); next(it); d[2] = 9
 * print(list(it))"  -> [2, 9]: assigning an item leaves iterators running */
Test(deque, setitem_replaces_an_item_and_leaves_iterators_running)
{
    mp_object *d = range_deque(200), *it = mp_object_getiter(d);
    mp_object *x = mp_iter_next(it);
    MP_DECREF(x);
    mp_object *o = mp_object_new(&counted_type);
    counted_deallocs = 0;
    cr_expect_eq(mp_deque_setitem(d, 1, o), 0);
    cr_expect_eq(mp_deque_setitem(d, -1, o), 0);
    cr_expect_eq(mp_getrefcount(o), 4);
    x = mp_iter_next(it);
    cr_expect_eq(x, o);
    MP_DECREF(x);
    cr_expect_eq(mp_deque_setitem(d, 200, o), -1);
    expect_error(MP_ERR_INDEX, "deque index out of range");
    MP_DECREF(o);
    MP_DECREF(it);
    MP_DECREF(d);
    cr_expect_eq(counted_deallocs, 1);
}

/* ---- repr, iteration ----------------------------------------------------------------------------- */

/* python3 -c "
 * import collections; D = collections.deque; d = D(); d.append(d)
 * print(repr(D([1, 2])), repr(D()), repr(D([1], maxlen=3)), repr(d))"
 * -> deque([1, 2]) deque([]) deque([1], maxlen=3) deque([[...]]) */
Test(deque, repr_is_cpythons)
{
    mp_object *d = range_deque(3);
    expect_repr(d, "deque([0, 1, 2])");
    mp_object *e = new_deque(MP_DEQUE_UNBOUNDED), *b = new_deque(3);
    expect_repr(e, "deque([])");
    append_long(b, 1, false);
    expect_repr(b, "deque([1], maxlen=3)");
    mp_deque_append(e, e);
    expect_repr(e, "deque([[...]])");
    mp_deque_clear(e);
    MP_DECREF(d);
    MP_DECREF(e);
    MP_DECREF(b);
}

/* python3 -c "
 * import collections, sys; d = collections.deque([1, 2]); it = iter(d)
 * print(sys.getsizeof(it), type(it).__name__, sys.getrefcount(d)); list(it); print(sys.getrefcount(d))"
 * -> 72 _deque_iterator 3 3: the iterator keeps its deque even when exhausted */
Test(deque, an_iterator_walks_the_blocks_and_keeps_its_deque)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    for (long v = 99; v >= 0; v--)
        append_long(d, v, true);
    for (long v = 100; v < 300; v++)
        append_long(d, v, false);
    mp_object *it = mp_object_getiter(d);
    cr_assert_not_null(it);
    cr_expect_eq(mp_getsizeof(it), 72);
    cr_expect_str_eq(MP_TYPE(it)->tp_name, "_collections._deque_iterator");
    cr_expect_eq(mp_getrefcount(d), 3);
    for (long v = 0; v < 300; v++) {
        mp_object *x = mp_iter_next(it);
        cr_assert_not_null(x);
        cr_expect_eq(mp_int_as_long(x), v);
        MP_DECREF(x);
    }
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(mp_getrefcount(d), 3);
    MP_DECREF(it);
    MP_DECREF(d);
}

/* python3 -c "
 * import collections; d = collections.deque(range(5)); it = iter(d); next(it)
 * d.appendleft(0); d.popleft()
 * for k in range(2):
 *     try: next(it)
 *     except RuntimeError as e: print(e)"
 * -> deque mutated during iteration, twice: moving an end and back still counts */
Test(deque, moving_an_end_while_iterating_is_a_runtime_error)
{
    mp_object *d = range_deque(5), *it = mp_object_getiter(d);
    mp_object *x = mp_iter_next(it);
    MP_DECREF(x);
    append_long(d, 0, true);
    MP_DECREF(mp_deque_popleft(d));
    cr_expect_null(mp_iter_next(it));
    expect_error(MP_ERR_RUNTIME, "deque mutated during iteration");
    cr_expect_null(mp_iter_next(it));
    expect_error(MP_ERR_RUNTIME, "deque mutated during iteration");
    MP_DECREF(it);
    MP_DECREF(d);
}

Test(deque, len_and_membership_work_through_the_generic_protocols)
{
    mp_object *d = range_deque(130), *hit = mp_int_from_long(129), *miss = mp_int_from_long(130);
    cr_expect_eq(mp_object_len(d), 130);
    cr_expect_eq(mp_sequence_contains(d, hit), 1);
    cr_expect_eq(mp_sequence_contains(d, miss), 0);
    MP_DECREF(hit);
    MP_DECREF(miss);
    MP_DECREF(d);
}

/* python3 -c "import collections; hash(collections.deque())"
 * -> TypeError: unhashable type: 'collections.deque' */
Test(deque, deques_are_unhashable)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    cr_expect_eq(mp_object_hash(d), -1);
    expect_error(MP_ERR_TYPE, "unhashable type: 'collections.deque'");
    MP_DECREF(d);
}

/* ---- extend, clear, traverse, the block cache ---------------------------------------------------- */

/* python3 -c "import collections; d = collections.deque([1, 2]); d.extend(d); print(d)"
 * -> deque([1, 2, 1, 2]) */
Test(deque, extending_a_deque_with_itself_doubles_it)
{
    mp_object *d = range_deque(2);
    cr_expect_eq(mp_deque_extend(d, d), 0);
    expect_repr(d, "deque([0, 1, 0, 1])");
    MP_DECREF(d);
}

Test(deque, extend_takes_any_iterable_and_reports_a_bad_one)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED), *t = mp_tuple_new(0), *i = mp_int_from_long(3);
    mp_object *l = mp_list_new(0);
    mp_list_append(l, i);
    cr_expect_eq(mp_deque_extend(d, l), 0);
    cr_expect_eq(mp_deque_extend(d, t), 0);
    cr_expect_eq(mp_deque_extend(d, i), -1);
    expect_error(MP_ERR_TYPE, "'int' object is not iterable");
    expect_repr(d, "deque([3])");
    MP_DECREF(l);
    MP_DECREF(t);
    MP_DECREF(i);
    MP_DECREF(d);
}

/* python3 -c "
 * import collections, sys; d = collections.deque(range(100)); d.clear(); print(sys.getsizeof(d), d)"
 * -> 760 deque([]) */
Test(deque, clear_releases_every_item_and_recentres)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    for (int k = 0; k < 200; k++) {
        mp_object *o = mp_object_new(&counted_type);
        mp_deque_append(d, o);
        MP_DECREF(o);
    }
    counted_deallocs = 0;
    mp_deque_clear(d);
    cr_expect_eq(counted_deallocs, 200);
    cr_expect_eq(mp_deque_size(d), 0);
    cr_expect_eq(mp_getsizeof(d), 760);
    expect_repr(d, "deque([])");
    append_long(d, 1, false);
    append_long(d, 0, true);
    expect_repr(d, "deque([0, 1])");
    MP_DECREF(d);
}

Test(deque, tp_clear_breaks_a_cycle_through_the_deque)
{
    mp_object *d = range_deque(70);
    mp_deque_append(d, d);
    cr_expect_eq(mp_getrefcount(d), 3);
    MP_TYPE(d)->tp_clear(d);
    cr_expect_eq(mp_getrefcount(d), 2);
    cr_expect_eq(mp_deque_size(d), 0);
    MP_DECREF(d);
}

static int count_visit(mp_object *o, void *arg)
{
    (void)o;
    (*(int *)arg)++;
    return 0;
}

Test(deque, traverse_visits_every_item_once)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    for (long v = 0; v < 150; v++)
        append_long(d, v, v % 3 == 0);
    int visits = 0;
    cr_expect_eq(MP_TYPE(d)->tp_traverse(d, count_visit, &visits), 0);
    cr_expect_eq(visits, 150);
    MP_DECREF(d);
}

/* A deque keeps up to 16 emptied blocks for its next ones (3.11's
 * freeblocks): refilling after a drain allocates nothing until they are
 * used up. */
Test(deque, emptied_blocks_are_kept_for_reuse_up_to_sixteen)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED), *item = mp_int_from_long(7);
    for (int k = 0; k < 64 * 20; k++)
        mp_deque_append(d, item);
    while (mp_deque_size(d) > 0)
        MP_DECREF(mp_deque_popleft(d));
    mp_malloc_stats before = stats();
    for (int k = 0; k < 64 * 16; k++)
        mp_deque_append(d, item);
    cr_expect_eq(stats().allocations, before.allocations, "16 blocks came from the cache");
    for (int k = 0; k < 64; k++)
        mp_deque_append(d, item);
    cr_expect_eq(stats().allocations, before.allocations + 1, "the 17th was allocated");
    cr_expect_eq(mp_getsizeof(d), 760 + 17 * 528);
    MP_DECREF(item);
    MP_DECREF(d);
}

Test(deque, a_dead_deque_leaves_no_block_behind)
{
    size_t before = blocks_in_use();
    mp_object *d = range_deque(5000);
    while (mp_deque_size(d) > 1000)
        MP_DECREF(mp_deque_pop(d));
    MP_DECREF(d);
    cr_expect_eq(blocks_in_use(), before);
}

/* ---- the collector and weak references ------------------------------------------------------------ */

/* python3 -c "import gc, collections; d = collections.deque()
 *             print(gc.is_tracked(d), gc.is_tracked(iter(d)))"  -> True True */
Test(deque, a_deque_and_its_iterator_are_tracked)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED), *it = mp_object_getiter(d);
    cr_expect(mp_gc_is_tracked(d));
    cr_expect(mp_gc_is_tracked(it));
    MP_DECREF(it);
    MP_DECREF(d);
}

/* python3 -c "
 * import gc, collections, array; D = collections.deque; gc.collect()
 * d = D(); d.append(d); del d; print(gc.collect())
 * d = D(); e = D([d]); d.append(e); d.append(array.array('i', [1])); del d, e; print(gc.collect())
 * d = D(); it = iter(d); d.append(it); del d, it; print(gc.collect())"  -> 1 3 2 */
Test(deque, cycles_through_deques_and_their_iterators_are_collected)
{
    mp_gc_collect(-1);
    size_t before = blocks_in_use();
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED);
    mp_deque_append(d, d);
    MP_DECREF(d);
    cr_expect_eq(mp_gc_collect(-1), 1);

    d = new_deque(MP_DEQUE_UNBOUNDED);
    mp_object *e = new_deque(MP_DEQUE_UNBOUNDED), *a = mp_array_new('i');
    mp_deque_append(e, d);
    mp_deque_append(d, e);
    mp_deque_append(d, a);
    MP_DECREF(a);
    MP_DECREF(d);
    MP_DECREF(e);
    cr_expect_eq(mp_gc_collect(-1), 3);

    d = new_deque(MP_DEQUE_UNBOUNDED);
    mp_object *it = mp_object_getiter(d);
    mp_deque_append(d, it);
    MP_DECREF(d);
    MP_DECREF(it);
    cr_expect_eq(mp_gc_collect(-1), 2);
    cr_expect_eq(blocks_in_use(), before, "blocks and cached blocks went with them");
}

/* python3 -c "import weakref, collections; d = collections.deque(); r = weakref.ref(d)
 *             print(r() is d); del d; print(r())"  -> True None */
Test(deque, a_weak_reference_to_a_deque_is_cleared_when_it_dies)
{
    mp_object *d = new_deque(MP_DEQUE_UNBOUNDED), *r = mp_weakref_new(d, NULL, NULL);
    cr_assert_not_null(r, "%s", mp_err_message());
    cr_expect_eq(mp_weakref_get_object(r), d);
    MP_DECREF(d);
    cr_expect_null(mp_weakref_get_object(r));
    MP_DECREF(r);
}
