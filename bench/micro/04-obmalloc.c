/* Lab 04's costs: pymalloc against the system allocator (and, in
 * 04-obmalloc-cpython.c, against CPython's own PyObject_Malloc), in the
 * three patterns of alloc_patterns.h; and the tracing hook, stopped and
 * started. */
#include <stdlib.h>

#include "mp.h"
#include "shim.h"

#define ALLOCATOR ours
#define ALLOC(n) mp_object_malloc(n)
#define FREE(p) mp_object_free(p)
#include "alloc_patterns.h"

#define ALLOCATOR system
#define ALLOC(n) malloc(n)
#define FREE(p) free(p)
#include "alloc_patterns.h"

/* Random replacement of 32-byte blocks with tracemalloc tracing, the same
 * work as 04-obmalloc/random/ours/size:32 with tracing stopped. */
static void bm_random_traced(mp_bench_state *st)
{
    if (mp_tracemalloc_start() < 0) {
        mp_bench_skip_with_error(st, "tracemalloc could not start");
        return;
    }
    replace_loop_ours(st, 32, NULL);
    mp_tracemalloc_stop();
}

MP_BENCH_SUITE(register_obmalloc)
{
    register_patterns_ours();
    register_patterns_system();
    mp_bench_register("04-obmalloc/random/ours_traced/size:32", bm_random_traced);
}
