/* test_lru.c — functools.lru_cache's cache: which calls hit, what is
 * evicted, cache_info and cache_clear, references (runtime/lru.c). */
#include <string.h>

#include "support.h"

MP_TEST_SUITE(lru);

/* One call of a function cached in c, f(x) = x * 10: a lookup, and on a
 * miss the result stored. Returns 'H' or 'M'. */
static char call(mp_object *c, long x)
{
    mp_object *key = mp_int_from_long(x);
    mp_object *hit = mp_lru_get(c, key);
    char r = 'H';
    if (hit) {
        cr_expect_eq(mp_int_as_long(hit), x * 10);
    } else {
        cr_assert_eq(mp_err_occurred(), MP_ERR_NONE, "%s", mp_err_message());
        mp_object *result = mp_int_from_long(x * 10);
        cr_assert_eq(mp_lru_put(c, key, result), 0, "%s", mp_err_message());
        MP_DECREF(result);
        r = 'M';
    }
    MP_DECREF(key);
    return r;
}

/* The hits and misses of calls with the keys in seq, and cache_info()
 * after, against what lru_cache does.
 * python3 -c "
 * from functools import lru_cache
 * def run(maxsize, seq):
 *     pat = []
 *     @lru_cache(maxsize=maxsize)
 *     def f(x): pat.append('M'); return x * 10
 *     out = ''
 *     for x in seq:
 *         n = len(pat); f(x); out += 'M' if len(pat) > n else 'H'
 *     print(maxsize, out, tuple(f.cache_info()))
 * run(3, [1, 2, 3, 1, 4, 2, 5, 1, 2, 3, 4, 5]); run(2, [1, 1, 2, 1, 3, 2, 1, 3])
 * run(None, [1, 2, 1, 3, 2, 4]); run(0, [1, 1, 1]); run(1, [1, 1, 2, 1])" */
static void expect_run(mp_ssize_t maxsize, const long *seq, size_t n, const char *pattern,
                       mp_cache_info expected)
{
    mp_object *c = mp_lru_new(maxsize);
    cr_assert_not_null(c);
    char got[256] = {0};
    for (size_t i = 0; i < n; i++)
        got[i] = call(c, seq[i]);
    cr_expect_str_eq(got, pattern, "maxsize %td", maxsize);
    mp_cache_info info;
    mp_lru_info(c, &info);
    cr_expect_eq(info.hits, expected.hits, "maxsize %td", maxsize);
    cr_expect_eq(info.misses, expected.misses, "maxsize %td", maxsize);
    cr_expect_eq(info.maxsize, expected.maxsize, "maxsize %td", maxsize);
    cr_expect_eq(info.currsize, expected.currsize, "maxsize %td", maxsize);
    MP_DECREF(c);
}

#define RUN(maxsize, pattern, hits, misses, max_, curr, ...)                                   \
    do {                                                                                       \
        const long seq_[] = {__VA_ARGS__};                                                     \
        expect_run(maxsize, seq_, sizeof seq_ / sizeof seq_[0], pattern,                       \
                   (mp_cache_info){hits, misses, max_, curr});                                 \
    } while (0)

Test(lru, hits_and_misses_follow_lru_cache)
{
    RUN(3, "MMMHMMMMHMMM", 2, 10, 3, 3, 1, 2, 3, 1, 4, 2, 5, 1, 2, 3, 4, 5);
    RUN(2, "MHMHMMMM", 2, 6, 2, 2, 1, 1, 2, 1, 3, 2, 1, 3);
    RUN(-1, "MMHMHM", 2, 4, -1, 4, 1, 2, 1, 3, 2, 4);
    RUN(0, "MMM", 0, 3, 0, 0, 1, 1, 1);
    RUN(1, "MHMM", 1, 3, 1, 1, 1, 1, 2, 1);
}

/* 200 calls with keys from a linear congruential generator, maxsize 8.
 * python3 -c "
 * seq = []; x = 7
 * for i in range(200):
 *     x = (x * 1103515245 + 12345) % 2**31; seq.append(x % 21)
 * run(8, seq)"  (run as above) */
Test(lru, a_long_pseudo_random_sequence_matches_lru_cache)
{
    static const char pattern[] =
        "MMMHHMMHHMMMHHMMHHMMHMMMMMHMMMMHHMHHHHMHMMMMMMMMHHHMHMMMHMMMMMHMHMHMHMMMHHMMMMHMHHMHHMM"
        "HMHMMMMMHMHMHMMHHHHMMMHMMMHHMMMHMHHMMHMMHMMMMMHMMMMMHHMMHMHHHMMHMMMHHHMMHMMHHMMMMMMMHMHH"
        "HHMHHHHHHHMMMMHHHMHMHMMMM";
    mp_object *c = mp_lru_new(8);
    char got[201] = {0};
    uint64_t x = 7;
    for (int i = 0; i < 200; i++) {
        x = (x * 1103515245u + 12345u) % (1u << 31);
        got[i] = call(c, (long)(x % 21));
    }
    cr_expect_str_eq(got, pattern);
    mp_cache_info info;
    mp_lru_info(c, &info);
    cr_expect_eq(info.hits, 81);
    cr_expect_eq(info.misses, 119);
    cr_expect_eq(info.currsize, 8);
    MP_DECREF(c);
}

/* A hit makes an entry the most recent, so the one evicted is the least
 * recently used, not the oldest stored. */
Test(lru, a_hit_protects_an_entry_from_eviction)
{
    mp_object *c = mp_lru_new(2);
    call(c, 1);
    call(c, 2);
    cr_expect_eq(call(c, 1), 'H');
    call(c, 3);                     /* evicts 2 */
    cr_expect_eq(call(c, 1), 'H');
    cr_expect_eq(call(c, 3), 'H');
    cr_expect_eq(call(c, 2), 'M');
    MP_DECREF(c);
}

/* python3 -c "
 * from functools import lru_cache
 * @lru_cache(maxsize=4)
 * def f(x): return x
 * f(1); f(1); f(2); f.cache_clear(); print(f.cache_info())"
 * -> CacheInfo(hits=0, misses=0, maxsize=4, currsize=0) */
Test(lru, cache_clear_forgets_entries_and_counts)
{
    mp_object *c = mp_lru_new(4);
    call(c, 1000);
    call(c, 1000);
    call(c, 2000);
    size_t before = blocks_in_use();
    mp_lru_clear(c);
    mp_cache_info info;
    mp_lru_info(c, &info);
    cr_expect_eq(info.hits, 0);
    cr_expect_eq(info.misses, 0);
    cr_expect_eq(info.maxsize, 4);
    cr_expect_eq(info.currsize, 0);
    /* two links, two keys, two results, the dict's keys object */
    cr_expect_eq(blocks_in_use(), before - 7);
    cr_expect_eq(call(c, 1000), 'M');
    MP_DECREF(c);
}

Test(lru, an_evicted_entry_releases_its_key_and_value)
{
    mp_object *c = mp_lru_new(1);
    mp_object *k1 = mp_str_from_utf8("first"), *v1 = mp_int_from_long(1001);
    mp_object *k2 = mp_str_from_utf8("second"), *v2 = mp_int_from_long(1002);
    cr_assert_eq(mp_lru_put(c, k1, v1), 0);
    cr_expect_eq(mp_getrefcount(k1), 4, "ours, the dict's and the link's");
    cr_expect_eq(mp_getrefcount(v1), 3, "ours and the link's");
    size_t before = blocks_in_use();
    cr_assert_eq(mp_lru_put(c, k2, v2), 0);
    cr_expect_eq(blocks_in_use(), before, "the link is reused: nothing allocated");
    cr_expect_eq(mp_getrefcount(k1), 2);
    cr_expect_eq(mp_getrefcount(v1), 2);
    cr_expect_null(mp_lru_get(c, k1));
    cr_expect_eq(mp_lru_get(c, k2), v2);
    MP_DECREF(c);
    cr_expect_eq(mp_getrefcount(k2), 2);
    cr_expect_eq(mp_getrefcount(v2), 2);
    MP_DECREF(k1);
    MP_DECREF(v1);
    MP_DECREF(k2);
    MP_DECREF(v2);
}

/* lru_cache's bounded store keeps what the key already has (it can only be
 * there if the function cached it while computing); the unbounded one
 * overwrites. */
Test(lru, storing_a_cached_key_again)
{
    mp_object *k = mp_int_from_long(7), *a = mp_int_from_long(1), *b = mp_int_from_long(2);
    mp_object *bounded = mp_lru_new(4), *unbounded = mp_lru_new(-1);
    mp_lru_put(bounded, k, a);
    mp_lru_put(bounded, k, b);
    mp_lru_put(unbounded, k, a);
    mp_lru_put(unbounded, k, b);
    cr_expect_eq(mp_lru_get(bounded, k), a);
    cr_expect_eq(mp_lru_get(unbounded, k), b);
    MP_DECREF(bounded);
    MP_DECREF(unbounded);
    MP_DECREF(k);
    MP_DECREF(a);
    MP_DECREF(b);
}

/* python3 -c "
 * from functools import lru_cache
 * f = lru_cache(maxsize=2)(lambda x: 1)
 * try: f([])
 * except TypeError as e: print(e)
 * print(f.cache_info()); g = lru_cache(maxsize=0)(lambda x: 1); g([]); print(g.cache_info())"
 * -> unhashable type: 'list', CacheInfo(hits=0, misses=0, ...), CacheInfo(hits=0, misses=1, ...) */
Test(lru, an_unhashable_key_counts_nothing_except_when_nothing_is_cached)
{
    mp_object *c = mp_lru_new(2), *none = mp_lru_new(0), *l = mp_list_new(0);
    cr_expect_null(mp_lru_get(c, l));
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "unhashable type: 'list'");
    mp_err_clear();
    cr_expect_eq(mp_lru_put(c, l, l), -1);
    mp_err_clear();
    mp_cache_info info;
    mp_lru_info(c, &info);
    cr_expect_eq(info.hits + info.misses, 0);
    cr_expect_null(mp_lru_get(none, l));
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(mp_lru_put(none, l, l), 0);
    mp_lru_info(none, &info);
    cr_expect_eq(info.misses, 1);
    cr_expect_eq(info.currsize, 0);
    MP_DECREF(l);
    MP_DECREF(c);
    MP_DECREF(none);
}

/* Lab 11's contrast: an unbounded cache keeps everything it is given, a
 * bounded one keeps a constant footprint. */
Test(lru, the_bounded_cache_stops_growing_and_the_unbounded_does_not)
{
    mp_object *bounded = mp_lru_new(16), *unbounded = mp_lru_new(-1);
    for (long i = 0; i < 16; i++)
        call(bounded, 100000 + i);
    size_t plateau = blocks_in_use();
    for (long i = 16; i < 1000; i++)
        call(bounded, 100000 + i);
    cr_expect_eq(blocks_in_use(), plateau);
    for (long i = 0; i < 1000; i++)
        call(unbounded, 100000 + i);
    cr_expect_gt(blocks_in_use(), plateau + 2000, "a key and a result per call, kept");
    mp_cache_info info;
    mp_lru_info(unbounded, &info);
    cr_expect_eq(info.currsize, 1000);
    MP_DECREF(bounded);
    MP_DECREF(unbounded);
}

static int visited_count;

static int count_visit(mp_object *o, void *arg)
{
    (void)o;
    (void)arg;
    visited_count++;
    return 0;
}

Test(lru, traverse_visits_each_result_and_the_dict)
{
    mp_object *c = mp_lru_new(8);
    call(c, 1000);
    call(c, 2000);
    visited_count = 0;
    cr_expect_eq(mp_type_lru_cache.tp_traverse(c, count_visit, NULL), 0);
    cr_expect_eq(visited_count, 3);
    cr_expect(mp_type_is_gc(&mp_type_lru_cache));
    MP_DECREF(c);
}
