/* test_gc.c — the GC header, tracking, and the cycle collector
 * (runtime/gc.c). Expected values come from python3 3.11 (the one-liner
 * above each test) or from the algorithm's arithmetic. */
#include <string.h>

#include "node.h"

#include <criterion/redirect.h>

MP_TEST_SUITE(gc);

static void layout_dealloc(mp_object *o) { mp_gc_del(o); }

/* A 24-byte container for the layout tests: the header and one word. */
static mp_type cell_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "cell",
    .tp_basicsize = sizeof(mp_object) + sizeof(void *),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = layout_dealloc,
};

/* A variable-size container of 8-byte items after a 24-byte var header. */
static mp_type vnode_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "vnode",
    .tp_basicsize = sizeof(mp_varobject),
    .tp_itemsize = 8,
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = layout_dealloc,
};

Test(gc, new_puts_a_zeroed_16_byte_header_before_the_object)
{
    mp_object *o = mp_gc_new(&cell_type);
    cr_assert_not_null(o);
    mp_gc_head *g = MP_AS_GC(o);
    cr_expect_eq((char *)o - (char *)g, 16);
    cr_expect_eq(g->gc_next, 0);
    cr_expect_eq(g->gc_prev, 0);
    MP_DECREF(o);
}

Test(gc, as_gc_and_from_gc_round_trip)
{
    mp_object *o = mp_gc_new(&cell_type);
    cr_expect_eq(MP_FROM_GC(MP_AS_GC(o)), o);
    mp_gc_head *g = MP_AS_GC(o);
    cr_expect_eq(MP_AS_GC(MP_FROM_GC(g)), g);
    MP_DECREF(o);
}

Test(gc, new_sets_the_type_and_a_count_of_one)
{
    mp_object *o = mp_gc_new(&cell_type);
    cr_expect_eq(MP_TYPE(o), &cell_type);
    cr_expect_eq(MP_REFCNT(o), 1);
    MP_DECREF(o);
}

Test(gc, new_allocates_one_block_with_the_header)
{
    mp_malloc_stats before = stats();
    mp_object *o = mp_gc_new(&cell_type);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use + 1);
    /* 16 + 24 = 40 bytes, served from the 48-byte size class. */
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use + 48);
    MP_DECREF(o);
}

Test(gc, del_releases_the_whole_block)
{
    mp_malloc_stats before = stats();
    mp_object *o = mp_gc_new(&cell_type);
    MP_DECREF(o);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use);
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use);
}

Test(gc, object_after_the_header_stays_16_byte_aligned)
{
    mp_object *o = mp_gc_new(&cell_type);
    cr_expect_eq((uintptr_t)o % 16, 0);
    MP_DECREF(o);
}

/* 16 + 24 + 5 * 8 = 80 bytes. */
Test(gc, new_var_sets_the_size_and_allocates_the_items)
{
    mp_malloc_stats before = stats();
    mp_varobject *v = mp_gc_new_var(&vnode_type, 5);
    cr_assert_not_null(v);
    cr_expect_eq(MP_SIZE(v), 5);
    cr_expect_eq(MP_REFCNT(v), 1);
    cr_expect_eq(MP_AS_GC(v)->gc_next, 0);
    cr_expect_eq(MP_AS_GC(v)->gc_prev, 0);
    cr_expect_eq(stats().bytes_in_use, before.bytes_in_use + 80);
    MP_DECREF(v);
    cr_expect_eq(stats().blocks_in_use, before.blocks_in_use);
}

Test(gc, new_var_with_a_negative_count_fails)
{
    mp_malloc_stats before = stats();
    cr_assert_null(mp_gc_new_var(&vnode_type, -1));
    cr_expect_neq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(stats().blocks_in_use, before.blocks_in_use);
    mp_err_clear();
}

/* The object part (24) plus the header (16). */
Test(gc, getsizeof_of_a_container_includes_the_header)
{
    mp_object *o = mp_gc_new(&cell_type);
    cr_expect_eq(mp_getsizeof(o), 40);
    MP_DECREF(o);
}

/* python3 -c "import sys; print(sys.getsizeof([]), sys.getsizeof(()), [].__sizeof__(), ().__sizeof__())"
 * -> 56 40 40 24 */
Test(gc, getsizeof_of_list_and_tuple_includes_the_header)
{
    mp_object *l = mp_list_new(0), *t = mp_tuple_new(0);
    cr_expect_eq(mp_getsizeof(l), 56);
    cr_expect_eq(mp_getsizeof(t), 40);
    cr_expect(mp_type_is_gc(MP_TYPE(l)));
    cr_expect(mp_type_is_gc(MP_TYPE(t)));
    MP_DECREF(l);
    MP_DECREF(t);
}

/* python3 -c "import gc; print(gc.is_tracked(1), gc.is_tracked('a'), gc.is_tracked([]))"
 * -> False False True: ints and strs are not containers. */
Test(gc, ints_and_strs_are_not_containers)
{
    cr_expect_not(mp_type_is_gc(&mp_type_int));
    cr_expect_not(mp_type_is_gc(&mp_type_str));
    cr_expect(mp_type_is_gc(&mp_type_list));
}

/* ---- tracking ----------------------------------------------------------------- */

/* Under MP_STRESS_GC every container allocation collects, so counts and
 * collection tallies differ by design: those tests only run without it. */
#ifdef MP_STRESS_GC
#define SKIP_UNDER_STRESS() cr_skip_test("counts collections, which MP_STRESS_GC multiplies")
#else
#define SKIP_UNDER_STRESS() ((void)0)
#endif

/* python3 -c "import gc; print(gc.is_tracked([]), gc.is_tracked(tuple([1])), gc.is_tracked(1))"
 * -> True True False */
Test(gc, lists_and_tuples_are_tracked_from_birth_ints_never)
{
    mp_object *l = mp_list_new(0), *t = mp_tuple_new(1), *i = mp_int_from_long(1000);
    mp_tuple_set_item(t, 0, mp_newref(i));
    cr_expect(mp_gc_is_tracked(l));
    cr_expect(mp_gc_is_tracked(t));
    cr_expect_not(mp_gc_is_tracked(i));
    MP_DECREF(l);
    MP_DECREF(t);
    MP_DECREF(i);
}

Test(gc, untrack_then_track_again)
{
    mp_object *n = node_new();
    mp_gc_untrack(n);
    cr_expect_not(mp_gc_is_tracked(n));
    mp_gc_untrack(n);
    mp_gc_track(n);
    mp_gc_track(n);
    cr_expect(mp_gc_is_tracked(n));
    MP_DECREF(n);
}

/* python3 -c "import gc; t = tuple([1, 2]); u = tuple([[]]); gc.collect(0);
 *   print(gc.is_tracked(t), gc.is_tracked(u))" -> False True */
Test(gc, a_collection_untracks_tuples_of_atoms_only)
{
    mp_object *one = mp_int_from_long(1), *big = mp_int_from_long(1 << 20);
    mp_object *atoms = mp_tuple_pack(2, one, big);
    MP_DECREF(one);
    MP_DECREF(big);
    mp_object *l = mp_list_new(0);
    mp_object *holder = mp_tuple_pack(1, l);
    mp_object *nested = mp_tuple_pack(1, atoms);
    mp_gc_collect(0);
    cr_expect_not(mp_gc_is_tracked(atoms));
    cr_expect(mp_gc_is_tracked(holder));
    cr_expect_not(mp_gc_is_tracked(nested),
                  "its item, made earlier, was untracked earlier in the same walk");
    MP_DECREF(atoms);
    MP_DECREF(l);
    MP_DECREF(holder);
    MP_DECREF(nested);
}

/* ---- what is collected, what is not --------------------------------------------- */

/* python3 -c "import gc; gc.collect(); a = []; b = [a]; a.append(b); del a, b;
 *   print(gc.collect())" -> 2 */
Test(gc, a_pair_of_lists_in_a_cycle_is_found_and_freed)
{
    mp_gc_collect(-1);
    size_t before = blocks_in_use();
    mp_object *a = mp_list_new(0), *b = mp_list_new(0);
    mp_list_append(a, b);
    mp_list_append(b, a);
    MP_DECREF(a);
    MP_DECREF(b);
    cr_expect_gt(blocks_in_use(), before, "counting alone frees nothing of a cycle");
    cr_expect_eq(mp_gc_collect(-1), 2);
    cr_expect_eq(blocks_in_use(), before);
    cr_expect_eq(mp_gc_collect(-1), 0);
}

/* python3 -c "import gc; l = []; l.append(l); print(gc.collect()); del l; print(gc.collect())"
 * -> 0 then 1 */
Test(gc, a_list_containing_itself_is_freed_only_once_unbound)
{
    mp_object *l = mp_list_new(0);
    mp_list_append(l, l);
    cr_expect_eq(mp_gc_collect(-1), 0);
    cr_expect_eq(mp_getrefcount(l), 3);
    MP_DECREF(l);
    cr_expect_eq(mp_gc_collect(-1), 1);
}

Test(gc, two_nodes_and_a_self_reference)
{
    mp_object *x = node_new(), *y = node_new(), *s = node_new();
    node_set_a(x, y);
    node_set_a(y, x);
    node_set_a(s, s);
    MP_DECREF(x);
    MP_DECREF(y);
    cr_expect_eq(mp_gc_collect(-1), 2);
    cr_expect_eq(node_freed, 2);
    MP_DECREF(s);
    cr_expect_eq(mp_gc_collect(-1), 1);
    cr_expect_eq(node_freed, 3);
}

/* A cycle reachable only from an outer list a C variable holds: the outer
 * list is in the generation too, and its external reference saves all. */
Test(gc, a_cycle_held_through_an_outer_container_survives_intact)
{
    mp_object *outer = mp_list_new(0);
    mp_object *x = node_new(), *y = node_new();
    node_set_a(x, y);
    node_set_a(y, x);
    mp_list_append(outer, x);
    MP_DECREF(x);
    MP_DECREF(y);
    cr_expect_eq(mp_gc_collect(-1), 0);
    cr_expect_eq(node_freed, 0);
    cr_expect_eq(((node *)x)->a, y);
    cr_expect_eq(((node *)y)->a, x);
    cr_expect_eq(MP_REFCNT(x), 2);
    cr_expect_eq(MP_REFCNT(y), 1);
    MP_DECREF(outer);
    cr_expect_eq(mp_gc_collect(-1), 2);
}

/* A reference from an older generation keeps a young cycle alive in a
 * collection of generation 0: it counts as a reference from outside. */
Test(gc, an_older_objects_reference_counts_as_external)
{
    SKIP_UNDER_STRESS();
    mp_object *old = node_new();
    mp_gc_collect(1); /* old survives into generation 2 */
    mp_object *x = node_new(), *y = node_new();
    node_set_a(x, y);
    node_set_a(y, x);
    node_set_a(old, x);
    MP_DECREF(x);
    MP_DECREF(y);
    cr_expect_eq(mp_gc_collect(0), 0);
    cr_expect_eq(mp_gc_collect(1), 0);
    cr_expect_eq(node_freed, 0);
    MP_DECREF(old);
    cr_expect_eq(node_freed, 1, "old had no cycle: counting freed it");
    cr_expect_eq(mp_gc_collect(2), 2);
    cr_expect_eq(node_freed, 3);
}

Test(gc, untracked_containers_are_invisible_to_the_collector)
{
    mp_object *x = node_new();
    node_set_a(x, x);
    mp_gc_untrack(x);
    MP_DECREF(x);
    cr_expect_eq(mp_gc_collect(-1), 0);
    cr_expect_eq(node_freed, 0);
    mp_gc_track(x);
    cr_expect_eq(mp_gc_collect(-1), 1);
}

Test(gc, collect_rejects_a_generation_that_does_not_exist)
{
    cr_expect_eq(mp_gc_collect(3), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_VALUE);
    cr_expect_str_eq(mp_err_message(), "invalid generation");
    mp_err_clear();
    cr_expect_eq(mp_gc_collect(-2), -1);
    mp_err_clear();
}

/* ---- finalizers (PEP 442) ----------------------------------------------------------- */

/* python3: class A: def __del__(self): print("del") -- a cycle of two
 * A's: gc.collect() prints del twice and returns 2. */
Test(gc, finalizers_in_a_cycle_run_once_and_the_cycle_is_freed)
{
    mp_object *x = node_new_of(&fnode_type), *y = node_new_of(&fnode_type);
    node_set_a(x, y);
    node_set_a(y, x);
    MP_DECREF(x);
    MP_DECREF(y);
    cr_expect_eq(mp_gc_collect(-1), 2);
    cr_expect_eq(node_finalized, 2);
    cr_expect_eq(node_freed, 2);
}

/* python3: class A: def __del__(self): global saved; saved = self
 *   a = A(); a.me = a; del a; gc.collect() -> 0; del saved; gc.collect() -> 1,
 *   and __del__ runs only the first time. */
Test(gc, a_finalizer_that_resurrects_keeps_its_object_and_never_runs_again)
{
    node_resurrect = true;
    mp_object *x = node_new_of(&fnode_type);
    node_set_a(x, x);
    MP_DECREF(x);
    cr_expect_eq(mp_gc_collect(-1), 0);
    cr_expect_eq(node_finalized, 1);
    cr_expect_eq(node_saved, x);
    cr_expect_eq(((node *)x)->a, x, "a resurrected object is left intact");
    cr_expect(mp_gc_is_tracked(x));
    mp_object *saved = node_saved;
    node_saved = NULL;
    MP_DECREF(saved);
    cr_expect_eq(mp_gc_collect(-1), 1);
    cr_expect_eq(node_finalized, 1);
    cr_expect_eq(node_freed, 1);
}

Test(gc, a_finalizer_runs_once_when_the_count_reaches_zero)
{
    mp_object *x = node_new_of(&fnode_type);
    MP_DECREF(x);
    cr_expect_eq(node_finalized, 1);
    cr_expect_eq(node_freed, 1);
}

Test(gc, resurrection_from_a_dealloc_keeps_the_object_tracked)
{
    node_resurrect = true;
    mp_object *x = node_new_of(&fnode_type);
    MP_DECREF(x);
    cr_expect_eq(node_saved, x);
    cr_expect_eq(node_freed, 0);
    cr_expect(mp_gc_is_tracked(x));
    node_saved = NULL;
    MP_DECREF(x);
    cr_expect_eq(node_finalized, 1, "finalized already: the second death skips it");
    cr_expect_eq(node_freed, 1);
}

/* ---- thresholds and counts -------------------------------------------------------- */

static int collections_started[MP_GC_GENERATIONS];
static mp_ssize_t last_collected, last_uncollectable;
static int callback_order[4], callback_calls;

static void count_collections(const char *phase, const mp_gc_info *info, void *arg)
{
    (void)arg;
    if (strcmp(phase, "start") == 0)
        collections_started[info->generation]++;
    else {
        last_collected = info->collected;
        last_uncollectable = info->uncollectable;
    }
}

/* python3 -c "import gc; print(gc.get_threshold())" -> (700, 10, 10) */
Test(gc, thresholds_start_at_700_10_10)
{
    int t0, t1, t2;
    mp_gc_get_threshold(&t0, &t1, &t2);
    cr_expect_eq(t0, 700);
    cr_expect_eq(t1, 10);
    cr_expect_eq(t2, 10);
    mp_gc_set_threshold(1000, 15, 15);
    mp_gc_get_threshold(&t0, &t1, &t2);
    cr_expect(t0 == 1000 && t1 == 15 && t2 == 15);
}

/* Generation 0 is collected when its count passes the threshold: by the
 * 701st container allocated since the last collection. */
Test(gc, the_701st_tracked_allocation_collects_generation_0)
{
    SKIP_UNDER_STRESS();
    mp_object *keep = mp_list_new(0);
    mp_gc_collect(-1);
    mp_gc_callback_add(count_collections, NULL);
    int c0, c1, c2;
    for (int i = 0; i < 700; i++) {
        mp_object *l = mp_list_new(0);
        mp_list_append(keep, l);
        MP_DECREF(l);
    }
    mp_gc_get_count(&c0, &c1, &c2);
    cr_expect_eq(c0, 700);
    cr_expect_eq(collections_started[0], 0);
    mp_object *l = mp_list_new(0);
    cr_expect_eq(collections_started[0], 1);
    mp_gc_get_count(&c0, &c1, &c2);
    cr_expect_eq(c0, 0, "counted before the collection, which resets it");
    cr_expect_eq(c1, 1);
    MP_DECREF(l);
    MP_DECREF(keep);
}

/* python3: gc.collect(); a = []; b = []; gc.get_count() grows by 2, and
 * del b takes one back. */
Test(gc, count_0_is_allocations_minus_deallocations)
{
    SKIP_UNDER_STRESS();
    mp_gc_collect(-1);
    int c0, c1, c2;
    mp_object *a = mp_list_new(0), *b = mp_list_new(0);
    mp_gc_get_count(&c0, &c1, &c2);
    cr_expect_eq(c0, 2);
    MP_DECREF(b);
    mp_gc_get_count(&c0, &c1, &c2);
    cr_expect_eq(c0, 1);
    mp_object *i = mp_int_from_long(1 << 20);
    mp_gc_get_count(&c0, &c1, &c2);
    cr_expect_eq(c0, 1, "an int is not a container");
    MP_DECREF(i);
    MP_DECREF(a);
}

/* python3 -c "import gc; gc.collect(); gc.collect(0); print(gc.get_count());
 *   gc.collect(1); print(gc.get_count())" -> (0, 1, 0) then (0, 0, 1) */
Test(gc, each_collection_counts_for_the_next_generation)
{
    SKIP_UNDER_STRESS();
    int c0, c1, c2;
    mp_gc_collect(-1);
    mp_gc_collect(0);
    mp_gc_get_count(&c0, &c1, &c2);
    cr_expect(c0 == 0 && c1 == 1 && c2 == 0);
    mp_gc_collect(1);
    mp_gc_get_count(&c0, &c1, &c2);
    cr_expect(c0 == 0 && c1 == 0 && c2 == 1);
    mp_gc_collect(2);
    mp_gc_get_count(&c0, &c1, &c2);
    cr_expect(c0 == 0 && c1 == 0 && c2 == 0);
}

static void allocate_lists(int n, mp_object *keep)
{
    for (int i = 0; i < n; i++) {
        mp_object *l = mp_list_new(0);
        if (keep)
            mp_list_append(keep, l);
        MP_DECREF(l);
    }
}

/* "More than the threshold": generation 1's count must pass 10, so the
 * 12th automatic collection is the first of generation 1.
 * python3: gc.collect(); record each collection's generation from a
 * gc.callbacks entry; keep = [[] for _ in range(701 * 13)]
 *   -> [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0] */
Test(gc, generation_1_follows_11_collections_of_generation_0)
{
    SKIP_UNDER_STRESS();
    mp_gc_collect(-1);
    mp_gc_callback_add(count_collections, NULL);
    mp_object *keep = mp_list_new(0);
    allocate_lists(701 * 11, keep);
    cr_expect_eq(collections_started[0], 11);
    cr_expect_eq(collections_started[1], 0);
    allocate_lists(701, keep);
    cr_expect_eq(collections_started[0], 11);
    cr_expect_eq(collections_started[1], 1);
    MP_DECREF(keep);
}

/* The long-lived rule: with 4000 objects surviving the last full
 * collection, generation 2 waits, whatever its count, until more than 1000
 * have survived generation 1 since. */
Test(gc, a_full_collection_waits_for_a_quarter_more_long_lived_objects)
{
    SKIP_UNDER_STRESS();
    mp_object *survivors = mp_list_new(0);
    allocate_lists(4000, survivors);
    mp_gc_collect(-1);
    mp_gc_set_threshold(100, 1, 1);
    mp_gc_callback_add(count_collections, NULL);
    /* Each round: 101 allocations trigger generation 0 or 1; the objects
     * kept survive into generation 2's pending count in generation-1 runs. */
    int c0, c1, c2;
    mp_object *more = mp_list_new(0);
    int rounds = 0;
    bool waited = false;
    while (collections_started[2] == 0 && rounds < 1000) {
        allocate_lists(101, more);
        rounds++;
        mp_gc_get_count(&c0, &c1, &c2);
        waited |= collections_started[2] == 0 && c2 > 1;
    }
    cr_expect(waited, "generation 2 went over its threshold without being collected");
    cr_expect_eq(collections_started[2], 1);
    /* Without the rule it would have run with 909 kept (9 rounds). */
    cr_expect_gt(mp_list_size(more), 1000, "ran before a quarter had survived");
    MP_DECREF(more);
    MP_DECREF(survivors);
}

Test(gc, disable_and_a_zero_threshold_stop_automatic_collection)
{
    SKIP_UNDER_STRESS();
    mp_gc_callback_add(count_collections, NULL);
    mp_object *keep = mp_list_new(0);
    mp_gc_disable();
    cr_expect_not(mp_gc_isenabled());
    allocate_lists(2000, keep);
    cr_expect_eq(collections_started[0], 0);
    mp_gc_enable();
    cr_expect(mp_gc_isenabled());
    mp_gc_set_threshold(0, 10, 10);
    allocate_lists(2000, keep);
    cr_expect_eq(collections_started[0], 0);
    mp_gc_set_threshold(700, 10, 10);
    allocate_lists(1, keep);
    cr_expect_eq(collections_started[0], 1, "the count was far past 700: the next one collects");
    MP_DECREF(keep);
}

Test(gc, cycles_pile_up_while_disabled_and_go_once_collected)
{
    mp_gc_disable();
    size_t before = blocks_in_use();
    for (int i = 0; i < 1000; i++) {
        mp_object *l = mp_list_new(0);
        mp_list_append(l, l);
        MP_DECREF(l);
    }
    cr_expect_geq(blocks_in_use(), before + 1000);
    cr_expect_eq(mp_gc_collect(-1), 1000);
    cr_expect_eq(blocks_in_use(), before);
    mp_gc_enable();
}

/* ---- the gc module's other functions ------------------------------------------------ */

Test(gc, callbacks_see_start_and_stop_with_the_figures)
{
    SKIP_UNDER_STRESS();
    mp_gc_callback_add(count_collections, NULL);
    mp_object *l = mp_list_new(0);
    mp_list_append(l, l);
    MP_DECREF(l);
    mp_gc_collect(1);
    cr_expect_eq(collections_started[1], 1);
    cr_expect_eq(last_collected, 1);
    cr_expect_eq(last_uncollectable, 0);
    mp_gc_callback_remove(count_collections, NULL);
    mp_gc_collect(1);
    cr_expect_eq(collections_started[1], 1);
}

static void record_phase(const char *phase, const mp_gc_info *info, void *arg)
{
    (void)info;
    callback_order[callback_calls++ % 4] = (int)(intptr_t)arg * 10 + (phase[2] == 'a');
    /* Asking for a collection from inside one does nothing, as in CPython. */
    cr_expect_eq(mp_gc_collect(-1), 0);
}

Test(gc, callbacks_run_in_the_order_added)
{
    mp_gc_callback_add(record_phase, (void *)1);
    mp_gc_callback_add(record_phase, (void *)2);
    mp_gc_collect(0);
    cr_expect_eq(callback_calls, 4);
    cr_expect_arr_eq(callback_order, ((int[]){11, 21, 10, 20}), 4 * sizeof(int));
}

Test(gc, get_stats_counts_collections_and_what_they_freed)
{
    SKIP_UNDER_STRESS();
    mp_gc_stats before[MP_GC_GENERATIONS], after[MP_GC_GENERATIONS];
    mp_gc_get_stats(before);
    mp_object *a = mp_list_new(0), *b = mp_list_new(0);
    mp_list_append(a, b);
    mp_list_append(b, a);
    MP_DECREF(a);
    MP_DECREF(b);
    mp_gc_collect(0);
    mp_gc_collect(2);
    mp_gc_get_stats(after);
    cr_expect_eq(after[0].collections, before[0].collections + 1);
    cr_expect_eq(after[0].collected, before[0].collected + 2);
    cr_expect_eq(after[2].collections, before[2].collections + 1);
    cr_expect_eq(after[2].collected, before[2].collected);
    cr_expect_eq(after[0].uncollectable, 0);
}

/* python3: l = []; l.append(l); gc.get_referrers(l) == [l] and
 * gc.get_referents(l) == [l] */
Test(gc, referrers_and_referents)
{
    mp_object *x = node_new(), *y = node_new(), *l = mp_list_new(0);
    node_set_a(x, y);
    mp_list_append(l, y);
    mp_object *referrers = mp_gc_get_referrers(y);
    cr_assert_not_null(referrers);
    cr_expect_eq(mp_list_size(referrers), 2);
    cr_expect_eq(mp_list_get_item(referrers, 0), x, "the generation's order: x was made first");
    cr_expect_eq(mp_list_get_item(referrers, 1), l);
    mp_object *referents = mp_gc_get_referents(x);
    cr_expect_eq(mp_list_size(referents), 1);
    cr_expect_eq(mp_list_get_item(referents, 0), y);
    MP_DECREF(referrers);
    MP_DECREF(referents);
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(l);
}

Test(gc, get_objects_lists_a_generation)
{
    SKIP_UNDER_STRESS();
    mp_gc_collect(-1);
    mp_object *x = node_new();
    mp_object *young = mp_gc_get_objects(0);
    cr_expect_eq(mp_list_size(young), 1);
    cr_expect_eq(mp_list_get_item(young, 0), x);
    MP_DECREF(young);
    mp_gc_collect(0);
    mp_object *gen1 = mp_gc_get_objects(1);
    cr_expect_eq(mp_list_size(gen1), 1);
    MP_DECREF(gen1);
    cr_expect_null(mp_gc_get_objects(3));
    cr_expect_str_eq(mp_err_message(),
                     "generation parameter must be less than the number of available "
                     "generations (3)");
    mp_err_clear();
    MP_DECREF(x);
}

Test(gc, frozen_objects_are_never_collected_until_unfrozen)
{
    mp_object *l = mp_list_new(0);
    mp_list_append(l, l);
    mp_gc_freeze();
    cr_expect_geq(mp_gc_get_freeze_count(), 1);
    MP_DECREF(l);
    cr_expect_eq(mp_gc_collect(-1), 0);
    mp_gc_unfreeze();
    cr_expect_eq(mp_gc_get_freeze_count(), 0);
    cr_expect_eq(mp_gc_collect(-1), 1);
}

/* python3: gc.set_debug(gc.DEBUG_SAVEALL); l = []; l.append(l); del l;
 *   gc.collect() -> 1, and gc.garbage == [l] */
Test(gc, saveall_keeps_the_garbage_in_gc_garbage)
{
    mp_gc_set_debug(MP_GC_DEBUG_SAVEALL);
    cr_expect_eq(mp_gc_get_debug(), MP_GC_DEBUG_SAVEALL);
    mp_object *l = mp_list_new(0);
    mp_list_append(l, l);
    MP_DECREF(l);
    cr_expect_eq(mp_gc_collect(-1), 1);
    mp_object *garbage = mp_gc_garbage();
    cr_assert_eq(mp_list_size(garbage), 1);
    cr_expect_eq(mp_list_get_item(garbage, 0), l);
    cr_expect_eq(mp_list_get_item(l, 0), l, "saved, not cleared");
    cr_expect(mp_gc_is_tracked(l));
    mp_gc_set_debug(0);
}

/* python3: gc.set_debug(gc.DEBUG_STATS); gc.collect() prints
 *   gc: collecting generation 2...
 *   gc: objects in each generation: 0 0 11092
 *   gc: objects in permanent generation: 0
 *   gc: done, 0 unreachable, 0 uncollectable, 0.0011s elapsed */
Test(gc, debug_stats_prints_cpythons_lines)
{
    SKIP_UNDER_STRESS();
    cr_redirect_stderr();
    mp_object *keep = mp_list_new(0);
    mp_object *l = mp_list_new(0);
    mp_list_append(l, l);
    MP_DECREF(l);
    mp_gc_set_debug(MP_GC_DEBUG_STATS);
    mp_gc_collect(-1);
    mp_gc_set_debug(0);
    fflush(stderr);
    char text[512] = "";
    size_t n = fread(text, 1, sizeof text - 1, cr_get_redirected_stderr());
    text[n] = '\0';
    cr_expect(strstr(text, "gc: collecting generation 2...\n"
                           "gc: objects in each generation: 2 0 0\n"
                           "gc: objects in permanent generation: 0\n"
                           "gc: done, 1 unreachable, 0 uncollectable, ") == text,
              "got:\n%s", text);
    cr_expect(strstr(text, "s elapsed\n"));
    MP_DECREF(keep);
}

/* ---- the runtime's other containers --------------------------------------------------- */

/* python3: d = {}; gc.is_tracked(d) -> False; d[1] = 2 -> False;
 *   d[2] = [] -> True */
Test(gc, a_dict_is_tracked_only_once_it_holds_a_container)
{
    mp_object *d = mp_dict_new(), *one = mp_int_from_long(1), *two = mp_int_from_long(2);
    mp_object *l = mp_list_new(0);
    cr_expect_not(mp_gc_is_tracked(d));
    mp_dict_setitem(d, one, two);
    cr_expect_not(mp_gc_is_tracked(d));
    mp_dict_setitem(d, two, l);
    cr_expect(mp_gc_is_tracked(d));
    MP_DECREF(d);
    MP_DECREF(one);
    MP_DECREF(two);
    MP_DECREF(l);
}

/* python3: d = {}; d['t'] = tuple([1, 2]); gc.collect(0); gc.is_tracked(d)
 *   -> True; gc.collect(); gc.is_tracked(d) -> False: only a full
 *   collection untracks dicts, after the tuple of atoms has gone. */
Test(gc, a_full_collection_untracks_dicts_of_atoms)
{
    mp_object *d = mp_dict_new(), *key = mp_str_from_utf8("t");
    mp_object *one = mp_int_from_long(1), *two = mp_int_from_long(2);
    mp_object *t = mp_tuple_pack(2, one, two);
    mp_dict_setitem(d, key, t);
    cr_expect(mp_gc_is_tracked(d));
    mp_gc_collect(0);
    cr_expect(mp_gc_is_tracked(d));
    cr_expect_not(mp_gc_is_tracked(t));
    mp_gc_collect(2);
    cr_expect_not(mp_gc_is_tracked(d));
    MP_DECREF(d);
    MP_DECREF(key);
    MP_DECREF(one);
    MP_DECREF(two);
    MP_DECREF(t);
}

/* python3: a = {}; b = {}; a['b'] = b; b['a'] = a; del a, b; gc.collect()
 *   -> 2 */
Test(gc, a_pair_of_dicts_in_a_cycle_counts_2)
{
    mp_object *a = mp_dict_new(), *b = mp_dict_new();
    mp_object *ka = mp_str_from_utf8("a"), *kb = mp_str_from_utf8("b");
    mp_dict_setitem(a, kb, b);
    mp_dict_setitem(b, ka, a);
    MP_DECREF(a);
    MP_DECREF(b);
    cr_expect_eq(mp_gc_collect(-1), 2);
    MP_DECREF(ka);
    MP_DECREF(kb);
}

/* python3: class A: pass; x = A(); y = A(); x.o = y; y.o = x; del x, y;
 *   gc.collect() -> 2; x = A(); x.s = x; del x; gc.collect() -> 1; and
 *   with x.__dict__ and y.__dict__ asked for first, 4 */
Test(gc, instances_count_as_one_object_until_their_dict_is_made)
{
    mp_object *cls = mp_class_new("A", NULL);
    for (int with_dicts = 0; with_dicts <= 1; with_dicts++) {
        mp_object *x = mp_instance_new(cls), *y = mp_instance_new(cls);
        mp_object_setattr_str(x, "o", y);
        mp_object_setattr_str(y, "o", x);
        if (with_dicts) {
            MP_DECREF(mp_instance_dict(x));
            MP_DECREF(mp_instance_dict(y));
        }
        MP_DECREF(x);
        MP_DECREF(y);
        cr_expect_eq(mp_gc_collect(-1), with_dicts ? 4 : 2);
    }
    mp_object *s = mp_instance_new(cls);
    mp_object_setattr_str(s, "s", s);
    MP_DECREF(s);
    cr_expect_eq(mp_gc_collect(-1), 1);
    MP_DECREF(cls);
}

static int dels;
static mp_object *resurrected;

static void count_del(mp_object *self)
{
    dels++;
    if (!resurrected && node_resurrect)
        resurrected = mp_newref(self);
}

/* python3: class D: def __del__(self): print("D.__del__"); a cycle of two
 *   D's: gc.collect() prints it twice and returns 2 */
Test(gc, instances_with_del_in_a_cycle_are_finalized_and_freed)
{
    mp_object *cls = mp_class_new("D", NULL);
    cr_assert_eq(mp_class_set_del(cls, count_del), 0);
    mp_object *x = mp_instance_new(cls), *y = mp_instance_new(cls);
    mp_object_setattr_str(x, "o", y);
    mp_object_setattr_str(y, "o", x);
    MP_DECREF(x);
    MP_DECREF(y);
    cr_expect_eq(mp_gc_collect(-1), 2);
    cr_expect_eq(dels, 2);
    MP_DECREF(cls);
}

Test(gc, an_instance_resurrected_by_del_lives_and_is_finalized_once)
{
    node_resurrect = true;
    mp_object *cls = mp_class_new("D", NULL);
    mp_class_set_del(cls, count_del);
    mp_object *x = mp_instance_new(cls);
    MP_DECREF(x);
    cr_expect_eq(resurrected, x);
    cr_expect_eq(dels, 1);
    cr_expect(mp_gc_is_tracked(x));
    mp_object *r = resurrected;
    resurrected = NULL;
    node_resurrect = false;
    MP_DECREF(r);
    cr_expect_eq(dels, 1);
    MP_DECREF(cls);
}

Test(gc, set_del_refuses_what_is_not_a_class)
{
    cr_expect_eq(mp_class_set_del(MP_OBJ(&mp_type_list), count_del), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    mp_err_clear();
}

/* Every kind of container made, tied into one cycle through a list, and
 * dropped: the collector finds them all. */
Test(gc, a_cycle_through_every_container_type_is_collected)
{
    mp_object *hub = mp_list_new(0);
    mp_object *cls = mp_class_new("A", NULL);
    mp_object *inst = mp_instance_new(cls);
    mp_object_setattr_str(inst, "hub", hub);
    mp_object *d = mp_dict_new(), *key = mp_str_from_utf8("hub");
    mp_dict_setitem(d, key, hub);
    mp_object *t = mp_tuple_pack(1, hub);
    mp_object *range = mp_range_new(0, 3, 1);
    mp_object *sq = mp_gen_squares(range);
    mp_object *items[] = {inst, d, t, sq, mp_object_getiter(hub), mp_object_getiter(d)};
    size_t n = sizeof items / sizeof items[0];
    for (size_t i = 0; i < n; i++)
        mp_list_append(hub, items[i]);
    for (size_t i = 0; i < n; i++)
        MP_DECREF(items[i]);
    MP_DECREF(hub);
    MP_DECREF(key);
    MP_DECREF(range);
    size_t before = blocks_in_use();
    cr_expect_eq(mp_gc_collect(-1), 7, "hub, instance, dict, tuple, generator, two iterators");
    cr_expect_lt(blocks_in_use(), before);
    MP_DECREF(cls);
}

/* ---- big lists and tuples --------------------------------------------------------------- */

/* Ours: the collector's walks take the items of a big list or tuple as
 * they reach the same objects (the deferred items in gc.c). Whatever the
 * order of the items against the walk, what survives and what is found
 * must be what CPython finds. */

enum { BIG = 100 };
enum order { MADE, REVERSED, SHUFFLED };
static const enum order orders[] = {MADE, REVERSED, SHUFFLED};

/* The position an item made i-th takes: 37 and 100 share no factor, so
 * i * 37 % 100 is a permutation. */
static int position(enum order order, int i)
{
    return order == MADE ? i : order == REVERSED ? BIG - 1 - i : i * 37 % BIG;
}

/* An item: a list holding an atom, so that a collection that wrongly
 * found it unreachable would leave it empty (tp_clear). */
static mp_object *new_item(void)
{
    mp_object *item = mp_list_new(0), *seven = mp_int_from_long(7);
    mp_list_append(item, seven);
    MP_DECREF(seven);
    return item;
}

/* BIG new items, held only by the list returned, made after it. */
static mp_object *big_list_of_new_items(enum order order)
{
    mp_object *big = mp_list_new(BIG);
    for (int i = 0; i < BIG; i++)
        mp_list_set_item(big, position(order, i), new_item());
    return big;
}

static void expect_items_intact(mp_object *big, int n)
{
    for (int i = 0; i < n; i++) {
        mp_object *item = mp_list_get_item(big, i);
        cr_assert(mp_list_check(item) && MP_SIZE(item) == 1, "item %d was cleared or freed", i);
        cr_expect_eq(MP_REFCNT(item), 1, "item %d", i);
        cr_expect(mp_gc_is_tracked(item), "item %d", i);
    }
}

/* python3 -c "import gc, random; l = [[7] for _ in range(100)]; random.shuffle(l);
 *   print(gc.collect(0), gc.collect())" -> 0 0 */
Test(gc, a_big_lists_items_survive_in_any_order)
{
    mp_gc_disable();
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        for (int generation = 0; generation <= 2; generation += 2) {
            mp_object *big = big_list_of_new_items(orders[k]);
            cr_expect_eq(mp_gc_collect(generation), 0, "order %zu, generation %d", k, generation);
            expect_items_intact(big, BIG);
            MP_DECREF(big);
        }
    }
}

/* The cycle closes through the item made last, so that in the order made
 * the walk meets every item right after the list.
 * python3 -c "import gc; gc.collect(); l = [[7] for _ in range(100)]; l[-1].append(l);
 *   del l; print(gc.collect())" -> 101 */
Test(gc, a_big_list_in_a_cycle_goes_with_its_items)
{
    mp_gc_disable();
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        size_t before = blocks_in_use();
        mp_object *big = big_list_of_new_items(orders[k]);
        mp_list_append(mp_list_get_item(big, position(orders[k], BIG - 1)), big);
        MP_DECREF(big);
        cr_expect_eq(mp_gc_collect(2), BIG + 1, "order %zu", k);
        cr_expect_eq(blocks_in_use(), before, "order %zu", k);
    }
}

/* n garbage nodes, in pairs that hold each other (a.a = b; b.a = a), as
 * python3's two lists a = []; b = [a]; a.append(b) once the names go. */
static void make_node_cycles(int n)
{
    for (int i = 0; i < n / 2; i++) {
        mp_object *a = node_new(), *b = node_new();
        node_set_a(a, b);
        node_set_a(b, a);
        MP_DECREF(a);
        MP_DECREF(b);
    }
}

/* Collects, expecting what CPython's gc.collect() returns, every garbage
 * node freed, and the big list's items intact. */
static void expect_garbage_found(mp_object *big, int found)
{
    cr_expect_eq(mp_gc_collect(2), found);
    cr_expect_eq(node_freed, found, "the garbage is freed");
    expect_items_intact(big, BIG);
}

/* The walk meets a pair of garbage between each two items.
 * python3 -c "import gc; gc.collect(); l = []
 *   for i in range(100):
 *       l.append([7]); a = []; b = [a]; a.append(b); del a, b
 *   print(gc.collect(), len(l))" -> 200 100 */
Test(gc, items_met_between_garbage_are_kept)
{
    mp_gc_disable();
    mp_object *big = mp_list_new(0);
    for (int i = 0; i < BIG; i++) {
        mp_object *item = new_item();
        mp_list_append(big, item);
        MP_DECREF(item);
        make_node_cycles(2);
    }
    expect_garbage_found(big, 2 * BIG);
    MP_DECREF(big);
}

/* The walk meets the big list's items right after it, then garbage: the
 * garbage is judged on its own.
 * python3 -c "import gc; gc.collect(); l = [[7] for _ in range(100)]; a = []; b = [a];
 *   a.append(b); del a, b; print(gc.collect())" -> 2 */
Test(gc, objects_walked_after_a_big_lists_items_are_judged_alone)
{
    mp_gc_disable();
    mp_object *big = big_list_of_new_items(MADE);
    make_node_cycles(2);
    expect_garbage_found(big, 2);
    MP_DECREF(big);
}

/* The walk meets garbage right after the big list, and the list's items
 * after that: the garbage is not taken for its items.
 * python3 -c "import gc; gc.collect(); l = []
 *   for _ in range(50): a = []; b = [a]; a.append(b)
 *   del a, b; l.extend([7] for _ in range(100)); print(gc.collect())" -> 100 */
Test(gc, garbage_walked_where_a_big_lists_items_would_be_is_found)
{
    mp_gc_disable();
    mp_object *big = mp_list_new(0);
    make_node_cycles(BIG);
    for (int i = 0; i < BIG; i++) {
        mp_object *item = new_item();
        mp_list_append(big, item);
        MP_DECREF(item);
    }
    expect_garbage_found(big, BIG);
    MP_DECREF(big);
}

/* a is walked first and looks unreachable, then the big list, then its
 * items, then h, the only one held from outside, which holds a: a, the
 * big list and every item come back from the unreachable list.
 * python3 -c "import gc; gc.collect(); a = []; big = [[7] for _ in range(100)];
 *   h = [a]; a.append(big); del a, big; print(gc.collect())" -> 0 */
Test(gc, a_big_list_reached_only_after_the_walk_passed_it_survives)
{
    mp_gc_disable();
    mp_object *a = mp_list_new(0);
    mp_object *big = big_list_of_new_items(MADE);
    mp_object *h = mp_list_new(0);
    mp_list_append(h, a);
    mp_list_append(a, big);
    MP_DECREF(a);
    MP_DECREF(big);
    cr_expect_eq(mp_gc_collect(2), 0);
    expect_items_intact(big, BIG);
    cr_expect_eq(MP_REFCNT(big), 1);
    MP_DECREF(h);
}

/* The big list's first item was walked before it, and the last object
 * walked is a tuple of atoms, which leaves the list: the items visited
 * at the end of the walk must still find the list's true end.
 * python3 -c "import gc; gc.collect(); x = []; big = [x] + list(range(100));
 *   t = (1, 2); del x; print(gc.collect(), gc.is_tracked(t), gc.is_tracked(big[0]))"
 * -> 0 False True */
Test(gc, items_visited_after_the_last_object_left_the_list_are_kept)
{
    mp_gc_disable();
    mp_object *x = mp_list_new(0);
    mp_object *big = mp_list_new(0);
    mp_list_append(big, x);
    MP_DECREF(x);
    for (int i = 0; i < BIG; i++) {
        mp_object *n = mp_int_from_long(i);
        mp_list_append(big, n);
        MP_DECREF(n);
    }
    mp_object *one = mp_int_from_long(1), *two = mp_int_from_long(2);
    mp_object *t = mp_tuple_pack(2, one, two);
    cr_expect_eq(mp_gc_collect(2), 0);
    cr_expect_not(mp_gc_is_tracked(t));
    cr_expect(mp_gc_is_tracked(x));
    cr_expect_eq(MP_REFCNT(x), 1);
    cr_expect_eq(mp_gc_collect(2), 0);
    MP_DECREF(t);
    MP_DECREF(one);
    MP_DECREF(two);
    MP_DECREF(big);
}

/* python3 -c "import gc; t = tuple([7] for _ in range(100)); print(gc.collect(), gc.is_tracked(t))"
 * -> 0 True */
Test(gc, a_big_tuples_items_survive_and_it_stays_tracked)
{
    mp_gc_disable();
    mp_object *t = mp_tuple_new(BIG);
    for (int i = 0; i < BIG; i++)
        ((mp_tuple *)t)->ob_item[position(SHUFFLED, i)] = new_item();
    cr_expect_eq(mp_gc_collect(2), 0);
    cr_expect(mp_gc_is_tracked(t));
    for (int i = 0; i < BIG; i++) {
        mp_object *item = ((mp_tuple *)t)->ob_item[i];
        cr_expect(MP_REFCNT(item) == 1 && MP_SIZE(item) == 1, "item %d", i);
    }
    MP_DECREF(t);
}

/* Ours: an item held only by its big container and holding no container
 * (an empty list, a list of numbers) is a leaf, left alone by the first
 * walk and skipped by the second when the container is reachable (gc.c).
 * When the container turns out not to be, the leaves must be judged after
 * all. */

/* a and b hold each other, and a holds the big list, whose run of leaves
 * the walk meets in step.
 * python3 -c "import gc; gc.collect(); a = []; b = [a]; a.append(b);
 *   a.append([[7] for _ in range(100)]); del a, b; print(gc.collect())" -> 103 */
Test(gc, the_leaves_of_an_unreachable_big_list_are_found)
{
    mp_gc_disable();
    size_t before = blocks_in_use();
    mp_object *a = mp_list_new(0), *b = mp_list_new(0);
    mp_list_append(b, a);
    mp_list_append(a, b);
    mp_object *big = big_list_of_new_items(MADE);
    mp_list_append(a, big);
    MP_DECREF(big);
    MP_DECREF(a);
    MP_DECREF(b);
    cr_expect_eq(mp_gc_collect(2), BIG + 3);
    cr_expect_eq(blocks_in_use(), before);
}

/* The same, but the big list's last item x was made before it: the run
 * leaves step at x, where the walk meets z (or the end of the list), after
 * its leaves were left alone.
 * python3 -c "import gc; gc.collect(); a = []; b = [a]; a.append(b); x = [];
 *   l = [[7] for _ in range(100)]; l.append(x); a.append(l); z = [];
 *   del a, b, x, l; print(gc.collect())" -> 104, and 104 without z */
Test(gc, leaves_of_a_run_that_leaves_step_are_found)
{
    mp_gc_disable();
    for (int with_z = 0; with_z <= 1; with_z++) {
        size_t before = blocks_in_use();
        mp_object *a = mp_list_new(0), *b = mp_list_new(0);
        mp_list_append(b, a);
        mp_list_append(a, b);
        mp_object *x = mp_list_new(0);
        mp_object *big = big_list_of_new_items(MADE);
        mp_list_append(big, x);
        mp_list_append(a, big);
        mp_object *z = with_z ? mp_list_new(0) : NULL;
        MP_DECREF(x);
        MP_DECREF(big);
        MP_DECREF(a);
        MP_DECREF(b);
        cr_expect_eq(mp_gc_collect(2), BIG + 4, "with z: %d", with_z);
        MP_XDECREF(z);
        cr_expect_eq(blocks_in_use(), before, "with z: %d", with_z);
    }
}

/* The collector logs the first 32 runs of a walk, and only a logged run
 * may leave leaves: the big lists met after those are walked as CPython
 * walks them, and their items found with them.
 * python3 -c "import gc; gc.collect(); keep = [[[7] for _ in range(100)] for _ in range(32)];
 *   a = []; b = [a]; a.append(b); a.extend([[7] for _ in range(100)] for _ in range(8));
 *   del a, b; print(gc.collect())" -> 810 */
Test(gc, big_lists_past_the_logged_runs_lose_their_items_with_them)
{
    mp_gc_disable();
    mp_object *keep[32];
    for (int i = 0; i < 32; i++)
        keep[i] = big_list_of_new_items(MADE);
    mp_object *a = mp_list_new(0), *b = mp_list_new(0);
    mp_list_append(b, a);
    mp_list_append(a, b);
    for (int i = 0; i < 8; i++) {
        mp_object *big = big_list_of_new_items(MADE);
        mp_list_append(a, big);
        MP_DECREF(big);
    }
    MP_DECREF(a);
    MP_DECREF(b);
    cr_expect_eq(mp_gc_collect(2), 2 + 8 * (BIG + 1));
    for (int i = 0; i < 32; i++) {
        expect_items_intact(keep[i], BIG);
        MP_DECREF(keep[i]);
    }
}

/* Dicts and tuples have survivor rules of their own, so they are never
 * leaves: a dict that no longer holds a container, and a tuple of numbers,
 * are untracked by a full collection.
 * python3 -c "import gc; l = []
 *   for i in range(100): d = {}; d[0] = []; del d[0]; l.append(d)
 *   t = [(i, i + 1) for i in range(100)]
 *   print(gc.is_tracked(l[0]), gc.is_tracked(t[0]), gc.collect(),
 *   any(map(gc.is_tracked, l + t)))" -> True True 0 False */
Test(gc, dicts_and_tuples_held_once_by_a_big_list_are_still_untracked)
{
    mp_gc_disable();
    mp_object *zero = mp_int_from_long(0);
    mp_object *dicts = mp_list_new(0); /* each big list made right before its items */
    for (int i = 0; i < BIG; i++) {
        mp_object *d = mp_dict_new(), *l = mp_list_new(0);
        mp_dict_setitem(d, zero, l);
        mp_dict_delitem(d, zero);
        mp_list_append(dicts, d);
        MP_DECREF(l);
        MP_DECREF(d);
    }
    mp_object *tuples = mp_list_new(0);
    for (int i = 0; i < BIG; i++) {
        mp_object *n = mp_int_from_long(i), *m = mp_int_from_long(i + 1);
        mp_object *t = mp_tuple_pack(2, n, m);
        mp_list_append(tuples, t);
        MP_DECREF(t);
        MP_DECREF(n);
        MP_DECREF(m);
    }
    cr_expect(mp_gc_is_tracked(mp_list_get_item(dicts, 0)));
    cr_expect(mp_gc_is_tracked(mp_list_get_item(tuples, 0)));
    cr_expect_eq(mp_gc_collect(2), 0);
    for (int i = 0; i < BIG; i++) {
        cr_expect_not(mp_gc_is_tracked(mp_list_get_item(dicts, i)), "dict %d", i);
        cr_expect_not(mp_gc_is_tracked(mp_list_get_item(tuples, i)), "tuple %d", i);
    }
    MP_DECREF(zero);
    MP_DECREF(dicts);
    MP_DECREF(tuples);
}

/* Each [7] is made before the list holding it, as Python makes a display's
 * items first: the second walk meets it before anything has shown it
 * reachable, and looks at the next object, its holder, first (visit_ahead
 * in gc.c). Reachable or not, what is found must be what CPython finds.
 * python3 -c "import gc; gc.collect(); l = [[[7]] for _ in range(100)];
 *   print(gc.collect(), all(x[0] == [7] for x in l)); a = []; b = [a]; a.append(b);
 *   a.append([[[7]] for _ in range(100)]); del a, b, l; print(gc.collect())"
 * -> 0 True, then 203 */
static mp_object *big_list_of_holders(void)
{
    mp_object *big = mp_list_new(0);
    for (int i = 0; i < BIG; i++) {
        mp_object *item = new_item(), *holder = mp_list_new(0);
        mp_list_append(holder, item);
        mp_list_append(big, holder);
        MP_DECREF(item);
        MP_DECREF(holder);
    }
    return big;
}

Test(gc, objects_held_by_the_one_made_after_them_are_judged_with_it)
{
    mp_gc_disable();
    mp_object *big = big_list_of_holders();
    cr_expect_eq(mp_gc_collect(2), 0);
    for (int i = 0; i < BIG; i++) {
        mp_object *holder = mp_list_get_item(big, i);
        cr_assert_eq(MP_SIZE(holder), 1, "holder %d", i);
        cr_expect_eq(MP_SIZE(mp_list_get_item(holder, 0)), 1, "item %d", i);
    }
    size_t before = blocks_in_use();
    mp_object *a = mp_list_new(0), *b = mp_list_new(0);
    mp_list_append(b, a);
    mp_list_append(a, b);
    mp_object *garbage = big_list_of_holders();
    mp_list_append(a, garbage);
    MP_DECREF(garbage);
    MP_DECREF(a);
    MP_DECREF(b);
    cr_expect_eq(mp_gc_collect(2), 3 + 2 * BIG);
    cr_expect_eq(blocks_in_use(), before);
    MP_DECREF(big);
}

/* ---- random heaps ------------------------------------------------------------------------ */

/* Heaps of big lists, each followed by the nodes it holds, in their order
 * or with a block of them swapped, reversed or shuffled; some nodes refer
 * to others or are held twice; some lists are kept. A model of reference
 * counting on the same graph says which objects survive the last
 * reference dropped, and of those which are reachable: the collection
 * must find exactly the rest, free every node nothing reaches, and leave
 * every reachable one as it was. The walks' shortcuts (deferred items,
 * runs in step, leaves) each take some of these heaps. */

enum { HEAP_MAX = 1200, EDGES_MAX = 4 * HEAP_MAX };

typedef struct heap {
    mp_object *obj[HEAP_MAX];
    bool is_node[HEAP_MAX], root[HEAP_MAX];
    int n, edges, from[EDGES_MAX], to[EDGES_MAX];
} heap;

static int heap_rng(int below) { return (int)(rng() % (uint64_t)below); }

static void heap_edge(heap *h, int from, int to)
{
    cr_assert_lt(h->edges, EDGES_MAX);
    h->from[h->edges] = from;
    h->to[h->edges++] = to;
    if (h->is_node[from]) {
        node *n = (node *)h->obj[from];
        if (!n->a)
            node_set_a(h->obj[from], h->obj[to]);
        else
            n->b = mp_newref(h->obj[to]);
    } else {
        mp_list_append(h->obj[from], h->obj[to]);
    }
}

/* The order a big list holds its k items in: as made, or one of three
 * disorders. */
static void heap_order(int *order, int k)
{
    for (int i = 0; i < k; i++)
        order[i] = i;
    int how = heap_rng(4);
    if (how == 1) { /* a block moved later, as a full collection's merge does */
        int at = heap_rng(k / 2), len = 1 + heap_rng(k / 4), to = at + 1 + heap_rng(k - len - at);
        int moved[HEAP_MAX];
        memcpy(moved, order + at, sizeof(int) * (size_t)len);
        memmove(order + at, order + at + len, sizeof(int) * (size_t)(to - at));
        memcpy(order + to, moved, sizeof(int) * (size_t)len);
    } else if (how == 2) {
        for (int i = 0; i < k; i++)
            order[i] = k - 1 - i;
    } else if (how == 3) {
        for (int i = k - 1; i > 0; i--) {
            int j = heap_rng(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}

static void heap_build(heap *h)
{
    h->n = h->edges = 0;
    for (int groups = 1 + heap_rng(4); groups-- > 0;) {
        int list = h->n++, k = 64 + heap_rng(100);
        h->obj[list] = mp_list_new(0);
        h->is_node[list] = false;
        h->root[list] = heap_rng(2);
        for (int i = 0; i < k; i++) {
            h->obj[h->n] = node_new();
            h->is_node[h->n] = true;
            h->root[h->n++] = heap_rng(50) == 0;
        }
        int order[HEAP_MAX];
        heap_order(order, k);
        for (int i = 0; i < k; i++)
            heap_edge(h, list, list + 1 + order[i]);
    }
    /* References across: nodes that are no longer leaves, nodes held
     * twice, cycles through a list. */
    for (int extra = heap_rng(h->n / 4); extra-- > 0;) {
        int from = heap_rng(h->n), to = heap_rng(h->n);
        if (!h->is_node[from] || !((node *)h->obj[from])->b)
            heap_edge(h, from, to);
    }
}

/* Reference counting on the model: what is neither kept nor held by what
 * survives goes. Then which survivors the kept ones reach. */
static void heap_model(const heap *h, bool *survives, bool *reachable)
{
    int refs[HEAP_MAX] = {0};
    for (int i = 0; i < h->n; i++)
        survives[i] = true, reachable[i] = h->root[i], refs[i] = h->root[i];
    for (int e = 0; e < h->edges; e++)
        refs[h->to[e]]++;
    for (bool freed = true; freed;) {
        freed = false;
        for (int i = 0; i < h->n; i++) {
            if (survives[i] && refs[i] == 0) {
                survives[i] = false;
                freed = true;
                for (int e = 0; e < h->edges; e++)
                    refs[h->to[e]] -= h->from[e] == i;
            }
        }
    }
    for (bool more = true; more;) {
        more = false;
        for (int e = 0; e < h->edges; e++) {
            if (reachable[h->from[e]] && !reachable[h->to[e]])
                reachable[h->to[e]] = more = true;
        }
    }
}

Test(gc, random_heaps_lose_exactly_their_unreachable_objects)
{
    mp_gc_disable();
    static heap h;
    rng_state = 0x9e3779b97f4a7c15u;
    for (int trial = 0; trial < 1000; trial++) {
        heap_build(&h);
        bool survives[HEAP_MAX], reachable[HEAP_MAX];
        heap_model(&h, survives, reachable);
        int garbage = 0, unreachable_nodes = 0;
        for (int i = 0; i < h.n; i++) {
            garbage += survives[i] && !reachable[i];
            unreachable_nodes += h.is_node[i] && !reachable[i];
        }
        int freed_before = node_freed;
        for (int i = 0; i < h.n; i++) {
            if (!h.root[i])
                MP_DECREF(h.obj[i]);
        }
        cr_assert_eq(mp_gc_collect(2), garbage, "trial %d", trial);
        cr_assert_eq(node_freed - freed_before, unreachable_nodes, "trial %d", trial);
        for (int i = 0; i < h.n; i++) {
            if (!reachable[i])
                continue;
            mp_object *o = h.obj[i];
            int holds = 0;
            for (int e = 0; e < h.edges; e++)
                holds += h.from[e] == i;
            int held = h.root[i];
            for (int e = 0; e < h.edges; e++)
                held += h.to[e] == i && reachable[h.from[e]];
            cr_assert_eq(MP_REFCNT(o), held, "trial %d, object %d", trial, i);
            if (h.is_node[i])
                cr_assert_eq((((node *)o)->a != NULL) + (((node *)o)->b != NULL), holds,
                             "trial %d, node %d", trial, i);
            else
                cr_assert_eq(MP_SIZE(o), holds, "trial %d, list %d", trial, i);
        }
        for (int i = 0; i < h.n; i++) {
            if (h.root[i])
                MP_DECREF(h.obj[i]);
        }
        mp_gc_collect(2);
        cr_assert_eq(mp_gc_collect(2), 0, "trial %d: nothing left over", trial);
    }
}

/* ---- the trashcan --------------------------------------------------------------------- */

/* python3: x = None; for i in range(10**6): x = [x]; del x -> fine: each
 * dealloc would call the next inside it, a million C frames deep, were
 * deep ones not deferred (Py_TRASHCAN_BEGIN). Tuples, dicts, instances and
 * lists take turns. */
#ifdef MP_STRESS_GC
/* A collection at every allocation walks the whole heap every hundred or so
 * allocations: a million would take hours. 50000 frames of dealloc would
 * still overflow the stack without the trashcan. */
#define NESTED_DEPTH 50000
#else
#define NESTED_DEPTH 1000000
#endif

Test(gc, a_million_nested_containers_die_without_exhausting_the_stack)
{
    size_t before = blocks_in_use();
    mp_object *cls = mp_class_new("Node", NULL);
    mp_object *key = mp_str_from_utf8("next");
    mp_object *x = mp_list_new(0);
    for (int i = 0; i < NESTED_DEPTH; i++) {
        mp_object *outer;
        switch (i % 4) {
        case 0:
            outer = mp_tuple_pack(1, x);
            break;
        case 1:
            outer = mp_dict_new();
            mp_dict_setitem(outer, key, x);
            break;
        case 2:
            outer = mp_instance_new(cls);
            mp_object_setattr(outer, key, x);
            break;
        default:
            outer = mp_list_new(0);
            mp_list_append(outer, x);
        }
        MP_DECREF(x);
        x = outer;
    }
    MP_DECREF(x);
    MP_DECREF(key);
    MP_DECREF(cls);
    cr_expect_eq(blocks_in_use(), before);
}
