/* lru.h — functools.lru_cache's bounded cache, apart from the function it
 * wraps: lookups by key that count hits and misses, and stores that evict
 * the least recently used entry once the cache is full.
 *
 * Models Lib/functools.py's lru_cache and its C implementation in CPython
 * 3.11's Modules/_functoolsmodule.c (bounded_lru_cache_wrapper,
 * infinite_lru_cache_wrapper, uncached_lru_cache_wrapper). A call of a
 * cached function is mp_lru_get, then on a miss the computation and
 * mp_lru_put.
 */
#ifndef MP_LRU_H
#define MP_LRU_H

#include "object.h"
#include "site.h"

/* CacheInfo(hits, misses, maxsize, currsize); maxsize -1 stands for None. */
typedef struct mp_cache_info {
    mp_ssize_t hits, misses;
    mp_ssize_t maxsize;
    mp_ssize_t currsize;
} mp_cache_info;

/* lru_cache(maxsize=...): maxsize < 0 is maxsize=None, an unbounded cache
 * that only grows (lab 11's leak); 0 caches nothing and only counts
 * misses. A new reference. */
mp_object *mp_lru_new(mp_ssize_t maxsize);
/* The value cached under key, a borrowed reference that a later put may
 * evict, marked most recently used: counts a hit. NULL and a miss when
 * absent; NULL with TypeError for an unhashable key (with maxsize 0, keys
 * are never hashed, as there). */
mp_object *mp_lru_get(mp_object *cache, mp_object *key);
/* Caches value under key, taking new references to both; a full bounded
 * cache first evicts its least recently used entry. As in lru_cache, a
 * bounded cache that already holds key keeps its entry and its place (the
 * key can only be there if the computation cached it itself), while an
 * unbounded one replaces the value. 0, or -1 with an error set. */
int mp_lru_put(mp_object *cache, mp_object *key, mp_object *value);
/* cache_info(). */
void mp_lru_info(mp_object *cache, mp_cache_info *out);
/* cache_clear(): forgets every entry and zeroes the counts. */
void mp_lru_clear(mp_object *cache);

extern mp_type mp_type_lru_cache;

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_lru_new(m) MP_AT(mp_lru_new(m))
#define mp_lru_put(c, k, v) MP_AT(mp_lru_put(c, k, v))
#endif

#endif
