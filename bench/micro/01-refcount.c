/* Lab 01's costs: a reference taken and dropped, an int outside the cache
 * made and freed, and list appends. */
#include "mp.h"
#include "shim.h"

/* One `b = a; del b`. The clobbers make each count change a real load and
 * store, as when other code runs between them. */
static void bm_incref_decref(mp_bench_state *st)
{
    mp_object *o = mp_int_from_long(1000);
    MP_BENCH_LOOP(st) {
        MP_INCREF(o);
        MP_BENCH_CLOBBER_MEMORY();
        MP_DECREF(o);
        MP_BENCH_CLOBBER_MEMORY();
    }
    MP_DECREF(o);
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

/* `x = 1000 + i; del x` for values outside the small-int cache: one
 * allocation and one free per iteration. */
static void bm_int_create_destroy(mp_bench_state *st)
{
    long v = 1000;
    MP_BENCH_LOOP(st) {
        mp_object *o = mp_int_from_long(v);
        MP_BENCH_DO_NOT_OPTIMIZE(o);
        MP_DECREF(o);
        v = 1000 + ((v + 1) & 1023);
    }
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

/* A list grown by n appends from empty, then freed: append's amortized
 * cost, resizes included. */
static void bm_list_append(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    mp_object *item = mp_int_from_long(1000);
    MP_BENCH_LOOP(st) {
        mp_object *l = mp_list_new(0);
        for (int64_t i = 0; i < n; i++)
            mp_list_append(l, item);
        MP_BENCH_DO_NOT_OPTIMIZE(l);
        MP_DECREF(l);
    }
    MP_DECREF(item);
    mp_bench_set_items_processed(st, mp_bench_iterations(st) * n);
}

MP_BENCH_SUITE(register_refcount)
{
    mp_bench_register("01-refcount/incref_decref", bm_incref_decref);
    mp_bench_register("01-refcount/int_create_destroy", bm_int_create_destroy);
    mp_bench_arg(mp_bench_arg_name(mp_bench_register("01-refcount/list_append", bm_list_append), "n"),
                 1024);
}
