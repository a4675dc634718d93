/* memdebug.c — the debug build's allocator layer: fill bytes, guards and a
 * quarantine around every block.
 *
 * Models CPython's debug hooks on its allocators (_PyMem_DebugMalloc in
 * Objects/obmalloc.c, what PYTHONMALLOC=debug turns on). Compiled only with
 * MP_DEBUG. Each block is wrapped so that misuse shows:
 *
 *     [ size | site file | site line, state ][ 0xFD x 8 ][ data: 0xCD ... ][ 0xFD x 16 ]
 *
 * New data is 0xCD, so reading memory never written stands out; a free
 * checks both guards and names the line that allocated a block whose guard
 * was overwritten; freed data becomes 0xDD and waits in a quarantine of
 * QUARANTINE_BLOCKS before going back to the raw allocator, so a stale
 * pointer reads poison instead of a new object, and a freed object's type
 * can still be named (mp_debug_freed_name).
 *
 * Invariants:
 *   - A block handed out has state STATE_LIVE and both guards intact.
 *   - A block in the quarantine has state STATE_FREED and poisoned data.
 */
#ifdef MP_DEBUG

#include <stdbool.h>
#include <string.h>

#include "error.h"
#include "internal.h"
#include "obmalloc.h"

#define FILL_NEW 0xCD
#define FILL_FREED 0xDD
#define FILL_GUARD 0xFD
#define FRONT_GUARD 8
#define REAR_GUARD 16
#define STATE_LIVE 0x6c697665u  /* "live" */
#define STATE_FREED 0x64656164u /* "dead" */
#define QUARANTINE_BLOCKS 4096

typedef struct debug_head {
    size_t size;      /* requested */
    const char *file; /* the site that asked for it */
    uint32_t line;
    uint32_t state;
    uint8_t guard[FRONT_GUARD];
} debug_head;

_Static_assert(sizeof(debug_head) % MP_ALIGNMENT == 0, "the data stays 16-byte aligned");

typedef struct quarantined {
    debug_head *head;
    const char *name; /* the type it was freed as, "" for a non-object block */
} quarantined;

static quarantined quarantine[QUARANTINE_BLOCKS];
static size_t quarantine_next, quarantine_count;

static debug_head *head_of(void *p) { return (debug_head *)p - 1; }

static bool guard_intact(const uint8_t *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (g[i] != FILL_GUARD)
            return false;
    }
    return true;
}

const char *mp_debug_freed_name(const void *p)
{
    const char *c = p;
    for (size_t i = 0; i < quarantine_count; i++) {
        const char *start = (const char *)(quarantine[i].head + 1);
        /* A block of 0 bytes still owns its address. */
        if (c == start || (c > start && c < start + quarantine[i].head->size))
            return quarantine[i].name;
    }
    return NULL;
}

/* Aborts unless p is a live block with both guards intact; op names the
 * call, "free" or "realloc", and type_name what the block holds, if known. */
static void check(void *p, const char *op, const char *type_name)
{
    debug_head *h = head_of(p);
    const char *of = type_name && *type_name ? " holding a " : "";
    const char *what = type_name && *type_name ? type_name : "";
    if (h->state != STATE_LIVE) {
        const char *was = mp_debug_freed_name(p);
        if (h->state == STATE_FREED && was)
            mp_fatal("%s of a block freed earlier: block freed twice (it was a %s, allocated at "
                     "%s:%u)",
                     op, *was ? was : "non-object block", h->file, h->line);
        mp_fatal("%s of %p, which mp_object_malloc did not return", op, p);
    }
    if (!guard_intact(h->guard, FRONT_GUARD))
        mp_fatal("buffer underrun: the %d bytes before a %zu-byte block%s%s allocated at %s:%u "
                 "were overwritten",
                 FRONT_GUARD, h->size, of, what, h->file, h->line);
    if (!guard_intact((uint8_t *)p + h->size, REAR_GUARD))
        mp_fatal("buffer overrun: the %d bytes after a %zu-byte block%s%s allocated at %s:%u "
                 "were overwritten",
                 REAR_GUARD, h->size, of, what, h->file, h->line);
}

void *mp_debug_malloc(size_t n)
{
    if (n > SIZE_MAX / 2)
        return mp_err_nomemory();
    debug_head *h = mp_raw_malloc(sizeof *h + n + REAR_GUARD);
    if (!h)
        return NULL;
    h->size = n;
    h->file = mp_site_file ? mp_site_file : "?";
    h->line = (uint32_t)mp_site_line;
    h->state = STATE_LIVE;
    memset(h->guard, FILL_GUARD, FRONT_GUARD);
    memset(h + 1, FILL_NEW, n);
    memset((uint8_t *)(h + 1) + n, FILL_GUARD, REAR_GUARD);
    return h + 1;
}

size_t mp_debug_size(void *p) { return mp_rounded_size(head_of(p)->size); }

size_t mp_debug_free(void *p, const char *type_name)
{
    check(p, "free", type_name);
    debug_head *h = head_of(p);
    size_t counted = mp_rounded_size(h->size);
    h->state = STATE_FREED;
    memset(p, FILL_FREED, h->size);
    quarantined *slot = &quarantine[quarantine_next];
    if (quarantine_count == QUARANTINE_BLOCKS)
        mp_raw_free(slot->head);
    else
        quarantine_count++;
    slot->head = h;
    slot->name = type_name ? type_name : "";
    quarantine_next = (quarantine_next + 1) % QUARANTINE_BLOCKS;
    return counted;
}

/* Always moves, so a pointer kept across a realloc reads poison. */
void *mp_debug_realloc(void *p, size_t n)
{
    check(p, "realloc", NULL);
    size_t old = head_of(p)->size;
    void *q = mp_debug_malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, old < n ? old : n);
    mp_debug_free(p, NULL);
    return q;
}

void mp_debug_fini(void)
{
    for (size_t i = 0; i < quarantine_count; i++)
        mp_raw_free(quarantine[i].head);
    quarantine_count = quarantine_next = 0;
}

#endif
