/* test_obmalloc.c — the allocation choke point and its statistics
 * (runtime/obmalloc.c). */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <string.h>

#include "support.h"

#ifdef MP_DEBUG
#include "child.h"
#endif

MP_TEST_SUITE(obmalloc);

Test(obmalloc, malloc_counts_one_block_and_its_bytes)
{
    mp_malloc_stats before = stats();
    void *p = mp_object_malloc(100);
    cr_assert_not_null(p);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use + 1);
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use + 100);
    cr_expect_eq(after.allocations, before.allocations + 1);
    cr_expect_eq(after.frees, before.frees);
    mp_object_free(p);
}

Test(obmalloc, free_gives_back_the_block_and_its_bytes)
{
    mp_malloc_stats before = stats();
    mp_object_free(mp_object_malloc(100));
    mp_malloc_stats after = stats();
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use);
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use);
    cr_expect_eq(after.allocations, before.allocations + 1);
    cr_expect_eq(after.frees, before.frees + 1);
}

/* 10 blocks of 1..10 bytes, the even-sized five freed: 1+3+5+7+9 = 25 bytes
 * remain in 5 blocks. */
Test(obmalloc, blocks_in_use_is_allocations_minus_frees)
{
    mp_malloc_stats before = stats();
    void *p[10];
    for (size_t i = 0; i < 10; i++)
        p[i] = mp_object_malloc(i + 1);
    for (size_t i = 1; i < 10; i += 2)
        mp_object_free(p[i]);
    mp_malloc_stats s = stats();
    cr_expect_eq(s.blocks_in_use, s.allocations - s.frees);
    cr_expect_eq(s.blocks_in_use, before.blocks_in_use + 5);
    cr_expect_eq(s.bytes_in_use, before.bytes_in_use + 25);
    for (size_t i = 0; i < 10; i += 2)
        mp_object_free(p[i]);
    cr_expect_eq(stats().blocks_in_use, before.blocks_in_use);
}

Test(obmalloc, malloc_zero_returns_distinct_non_null_pointers)
{
    mp_malloc_stats before = stats();
    void *a = mp_object_malloc(0), *b = mp_object_malloc(0);
    cr_expect_not_null(a);
    cr_expect_not_null(b);
    cr_expect_neq(a, b);
    mp_malloc_stats s = stats();
    cr_expect_eq(s.blocks_in_use, before.blocks_in_use + 2);
    cr_expect_eq(s.bytes_in_use, before.bytes_in_use);
    mp_object_free(a);
    mp_object_free(b);
}

Test(obmalloc, realloc_grow_keeps_the_content)
{
    unsigned char *p = mp_object_malloc(32);
    for (int i = 0; i < 32; i++)
        p[i] = (unsigned char)i;
    mp_malloc_stats before = stats();
    p = mp_object_realloc(p, 1000);
    cr_assert_not_null(p);
    for (int i = 0; i < 32; i++)
        cr_expect_eq(p[i], i, "byte %d changed", i);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use + 968);
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use);
    cr_expect_eq(after.allocations, before.allocations, "a resize is not an allocation");
    cr_expect_eq(after.frees, before.frees);
    mp_object_free(p);
}

Test(obmalloc, realloc_shrink_keeps_the_prefix)
{
    unsigned char *p = mp_object_malloc(1000);
    for (int i = 0; i < 1000; i++)
        p[i] = (unsigned char)(i * 7);
    mp_malloc_stats before = stats();
    p = mp_object_realloc(p, 10);
    cr_assert_not_null(p);
    for (int i = 0; i < 10; i++)
        cr_expect_eq(p[i], (unsigned char)(i * 7), "byte %d changed", i);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use - 990);
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use);
    mp_object_free(p);
}

Test(obmalloc, realloc_of_null_is_a_malloc)
{
    mp_malloc_stats before = stats();
    void *p = mp_object_realloc(NULL, 40);
    cr_assert_not_null(p);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.allocations, before.allocations + 1);
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use + 1);
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use + 40);
    mp_object_free(p);
}

Test(obmalloc, free_of_null_does_nothing)
{
    mp_malloc_stats before = stats();
    mp_object_free(NULL);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.frees, before.frees);
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use);
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
}

Test(obmalloc, peak_bytes_is_the_most_ever_in_use)
{
    mp_malloc_stats before = stats();
    size_t top = before.bytes_in_use + 5000;
    void *big = mp_object_malloc(5000);
    mp_object_free(big);
    void *small = mp_object_malloc(10);
    mp_malloc_stats s = stats();
    cr_expect_eq(s.peak_bytes_in_use, top > before.peak_bytes_in_use ? top : before.peak_bytes_in_use);
    cr_expect_eq(s.bytes_in_use, before.bytes_in_use + 10);
    mp_object_free(small);
}

Test(obmalloc, peak_bytes_follows_a_realloc)
{
    void *p = mp_object_malloc(16);
    mp_malloc_stats before = stats();
    p = mp_object_realloc(p, 20000);
    cr_assert_not_null(p);
    cr_expect_geq(stats().peak_bytes_in_use, before.bytes_in_use - 16 + 20000);
    mp_object_free(p);
}

/* Every size through the small-object range and past the 512-byte line. */
Test(obmalloc, pointers_are_16_byte_aligned)
{
    for (size_t n = 0; n <= 1040; n += 13) {
        void *p = mp_object_malloc(n);
        cr_expect_eq((uintptr_t)p % 16, 0, "mp_object_malloc(%zu) returned %p", n, p);
        void *q = mp_object_realloc(p, n * 3 + 1);
        cr_expect_eq((uintptr_t)q % 16, 0, "mp_object_realloc(.., %zu) returned %p", n * 3 + 1, q);
        mp_object_free(q);
    }
}

Test(obmalloc, huge_malloc_fails_with_memory_error)
{
    mp_malloc_stats before = stats();
    cr_assert_null(mp_object_malloc(SIZE_MAX));
    cr_expect_eq(mp_err_occurred(), MP_ERR_MEMORY);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.allocations, before.allocations);
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use);
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use);
    mp_err_clear();
}

Test(obmalloc, huge_realloc_fails_and_leaves_the_block_alone)
{
    char *p = mp_object_malloc(6);
    memcpy(p, "hello", 6);
    mp_malloc_stats before = stats();
    cr_expect_null(mp_object_realloc(p, SIZE_MAX));
    cr_expect_eq(mp_err_occurred(), MP_ERR_MEMORY);
    cr_expect_str_eq(p, "hello");
    cr_expect_eq(stats().bytes_in_use, before.bytes_in_use);
    mp_err_clear();
    mp_object_free(p);
}

#ifdef MP_DEBUG

Test(obmalloc, debug_new_blocks_are_filled_with_0xcd)
{
    unsigned char *p = mp_object_malloc(64);
    for (int i = 0; i < 64; i++)
        cr_expect_eq(p[i], 0xCD, "byte %d is 0x%02x", i, p[i]);
    mp_object_free(p);
}

Test(obmalloc, debug_freeing_a_block_twice_aborts)
{
    void *p = mp_object_malloc(32);
    mp_object_free(p);
    child_result r;
    RUN_IN_CHILD(&r, mp_object_free(p));
    expect_aborted_saying(&r, "freed twice");
}

Test(obmalloc, debug_freeing_a_zero_byte_block_twice_aborts_as_a_double_free)
{
    void *p = mp_object_malloc(0);
    mp_object_free(p);
    child_result r;
    RUN_IN_CHILD(&r, mp_object_free(p));
    expect_aborted_saying(&r, "freed twice");
}

Test(obmalloc, debug_realloc_of_a_freed_block_aborts)
{
    void *p = mp_object_malloc(32);
    mp_object_free(p);
    child_result r;
    RUN_IN_CHILD(&r, mp_object_realloc(p, 64));
    expect_aborted_saying(&r, "freed");
}

Test(obmalloc, debug_double_free_of_an_object_names_its_type)
{
    mp_object *l = mp_list_new(0);
    MP_DECREF(l);
    child_result r;
    RUN_IN_CHILD(&r, mp_object_free(MP_AS_GC(l)));
    expect_aborted_saying(&r, "freed twice (it was a list)");
}

#endif
