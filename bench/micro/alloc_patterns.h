/* alloc_patterns.h — the allocator benchmarks' three patterns, written once
 * and stamped out per allocator.
 *
 * Define ALLOC(n), FREE(p) and ALLOCATOR (a bare word: ours, system,
 * cpython) before including, and READY(st) if the allocator needs setting
 * up (false: the run is skipped). Each inclusion defines bm_batch_ALLOCATOR,
 * bm_random_ALLOCATOR, bm_mixed_ALLOCATOR and register_patterns_ALLOCATOR,
 * calling ALLOC and FREE directly so no allocator pays for an indirect call
 * the others do not.
 *
 *   batch   allocate BATCH_BLOCKS blocks of range(0) bytes, then free them all
 *   random  a working set of WORKING_SET live blocks; each step frees a
 *           random one and allocates its replacement, range(0) bytes
 *   mixed   the same, with sizes drawn from 16..512
 *
 * The random indices and sizes come from a table filled before timing, so
 * the loop times the allocator, not the random number generator.
 */
#include <stdint.h>
#include <stdlib.h>

#include "shim.h"

#ifndef ALLOC_PATTERNS_SHARED
#define ALLOC_PATTERNS_SHARED
#define BATCH_BLOCKS 100000
#define WORKING_SET 1024
#define RANDOM_TABLE 65536 /* a power of two */

#define PATTERN_STR2(x) #x
#define PATTERN_STR(x) PATTERN_STR2(x)

static uint32_t pattern_index[RANDOM_TABLE], pattern_size[RANDOM_TABLE];

/* xorshift32 from a fixed seed: the same sequence on every machine. */
static void pattern_tables_fill(void)
{
    uint32_t x = 2463534242u;
    for (int i = 0; i < RANDOM_TABLE; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        pattern_index[i] = x % WORKING_SET;
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        pattern_size[i] = 16 + x % (512 - 16 + 1);
    }
}
#endif

#define PATTERN_CAT2(a, b) a##_##b
#define PATTERN_CAT(a, b) PATTERN_CAT2(a, b)
#ifndef READY
#define READY(st) 1
#endif

static void PATTERN_CAT(bm_batch, ALLOCATOR)(mp_bench_state *st)
{
    if (!READY(st))
        return;
    size_t size = (size_t)mp_bench_range(st, 0);
    void **blocks = malloc(BATCH_BLOCKS * sizeof *blocks);
    MP_BENCH_LOOP(st) {
        for (int i = 0; i < BATCH_BLOCKS; i++)
            blocks[i] = ALLOC(size);
        MP_BENCH_CLOBBER_MEMORY();
        for (int i = 0; i < BATCH_BLOCKS; i++)
            FREE(blocks[i]);
    }
    free(blocks);
    mp_bench_set_items_processed(st, mp_bench_iterations(st) * BATCH_BLOCKS);
}

/* One step of random replacement; sizes from `sizes`, or `size` if NULL. */
static void PATTERN_CAT(replace_loop, ALLOCATOR)(mp_bench_state *st, size_t size,
                                                 const uint32_t *sizes)
{
    void *live[WORKING_SET];
    for (int i = 0; i < WORKING_SET; i++)
        live[i] = ALLOC(sizes ? sizes[i] : size);
    uint64_t step = 0;
    MP_BENCH_LOOP(st) {
        uint32_t k = (uint32_t)(step++ & (RANDOM_TABLE - 1));
        uint32_t slot = pattern_index[k];
        FREE(live[slot]);
        live[slot] = ALLOC(sizes ? sizes[k] : size);
    }
    for (int i = 0; i < WORKING_SET; i++)
        FREE(live[i]);
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

static void PATTERN_CAT(bm_random, ALLOCATOR)(mp_bench_state *st)
{
    if (READY(st))
        PATTERN_CAT(replace_loop, ALLOCATOR)(st, (size_t)mp_bench_range(st, 0), NULL);
}

static void PATTERN_CAT(bm_mixed, ALLOCATOR)(mp_bench_state *st)
{
    if (READY(st))
        PATTERN_CAT(replace_loop, ALLOCATOR)(st, 0, pattern_size);
}

/* Registers the three patterns for this allocator under 04-obmalloc/. */
static void PATTERN_CAT(register_patterns, ALLOCATOR)(void)
{
    static const int64_t sizes[] = {16, 32, 64, 128, 256, 512};
    pattern_tables_fill();
    mp_bench *batch = mp_bench_register("04-obmalloc/batch/" PATTERN_STR(ALLOCATOR),
                                        PATTERN_CAT(bm_batch, ALLOCATOR));
    mp_bench *random = mp_bench_register("04-obmalloc/random/" PATTERN_STR(ALLOCATOR),
                                         PATTERN_CAT(bm_random, ALLOCATOR));
    mp_bench_arg_name(batch, "size");
    mp_bench_arg_name(random, "size");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mp_bench_arg(batch, sizes[i]);
        mp_bench_arg(random, sizes[i]);
    }
    mp_bench_register("04-obmalloc/mixed/" PATTERN_STR(ALLOCATOR), PATTERN_CAT(bm_mixed, ALLOCATOR));
}

#undef ALLOCATOR
#undef ALLOC
#undef FREE
#undef READY
