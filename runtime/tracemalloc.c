/* tracemalloc.c — traces of live blocks, grouped by the line that asked.
 *
 * Models CPython's Modules/_tracemalloc.c (the traces table, the traced
 * memory and its peak) and Lib/tracemalloc.py (snapshots, statistics,
 * compare_to). Read mp_tracemalloc_track first: it is what every
 * allocation pays while tracing is on.
 *
 * Three tables, none of them allocated through the runtime, so tracing
 * never traces itself (CPython keeps its tables on the raw allocator for
 * the same reason):
 *   - sites: every (file, line) seen, numbered; a trace records a number.
 *   - the shadow, for blocks in the allocator's region (every pool block):
 *     one 8-byte entry per 16 bytes of the region, found by arithmetic on
 *     the address, as AddressSanitizer finds its shadow bytes. It is an
 *     address range reserved without memory; pages appear where traced
 *     blocks live. CPython keeps all traces in one hash table; a direct
 *     entry makes a traced malloc and free a store each, with no probing.
 *   - large: a hash table for the blocks from the system allocator,
 *     address -> (size, site), open addressing with linear probing; a
 *     removal shifts later entries back, so there are no tombstones and a
 *     probe stops at the first empty slot.
 *
 * Out of memory for a trace (a new site, a fuller table, the shadow's
 * first pages): the allocation itself fails with MemoryError, as in
 * CPython's tracemalloc_alloc. A new block is traced once it is made
 * (mp_tracemalloc_track_new) and freed again if that fails; for a realloc,
 * which cannot undo a move, the room is made first (mp_tracemalloc_prepare).
 * So no block is ever live and untraced: the traced memory is exact, never
 * short by a dropped trace. The tables' own
 * allocations count as requests for failure injection (obmalloc.c).
 *
 * Invariants:
 *   - While tracing, the shadow and large hold exactly the blocks allocated
 *     since start (or the last clear_traces) and not yet freed; traces.used
 *     counts them.
 *   - A shadow entry is 0 or (site + 1) << 32 | size.
 *   - traces.current is the sum of their sizes; traces.peak >= current.
 *   - large is at most half full.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */

#include "tracemalloc.h"

#include <stdint.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gc.h"
#include "internal.h"
#include "obmalloc.h"

const char *mp_site_file;
int mp_site_line;
bool mp_tracemalloc_tracing;

#define TRACES_MIN_CAPACITY 1024

typedef struct trace {
    const void *ptr; /* NULL: empty slot */
    size_t size;
    uint32_t site;
} trace;

/* used and current are kept apart: as neighbours, the compiler merges a
 * traced malloc's two updates into one 16-byte load and store, and the
 * load then waits for the two 8-byte stores of the free before it (no
 * store-to-load forwarding across two stores). */
static struct {
    trace *slots;    /* the large blocks' hash table */
    size_t used;     /* traces in all */
    size_t capacity; /* a power of two */
    size_t current;
    size_t large;    /* entries in slots */
    size_t peak;
} traces;

static struct {
    uint64_t *entries; /* NULL until the first traced block of the region */
    size_t bytes;      /* reserved */
} shadow;

static struct {
    mp_trace_site *items;
    size_t count, capacity;
    uint32_t last;         /* the site of the previous allocation, tried first */
    const char *last_file; /* and its file and line; NULL while there is none */
    int last_line;
} sites;

/* The tables' own allocations: on the system allocator, but each one a
 * request that failure injection can fail (obmalloc.c). */
static void *table_malloc(size_t n) { return mp_alloc_should_fail() ? NULL : malloc(n); }

static void *table_calloc(size_t count, size_t n)
{
    return mp_alloc_should_fail() ? NULL : calloc(count, n);
}

static void *table_realloc(void *p, size_t n)
{
    return mp_alloc_should_fail() ? NULL : realloc(p, n);
}

/* ---- sites -------------------------------------------------------------------- */

static uint32_t site_remember(uint32_t site)
{
    sites.last_file = sites.items[site].file;
    sites.last_line = sites.items[site].line;
    return sites.last = site;
}

/* The number of the site (file, line), added if new. Equal names from
 * different string literals are one site. UINT32_MAX when out of memory. */
static uint32_t site_index(const char *file, int line)
{
    if (!file)
        file = "?";
    if (sites.last_file == file && sites.last_line == line)
        return sites.last;
    for (size_t i = 0; i < sites.count; i++) {
        const mp_trace_site *s = &sites.items[i];
        if (s->line == line && (s->file == file || strcmp(s->file, file) == 0))
            return site_remember((uint32_t)i);
    }
    if (sites.count == sites.capacity) {
        size_t capacity = sites.capacity ? 2 * sites.capacity : 64;
        mp_trace_site *items = table_realloc(sites.items, capacity * sizeof *items);
        if (!items)
            return UINT32_MAX;
        sites.items = items;
        sites.capacity = capacity;
    }
    sites.items[sites.count] = (mp_trace_site){file, line};
    return site_remember((uint32_t)sites.count++);
}

/* ---- the traces table ------------------------------------------------------------ */

static size_t slot_of(const void *p, size_t capacity)
{
    uint64_t h = ((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15u;
    return (size_t)(h >> 32) & (capacity - 1);
}

static trace *find(const void *p)
{
    for (size_t i = slot_of(p, traces.capacity);; i = (i + 1) & (traces.capacity - 1)) {
        trace *t = &traces.slots[i];
        if (t->ptr == p || !t->ptr)
            return t;
    }
}

static int grow(size_t capacity)
{
    trace *slots = table_calloc(capacity, sizeof *slots);
    if (!slots)
        return -1;
    trace *old = traces.slots;
    size_t old_capacity = traces.capacity;
    traces.slots = slots;
    traces.capacity = capacity;
    for (size_t i = 0; i < old_capacity; i++) {
        if (old[i].ptr)
            *find(old[i].ptr) = old[i];
    }
    free(old);
    return 0;
}

/* Removes the slot at i and moves back the entries after it whose probe
 * would otherwise pass the hole. */
static void remove_at(size_t i)
{
    size_t mask = traces.capacity - 1;
    for (size_t j = (i + 1) & mask; traces.slots[j].ptr; j = (j + 1) & mask) {
        size_t home = slot_of(traces.slots[j].ptr, traces.capacity);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            traces.slots[i] = traces.slots[j];
            i = j;
        }
    }
    traces.slots[i].ptr = NULL;
    traces.large--;
}

/* ---- the shadow ------------------------------------------------------------------ */

static bool in_region(const void *p) { return (uintptr_t)p - mp_region_base < mp_region_size; }

/* Maps the shadow on first use; false if it cannot be reserved. Kept out
 * of line so that shadow_entry, on every traced allocation and free, is a
 * test and an index. */
static __attribute__((noinline)) bool shadow_map(void)
{
    if (mp_alloc_should_fail())
        return false;
    size_t bytes = mp_region_size / MP_ALIGNMENT * sizeof(uint64_t);
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (m == MAP_FAILED)
        return false;
    shadow.entries = m;
    shadow.bytes = bytes;
    return true;
}

/* The shadow entry of p, a block of the region; NULL if the shadow cannot
 * be reserved. */
static inline uint64_t *shadow_entry(const void *p)
{
    if (__builtin_expect(!shadow.entries, 0) && !shadow_map())
        return NULL;
    return &shadow.entries[((uintptr_t)p - mp_region_base) >> MP_ALIGNMENT_SHIFT];
}

static void shadow_release(void)
{
    if (shadow.entries)
        munmap(shadow.entries, shadow.bytes);
    shadow.entries = NULL;
    shadow.bytes = 0;
}

/* ---- tracking -------------------------------------------------------------------------- */

/* A block whose trace cannot be recorded is not handed out: the allocation
 * fails with MemoryError, as in CPython's tracemalloc_alloc, so that while
 * tracing every live block made since start is traced, and the traced
 * memory is exact. (Dropping the trace instead would let traced memory
 * miss blocks that the program holds.) */

/* Whether the current site is the last one seen, the usual case: a loop
 * allocating on one line. */
static bool site_is_last(void)
{
    return mp_site_file && sites.last_file == mp_site_file && sites.last_line == mp_site_line;
}

/* prepare's work when the site is new or a table needs room. */
static __attribute__((noinline)) int prepare_slow(uint32_t *site)
{
    *site = site_index(mp_site_file, mp_site_line);
    if (*site == UINT32_MAX ||
        ((traces.large + 1) * 2 > traces.capacity && grow(traces.capacity * 2) < 0) ||
        (mp_region_size && !shadow.entries && !shadow_map())) {
        if (mp_err_occurred() != MP_ERR_MEMORY)
            mp_err_nomemory();
        return -1;
    }
    return 0;
}

int mp_tracemalloc_prepare(uint32_t *site)
{
    if (site_is_last() && (traces.large + 1) * 2 <= traces.capacity &&
        (shadow.entries || !mp_region_size)) {
        *site = sites.last;
        return 0;
    }
    return prepare_slow(site);
}

/* A shadow entry for a block of n bytes from site (the invariant above). */
static inline uint64_t shadow_value(uint32_t site, size_t n)
{
    return (uint64_t)(site + 1) << 32 | (uint32_t)n;
}

static inline void current_becomes(size_t current)
{
    traces.current = current;
    if (current > traces.peak)
        traces.peak = current;
}

void mp_tracemalloc_track(void *p, size_t n, uint32_t site)
{
    size_t old;
    if (in_region(p)) {
        /* The shadow is mapped by prepare when the region is reserved.
         * Only a realloc whose new block was the first of the region
         * leaves it unmapped here; the trace is dropped then, rather than
         * the block. */
        if (!shadow.entries)
            return;
        uint64_t *e = shadow_entry(p);
        old = (size_t)(*e & UINT32_MAX);
        if (!*e)
            traces.used++;
        *e = shadow_value(site, n);
    } else {
        trace *t = find(p);
        old = t->ptr ? t->size : 0;
        if (!t->ptr)
            traces.used++, traces.large++;
        *t = (trace){p, n, site};
    }
    current_becomes(traces.current - old + n);
}

int mp_tracemalloc_track_new(void *p, size_t n)
{
    /* A block of the region, from the last site: its shadow entry is 0
     * (the block was not live), and nothing needs room. */
    if (in_region(p) && shadow.entries && site_is_last()) {
        *shadow_entry(p) = shadow_value(sites.last, n);
        traces.used++;
        current_becomes(traces.current + n);
        return 0;
    }
    uint32_t site;
    if (prepare_slow(&site) < 0)
        return -1;
    mp_tracemalloc_track(p, n, site);
    return 0;
}

void mp_tracemalloc_untrack(void *p)
{
    if (in_region(p)) {
        uint64_t *e = shadow.entries ? shadow_entry(p) : NULL;
        if (!e || !*e)
            return;
        traces.current -= (size_t)(*e & UINT32_MAX);
        *e = 0;
    } else {
        trace *t = find(p);
        if (!t->ptr)
            return;
        traces.current -= t->size;
        remove_at((size_t)(t - traces.slots));
    }
    traces.used--;
}

/* The trace of block, if any: its size and site number. */
static bool lookup(const void *block, size_t *size, uint32_t *site)
{
    if (in_region(block)) {
        const uint64_t *e = shadow.entries ? shadow_entry(block) : NULL;
        if (!e || !*e)
            return false;
        *size = (size_t)(*e & UINT32_MAX);
        *site = (uint32_t)(*e >> 32) - 1;
        return true;
    }
    const trace *t = traces.slots ? find(block) : NULL;
    if (!t || !t->ptr)
        return false;
    *size = t->size;
    *site = t->site;
    return true;
}

/* ---- the tracemalloc module ---------------------------------------------------------- */

int mp_tracemalloc_start(void)
{
    if (mp_tracemalloc_tracing)
        return 0;
    if (!traces.slots && grow(TRACES_MIN_CAPACITY) < 0) {
        mp_err_nomemory();
        return -1;
    }
    mp_tracemalloc_tracing = true;
    mp_alloc_hooks_update();
    return 0;
}

void mp_tracemalloc_clear_traces(void)
{
    if (traces.slots)
        memset(traces.slots, 0, traces.capacity * sizeof *traces.slots);
    shadow_release(); /* a fresh reservation reads as zeros */
    traces.used = traces.large = traces.current = traces.peak = 0;
}

void mp_tracemalloc_stop(void)
{
    mp_tracemalloc_tracing = false;
    mp_alloc_hooks_update();
    free(traces.slots);
    shadow_release();
    memset(&traces, 0, sizeof traces);
}

bool mp_tracemalloc_is_tracing(void) { return mp_tracemalloc_tracing; }

void mp_tracemalloc_get_traced_memory(size_t *current, size_t *peak)
{
    *current = traces.current;
    *peak = traces.peak;
}

void mp_tracemalloc_reset_peak(void) { traces.peak = traces.current; }

/* The shadow counts at its entries' worth: its pages appear as traced
 * blocks touch them, so this is a lower bound. */
size_t mp_tracemalloc_get_tracemalloc_memory(void)
{
    return traces.capacity * sizeof(trace) + sites.capacity * sizeof(mp_trace_site) +
           (traces.used - traces.large) * sizeof(uint64_t);
}

bool mp_tracemalloc_get_object_traceback(mp_object *o, mp_trace_site *out)
{
    const void *block = mp_type_is_gc(o->ob_type) ? (const void *)MP_AS_GC(o) : (const void *)o;
    size_t size;
    uint32_t site;
    if (!lookup(block, &size, &site))
        return false;
    *out = sites.items[site];
    return true;
}

void mp_tracemalloc_fini(void)
{
    mp_tracemalloc_stop();
    free(sites.items);
    memset(&sites, 0, sizeof sites);
}

/* ---- snapshots and statistics ------------------------------------------------------------ */

typedef struct snap_trace {
    size_t size;
    uint32_t site;
} snap_trace;

struct mp_snapshot {
    size_t count;
    snap_trace traces[];
};

/* Adds the traced blocks of one pool, [start, start + bytes). */
static void snapshot_pool(uintptr_t start, size_t bytes, void *arg)
{
    mp_snapshot *snap = arg;
    const uint64_t *e = shadow_entry((const void *)start);
    for (size_t i = 0; i < bytes / MP_ALIGNMENT; i++) {
        if (e[i])
            snap->traces[snap->count++] =
                (snap_trace){(size_t)(e[i] & UINT32_MAX), (uint32_t)(e[i] >> 32) - 1};
    }
}

mp_snapshot *mp_tracemalloc_take_snapshot(void)
{
    if (!mp_tracemalloc_tracing) {
        mp_err_set(MP_ERR_SYSTEM, "the tracemalloc module must be tracing memory allocations "
                                  "to take a snapshot");
        return NULL;
    }
    mp_snapshot *snap = table_malloc(sizeof *snap + traces.used * sizeof(snap_trace));
    if (!snap)
        return mp_err_nomemory();
    snap->count = 0;
    for (size_t i = 0; i < traces.capacity; i++) {
        if (traces.slots[i].ptr)
            snap->traces[snap->count++] = (snap_trace){traces.slots[i].size, traces.slots[i].site};
    }
    if (shadow.entries)
        mp_obmalloc_visit_pools(snapshot_pool, snap);
    return snap;
}

void mp_snapshot_free(mp_snapshot *snap) { free(snap); }

size_t mp_snapshot_trace_count(const mp_snapshot *snap) { return snap->count; }

static mp_trace_site key_of(uint32_t site, mp_group_by by)
{
    mp_trace_site s = sites.items[site];
    if (by == MP_GROUP_BY_FILENAME)
        s.line = 0;
    return s;
}

static int compare_sites(mp_trace_site a, mp_trace_site b)
{
    int c = strcmp(a.file, b.file);
    return c ? c : (a.line > b.line) - (a.line < b.line);
}

/* Sums a snapshot's traces per key into a (sites.count)-long array indexed
 * by the first site of each key; other sites of the same key add to it. */
static mp_statistic *group(const mp_snapshot *snap, mp_group_by by, uint32_t *leader)
{
    mp_statistic *sums = table_calloc(sites.count ? sites.count : 1, sizeof *sums);
    if (!sums)
        return NULL;
    for (uint32_t s = 0; s < sites.count; s++) {
        leader[s] = s;
        for (uint32_t k = 0; k < s; k++) {
            if (compare_sites(key_of(k, by), key_of(s, by)) == 0) {
                leader[s] = k;
                break;
            }
        }
        sums[s].site = key_of(s, by);
    }
    for (size_t i = 0; i < snap->count; i++) {
        mp_statistic *sum = &sums[leader[snap->traces[i].site]];
        sum->size += snap->traces[i].size;
        sum->count++;
    }
    return sums;
}

static int by_size(const void *pa, const void *pb)
{
    const mp_statistic *a = pa, *b = pb;
    if (a->size != b->size)
        return a->size < b->size ? 1 : -1;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return -compare_sites(a->site, b->site);
}

size_t mp_snapshot_statistics(const mp_snapshot *snap, mp_group_by by, mp_statistic **out)
{
    uint32_t *leader = table_malloc((sites.count ? sites.count : 1) * sizeof *leader);
    mp_statistic *sums = leader ? group(snap, by, leader) : NULL;
    size_t n = 0;
    for (uint32_t s = 0; sums && s < sites.count; s++) {
        if (leader[s] == s && sums[s].count)
            sums[n++] = sums[s];
    }
    free(leader);
    if (!sums) {
        mp_err_nomemory();
        return (size_t)-1;
    }
    qsort(sums, n, sizeof *sums, by_size);
    *out = sums;
    return n;
}

static size_t absdiff(ptrdiff_t d) { return d < 0 ? (size_t)-d : (size_t)d; }

static int by_size_diff(const void *pa, const void *pb)
{
    const mp_statistic_diff *a = pa, *b = pb;
    size_t ka[4] = {absdiff(a->size_diff), a->size, absdiff(a->count_diff), a->count};
    size_t kb[4] = {absdiff(b->size_diff), b->size, absdiff(b->count_diff), b->count};
    for (int i = 0; i < 4; i++) {
        if (ka[i] != kb[i])
            return ka[i] < kb[i] ? 1 : -1;
    }
    return -compare_sites(a->site, b->site);
}

size_t mp_snapshot_compare_to(const mp_snapshot *snap, const mp_snapshot *old, mp_group_by by,
                              mp_statistic_diff **out)
{
    size_t nsites = sites.count ? sites.count : 1;
    uint32_t *leader = table_malloc(nsites * sizeof *leader);
    mp_statistic *now = leader ? group(snap, by, leader) : NULL;
    mp_statistic *then = now ? group(old, by, leader) : NULL;
    mp_statistic_diff *diffs = then ? table_malloc(nsites * sizeof *diffs) : NULL;
    size_t n = 0;
    for (uint32_t s = 0; diffs && s < sites.count; s++) {
        if (leader[s] != s || (!now[s].count && !then[s].count))
            continue;
        diffs[n++] = (mp_statistic_diff){
            .site = now[s].site,
            .size = now[s].size,
            .count = now[s].count,
            .size_diff = (ptrdiff_t)now[s].size - (ptrdiff_t)then[s].size,
            .count_diff = (ptrdiff_t)now[s].count - (ptrdiff_t)then[s].count,
        };
    }
    free(leader);
    free(now);
    free(then);
    if (!diffs) {
        mp_err_nomemory();
        return (size_t)-1;
    }
    qsort(diffs, n, sizeof *diffs, by_size_diff);
    *out = diffs;
    return n;
}
