/* obmalloc.c — the allocation choke point, on the system allocator.
 *
 * Models the entry points of CPython's Objects/obmalloc.c (PyObject_Malloc,
 * PyObject_Realloc, PyObject_Free). The pymalloc arenas and pools come in a
 * later step behind these same three functions; for now each request is one
 * system malloc with a 16-byte prefix recording the requested size, so the
 * accounting can report bytes in use and the payload keeps malloc's 16-byte
 * alignment.
 *
 * Invariants:
 *   - stats.blocks_in_use == stats.allocations - stats.frees.
 *   - stats.bytes_in_use is the sum of the sizes requested for live blocks.
 *   - A live block's prefix holds BLOCK_LIVE; a freed one BLOCK_FREED.
 *
 * Under MP_DEBUG (as CPython's debug allocator does): new blocks are filled
 * with 0xCD and freed ones with 0xDD, and freed blocks wait in a quarantine
 * of MP_QUARANTINE_BLOCKS before going back to the system, so a stale
 * pointer reads poison, not somebody else's object, and a freed object's
 * type can still be named.
 */
#include "obmalloc.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "internal.h"

#define BLOCK_LIVE 0x6d706c6976650000u  /* "mplive" */
#define BLOCK_FREED 0x6d70667265656400u /* "mpfreed" */

typedef struct block_prefix {
    size_t size;  /* bytes the caller asked for */
    size_t state; /* BLOCK_LIVE or BLOCK_FREED */
} block_prefix;

_Static_assert(sizeof(block_prefix) == 16, "the prefix keeps 16-byte alignment");

static mp_malloc_stats stats;

static block_prefix *prefix_of(void *p) { return (block_prefix *)p - 1; }

static void count_alloc(size_t n)
{
    stats.allocations++;
    stats.blocks_in_use++;
    stats.bytes_in_use += n;
    if (stats.bytes_in_use > stats.peak_bytes_in_use)
        stats.peak_bytes_in_use = stats.bytes_in_use;
}

static void count_free(size_t n)
{
    stats.frees++;
    stats.blocks_in_use--;
    stats.bytes_in_use -= n;
}

#ifdef MP_DEBUG
#define MP_QUARANTINE_BLOCKS 4096
#define MP_FILL_NEW 0xCD
#define MP_FILL_FREED 0xDD

typedef struct quarantined {
    block_prefix *block;
    const char *name; /* the type it was freed as, "" if not an object */
} quarantined;

static quarantined quarantine[MP_QUARANTINE_BLOCKS];
static size_t quarantine_next, quarantine_count;

static void quarantine_add(block_prefix *b, const char *name)
{
    quarantined *slot = &quarantine[quarantine_next];
    if (quarantine_count == MP_QUARANTINE_BLOCKS)
        free(slot->block);
    else
        quarantine_count++;
    slot->block = b;
    slot->name = name;
    quarantine_next = (quarantine_next + 1) % MP_QUARANTINE_BLOCKS;
}

static void quarantine_drain(void)
{
    for (size_t i = 0; i < quarantine_count; i++)
        free(quarantine[i].block);
    quarantine_count = quarantine_next = 0;
}

/* A block of 0 bytes still owns its address, so p == start counts. */
const char *mp_debug_freed_name(const void *p)
{
    const char *c = p;
    for (size_t i = 0; i < quarantine_count; i++) {
        const char *start = (const char *)(quarantine[i].block + 1);
        if (c == start || (c > start && c < start + quarantine[i].block->size))
            return quarantine[i].name;
    }
    return NULL;
}

/* Aborts unless b is live; op is "free" or "realloc". */
static void check_live(block_prefix *b, const char *op)
{
    if (b->state == BLOCK_LIVE)
        return;
    const char *was = mp_debug_freed_name(b + 1);
    if (b->state == BLOCK_FREED && was)
        mp_fatal("%s of a block freed earlier: block freed twice (it was a %s)", op,
                 *was ? was : "non-object block");
    mp_fatal("%s of %p, which mp_object_malloc did not return", op, (void *)(b + 1));
}
#endif

/* A new system block with its prefix; NULL with MemoryError set. */
static block_prefix *block_new(size_t n)
{
    block_prefix *b = n <= SIZE_MAX - sizeof *b ? malloc(sizeof *b + n) : NULL;
    if (!b) {
        mp_err_nomemory();
        return NULL;
    }
    b->size = n;
    b->state = BLOCK_LIVE;
#ifdef MP_DEBUG
    memset(b + 1, MP_FILL_NEW, n);
#endif
    return b;
}

static void block_release(block_prefix *b, const char *name)
{
#ifdef MP_DEBUG
    b->state = BLOCK_FREED;
    memset(b + 1, MP_FILL_FREED, b->size);
    quarantine_add(b, name ? name : "");
#else
    (void)name;
    free(b);
#endif
}

void *mp_object_malloc(size_t n)
{
    block_prefix *b = block_new(n);
    if (!b)
        return NULL;
    count_alloc(n);
    return b + 1;
}

void mp_object_free_named(void *p, const char *type_name)
{
    if (!p)
        return;
    block_prefix *b = prefix_of(p);
#ifdef MP_DEBUG
    check_live(b, "free");
#endif
    count_free(b->size);
    block_release(b, type_name);
}

void mp_object_free(void *p) { mp_object_free_named(p, NULL); }

/* A resize is neither an allocation nor a free in the counts: only the bytes
 * in use change. */
void *mp_object_realloc(void *p, size_t n)
{
    if (!p)
        return mp_object_malloc(n);
    block_prefix *old = prefix_of(p);
    size_t old_size = old->size;
#ifdef MP_DEBUG
    /* Always move, so a pointer kept across a realloc reads poison. */
    check_live(old, "realloc");
    block_prefix *b = block_new(n);
    if (!b)
        return NULL;
    memcpy(b + 1, p, old_size < n ? old_size : n);
    block_release(old, NULL);
#else
    block_prefix *b = n <= SIZE_MAX - sizeof *b ? realloc(old, sizeof *b + n) : NULL;
    if (!b) {
        mp_err_nomemory();
        return NULL;
    }
    b->size = n;
#endif
    stats.bytes_in_use = stats.bytes_in_use - old_size + n;
    if (stats.bytes_in_use > stats.peak_bytes_in_use)
        stats.peak_bytes_in_use = stats.bytes_in_use;
    return b + 1;
}

void mp_get_malloc_stats(mp_malloc_stats *out) { *out = stats; }

void mp_malloc_init(void) { memset(&stats, 0, sizeof stats); }

void mp_malloc_fini(void)
{
#ifdef MP_DEBUG
    quarantine_drain();
#endif
}
