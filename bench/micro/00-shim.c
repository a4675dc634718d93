/* The shim's own cost: an empty timed loop, so every other benchmark's
 * figure can be read against it (shim.h states the measured value). */
#include "shim.h"

static void bm_empty_loop(mp_bench_state *st)
{
    MP_BENCH_LOOP(st) { MP_BENCH_DO_NOT_OPTIMIZE(mp_bench_i_); }
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

MP_BENCH_SUITE(register_shim) { mp_bench_register("00-shim/empty_loop", bm_empty_loop); }
