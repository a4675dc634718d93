/* Lab 07's costs: the sum of the squares below n, per element, three ways.
 *
 *   genexpr_sum   sum(x*x for x in range(n))      a generator pipeline
 *   map_sum       sum(map(square, range(n)))      the same through map
 *   listcomp_sum  sum([x*x for x in range(n)])    a list built first
 *   c_loop        the baseline: a C loop boxing each x*x with
 *                 mp_int_from_long and adding it to a boxed total with
 *                 mp_int_add, the same int objects without any pipeline
 *
 * The target: genexpr_sum within 2x of c_loop, per element.
 */
#include "mp.h"
#include "shim.h"

static const int64_t sizes[] = {1000, 100000, 1000000};

static mp_object *square(mp_object *x) { return mp_int_mul(x, x); }

static void finish(mp_bench_state *st, int64_t n)
{
    mp_bench_set_items_processed(st, mp_bench_iterations(st) * n);
}

static void bm_genexpr_sum(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    mp_object *r = mp_range_new(0, n, 1);
    MP_BENCH_LOOP(st) {
        mp_object *g = mp_gen_squares(r);
        mp_object *s = mp_sum(g);
        MP_BENCH_DO_NOT_OPTIMIZE(s);
        MP_DECREF(s);
        MP_DECREF(g);
    }
    MP_DECREF(r);
    finish(st, n);
}

static void bm_map_sum(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    mp_object *r = mp_range_new(0, n, 1);
    MP_BENCH_LOOP(st) {
        mp_object *m = mp_map_new(square, r);
        mp_object *s = mp_sum(m);
        MP_BENCH_DO_NOT_OPTIMIZE(s);
        MP_DECREF(s);
        MP_DECREF(m);
    }
    MP_DECREF(r);
    finish(st, n);
}

/* The comprehension as CPython runs it: an empty list, one append per
 * item (LIST_APPEND), then sum over the list. */
static void bm_listcomp_sum(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    mp_object *r = mp_range_new(0, n, 1);
    MP_BENCH_LOOP(st) {
        mp_object *l = mp_list_new(0), *it = mp_object_getiter(r), *x;
        while ((x = mp_iter_next(it)) != NULL) {
            mp_object *sq = mp_int_mul(x, x);
            mp_list_append(l, sq);
            MP_DECREF(sq);
            MP_DECREF(x);
        }
        MP_DECREF(it);
        mp_object *s = mp_sum(l);
        MP_BENCH_DO_NOT_OPTIMIZE(s);
        MP_DECREF(s);
        MP_DECREF(l);
    }
    MP_DECREF(r);
    finish(st, n);
}

static void bm_c_loop(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    MP_BENCH_LOOP(st) {
        mp_object *total = mp_int_from_long(0);
        for (long x = 0; x < n; x++) {
            mp_object *sq = mp_int_from_long(x * x);
            mp_object *t = mp_int_add(total, sq);
            MP_DECREF(sq);
            MP_DECREF(total);
            total = t;
        }
        MP_BENCH_DO_NOT_OPTIMIZE(total);
        MP_DECREF(total);
    }
    finish(st, n);
}

MP_BENCH_SUITE(register_generators)
{
    static const struct {
        const char *name;
        mp_bench_fn fn;
    } benches[] = {
        {"07-generators/genexpr_sum", bm_genexpr_sum},
        {"07-generators/map_sum", bm_map_sum},
        {"07-generators/listcomp_sum", bm_listcomp_sum},
        {"07-generators/c_loop", bm_c_loop},
    };
    for (size_t b = 0; b < sizeof benches / sizeof benches[0]; b++) {
        mp_bench *bench = mp_bench_arg_name(mp_bench_register(benches[b].name, benches[b].fn), "n");
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            mp_bench_arg(bench, sizes[i]);
    }
}
