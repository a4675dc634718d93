/* obmalloc.c — pymalloc: arenas carved into pools carved into blocks.
 *
 * Models CPython 3.11's Objects/obmalloc.c. Read mp_object_malloc and
 * mp_object_free first; everything else serves them.
 *
 *   arena  1 MiB, 1 MiB-aligned, 64 pools
 *   pool   16 KiB: 48 bytes of header, then blocks of one size class
 *   block  16, 32, ... 512 bytes: a request of n goes to class (n - 1) / 16
 *
 * A request of 1..512 bytes takes a block from the first pool of
 * usedpools[class], the ring of that class's pools with room; a new pool
 * comes from the usable arena with the fewest free pools, so busy arenas
 * fill up and quiet ones can drain and go back to the system. Requests of 0
 * or more than 512 bytes go to the system malloc, with a 16-byte prefix
 * holding their size. All of that is CPython's; the numbers a program can
 * see (size classes, blocks per pool, which requests go where) are the
 * same. Five things are done differently, each for speed, each measured by
 * the 04-obmalloc benchmarks:
 *
 *   1. Which allocator owns a pointer? CPython 3.11 walks a three-level
 *      radix tree over arena addresses, its arenas lying anywhere. Here the
 *      allocator reserves one range of address space at its first arena
 *      (MP_REGION_SIZE, 64 GiB of addresses, PROT_NONE and MAP_NORESERVE:
 *      no memory), every arena is a 1 MiB slot of it, and "p - base < size"
 *      is the whole test. An arena is mapped in with mprotect and given
 *      back by mapping fresh PROT_NONE pages over it, which returns its
 *      memory as munmap would and keeps the slot. Past 65536 arenas, small
 *      requests go to the system allocator like large ones. (Aligned, an
 *      arena holds all 64 pools; CPython's page-aligned ones usually lose
 *      one to alignment and hold 63.)
 *   2. Pool headers live in an array beside their arena's descriptor, not in
 *      the pool's first 48 bytes (which stay unused, so pools hold as many
 *      blocks as CPython's). Pools start at multiples of 16 KiB: their first
 *      bytes all fall into the one set of an L1 cache that address bits
 *      6..11 pick, and more than eight pools in play evict each other.
 *   3. A full pool leaves usedpools lazily: only when an allocation finds
 *      it full at the front of the ring; and a full pool that gets a block
 *      back rejoins at the back, to gather more frees before its turn.
 *      CPython unlinks a pool the moment it fills and puts it first again
 *      at its next free, so a working set that turns over one block at a
 *      time relinks a pool on every step.
 *   4. Each size class keeps a stack of up to MP_BLOCK_CACHE free blocks,
 *      as glibc's tcache does: a block freed and soon asked for again never
 *      reaches its pool, and the pools see blocks in batches of half a
 *      stack (see the release layer below). (Release builds; debug builds
 *      have a quarantine.)
 *   5. An arena that drains completely waits MP_ARENA_SPARE_MS as a spare
 *      before going back; the next arena needed is a spare if there is one.
 *      CPython keeps one empty arena (bpo-37257) and unmaps the rest at
 *      once, so a loop that builds and drops a big structure maps, faults
 *      in and unmaps the same megabytes every round. mp_obmalloc_trim()
 *      gives spares back at once.
 *
 * Invariants:
 *   - in_ring is set iff a pool is in usedpools[class]; every pool holding
 *     blocks with room for more is there; a full one may be too, until an
 *     allocation drops it; an empty one is in its arena's freepools.
 *   - A pool's count + its freeblock list + its blocks from nextoffset on
 *     == its capacity.
 *   - usable_arenas holds the arenas with a free pool and a pool in use,
 *     sorted by nfreepools ascending, plus at most one wholly free arena,
 *     last; nfp2lasta[n] is the last of them with n free pools, or NULL.
 *   - spare_arenas holds the other wholly free arenas.
 *   - The bytes in use (count_bytes_in_use plus what the inline paths
 *     account through the block caches, see obmalloc.h) are what the live
 *     blocks occupy without debug guards: the size class of a small block,
 *     the request of a large one.
 *
 * Allocation-failure injection (CPython's _testcapi.set_nomemory, SQLite's
 * sqlite3_fault_install): mp_set_nomemory(start, stop) makes requests
 * start..stop-1, counted from the call, fail as if memory had run out, and
 * the environment variable MP_FAIL_ALLOC=N, read by mp_init, fails the Nth
 * request of the session. A request is one mp_object_malloc or
 * mp_object_realloc call, or one allocation for tracemalloc's tables;
 * mp_get_alloc_requests counts them all, failed ones included, so a test
 * can run a scenario once to count its allocation points and then fail
 * each in turn (tests/test_nomemory.c). A failed request returns NULL with
 * MemoryError set and calls the program's hook (mp_set_nomemory_hook: the
 * labs stop there, exit status 3). Zero cost when off: mp_alloc_hooked,
 * the flag the inline fast paths already tested for tracing, is set while
 * either tracing or injection is on, and the full path, out of line,
 * tells them apart; the fast paths' code is unchanged. The benchmarks'
 * comparison build (MP_NO_TRACEMALLOC) has no hooks: mp_set_nomemory
 * fails there with SystemError.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE, CLOCK_MONOTONIC_COARSE */

#include "obmalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "error.h"
#include "internal.h"

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

#define MP_REGION_SIZE ((size_t)64 << 30) /* 64 GiB of addresses: 65536 arenas */

typedef struct block {
    struct block *next;
} block;

typedef struct arena arena;

/* A pool's header: CPython's struct pool_header, kept with its arena's
 * descriptor rather than in the pool's first bytes (see above). */
typedef struct pool {
    uint32_t count;        /* blocks handed out */
    uint16_t size_index;   /* the size class */
    uint16_t in_ring;      /* in usedpools[size_index] */
    block *freeblock;      /* blocks given back, most recent first */
    struct pool *nextpool; /* usedpools ring, or the arena's freepools */
    struct pool *prevpool;
    char *base;             /* the pool's 16 KiB */
    uint32_t nextoffset;    /* the first block never handed out */
    uint32_t maxnextoffset; /* the last block that fits */
} pool;

struct arena {
    uintptr_t address;   /* MP_ARENA_SIZE-aligned; 0 while unmapped */
    pool *freepools;     /* pools given back, singly linked */
    unsigned nfreepools; /* given back, plus never carved */
    unsigned ncarved;    /* pools carved so far, from the start */
    arena *next, *prev;  /* in usable_arenas, or next in spare_arenas */
    uint64_t spare_since_ms; /* when it became a spare */
    pool pools[MP_POOLS_PER_ARENA];
};

static pool *usedpools[MP_NB_SMALL_SIZE_CLASSES];
static arena *usable_arenas;
static arena *nfp2lasta[MP_POOLS_PER_ARENA + 1];
static arena *spare_arenas; /* wholly free and still mapped, newest first */

static struct {
    size_t arenas_allocated_total, arenas_reclaimed, arenas_highwater, arenas_current;
    size_t arenas_spare;
    size_t large_blocks, large_bytes;
} stats;

static size_t class_size(unsigned idx) { return (size_t)(idx + 1) << MP_ALIGNMENT_SHIFT; }

static uint32_t class_capacity(unsigned idx)
{
    return (uint32_t)((MP_POOL_SIZE - MP_POOL_OVERHEAD) / class_size(idx));
}

size_t mp_rounded_size(size_t n)
{
    return n - 1 < MP_SMALL_REQUEST_THRESHOLD ? (n + MP_ALIGNMENT - 1) & ~(size_t)(MP_ALIGNMENT - 1)
                                              : n;
}

/* ---- the region of address space arenas live in --------------------------------- */

/* Read by the inline fast paths in obmalloc.h. */
uintptr_t mp_region_base;     /* MP_ARENA_SIZE-aligned; 0 until reserved */
size_t mp_region_size;        /* bytes reserved */
const uint8_t *mp_pool_class; /* the size class of every pool holding blocks */
mp_block_cache mp_block_caches[MP_NB_SMALL_SIZE_CLASSES];

/* What every path but the inline ones counts. Separate variables: as
 * fields of one struct, the compiler merges neighbouring updates into one
 * 16-byte vector load and store, and a malloc's store then stalls the next
 * free's wider load (no store-to-load forwarding across two stores). */
static uint64_t count_allocations, count_frees;
static size_t count_bytes_in_use;

static struct {
    uint8_t *pool_class; /* mp_pool_class, writable */
    arena *arenas;       /* one descriptor per slot */
    size_t used_slots; /* slots handed out at least once, from the start */
    arena *free_slots; /* slots given back, linked through next */
} region;

static arena *arena_of(const void *p)
{
    uintptr_t offset = (uintptr_t)p - mp_region_base;
    return LIKELY(offset < mp_region_size) ? &region.arenas[offset >> MP_ARENA_BITS] : NULL;
}

/* The header of the pool holding p, which must be in the region. */
static pool *pool_of(const void *p)
{
    uintptr_t offset = (uintptr_t)p - mp_region_base;
    return &region.arenas[offset >> MP_ARENA_BITS]
                .pools[(offset >> MP_POOL_BITS) & (MP_POOLS_PER_ARENA - 1)];
}

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* The descriptors of a region's arenas and the size class of its pools:
 * 200 MiB and 4 MiB for 64 GiB, of which only the part for the arenas in
 * use is ever touched. Fresh pages, already zero, and never read until
 * written (calloc zeroes them all under AddressSanitizer, at every
 * mp_init). */
static size_t arenas_bytes(size_t region_size)
{
    return region_size / MP_ARENA_SIZE * sizeof(arena);
}

static size_t pool_class_bytes(size_t region_size) { return region_size / MP_POOL_SIZE; }

static void *zeroed_pages(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void pages_free(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes);
}

/* Reserves the region: the largest of 64, 16, 4, 1 GiB and 256 MiB the
 * system grants (a limit on address space, ulimit -v, may refuse more). */
static int region_reserve(void)
{
    for (size_t size = MP_REGION_SIZE; size >= 256 * MP_ARENA_SIZE; size /= 4) {
        char *raw = mmap(NULL, size + MP_ARENA_SIZE, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (raw == MAP_FAILED)
            continue;
        uintptr_t base = ((uintptr_t)raw + MP_ARENA_SIZE - 1) & ~(MP_ARENA_SIZE - 1);
        size_t head = base - (uintptr_t)raw;
        if (head)
            munmap(raw, head);
        munmap((char *)base + size, MP_ARENA_SIZE - head);
        region.arenas = zeroed_pages(arenas_bytes(size));
        region.pool_class = zeroed_pages(pool_class_bytes(size));
        if (!region.arenas || !region.pool_class) {
            pages_free(region.arenas, arenas_bytes(size));
            pages_free(region.pool_class, pool_class_bytes(size));
            region.arenas = NULL;
            region.pool_class = NULL;
            munmap((void *)base, size);
            return -1;
        }
        mp_pool_class = region.pool_class;
        mp_region_base = base;
        mp_region_size = size;
        return 0;
    }
    return -1;
}

/* A slot of the region, mapped in; NULL with MemoryError if none is left. */
static arena *arena_map_new(void)
{
    if (!mp_region_base && region_reserve() < 0)
        return mp_err_nomemory();
    arena *a = region.free_slots;
    if (a)
        region.free_slots = a->next;
    else if (region.used_slots < mp_region_size / MP_ARENA_SIZE)
        a = &region.arenas[region.used_slots++];
    else
        return mp_err_nomemory();
    uintptr_t address = mp_region_base + (size_t)(a - region.arenas) * MP_ARENA_SIZE;
    if (mprotect((void *)address, MP_ARENA_SIZE, PROT_READ | PROT_WRITE) < 0) {
        a->next = region.free_slots;
        region.free_slots = a;
        return mp_err_nomemory();
    }
    memset(a, 0, sizeof *a);
    a->address = address;
    stats.arenas_allocated_total++;
    if (++stats.arenas_current > stats.arenas_highwater)
        stats.arenas_highwater = stats.arenas_current;
    return a;
}

/* Gives the arena's memory back: fresh inaccessible pages replace it, and
 * the slot stays reserved for a later arena. */
static void arena_unmap(arena *a)
{
    mmap((void *)a->address, MP_ARENA_SIZE, PROT_NONE,
         MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    a->address = 0;
    a->next = region.free_slots;
    region.free_slots = a;
    stats.arenas_current--;
    stats.arenas_reclaimed++;
}

/* Unmaps the spares idle for MP_ARENA_SPARE_MS or more (all of them when
 * max_age_ms is 0). */
static void spares_release(uint64_t max_age_ms)
{
    uint64_t now = now_ms();
    for (arena **link = &spare_arenas; *link;) {
        arena *a = *link;
        if (max_age_ms == 0 || now - a->spare_since_ms >= max_age_ms) {
            *link = a->next;
            stats.arenas_spare--;
            arena_unmap(a);
        } else {
            link = &a->next;
        }
    }
}

/* A fresh arena: the newest spare if there is one, its pages still warm,
 * else a new mapping. */
static arena *arena_new(void)
{
    spares_release(MP_ARENA_SPARE_MS);
    arena *a = spare_arenas;
    if (a) {
        spare_arenas = a->next;
        stats.arenas_spare--;
    } else {
        a = arena_map_new();
        if (!a)
            return NULL;
    }
    a->freepools = NULL;
    a->ncarved = 0;
    a->nfreepools = MP_POOLS_PER_ARENA;
    return a;
}

/* A wholly free arena that CPython would unmap waits as a spare instead. */
static void arena_retire(arena *a)
{
    spares_release(MP_ARENA_SPARE_MS);
    a->spare_since_ms = now_ms();
    a->next = spare_arenas;
    spare_arenas = a;
    stats.arenas_spare++;
}

static void usable_unlink(arena *a)
{
    if (a->prev)
        a->prev->next = a->next;
    else
        usable_arenas = a->next;
    if (a->next)
        a->next->prev = a->prev;
}

static void usable_insert_after(arena *a, arena *after)
{
    a->prev = after;
    a->next = after ? after->next : usable_arenas;
    if (a->next)
        a->next->prev = a;
    if (after)
        after->next = a;
    else
        usable_arenas = a;
}

/* A pool for a new size class, from the usable arena with the fewest free
 * pools. Taking one keeps that arena first in the list. */
static pool *arena_take_pool(void)
{
    arena *a = usable_arenas;
    if (!a) {
        a = arena_new();
        if (!a)
            return NULL;
        usable_insert_after(a, NULL);
        nfp2lasta[a->nfreepools] = a;
    }
    pool *p;
    if (a->freepools) {
        p = a->freepools;
        a->freepools = p->nextpool;
    } else {
        p = &a->pools[a->ncarved];
        p->base = (char *)a->address + a->ncarved++ * MP_POOL_SIZE;
    }

    unsigned nf = a->nfreepools;
    if (nfp2lasta[nf] == a)
        nfp2lasta[nf] = NULL;
    a->nfreepools = --nf;
    if (nf == 0)
        usable_unlink(a);
    else if (!nfp2lasta[nf])
        nfp2lasta[nf] = a;
    return p;
}

/* An empty pool goes back to its arena, which moves right in usable_arenas
 * to stay sorted, comes back into it if it was full, or, wholly free and not
 * the last one, retires. */
static void arena_give_back(pool *p)
{
    arena *a = arena_of(p->base);
    p->nextpool = a->freepools;
    a->freepools = p;

    unsigned nf = a->nfreepools;
    arena *last_with_nf = nfp2lasta[nf];
    if (last_with_nf == a)
        nfp2lasta[nf] = a->prev && a->prev->nfreepools == nf ? a->prev : NULL;
    a->nfreepools = ++nf;

    if (nf == MP_POOLS_PER_ARENA && a->next) {
        usable_unlink(a);
        arena_retire(a);
        return;
    }
    if (nf == 1) {
        usable_insert_after(a, NULL);
        if (!nfp2lasta[1])
            nfp2lasta[1] = a;
        return;
    }
    if (!nfp2lasta[nf])
        nfp2lasta[nf] = a;
    if (last_with_nf != a) {
        usable_unlink(a);
        usable_insert_after(a, last_with_nf);
    }
}

static void block_cache_flush(void);

void mp_obmalloc_visit_pools(void (*visit)(uintptr_t start, size_t bytes, void *arg), void *arg)
{
    for (size_t i = 0; i < region.used_slots; i++) {
        const arena *a = &region.arenas[i];
        for (unsigned k = 0; a->address && k < a->ncarved; k++) {
            if (a->pools[k].count > 0)
                visit((uintptr_t)a->pools[k].base, MP_POOL_SIZE, arg);
        }
    }
}

void mp_obmalloc_trim(void)
{
    block_cache_flush();
    spares_release(0);
}

/* ---- pools ----------------------------------------------------------------------- */

/* Puts p into its class's ring: first (a new pool, used at once) or last
 * (a full pool that got a block back: it collects more frees before its
 * turn, instead of refilling and leaving the ring on every single free). */
static void usedpool_link(pool *p, bool first)
{
    pool **head = &usedpools[p->size_index];
    if (*head) {
        p->nextpool = *head;
        p->prevpool = (*head)->prevpool;
        p->prevpool->nextpool = p;
        (*head)->prevpool = p;
        if (first)
            *head = p;
    } else {
        p->nextpool = p->prevpool = p;
        *head = p;
    }
    p->in_ring = 1;
}

static void usedpool_unlink(pool *p)
{
    pool **head = &usedpools[p->size_index];
    p->in_ring = 0;
    if (p->nextpool == p) {
        *head = NULL;
        return;
    }
    p->prevpool->nextpool = p->nextpool;
    p->nextpool->prevpool = p->prevpool;
    if (*head == p)
        *head = p->nextpool;
}

static bool pool_is_full(const pool *p) { return !p->freeblock && p->nextoffset > p->maxnextoffset; }

static inline void *pool_alloc(unsigned idx);

/* The ring's first pool is full: drop full pools from the front of the
 * ring (they come back when a block of theirs is freed), or start a pool. */
static void *pool_alloc_slow(unsigned idx)
{
    pool *p;
    while ((p = usedpools[idx]) && pool_is_full(p))
        usedpool_unlink(p);
    if (p)
        return pool_alloc(idx);
    p = arena_take_pool();
    if (!p)
        return NULL;
    size_t size = class_size(idx);
    p->size_index = (uint16_t)idx;
    region.pool_class[((uintptr_t)p->base - mp_region_base) >> MP_POOL_BITS] = (uint8_t)idx;
    p->count = 1;
    p->freeblock = NULL;
    p->nextoffset = (uint32_t)(MP_POOL_OVERHEAD + size);
    p->maxnextoffset = (uint32_t)(MP_POOL_SIZE - size);
    usedpool_link(p, true);
    return p->base + MP_POOL_OVERHEAD;
}

/* A block from the first pool of the class: a given-back one if any, else
 * the next never used. */
static inline void *pool_alloc(unsigned idx)
{
    pool *p = usedpools[idx];
    if (LIKELY(p != NULL)) {
        block *b = p->freeblock;
        if (LIKELY(b != NULL)) {
            p->freeblock = b->next;
            p->count++;
            return b;
        }
        if (p->nextoffset <= p->maxnextoffset) {
            b = (block *)(p->base + p->nextoffset);
            p->nextoffset += (uint32_t)class_size(idx);
            p->count++;
            return b;
        }
    }
    return pool_alloc_slow(idx);
}

static void pool_after_free(pool *p);

static void pool_free(pool *p, void *ptr)
{
    block *b = ptr;
    b->next = p->freeblock;
    p->freeblock = b;
    if (UNLIKELY(--p->count == 0 || !p->in_ring))
        pool_after_free(p);
}

/* ---- large blocks: the system allocator ----------------------------------------------- */

typedef struct large_prefix {
    size_t size;
    size_t unused; /* keeps the block 16-byte aligned */
} large_prefix;

_Static_assert(sizeof(large_prefix) == MP_ALIGNMENT, "the prefix keeps 16-byte alignment");

static void *large_alloc(size_t n)
{
    large_prefix *b = n <= SIZE_MAX / 2 ? malloc(sizeof *b + n) : NULL;
    if (!b)
        return mp_err_nomemory();
    b->size = n;
    stats.large_blocks++;
    stats.large_bytes += n;
    return b + 1;
}

static large_prefix *large_prefix_of(void *p) { return (large_prefix *)p - 1; }

static void large_free(void *p)
{
    large_prefix *b = large_prefix_of(p);
    stats.large_blocks--;
    stats.large_bytes -= b->size;
    free(b);
}

/* ---- the raw layer: pools or the system, nothing else ------------------------------------ */

static inline void *raw_malloc(size_t n)
{
    if (LIKELY(n - 1 < MP_SMALL_REQUEST_THRESHOLD)) {
        void *p = pool_alloc((unsigned)((n - 1) >> MP_ALIGNMENT_SHIFT));
        if (LIKELY(p != NULL))
            return p;
        mp_err_clear(); /* no arena to be had: the system allocator serves it */
    }
    return large_alloc(n);
}

static inline void raw_free(void *p, arena *owner)
{
    if (LIKELY(owner != NULL))
        pool_free(pool_of(p), p);
    else
        large_free(p);
}

#ifndef MP_DEBUG /* the debug layer always moves a block instead */
/* The block's size as the accounting sees it. */
static inline size_t raw_size(void *p, arena *owner)
{
    return owner ? class_size(pool_of(p)->size_index) : large_prefix_of(p)->size;
}

static void *large_realloc(void *p, size_t n)
{
    large_prefix *old = large_prefix_of(p);
    size_t old_size = old->size;
    large_prefix *b = n <= SIZE_MAX / 2 ? realloc(old, sizeof *b + n) : NULL;
    if (!b)
        return mp_err_nomemory();
    b->size = n;
    stats.large_bytes = stats.large_bytes - old_size + n;
    return b + 1;
}

static void *raw_realloc(void *p, arena *owner, size_t n)
{
    if (!owner)
        return large_realloc(p, n);
    size_t size = class_size(pool_of(p)->size_index);
    /* Same class, or shrinking by less than a quarter: stay put. Shrinking
     * more moves to a smaller class, as CPython's pymalloc_realloc does. */
    if (n <= size && (n > size - MP_ALIGNMENT || 4 * n > 3 * size))
        return p;
    void *q = raw_malloc(n);
    if (q) {
        memcpy(q, p, n < size ? n : size);
        pool_free(pool_of(p), p);
    }
    return q;
}
#endif

/* The raw layer as the debug layer (memdebug.c) sees it. */
void *mp_raw_malloc(size_t n) { return raw_malloc(n); }

void mp_raw_free(void *p) { raw_free(p, arena_of(p)); }

/* ---- the release layer: free blocks per class, held back -------------------------------------
 * A program that frees a block and soon asks for one of the same size (a
 * temporary replaced, a working set turning over) gets that block back
 * without its pool noticing: each size class keeps up to MP_BLOCK_CACHE
 * free blocks in a stack, as glibc's tcache does. The pool sees blocks only
 * when the stack is full (on free) or empty (on malloc), and then half a
 * stack at once: an empty stack is half filled from one pool, a full one
 * gives its older half back (block_cache_refill, block_cache_drain). In
 * CPython every free into a full pool links it into usedpools and the next
 * malloc unlinks it again, and every malloc and free updates its pool.
 *
 * While the allocator is hooked the inline paths must see an empty stack
 * with no room (obmalloc.h), so the stack's blocks are counted in `held`
 * instead of `count`, and the out-of-line paths below keep using them: a
 * traced malloc and free are dearer by their traces, not by reaching the
 * pools. The stacks hold at most 64 * 32 blocks outside their pools;
 * mp_obmalloc_get_stats and mp_obmalloc_trim put them back first, so
 * nothing reported counts them. Debug builds have a quarantine instead. */
#ifndef MP_DEBUG

/* Only a hooked allocator uses the held stacks here: otherwise the inline
 * paths own the stacks, and a small block reaches this layer only before
 * mp_init or when no arena could be had. */
static inline void *release_malloc(size_t n)
{
    if (LIKELY(n - 1 < MP_SMALL_REQUEST_THRESHOLD)) {
        mp_block_cache *c = &mp_block_caches[(n - 1) >> MP_ALIGNMENT_SHIFT];
        if (LIKELY(c->held))
            return c->blocks[--c->held];
    }
    return raw_malloc(n);
}

/* Returns the block's size as the accounting sees it. */
static inline size_t release_free(void *p)
{
    if (UNLIKELY(!arena_of(p))) {
        size_t size = large_prefix_of(p)->size;
        large_free(p);
        return size;
    }
    unsigned idx = mp_pool_class[((uintptr_t)p - mp_region_base) >> MP_POOL_BITS];
    mp_block_cache *c = &mp_block_caches[idx];
    if (LIKELY(mp_alloc_hooked && c->held < MP_BLOCK_CACHE))
        c->blocks[c->held++] = p;
    else
        pool_free(pool_of(p), p);
    return class_size(idx);
}
#endif

/* Gives n blocks back to their pools. The blocks of one pool that lie
 * next to each other (a batch freed in order) are linked together first
 * and spliced onto the pool's free list at once: one update of the pool
 * instead of one per block. */
static void blocks_to_pools(void **v, unsigned n)
{
    for (unsigned i = 0; i < n;) {
        block *first = v[i], *last = first;
        uintptr_t pool_number = (uintptr_t)first >> MP_POOL_BITS;
        unsigned j = i + 1;
        for (; j < n && (uintptr_t)v[j] >> MP_POOL_BITS == pool_number; j++) {
            last->next = v[j];
            last = v[j];
        }
        pool *pl = pool_of(first);
        last->next = pl->freeblock;
        pl->freeblock = first;
        pl->count -= j - i;
        if (UNLIKELY(pl->count == 0 || !pl->in_ring))
            pool_after_free(pl);
        i = j;
    }
}

/* Blocks a refill brings and a drain of a full stack takes away: half a
 * stack, so that a stack just refilled or drained has room both ways, and
 * a program that frees and allocates in turn, over many classes at once,
 * does not meet the pools at every other call. */
#define BLOCK_BATCH (MP_BLOCK_CACHE / 2)

/* Gives the n oldest blocks of a stack the inline paths see back to the
 * pools; the newest stay. */
static void block_cache_drain(mp_block_cache *c, unsigned n)
{
    blocks_to_pools(c->blocks, n);
    c->count -= n;
    c->others -= n;
    memmove(c->blocks, c->blocks + n, c->count * sizeof c->blocks[0]);
}

/* A block of class idx for the caller, and the class's empty cache filled
 * with up to BLOCK_BATCH more from the same pool, the lowest address on
 * top so they go out in address order; NULL if no pool can be had. */
static void *block_cache_refill(unsigned idx, mp_block_cache *c)
{
    void *first = pool_alloc(idx);
    if (UNLIKELY(!first))
        return NULL;
    pool *p = usedpools[idx]; /* pool_alloc took `first` from the ring's head */
    unsigned k = BLOCK_BATCH;
    block *b = p->freeblock;
    for (; k && b; b = b->next)
        c->blocks[--k] = b;
    p->freeblock = b;
    uint32_t offset = p->nextoffset, size = (uint32_t)class_size(idx);
    for (; k && offset <= p->maxnextoffset; offset += size)
        c->blocks[--k] = p->base + offset;
    p->nextoffset = offset;
    unsigned got = BLOCK_BATCH - k;
    p->count += got;
    if (k)
        memmove(c->blocks, c->blocks + k, got * sizeof c->blocks[0]);
    c->count = got;
    c->others += got;
    return first;
}

static void block_cache_flush(void)
{
#ifndef MP_DEBUG
    for (unsigned idx = 0; idx < MP_NB_SMALL_SIZE_CLASSES; idx++) {
        mp_block_cache *c = &mp_block_caches[idx];
        block_cache_drain(c, c->count);
        blocks_to_pools(c->blocks, c->held);
        c->held = 0;
    }
#endif
}

/* ---- failure injection ----------------------------------------------------------------------
 * Armed by mp_set_nomemory or MP_FAIL_ALLOC: the next `skip` requests
 * succeed, then `left` fail (UINT64_MAX: all that follow). Every request
 * made while armed asks inject() exactly once, and counts exactly once in
 * mp_get_alloc_requests (as an allocation when it succeeds, in
 * requests_other otherwise), so the two numberings agree. */
bool mp_alloc_hooked;

static uint64_t requests_other; /* reallocs, tracemalloc's tables, failures */

static struct {
    bool armed;
    uint64_t skip, left;
    uint64_t failures;
    void (*hook)(void);
} nomem;

/* Shows the block caches to the inline paths, or hides them while hooked
 * (obmalloc.h), so that every call then reaches the hooks; the blocks stay
 * on their stacks either way. A debug build keeps them hidden and empty:
 * its quarantine does their work. */
static void hooks_update(void)
{
#ifndef MP_NO_TRACEMALLOC
    mp_alloc_hooked = mp_tracemalloc_tracing || nomem.armed;
#endif
#ifndef MP_DEBUG
    for (unsigned idx = 0; idx < MP_NB_SMALL_SIZE_CLASSES; idx++) {
        mp_block_cache *c = &mp_block_caches[idx];
        uint32_t blocks = c->count + c->held; /* one of the two is 0 */
        c->others -= c->count;
        c->count = mp_alloc_hooked ? 0 : blocks;
        c->held = mp_alloc_hooked ? blocks : 0;
        c->others += c->count;
        c->limit = mp_alloc_hooked ? 0 : MP_BLOCK_CACHE;
    }
#endif
}

void mp_alloc_hooks_update(void) { hooks_update(); }

int mp_set_nomemory(uint64_t start, uint64_t stop)
{
#ifdef MP_NO_TRACEMALLOC
    (void)start, (void)stop;
    mp_err_set(MP_ERR_SYSTEM, "built without allocation hooks (MP_NO_TRACEMALLOC)");
    return -1;
#else
    nomem.skip = start;
    nomem.left = stop == 0 ? UINT64_MAX : stop > start ? stop - start : 0;
    nomem.armed = nomem.left > 0;
    hooks_update();
    return 0;
#endif
}

void mp_remove_nomemory(void)
{
    nomem.armed = false;
    hooks_update();
}

uint64_t mp_get_alloc_requests(void)
{
    mp_malloc_stats s;
    mp_get_malloc_stats(&s);
    return s.allocations + requests_other;
}

uint64_t mp_get_nomemory_failures(void) { return nomem.failures; }

void mp_set_nomemory_hook(void (*hook)(void)) { nomem.hook = hook; }

/* Whether the request being made is one to fail. */
static bool inject(void)
{
    if (!nomem.armed)
        return false;
    if (nomem.skip) {
        nomem.skip--;
        return false;
    }
    if (nomem.left != UINT64_MAX && --nomem.left == 0)
        mp_remove_nomemory();
    nomem.failures++;
    return true;
}

/* A request that fails: MemoryError (kept if the layer below set it), and
 * the program's hook. */
static void *request_failed(void)
{
    requests_other++;
    if (mp_err_occurred() != MP_ERR_MEMORY)
        mp_err_nomemory();
    if (nomem.hook)
        nomem.hook();
    return NULL;
}

bool mp_alloc_should_fail(void)
{
    if (UNLIKELY(nomem.armed) && inject()) {
        request_failed();
        return true;
    }
    requests_other++;
    return false;
}

/* ---- the API: accounting and tracing around one of the layers ------------------------------
 * Three ways in, fastest first:
 *   - the inline paths in obmalloc.h: a block from or into the block cache;
 *   - mp_object_malloc_slow and mp_object_free_slow, which those call
 *     when the cache is empty or full: a batch of blocks from or into a
 *     pool;
 *   - malloc_full and mp_object_free_named, where those send everything
 *     else (large and zero-byte requests, tracing, failure injection,
 *     debug builds). */

static inline void *counted_malloc(size_t n)
{
#ifdef MP_DEBUG
    void *p = mp_debug_malloc(n);
#else
    void *p = release_malloc(n);
#endif
    if (UNLIKELY(!p))
        return NULL;
    count_allocations++;
    count_bytes_in_use += mp_rounded_size(n);
    return p;
}

/* A malloc while tracing or injecting. A block whose trace cannot be
 * recorded is freed again and the request fails, as in CPython's
 * tracemalloc_alloc: no block is ever handed out untraced. */
static inline void *hooked_malloc(size_t n)
{
    if (UNLIKELY(nomem.armed) && inject())
        return request_failed();
    void *p = counted_malloc(n);
    if (UNLIKELY(!p))
        return request_failed();
#ifndef MP_NO_TRACEMALLOC
    if (mp_tracemalloc_tracing && UNLIKELY(mp_tracemalloc_track_new(p, n) < 0)) {
        mp_object_free_named(p, NULL);
        return request_failed();
    }
#endif
    return p;
}

static void *malloc_full(size_t n)
{
    if (UNLIKELY(mp_alloc_hooked))
        return hooked_malloc(n);
    void *p = counted_malloc(n);
    if (UNLIKELY(!p))
        return request_failed();
    return p;
}

/* An unhooked malloc the inline path could not serve: its class's stack is
 * empty (or closed, in a debug build), or the request is not small. Out of
 * line, so that the hooked path does not pay for its registers. */
static __attribute__((noinline)) void *unhooked_malloc(size_t n)
{
    size_t k = n - 1;
    if (k < MP_SMALL_REQUEST_THRESHOLD) {
        unsigned idx = (unsigned)(k >> MP_ALIGNMENT_SHIFT);
        mp_block_cache *c = &mp_block_caches[idx];
        if (LIKELY(c->limit)) { /* the stack is empty: refill it */
            void *b = block_cache_refill(idx, c);
            if (LIKELY(b != NULL)) {
                count_allocations++;
                count_bytes_in_use += class_size(idx);
                return b;
            }
            mp_err_clear(); /* no arena to be had: the full path asks the system */
        }
    }
    return malloc_full(n);
}

void *mp_object_malloc_slow(size_t n, const char *file, int line)
{
    mp_site_set(file, line);
    if (UNLIKELY(mp_alloc_hooked))
        return hooked_malloc(n);
    return unhooked_malloc(n);
}

/* type_name, for a debug build's messages, names what the block held
 * ("list"), or is NULL for a non-object block. p is not NULL. */
static inline void counted_free(void *p, const char *type_name)
{
#ifndef MP_NO_TRACEMALLOC
    if (UNLIKELY(mp_tracemalloc_tracing))
        mp_tracemalloc_untrack(p);
#endif
    count_frees++;
#ifdef MP_DEBUG
    count_bytes_in_use -= mp_debug_free(p, type_name);
#else
    (void)type_name;
    count_bytes_in_use -= release_free(p);
#endif
}

void mp_object_free_named(void *p, const char *type_name)
{
    if (p)
        counted_free(p, type_name);
}

/* An unhooked free the inline path could not take: its class's stack is
 * full (or closed, in a debug build), or the block is not small. Out of
 * line, as unhooked_malloc is. */
static __attribute__((noinline)) void unhooked_free(void *p)
{
    if (arena_of(p)) {
        unsigned idx = pool_of(p)->size_index;
        mp_block_cache *c = &mp_block_caches[idx];
        if (LIKELY(c->limit)) { /* the stack is full: drain its older half */
            block_cache_drain(c, BLOCK_BATCH);
            c->blocks[c->count++] = p;
            c->others++;
            count_frees++;
            count_bytes_in_use -= class_size(idx);
            return;
        }
    }
    mp_object_free_named(p, NULL);
}

void mp_object_free_slow(void *p)
{
    if (UNLIKELY(mp_alloc_hooked))
        mp_object_free_named(p, NULL);
    else
        unhooked_free(p);
}

/* A pool whose count just fell to 0, or that was full and out of the ring. */
static void pool_after_free(pool *p)
{
    if (p->count == 0) {
        if (p->in_ring)
            usedpool_unlink(p);
        arena_give_back(p);
    } else {
        usedpool_link(p, false);
    }
}

void *mp_object_realloc(void *p, size_t n)
{
    if (!p)
        return malloc_full(n);
#ifndef MP_NO_TRACEMALLOC
    uint32_t site = 0;
    if (UNLIKELY(mp_alloc_hooked)) {
        if (inject())
            return request_failed();
        /* With room made for the new trace first, the move below cannot
         * leave p's trace removed and q's missing. */
        if (mp_tracemalloc_tracing && mp_tracemalloc_prepare(&site) < 0)
            return request_failed();
    }
#endif
#ifdef MP_DEBUG
    size_t old_size = mp_debug_size(p);
    void *q = mp_debug_realloc(p, n);
#else
    arena *owner = arena_of(p);
    size_t old_size = raw_size(p, owner);
    void *q = raw_realloc(p, owner, n);
#endif
    if (!q)
        return request_failed();
    requests_other++;
    /* What the block occupies now: a block that stayed put keeps its class
     * (a small shrink) or stays with the system (a large one), so its free
     * takes back the same. A debug build always moves the block. */
#ifdef MP_DEBUG
    count_bytes_in_use = count_bytes_in_use - old_size + mp_debug_size(q);
#else
    count_bytes_in_use = count_bytes_in_use - old_size + raw_size(q, arena_of(q));
#endif
#ifndef MP_NO_TRACEMALLOC
    if (UNLIKELY(mp_tracemalloc_tracing)) {
        mp_tracemalloc_untrack(p);
        mp_tracemalloc_track(q, n, site);
    }
#endif
    return q;
}

/* ---- statistics ------------------------------------------------------------------------------ */

/* The counters plus what the inline paths did (obmalloc.h): per class,
 * their frees minus their allocations is count - others. */
void mp_get_malloc_stats(mp_malloc_stats *out)
{
    out->allocations = count_allocations;
    out->frees = count_frees;
    out->bytes_in_use = count_bytes_in_use;
    for (unsigned idx = 0; idx < MP_NB_SMALL_SIZE_CLASSES; idx++) {
        const mp_block_cache *c = &mp_block_caches[idx];
        uint64_t inline_frees = c->allocations + c->count - c->others;
        out->allocations += c->allocations;
        out->frees += inline_frees;
        out->bytes_in_use += (size_t)(c->allocations - inline_frees) * class_size(idx);
    }
    out->blocks_in_use = (size_t)(out->allocations - out->frees);
}

static void count_pool(mp_obmalloc_stats *s, const pool *p)
{
    mp_obmalloc_class_stats *c = &s->classes[p->size_index];
    c->pools++;
    c->blocks_in_use += p->count;
    c->blocks_available += class_capacity(p->size_index) - p->count;
    s->bytes_lost_to_quantization += (MP_POOL_SIZE - MP_POOL_OVERHEAD) % c->size;
}

void mp_obmalloc_get_stats(mp_obmalloc_stats *s)
{
    block_cache_flush();
    memset(s, 0, sizeof *s);
    for (unsigned i = 0; i < MP_NB_SMALL_SIZE_CLASSES; i++)
        s->classes[i].size = class_size(i);
    /* A carved pool holds blocks unless its count fell to 0 and it went
     * back to its arena's free list. */
    for (size_t i = 0; i < region.used_slots; i++) {
        const arena *a = &region.arenas[i];
        if (!a->address)
            continue;
        for (unsigned k = 0; k < a->ncarved; k++) {
            if (a->pools[k].count > 0)
                count_pool(s, &a->pools[k]);
        }
        s->unused_pools += a->nfreepools;
    }
    for (unsigned i = 0; i < MP_NB_SMALL_SIZE_CLASSES; i++) {
        const mp_obmalloc_class_stats *c = &s->classes[i];
        s->bytes_in_allocated_blocks += c->blocks_in_use * c->size;
        s->bytes_in_available_blocks += c->blocks_available * c->size;
        s->bytes_lost_to_pool_headers += c->pools * MP_POOL_OVERHEAD;
    }
    s->arenas_allocated_total = stats.arenas_allocated_total;
    s->arenas_reclaimed = stats.arenas_reclaimed;
    s->arenas_highwater = stats.arenas_highwater;
    s->arenas_current = stats.arenas_current;
    s->arenas_spare = stats.arenas_spare;
    s->large_blocks = stats.large_blocks;
    s->large_bytes = stats.large_bytes;
}

void mp_debugmallocstats(FILE *out)
{
    mp_obmalloc_stats s;
    mp_obmalloc_get_stats(&s);
    fprintf(out, "Small block threshold = %d, in %d size classes.\n\n", MP_SMALL_REQUEST_THRESHOLD,
            MP_NB_SMALL_SIZE_CLASSES);
    fprintf(out, "class   size   num pools   blocks in use  avail blocks\n"
                 "-----   ----   ---------   -------------  ------------\n");
    for (unsigned i = 0; i < MP_NB_SMALL_SIZE_CLASSES; i++) {
        const mp_obmalloc_class_stats *c = &s.classes[i];
        if (c->pools)
            fprintf(out, "%5u %6zu %11zu %15zu %13zu\n", i, c->size, c->pools, c->blocks_in_use,
                    c->blocks_available);
    }
    fprintf(out, "\n# arenas allocated total           = %20zu\n", s.arenas_allocated_total);
    fprintf(out, "# arenas reclaimed                 = %20zu\n", s.arenas_reclaimed);
    fprintf(out, "# arenas highwater mark            = %20zu\n", s.arenas_highwater);
    fprintf(out, "# arenas allocated current         = %20zu\n", s.arenas_current);
    fprintf(out, "# of which spares (wholly free)    = %20zu\n", s.arenas_spare);
    fprintf(out, "%zu arenas * %zu bytes/arena %*s= %20zu\n\n", s.arenas_current, MP_ARENA_SIZE, 5,
            "", s.arenas_current * MP_ARENA_SIZE);
    fprintf(out, "# bytes in allocated blocks        = %20zu\n", s.bytes_in_allocated_blocks);
    fprintf(out, "# bytes in available blocks        = %20zu\n", s.bytes_in_available_blocks);
    fprintf(out, "%zu unused pools * %zu bytes %*s= %20zu\n", s.unused_pools, MP_POOL_SIZE, 7, "",
            s.unused_pools * MP_POOL_SIZE);
    fprintf(out, "# bytes lost to pool headers       = %20zu\n", s.bytes_lost_to_pool_headers);
    fprintf(out, "# bytes lost to quantization       = %20zu\n", s.bytes_lost_to_quantization);
    fprintf(out, "# large blocks (system malloc)     = %20zu\n", s.large_blocks);
    fprintf(out, "# bytes in large blocks            = %20zu\n", s.large_bytes);
}

void *mp_pymalloc_malloc(size_t n) { return raw_malloc(n); }

void mp_pymalloc_free(void *p)
{
    if (p)
        raw_free(p, arena_of(p));
}

int mp_pymalloc_size_class(const void *p) { return arena_of(p) ? (int)pool_of(p)->size_index : -1; }

/* ---- start and finish ------------------------------------------------------------------------- */

void mp_malloc_init(void)
{
    memset(&stats, 0, sizeof stats);
    count_allocations = count_frees = 0;
    count_bytes_in_use = 0;
    requests_other = 0;
    nomem.failures = 0;
    hooks_update();
}

/* Gives the whole region back: after this, nothing the allocator took from
 * the system is left (blocks a program leaked included). */
void mp_malloc_fini(void)
{
    mp_remove_nomemory();
#ifdef MP_DEBUG
    mp_debug_fini();
#endif
    if (mp_region_base)
        munmap((void *)mp_region_base, mp_region_size);
    pages_free(region.arenas, arenas_bytes(mp_region_size));
    pages_free(region.pool_class, pool_class_bytes(mp_region_size));
    memset(&region, 0, sizeof region);
    mp_region_base = 0;
    mp_region_size = 0;
    mp_pool_class = NULL;
    memset(usedpools, 0, sizeof usedpools);
    memset(nfp2lasta, 0, sizeof nfp2lasta);
    /* The caches' counts move into the counters, which outlive mp_fini. */
    mp_malloc_stats totals;
    mp_get_malloc_stats(&totals);
    count_allocations = totals.allocations;
    count_frees = totals.frees;
    count_bytes_in_use = totals.bytes_in_use;
    memset(mp_block_caches, 0, sizeof mp_block_caches);
    usable_arenas = spare_arenas = NULL;
}
