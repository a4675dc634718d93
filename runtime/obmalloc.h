/* obmalloc.h — the allocation choke point every runtime object goes through,
 * and pymalloc's arenas, pools and size classes behind it.
 *
 * Models CPython 3.11's Objects/obmalloc.c. Callers never use malloc
 * directly: accounting, debug fill bytes and guards, the tracemalloc hook and
 * the pool allocator all live behind mp_object_malloc, mp_object_realloc and
 * mp_object_free.
 */
#ifndef MP_OBMALLOC_H
#define MP_OBMALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#include "site.h"

/* CPython 3.11's shape on 64-bit Linux. */
#define MP_ALIGNMENT 16                /* bytes: every block is a multiple */
#define MP_ALIGNMENT_SHIFT 4
#define MP_SMALL_REQUEST_THRESHOLD 512 /* bytes: larger requests go to malloc */
#define MP_NB_SMALL_SIZE_CLASSES (MP_SMALL_REQUEST_THRESHOLD / MP_ALIGNMENT) /* 32 */
#define MP_POOL_BITS 14                /* a pool is 16 KiB: blocks of one class */
#define MP_POOL_SIZE ((size_t)1 << MP_POOL_BITS)
#define MP_ARENA_BITS 20               /* an arena is 1 MiB: 64 pools */
#define MP_ARENA_SIZE ((size_t)1 << MP_ARENA_BITS)
#define MP_POOLS_PER_ARENA (MP_ARENA_SIZE / MP_POOL_SIZE)
#define MP_POOL_OVERHEAD 48            /* bytes of pool header before the first block */
#define MP_ARENA_SPARE_MS 100          /* how long a drained arena stays mapped */

/* PyObject_Malloc: n bytes, 16-byte aligned; NULL with MemoryError set on
 * failure. 1..512 bytes come from a pool; 0 and larger requests from the
 * system allocator, as in CPython. (Inline, below.) */
static inline void *mp_object_malloc(size_t n);
/* PyObject_Realloc: p may be NULL; on failure p is untouched. A small block
 * stays where it is when the new size still fits its class (or shrinks it
 * by less than a quarter); a large block stays with the system allocator. */
void *mp_object_realloc(void *p, size_t n);
/* PyObject_Free: p may be NULL. (Inline, below.) */
static inline void mp_object_free(void *p);

/* The counts kept on every call, since mp_init. */
typedef struct mp_malloc_stats {
    size_t blocks_in_use; /* allocated and not yet freed */
    size_t bytes_in_use;  /* what they occupy: the size class of a small
                             block, the request of a large one (a debug
                             build moves every resized block, so there it
                             is always the rounded request) */
    uint64_t allocations; /* successful mallocs; a realloc of a live block
                             is a resize, not an allocation */
    uint64_t frees;
} mp_malloc_stats;

void mp_get_malloc_stats(mp_malloc_stats *out);

/* ---- allocation-failure injection (see obmalloc.c's head) --------------------
 * A request is one call of mp_object_malloc or mp_object_realloc, or one
 * allocation for tracemalloc's own tables; each is numbered, and may be made
 * to fail with MemoryError as if memory had run out. */

/* _testcapi.set_nomemory(start, stop): of the requests made after this
 * call, numbered from 0, those numbered start..stop-1 fail (stop 0: every
 * one from start on). Replaces an earlier setting; mp_fini clears it.
 * 0, or -1 with SystemError in a build without allocation hooks
 * (MP_NO_TRACEMALLOC, the benchmarks' comparison build). */
int mp_set_nomemory(uint64_t start, uint64_t stop);
/* _testcapi.remove_mem_hooks(): no further request fails. */
void mp_remove_nomemory(void);
/* Requests since mp_init, failed ones included: run a scenario once and
 * the difference is how many allocation points it has. */
uint64_t mp_get_alloc_requests(void);
/* Requests mp_set_nomemory (or MP_FAIL_ALLOC) made fail since mp_init. */
uint64_t mp_get_nomemory_failures(void);
/* Called, with MemoryError set, whenever a request fails, injected or not:
 * a program with nothing better to do than stop (a lab, as an uncaught
 * MemoryError stops a Python program) can stop there. NULL: none. */
void mp_set_nomemory_hook(void (*hook)(void));

/* What sys._debugmallocstats() reports, as numbers: a walk over every arena
 * and pool. In a debug build the blocks include their guard bytes and the
 * quarantine, as CPython's debug allocator's do. */
typedef struct mp_obmalloc_class_stats {
    size_t size;             /* bytes per block */
    size_t pools;            /* pools of this class holding a block */
    size_t blocks_in_use;
    size_t blocks_available; /* free blocks in those pools */
} mp_obmalloc_class_stats;

typedef struct mp_obmalloc_stats {
    mp_obmalloc_class_stats classes[MP_NB_SMALL_SIZE_CLASSES];
    size_t arenas_allocated_total; /* mapped since mp_init */
    size_t arenas_reclaimed;       /* given back to the system */
    size_t arenas_highwater;       /* the most mapped at once */
    size_t arenas_current;         /* mapped now, spares included */
    size_t arenas_spare;           /* wholly free, kept mapped for reuse */
    size_t bytes_in_allocated_blocks;
    size_t bytes_in_available_blocks;
    size_t unused_pools;           /* pools in arenas that hold no block */
    size_t bytes_lost_to_pool_headers;
    size_t bytes_lost_to_quantization; /* pool tails too short for a block */
    size_t large_blocks;           /* blocks from the system allocator */
    size_t large_bytes;
} mp_obmalloc_stats;

void mp_obmalloc_get_stats(mp_obmalloc_stats *out);
/* sys._debugmallocstats(): the same numbers as a table. */
void mp_debugmallocstats(FILE *out);
/* Unmaps the spare arenas now instead of when they have waited
 * MP_ARENA_SPARE_MS (CPython has no spares: it unmaps at once). */
void mp_obmalloc_trim(void);

/* The pool allocator itself, without the debug layer, the accounting or
 * the tracing hook (CPython's _PyObject_Malloc under its debug hooks).
 * Lab 04 experiments on it, so its pool and arena figures are the same in
 * a debug build, whose guard bytes make every block bigger. */
void *mp_pymalloc_malloc(size_t n);
void mp_pymalloc_free(void *p);
/* Which allocator owns p, a live block from mp_pymalloc_malloc: a pool's
 * size class (0..31), or -1 for the system allocator. */
int mp_pymalloc_size_class(const void *p);

/* ---- the fast paths, inlined where they are called ---------------------------
 * A small request met from the block cache (a stack of free blocks each
 * size class keeps outside its pools, see obmalloc.c) and a small block
 * freed into it cost a few instructions and no call. The state they read
 * belongs to obmalloc.c and nothing else writes it. Everything else goes
 * out of line: an empty or full stack, large blocks, a debug build.
 *
 * While tracing or failure injection runs, every stack's count and limit
 * read 0 (its blocks are `held` for the out-of-line paths), so both inline
 * paths find nothing to take and no room to give, and every call reaches
 * the hooks out of line: the inline paths never test whether the
 * allocator is hooked. Nor do they store the caller's site (site.h):
 * mp_object_malloc hands __FILE__ and __LINE__ to the out-of-line path as
 * arguments, which the inline one ignores.
 *
 * The inline paths count nothing but their allocations: their frees follow
 * from the stack's height, since every other change to it is recorded in
 * `others` (inline frees - inline allocations == count - others), and the
 * statistics work them out when asked. The malloc side counts because its
 * stack's address is usually fixed where it is called (so is the size),
 * and the processor then keeps the counter in a register; the free side
 * finds its stack through a table, and a counter there made every free
 * wait for the previous free's store, 4% of a batch's malloc+free pair.
 * Counting on both sides, and bytes, cost 13%. */
#define MP_BLOCK_CACHE 64 /* free blocks kept per size class */

typedef struct mp_block_cache {
    uint32_t count;  /* blocks on the stack */
    uint32_t limit;  /* MP_BLOCK_CACHE; 0 while hooked, in a debug build and before mp_init */
    uint32_t held;   /* blocks on the stack while hooked, when count is 0 */
    uint64_t allocations; /* blocks the inline malloc popped */
    uint64_t others; /* blocks every other path pushed, minus those it popped */
    void *blocks[MP_BLOCK_CACHE];
} mp_block_cache;

extern mp_block_cache mp_block_caches[MP_NB_SMALL_SIZE_CLASSES];
extern uintptr_t mp_region_base;     /* where the arenas' address range starts */
extern size_t mp_region_size;        /* and its length; 0 before the first arena */
extern const uint8_t *mp_pool_class; /* the size class of each pool in the range */

/* Everything the inline paths leave: file is the caller's site, or NULL
 * to keep the current one (a call from inside the runtime). */
void *mp_object_malloc_slow(size_t n, const char *file, int line);
void mp_object_free_slow(void *p);

static inline void *mp_object_malloc_at(size_t n, const char *file, int line)
{
#ifndef MP_DEBUG
    size_t k = n - 1; /* 0 wraps around: not small */
    if (k < MP_SMALL_REQUEST_THRESHOLD) {
        mp_block_cache *c = &mp_block_caches[k >> MP_ALIGNMENT_SHIFT];
        if (c->count) {
            c->allocations++;
            return c->blocks[--c->count];
        }
    }
#endif
    return mp_object_malloc_slow(n, file, line);
}

static inline void *mp_object_malloc(size_t n) { return mp_object_malloc_at(n, NULL, 0); }

static inline void mp_object_free(void *p)
{
#ifndef MP_DEBUG
    uintptr_t offset = (uintptr_t)p - mp_region_base; /* NULL lands far outside */
    if (offset < mp_region_size) {
        mp_block_cache *c = &mp_block_caches[mp_pool_class[offset >> MP_POOL_BITS]];
        if (c->count < c->limit) {
            c->blocks[c->count++] = p;
            return;
        }
    }
#endif
    mp_object_free_slow(p);
}

/* ---- call sites ------------------------------------------------------------ */
#ifndef MP_RUNTIME_INTERNAL
#define mp_object_malloc(n) mp_object_malloc_at(n, __FILE__, __LINE__)
#define mp_object_realloc(p, n) MP_AT(mp_object_realloc(p, n))
#endif

#endif
