/* support.h — what every unit test file shares: a fixture that gives each
 * test its own runtime session, the allocator's counts, a repr check, and a
 * type that counts its deallocs.
 *
 * Each test starts with mp_init and ends with mp_fini; under MP_DEBUG
 * mp_fini aborts if the test left a block allocated or a shared object's
 * count off, so the sanitizer tree catches leaked references.
 */
#ifndef MEMLAB_TESTS_SUPPORT_H
#define MEMLAB_TESTS_SUPPORT_H

#include <criterion/criterion.h>
#include <stdint.h>

#include "mp.h"

static inline void session_start(void)
{
    cr_assert_eq(mp_init(), 0, "mp_init failed: %s", mp_err_message());
}

static inline void session_end(void) { mp_fini(); }

/* TestSuite(name) with a fresh runtime around every test. */
#define MP_TEST_SUITE(name) TestSuite(name, .init = session_start, .fini = session_end)

static inline mp_malloc_stats stats(void)
{
    mp_malloc_stats s;
    mp_get_malloc_stats(&s);
    return s;
}

static inline size_t blocks_in_use(void) { return stats().blocks_in_use; }

/* xorshift64 (Marsaglia): a tested workload's random choices, from a seed
 * the test sets in rng_state, so it is the same on every run. */
__attribute__((unused)) static uint64_t rng_state;

static inline uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static inline void expect_repr(mp_object *o, const char *expected)
{
    char buf[512];
    cr_expect_str_eq(mp_repr(o, buf, sizeof buf), expected);
}

/* A plain object whose dealloc counts its calls before freeing. */
static int counted_deallocs;

static inline void counted_dealloc(mp_object *o)
{
    counted_deallocs++;
    mp_object_del(o);
}

__attribute__((unused)) static mp_type counted_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "counted",
    .tp_basicsize = sizeof(mp_object),
    .tp_dealloc = counted_dealloc,
};

#endif
