/* Lab 04 — pymalloc, the small-object allocator.
 *
 * CPython asks the system for memory in arenas of 1 MiB, cuts each into
 * pools of 16 KiB, and cuts each pool into blocks of one size: 16, 32, ...
 * 512 bytes. A request of up to 512 bytes gets a block of the smallest size
 * that fits; anything else goes to the system's malloc. This lab finds the
 * line between the two, watches a pool fill and an arena stay mapped for
 * the sake of one small block, checks whether `del` and gc.collect() give
 * memory back, and times the pools against malloc. Claims 14-16.
 *
 * Steps 1-3 use mp_pymalloc_malloc, the pool allocator without the debug
 * layer, so that a debug build's guard bytes do not change the geometry
 * they show; the twin calls CPython's PyObject_Malloc through ctypes.
 */
#define _POSIX_C_SOURCE 200809L /* sysconf */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lab.h"
#include "mp.h"

static long arenas_opt = -1, items_opt = -1, ops_opt = -1;
static const lab_option options[] = {
    {"--arenas", "arenas filled with 64-byte blocks in step 3 (default 8; 2 with --quick)",
     &arenas_opt, 2, 64},
    /* at most what the twin builds, twice, well inside lab.c's 10 s limit for it */
    {"--items", "ints in step 4's list (default 1000000; 100000 with --quick)", &items_opt, 1000,
     5000000},
    {"--ops", "free+malloc pairs timed per size in step 5 (default 2000000; 200000 with "
              "--quick; a debug build, a hundredth)",
     &ops_opt, 1000, 1000000000},
    {0},
};

/* CPython 3.11's pool geometry (Objects/obmalloc.c): the expected values
 * come from these, not from our allocator. */
#define CPY_POOL_SIZE 16384   /* POOL_SIZE */
#define CPY_POOL_OVERHEAD 48  /* sizeof(struct pool_header), rounded to 16 */
#define CPY_POOLS_PER_ARENA 64 /* ARENA_SIZE / POOL_SIZE, when aligned */
#define CPY_THRESHOLD 512     /* SMALL_REQUEST_THRESHOLD */

static long blocks_per_pool(long block_size)
{
    return (CPY_POOL_SIZE - CPY_POOL_OVERHEAD) / block_size;
}

static double mib(double bytes) { return bytes / (1024.0 * 1024.0); }

/* The process's resident memory, from the kernel: what `top` shows as RES. */
static double resident_mib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    int got = f ? fscanf(f, "%ld %ld", &size, &resident) : 0;
    if (f)
        fclose(f);
    return got == 2 ? mib((double)resident * (double)sysconf(_SC_PAGESIZE)) : NAN;
}

/* ---- 1 · who serves a request ----------------------------------------------- */

/* size_class: 0..31, -1 for the system allocator, -2 for no block at all. */
static void describe(int size_class, char *buf, size_t n)
{
    if (size_class == -2)
        snprintf(buf, n, "MemoryError");
    else if (size_class < 0)
        snprintf(buf, n, "system malloc");
    else
        snprintf(buf, n, "class %d, %d B", size_class, (size_class + 1) * 16);
}

static void step_who_serves(void)
{
    lab_step("Who serves a request");
    lab_say("PyObject_Malloc(n) rounds n up to a multiple of 16 and takes a block of that "
            "size class from a pool: class 0 holds 16-byte blocks, class 31 holds 512-byte "
            "ones. Anything larger, and a request of 0 bytes, goes to the C library's "
            "malloc. The twin asks CPython's own PyObject_Malloc through ctypes, many times "
            "over, and reads sys._debugmallocstats() to see which class grew.");
    lab_say("(sys.getallocatedblocks() cannot tell: in 3.11 it counts the blocks that "
            "PyObject_Malloc passed on to malloc too.)");
    lab_py("PyObject_Malloc = ctypes.pythonapi.PyObject_Malloc");
    static const size_t sizes[] = {0, 1, 16, 17, 512, 513};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        void *p = mp_pymalloc_malloc(n);
        char ours[48], expected[48], what[48], key[32];
        describe(p ? mp_pymalloc_size_class(p) : -2, ours, sizeof ours);
        mp_pymalloc_free(p);
        int expected_class = n >= 1 && n <= CPY_THRESHOLD ? (int)((n - 1) / 16) : -1;
        describe(expected_class, expected, sizeof expected);
        snprintf(what, sizeof what, "# PyObject_Malloc(%zu) goes to", n);
        snprintf(key, sizeof key, "serves %zu", n);
        lab_check_text(14, what, ours, key, expected);
    }
    lab_claim(14, "holds", "1 to 512 bytes, 512 included, came from pools and 513 from malloc, "
                           "in both runtimes; 0 bytes went to malloc too. The size is the whole "
                           "request, object header (and a container's GC header) included.");
}

/* ---- 2 · a pool fills up --------------------------------------------------------- */

#define FILL_BLOCK 400 /* a class little else uses, so it starts empty */
#define FILL_CLASS (FILL_BLOCK / 16 - 1)

static size_t class_pools(int size_class)
{
    mp_obmalloc_stats s;
    mp_obmalloc_get_stats(&s);
    return s.classes[size_class].pools;
}

static void step_pool_fills(void)
{
    lab_step("A pool fills up");
    long capacity = blocks_per_pool(FILL_BLOCK);
    lab_say("A pool is 16384 bytes: a 48-byte header, then as many blocks of its class as "
            "fit. For 400-byte blocks that is (16384 - 48) / 400 = %ld, with %ld bytes left "
            "over at the end. Allocating them one by one, the second pool should appear with "
            "block %ld.",
            capacity, (CPY_POOL_SIZE - CPY_POOL_OVERHEAD) - capacity * FILL_BLOCK, capacity + 1);
    long count = 3 * capacity + 1;
    lab_py("blocks = [PyObject_Malloc(%d) for _ in range(%ld)]", FILL_BLOCK, count);
    void **blocks = calloc((size_t)count, sizeof *blocks);
    if (!blocks)
        return;
    size_t start = class_pools(FILL_CLASS);
    lab_show_int("# 400-byte pools before", (long long)start, NULL);
    lab_csv *csv = lab_csv_open("pool_fill.csv", "blocks,pools");
    long at_capacity = 0, second_at = 0;
    for (long i = 0; i < count; i++) {
        blocks[i] = mp_pymalloc_malloc(FILL_BLOCK);
        long pools = (long)(class_pools(FILL_CLASS) - start);
        lab_csv_row(csv, "%ld,%ld", i + 1, pools);
        if (i + 1 == capacity)
            at_capacity = pools;
        if (pools == 2 && !second_at)
            second_at = i + 1;
    }
    lab_csv_close(csv);
    char what[64];
    snprintf(what, sizeof what, "# pools after %ld blocks", capacity);
    lab_check_int(0, what, at_capacity, NULL, 1);
    lab_check_int(0, "# the block that opens pool 2", second_at, NULL, capacity + 1);
    for (long i = 0; i < count; i++)
        mp_pymalloc_free(blocks[i]);
    free(blocks);

    lab_say("CPython's pools have been in use since it started, so the twin cannot watch one "
            "fill from nothing; it reads the geometry instead: (blocks in use + available "
            "blocks) / pools, per class, from sys._debugmallocstats().");
    static const int sizes[] = {16, 64, 256, FILL_BLOCK, 512};
    mp_obmalloc_stats s;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int size = sizes[i], k = size / 16 - 1;
        void *held[64];
        for (int j = 0; j < 64; j++)
            held[j] = mp_pymalloc_malloc((size_t)size);
        mp_obmalloc_get_stats(&s);
        const mp_obmalloc_class_stats *c = &s.classes[k];
        long per_pool =
            c->pools ? (long)((c->blocks_in_use + c->blocks_available) / c->pools) : 0;
        for (int j = 0; j < 64; j++)
            mp_pymalloc_free(held[j]);
        snprintf(what, sizeof what, "# blocks per pool, %d B", size);
        char key[40];
        snprintf(key, sizeof key, "blocks_per_pool %d", size);
        lab_check_int(0, what, per_pool, key, blocks_per_pool(size));
    }
}

/* ---- 3 · arenas, pinned and released --------------------------------------------------- */

#define PIN_BLOCK 64
#define PIN_CLASS (PIN_BLOCK / 16 - 1)

typedef struct arena_count {
    long mapped; /* arenas mapped, spares included */
    long in_use; /* less the spares: what CPython would still have */
} arena_count;

static arena_count count_arenas(void)
{
    mp_obmalloc_stats s;
    mp_obmalloc_get_stats(&s);
    return (arena_count){(long)s.arenas_current, (long)(s.arenas_current - s.arenas_spare)};
}

static lab_csv *arenas_csv;
static int arenas_row;

static void arenas_phase(const char *phase, arena_count now, arena_count base, const char *key)
{
    long long cpython;
    long mapped = now.mapped - base.mapped, in_use = now.in_use - base.in_use;
    if (key && lab_twin_int(key, &cpython))
        lab_csv_row(arenas_csv, "%d,%s,%ld,%ld,%lld", ++arenas_row, phase, mapped, in_use,
                    cpython);
    else
        lab_csv_row(arenas_csv, "%d,%s,%ld,%ld,", ++arenas_row, phase, mapped, in_use);
}

static void step_arenas(long n_arenas)
{
    lab_step("Arenas, pinned and released");
    long per_arena = CPY_POOLS_PER_ARENA * blocks_per_pool(PIN_BLOCK);
    mp_obmalloc_trim(); /* start without spares: every arena counted holds blocks */
    mp_obmalloc_stats s;
    mp_obmalloc_get_stats(&s);
    long room = (long)s.classes[PIN_CLASS].blocks_available +
                (long)s.unused_pools * blocks_per_pool(PIN_BLOCK);
    long count = room + n_arenas * per_arena;
    lab_say("An arena is 64 pools; of 64-byte blocks it holds 64 x %ld = %ld. The lab first "
            "fills the room the arenas already have (%ld blocks here), then %ld arenas' worth, "
            "so exactly %ld new arenas must be mapped. (A CPython arena is an mmap aligned only "
            "to a page, so it usually loses one pool to alignment and holds 63; the twin fills "
            "63 pools per arena, which makes %ld arenas either way.)",
            blocks_per_pool(PIN_BLOCK), per_arena, room, n_arenas, n_arenas, n_arenas);
    void **blocks = malloc((size_t)count * sizeof *blocks);
    if (!blocks)
        return;
    arenas_csv = lab_csv_open("arenas_over_time.csv",
                              "step,phase,arenas_mapped,arenas_in_use,cpython_arenas");
    arena_count base = count_arenas();
    arenas_phase("start", base, base, "arenas_start");

    lab_py("blocks = [PyObject_Malloc(%d) for _ in range(%ld)]", PIN_BLOCK, count);
    long made = 0;
    while (made < count && (blocks[made] = mp_pymalloc_malloc(PIN_BLOCK)))
        made++;
    arena_count now = count_arenas();
    arenas_phase("allocated", now, base, "arenas_alloc");
    lab_check_int(15, "# arenas added", now.mapped - base.mapped, "arenas_alloc", n_arenas);
    lab_say("One mapping served %ld allocations: the pools save system calls. (glibc's malloc "
            "also takes memory from the kernel in big steps, so it does not make one per "
            "object either.)",
            per_arena);

    /* Arenas are MP_ARENA_SIZE-aligned in our allocator, so the arena of a
     * block is its address shifted; the twin reads the pool header's
     * arenaindex instead. The first block seen in each arena stays. */
    uintptr_t seen[256];
    size_t nseen = 0;
    long pins = 0;
    for (long i = 0; i < made; i++) {
        uintptr_t a = (uintptr_t)blocks[i] >> MP_ARENA_BITS;
        size_t k = 0;
        while (k < nseen && seen[k] != a)
            k++;
        if (k == nseen && nseen < sizeof seen / sizeof seen[0]) {
            seen[nseen++] = a;
            blocks[pins++] = blocks[i];
        } else {
            mp_pymalloc_free(blocks[i]);
        }
    }
    lab_say("Now every block is freed except the first one in each arena: the fragmentation "
            "a long-lived object scattered among short-lived ones leaves behind.");
    lab_py("pins = [the first block in each arena]; PyObject_Free(every other block)");
    now = count_arenas();
    arenas_phase("pinned", now, base, "arenas_pinned");
    lab_show_int("# blocks still allocated", pins, "pins");
    lab_check_int(15, "# arenas added", now.mapped - base.mapped, "arenas_pinned", n_arenas);
    lab_say("Not one arena went back. Each new one is held by a single live block: 64 bytes "
            "keep 1 MiB mapped, 16384 times their size.%s Pools of one size pack blocks "
            "tightly, but no allocator can move a live object out of a nearly empty arena.",
            pins > n_arenas ? " (The other blocks still allocated sit in arenas that were "
                              "there before.)"
                            : "");

    lab_say("CPython unmaps an arena the moment its last pool empties, except one wholly "
            "empty arena it keeps for the next demand. Ours keeps every drained arena mapped "
            "as a spare for %d ms first, so that a program that builds and drops a big "
            "structure in a loop does not map and fault in the same megabytes every round; "
            "mp_obmalloc_trim() gives the spares back at once. So ours has two counts: "
            "mapped, and mapped less the spares, which is what CPython's rule would keep.",
            MP_ARENA_SPARE_MS);
    lab_py("for p in pins: PyObject_Free(p)");
    for (long i = 0; i < pins; i++)
        mp_pymalloc_free(blocks[i]);
    free(blocks);
    now = count_arenas();
    arenas_phase("released", now, base, "arenas_freed");
    lab_show_int("# arenas added, mapped", now.mapped - base.mapped, NULL);
    lab_show_int("# arenas added, less spares", now.in_use - base.in_use, "arenas_freed");
    lab_check_bool(15, "# at most one empty arena kept", now.in_use - base.in_use <= 1,
                   "kept_at_most_one", true);
    lab_py("# ours only: mp_obmalloc_trim()");
    mp_obmalloc_trim();
    now = count_arenas();
    arenas_phase("trimmed", now, base, NULL);
    lab_show_int("# arenas added, mapped", now.mapped - base.mapped, NULL);
    lab_check_bool(15, "# at most one mapped after trim", now.mapped - base.mapped <= 1, NULL,
                   true);
    lab_csv_close(arenas_csv);
}

/* ---- 4 · del data, then gc.collect() ------------------------------------------------------ */

/* data = list(range(1000, 1000 + n)): every int outside the small-int cache. */
static mp_object *build_list(long n)
{
    mp_object *data = mp_list_new(n);
    if (!data)
        return NULL;
    for (long i = 0; i < n; i++) {
        mp_object *v = mp_int_from_long(1000 + i);
        if (!v || mp_list_set_item(data, i, v) < 0) {
            MP_DECREF(data);
            return NULL;
        }
    }
    return data;
}

static long long traced_bytes(void)
{
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    return (long long)current;
}

/* What step 4 measured, for the CSV and claim 16's evidence. */
static struct {
    long long traced[4]; /* before, with data, after del, after collect */
    double rss[5];       /* before, with data, after del, after collect, after trim */
    double del_freed_pct;
    mp_ssize_t collected;
} d;

static void step_del_and_collect(long n)
{
    lab_step("del data, then gc.collect()");
    lab_say("A list of %ld ints, none of them from the small-int cache. Memory is measured "
            "twice: the bytes tracemalloc traces, and the process's resident size from "
            "/proc/self/statm, in a separate run without tracing (tracemalloc's own tables "
            "live in the process too).",
            n);
    lab_say("The list refers to ints and nothing refers back: there is no cycle, so when "
            "`del data` drops the last reference, counting frees the list and every int at "
            "once, and the collector (lab 02) has nothing left to find.");

    mp_gc_collect(-1);
    d.rss[0] = resident_mib();
    mp_object *data = build_list(n);
    d.rss[1] = resident_mib();
    MP_XDECREF(data);
    d.rss[2] = resident_mib();
    mp_gc_collect(-1);
    d.rss[3] = resident_mib();
    mp_obmalloc_trim();
    d.rss[4] = resident_mib();

    mp_tracemalloc_start();
    d.traced[0] = traced_bytes();
    data = build_list(n);
    d.traced[1] = traced_bytes();
    MP_XDECREF(data);
    d.traced[2] = traced_bytes();
    d.collected = mp_gc_collect(-1);
    d.traced[3] = traced_bytes();
    mp_tracemalloc_stop();
    mp_obmalloc_trim();

    lab_py("tracemalloc.start()");
    lab_show_int("tracemalloc.get_traced_memory()[0]", d.traced[0], "traced_before");
    lab_py("data = list(range(1000, 1000 + %ld))", n);
    lab_show_int("tracemalloc.get_traced_memory()[0]", d.traced[1], "traced_built");
    lab_say("Per item: a pointer in the list and an int of one 30-bit digit, which asks for "
            "sizeof(PyLongObject), 32 bytes with padding, though sys.getsizeof says 28 "
            "(CPython 3.11's PyLong_FromLong makes it with _PyLong_FromMedium; ours does "
            "the same).");
    lab_py("del data");
    lab_show_int("tracemalloc.get_traced_memory()[0]", d.traced[2], "traced_del");
    long long grown = d.traced[1] - d.traced[0];
    d.del_freed_pct = grown > 0 ? 100.0 * (double)(d.traced[1] - d.traced[2]) / (double)grown : 0;
    lab_check_bool(16, "# del gave back >= 99% at once", d.del_freed_pct >= 99.0, "del_freed_most",
                   true);
    lab_check_int(16, "gc.collect()", d.collected, "gc_collect_returned", 0);
    lab_show_int("tracemalloc.get_traced_memory()[0]", d.traced[3], "traced_collect");
    lab_check_bool(16, "# collect freed < 1% more",
                   grown > 0 && 100 * (d.traced[2] - d.traced[3]) < grown, "collect_freed_little",
                   true);

    lab_say("The resident size, from the run without tracing:");
    lab_show_measured("# resident before", d.rss[0], "MiB", "rss_before_mib");
    lab_show_measured("# resident with data", d.rss[1], "MiB", "rss_built_mib");
    lab_show_measured("# resident after del", d.rss[2], "MiB", "rss_del_mib");
    lab_show_measured("# resident after collect", d.rss[3], "MiB", "rss_collect_mib");
    lab_show_measured("# resident after trim (ours)", d.rss[4], "MiB", NULL);
    lab_say("The ints filled whole arenas and nothing else lived there, so when they died the "
            "arenas drained completely. CPython unmaps drained arenas inside `del`, all but "
            "one, and the list's item array, too big for a pool, goes back to malloc, which "
            "usually returns a block that size to the kernel. Ours keeps drained arenas as "
            "spares, so its resident size falls only at trim. Had one small object per arena "
            "survived (step 3), nothing would have fallen.");

    lab_csv *csv = lab_csv_open("del_and_collect.csv", "phase,traced_ours,traced_cpython,"
                                                       "rss_mib_ours,rss_mib_cpython");
    static const char *const phases[] = {"before", "built", "del", "collect", "trim"};
    static const char *const traced_keys[] = {"traced_before", "traced_built", "traced_del",
                                              "traced_collect", NULL};
    static const char *const rss_keys[] = {"rss_before_mib", "rss_built_mib", "rss_del_mib",
                                           "rss_collect_mib", NULL};
    for (int i = 0; i < 5; i++) {
        char t_ours[24] = "", t_cpy[24] = "", r_ours[24] = "", r_cpy[24] = "";
        long long t;
        double r;
        if (i < 4)
            snprintf(t_ours, sizeof t_ours, "%lld", d.traced[i]);
        if (traced_keys[i] && lab_twin_int(traced_keys[i], &t))
            snprintf(t_cpy, sizeof t_cpy, "%lld", t);
        snprintf(r_ours, sizeof r_ours, "%.3f", d.rss[i]);
        if (rss_keys[i] && lab_twin_real(rss_keys[i], &r))
            snprintf(r_cpy, sizeof r_cpy, "%.3f", r);
        lab_csv_row(csv, "%s,%s,%s,%s,%s", phases[i], t_ours, t_cpy, r_ours, r_cpy);
    }
    lab_csv_close(csv);
}

/* ---- 5 · speed against the system allocator ------------------------------------------------- */

#define WORKING_SET 1024
#define RANDOM_TABLE 4096 /* indices into the working set, drawn once */

static unsigned short slots[RANDOM_TABLE];

/* A fixed generator (Knuth's MMIX constants) so every run times the same
 * sequence of slots. */
static void draw_slots(void)
{
    uint64_t x = 0x2545F4914F6CDD1DULL;
    for (int i = 0; i < RANDOM_TABLE; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        slots[i] = (unsigned short)((x >> 33) % WORKING_SET);
    }
}

/* Nanoseconds per free+malloc pair: a working set of 1024 blocks turns
 * over one random block at a time, as a program's live objects do. Each
 * new block is written once, as a constructor would. Best of three. */
static double ns_per_pair(bool ours, size_t size, long ops)
{
    static void *ws[WORKING_SET];
    double best = 0;
    for (int run = 0; run < 3; run++) {
        for (int i = 0; i < WORKING_SET; i++)
            ws[i] = ours ? mp_object_malloc(size) : malloc(size);
        double t0 = lab_now();
        if (ours) {
            for (long k = 0; k < ops; k++) {
                unsigned short i = slots[k & (RANDOM_TABLE - 1)];
                mp_object_free(ws[i]);
                ws[i] = mp_object_malloc(size);
                *(volatile char *)ws[i] = (char)k;
            }
        } else {
            for (long k = 0; k < ops; k++) {
                unsigned short i = slots[k & (RANDOM_TABLE - 1)];
                free(ws[i]);
                ws[i] = malloc(size);
                *(volatile char *)ws[i] = (char)k;
            }
        }
        double ns = (lab_now() - t0) * 1e9 / (double)ops;
        for (int i = 0; i < WORKING_SET; i++) {
            if (ours)
                mp_object_free(ws[i]);
            else
                free(ws[i]);
        }
        if (run == 0 || ns < best)
            best = ns;
    }
    return best;
}

static double worst_speedup = INFINITY;

static void step_speed(long ops)
{
    lab_step("Speed against the system allocator");
    lab_say("A working set of %d blocks of one size turns over %ld times: free a block at "
            "random, allocate its replacement. Ours is mp_object_malloc and mp_object_free "
            "(PyObject_Malloc and PyObject_Free), the system's is the C library's malloc and "
            "free. Best of three runs. CPython has no column: through ctypes, the call itself "
            "would cost more than the allocation.",
            WORKING_SET, ops);
    draw_slots();
    static const size_t sizes[] = {16, 32, 64, 128, 256, 512};
    lab_csv *csv = lab_csv_open("alloc_speed.csv", "size,ns_ours,ns_system");
    char figures[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        double ours = ns_per_pair(true, sizes[i], ops);
        double sys = ns_per_pair(false, sizes[i], ops);
        lab_csv_row(csv, "%zu,%.3f,%.3f", sizes[i], ours, sys);
        char what[48];
        snprintf(what, sizeof what, "# %zu B: malloc's ns / ours", sizes[i]);
        lab_show_measured(what, ours > 0 ? sys / ours : NAN, "x", NULL);
        used += (size_t)snprintf(figures + used, sizeof figures - used,
                                 "%s%zu B " LAB_MEASURED("%.1f") " vs " LAB_MEASURED("%.1f"),
                                 i ? "; " : "", sizes[i], ours, sys);
        if (ours > 0 && sys / ours < worst_speedup)
            worst_speedup = sys / ours;
    }
    lab_csv_close(csv);
    lab_say("Nanoseconds per pair, ours vs malloc: %s.", figures);
#ifndef MP_DEBUG
    lab_say("A freed block and the next request of its size meet in a few inlined "
            "instructions: the size class is the request shifted right by 4, and the block "
            "comes off a short stack kept for its class. glibc's malloc caches freed blocks "
            "too (its tcache), but behind a function call, with a size header on every block "
            "and checks on every free. The benchmarks (bench/micro/04-obmalloc*) time "
            "CPython's own PyObject_Malloc the same way.");
    lab_check_bool(15, "# ours 1.2x faster, every size", worst_speedup >= 1.2, NULL, true);
#else
    lab_say("This is a debug build: every block gets guard bytes, fill bytes and a stay in "
            "the quarantine, so these timings measure the checks, not the pools. The speed "
            "check runs in the release build only.");
#endif
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"04-pymalloc", "pymalloc, the small-object allocator", "14-16",
                                  options};
    lab_begin(&spec, argc, argv);
    long n_arenas = arenas_opt > 0 ? arenas_opt : lab_quick() ? 2 : 8;
    long items = items_opt > 0 ? items_opt : lab_quick() ? 100000 : 1000000;
    long ops = ops_opt > 0 ? ops_opt : lab_quick() ? 200000 : 2000000;
#ifdef MP_DEBUG
    if (ops_opt <= 0)
        ops /= 100; /* the guards would time themselves for seconds */
#endif

    step_who_serves();
    step_pool_fills();
    step_arenas(n_arenas);
    step_del_and_collect(items);
    step_speed(ops);

#ifndef MP_DEBUG
    char speed[64];
    snprintf(speed, sizeof speed, LAB_MEASURED("%.1f") "x malloc's speed or better",
             worst_speedup);
#else
    const char *speed = "fast in a release build";
#endif
    lab_claim(15, "partly", "fast: %s (step 5). Few system calls: one arena mapping per %ld "
                            "blocks of 64 bytes. Fragmentation: no cure; one live 64-byte block "
                            "kept each 1 MiB arena mapped, in CPython as in ours (step 3).",
              speed, CPY_POOLS_PER_ARENA * blocks_per_pool(PIN_BLOCK));
    double built, after_del;
    if (lab_twin_real("rss_built_mib", &built) && lab_twin_real("rss_del_mib", &after_del))
        lab_claim(16, "partly", "`del data` alone gave back %.0f%% of the traced bytes, and "
                                "CPython's resident size fell from " LAB_MEASURED("%.0f") " to "
                                LAB_MEASURED("%.0f") " MiB; "
                                "gc.collect() then freed nothing: it is for cycles. Memory goes "
                                "back only as whole arenas drain.",
                  d.del_freed_pct, built, after_del);
    else
        lab_claim(16, "partly", "`del data` alone gave back %.0f%% of the traced bytes; "
                                "gc.collect() has nothing to free in an acyclic list: it is for "
                                "cycles. Memory goes back only as whole arenas drain.",
                  d.del_freed_pct);
    return lab_end();
}
