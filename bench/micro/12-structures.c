/* Lab 12's costs: `x in s` for a set against `x in l` for a list of the
 * same n ints, n = 10 .. 10**5. Every lookup finds its key; the keys are
 * looked up in a shuffled order, each with an equal but distinct int
 * object, so a match takes a comparison, not an identity test. A list
 * compares n/2 items on average, a set hashes once and compares about one. */
#include "mp.h"
#include "shim.h"
#include "shuffle.h"

static const int64_t sizes[] = {10, 100, 1000, 10000, 100000};

/* n distinct int objects 1000 .. 1000 + n - 1, in a shuffled order. */
static mp_object **shuffled_ints(int64_t n)
{
    mp_object **v = mp_object_malloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = mp_int_from_long(1000 + (long)i);
    lab_shuffle(v, (long)n);
    return v;
}

static void free_ints(mp_object **v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        MP_DECREF(v[i]);
    mp_object_free(v);
}

/* Times `probe in container` for a container that holds every probe. */
static void membership(mp_bench_state *st, mp_object *container, int64_t n)
{
    mp_object **probes = shuffled_ints(n);
    int64_t i = 0, found = 0;
    MP_BENCH_LOOP(st) {
        found += mp_sequence_contains(container, probes[i]);
        i = i + 1 == n ? 0 : i + 1;
    }
    MP_BENCH_DO_NOT_OPTIMIZE(found);
    if (found != mp_bench_iterations(st))
        mp_bench_skip_with_error(st, "a lookup missed");
    free_ints(probes, n);
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

static void bm_set_contains(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    mp_object *s = mp_set_new(NULL);
    for (long i = 0; i < n; i++) {
        mp_object *x = mp_int_from_long(1000 + i);
        mp_set_add(s, x);
        MP_DECREF(x);
    }
    membership(st, s, n);
    MP_DECREF(s);
}

static void bm_list_contains(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    mp_object *l = mp_list_new(0);
    for (long i = 0; i < n; i++) {
        mp_object *x = mp_int_from_long(1000 + i);
        mp_list_append(l, x);
        MP_DECREF(x);
    }
    membership(st, l, n);
    MP_DECREF(l);
}

MP_BENCH_SUITE(register_structures)
{
    mp_bench *s = mp_bench_register("12-structures/set_contains", bm_set_contains);
    mp_bench *l = mp_bench_register("12-structures/list_contains", bm_list_contains);
    mp_bench_arg_name(s, "n");
    mp_bench_arg_name(l, "n");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mp_bench_arg(s, sizes[i]);
        mp_bench_arg(l, sizes[i]);
    }
}
