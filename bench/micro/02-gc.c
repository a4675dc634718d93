/* Labs 02 and 03's costs: a full collection over n live containers, over n
 * unreachable ones in two-list cycles, and what automatic collection adds
 * to a loop that allocates containers.
 *
 * The shapes are those bench/gc-twin.py times in CPython, so the two land
 * side by side in results/<machine>/bench/gc.csv: n empty lists held by
 * one list ("live"); n/2 lists of one empty list each, held by one list
 * ("nested"); n/2 pairs a = []; b = [a]; a.append(b) with no other
 * reference ("garbage"). Time per object is the benchmark's time divided
 * by n.
 *
 * "live" is the best case of our collector's leaves (runtime/gc.c): each
 * of its lists is held once by the big list and holds no container, so
 * the second walk skips them all. "nested" is the same heap one level
 * deeper, where no object is a leaf: the collector's cost without that
 * shortcut. */
#include "mp.h"
#include "shim.h"

static const int64_t sizes[] = {10000, 100000, 1000000};

/* n empty lists in one list: n + 1 tracked objects, all reachable. */
static mp_object *live_lists(int64_t n)
{
    mp_object *outer = mp_list_new(0);
    for (int64_t i = 0; i < n; i++) {
        mp_object *l = mp_list_new(0);
        mp_list_append(outer, l);
        MP_DECREF(l);
    }
    return outer;
}

/* Python's [[[]] for _ in range(n // 2)]: each inner list is made before
 * the one holding it. n + 1 tracked objects, all reachable. */
static mp_object *nested_lists(int64_t n)
{
    mp_object *outer = mp_list_new(0);
    for (int64_t i = 0; i < n / 2; i++) {
        mp_object *inner = mp_list_new(0), *l = mp_list_new(0);
        mp_list_append(l, inner);
        MP_DECREF(inner);
        mp_list_append(outer, l);
        MP_DECREF(l);
    }
    return outer;
}

static void collect_kept(mp_bench_state *st, mp_object *(*make)(int64_t n))
{
    int64_t n = mp_bench_range(st, 0);
    mp_gc_disable();
    mp_object *outer = make(n);
    mp_gc_collect(2);
    MP_BENCH_LOOP(st) {
        mp_ssize_t found = mp_gc_collect(2);
        MP_BENCH_DO_NOT_OPTIMIZE(found);
    }
    MP_DECREF(outer);
    mp_gc_enable();
    mp_bench_set_items_processed(st, mp_bench_iterations(st) * n);
}

static void bm_collect_live(mp_bench_state *st) { collect_kept(st, live_lists); }
static void bm_collect_nested(mp_bench_state *st) { collect_kept(st, nested_lists); }

/* n/2 two-list cycles, unreachable as soon as they are made. */
static void make_garbage(int64_t n)
{
    for (int64_t i = 0; i < n / 2; i++) {
        mp_object *a = mp_list_new(0), *b = mp_list_new(0);
        mp_list_append(b, a);
        mp_list_append(a, b);
        MP_DECREF(a);
        MP_DECREF(b);
    }
}

/* The collection finds the cycles and frees them: the frees are timed too,
 * as they are in CPython's gc.collect(). */
static void bm_collect_garbage(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    mp_gc_disable();
    mp_gc_collect(2);
    MP_BENCH_LOOP(st) {
        mp_bench_pause(st);
        make_garbage(n);
        mp_bench_resume(st);
        mp_ssize_t found = mp_gc_collect(2);
        if (found != n)
            mp_bench_skip_with_error(st, "the collection did not find every cycle");
    }
    mp_gc_enable();
    mp_bench_set_items_processed(st, mp_bench_iterations(st) * n);
}

/* An allocation-heavy loop: 100 000 lists made and kept, then dropped;
 * time per list, with automatic collection on (range 1) or off (0). With
 * it on, about 140 collections of generation 0 and a few older ones run
 * inside the loop, each over objects that all survive. */
static void bm_allocation_loop(mp_bench_state *st)
{
    bool enabled = mp_bench_range(st, 0);
    const int64_t n = 100000;
    mp_gc_collect(2);
    if (!enabled)
        mp_gc_disable();
    MP_BENCH_LOOP(st) {
        mp_object *outer = live_lists(n);
        MP_DECREF(outer);
    }
    mp_gc_enable();
    mp_bench_set_items_processed(st, mp_bench_iterations(st) * n);
}

MP_BENCH_SUITE(register_gc)
{
    mp_bench *live = mp_bench_arg_name(mp_bench_register("02-gc/collect_live", bm_collect_live), "n");
    mp_bench *nested =
        mp_bench_arg_name(mp_bench_register("02-gc/collect_nested", bm_collect_nested), "n");
    mp_bench *garbage =
        mp_bench_arg_name(mp_bench_register("02-gc/collect_garbage", bm_collect_garbage), "n");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mp_bench_arg(live, sizes[i]);
        mp_bench_arg(nested, sizes[i]);
        mp_bench_arg(garbage, sizes[i]);
    }
    mp_bench *loop =
        mp_bench_arg_name(mp_bench_register("02-gc/allocation_loop", bm_allocation_loop), "gc");
    mp_bench_arg(loop, 0);
    mp_bench_arg(loop, 1);
}
