/* test_tracemalloc.c — allocation tracing: start/stop, traced memory and
 * its peak, sites, snapshots, statistics and compare_to
 * (runtime/tracemalloc.c).
 *
 * tracemalloc reports the sizes asked for, not the size classes behind
 * them; a bytes object of 100 bytes asks 33 + 100 = 133, whose class is 144:
 *   python3 -c "import tracemalloc, sys; tracemalloc.start(); x = bytes(100);
 *               print(tracemalloc.get_traced_memory()[0], sys.getsizeof(x))"
 *   -> 133 133
 *
 * Object sizes below are CPython 3.11's arithmetic, with what each asks the
 * allocator:
 *   int of one 30-bit digit made from a C long: 32, sizeof(PyLongObject),
 *   though sys.getsizeof says 28 (_PyLong_FromMedium asks for the struct):
 *     python3 -c "import tracemalloc; tracemalloc.start(); x = [i for i in
 *       range(1000, 2000)]; print(tracemalloc.get_traced_memory()[0] - 8 * 1100)"
 *     -> 32000 (1000 ints; the list's item array holds 1100 slots)
 *   str of n ASCII characters: 48 + n + 1       (sys.getsizeof('ab') -> 51)
 *   tuple of n items: 16 (GC header) + 24 + 8n  (sys.getsizeof((1, 2)) -> 56)
 *   list: 16 + 40 = 56 for the header           (sys.getsizeof([]) -> 56)
 *         plus 8 * allocated for the items, allocated growing on appends
 *         as list_resize says: 0, 4, 8, 16, 24, 32, 40, 52, 64
 *   python3 -c "import sys; l = []; print(sorted({(sys.getsizeof(l.append(0) or l) - 56) // 8
 *               for _ in range(60)}))"  -> [4, 8, 16, 24, 32, 40, 52, 64]
 * (CPython's free lists for lists and tuples would hide some of these
 * allocations from tracemalloc; this model has none, tuple.c and list.c
 * say so.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

MP_TEST_SUITE(tracemalloc);

/* ---- helpers ---------------------------------------------------------------- */

static size_t traced_current(void)
{
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    return current;
}

static size_t traced_peak(void)
{
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    return peak;
}

#define expect_traced(cur, pk)                                                                     \
    do {                                                                                           \
        size_t cur_, peak_;                                                                        \
        mp_tracemalloc_get_traced_memory(&cur_, &peak_);                                           \
        cr_expect_eq(cur_, (size_t)(cur), "traced current %zu, expected %zu", cur_, (size_t)(cur)); \
        cr_expect_eq(peak_, (size_t)(pk), "traced peak %zu, expected %zu", peak_, (size_t)(pk));  \
    } while (0)

static void start_tracing(void)
{
    cr_assert_eq(mp_tracemalloc_start(), 0, "mp_tracemalloc_start: %s", mp_err_message());
}

static mp_snapshot *snapshot(void)
{
    mp_snapshot *s = mp_tracemalloc_take_snapshot();
    cr_assert_not_null(s, "take_snapshot: %s", mp_err_message());
    return s;
}

static size_t trace_count(void)
{
    mp_snapshot *s = snapshot();
    size_t n = mp_snapshot_trace_count(s);
    mp_snapshot_free(s);
    return n;
}

/* mp_object_malloc(n), noting in line the line it is written on: the
 * macro's __LINE__ and the one mp_object_malloc's site macro stores are the
 * same line, the line where this is used. */
#define MALLOC_NOTING_LINE(n, line) ((line) = __LINE__, mp_object_malloc(n))

static bool is_this_file(const char *file) { return file && strcmp(file, __FILE__) == 0; }

/* ---- start, stop, is_tracing ---------------------------------------------------- */

/* python3 -c "import tracemalloc as t; print(t.is_tracing()); t.start();
 *             print(t.is_tracing()); t.stop(); print(t.is_tracing())"
 * -> False True False */
Test(tracemalloc, start_stop_and_is_tracing)
{
    cr_expect_not(mp_tracemalloc_is_tracing(), "stopped by default");
    start_tracing();
    cr_expect(mp_tracemalloc_is_tracing());
    cr_expect_eq(mp_tracemalloc_start(), 0, "starting twice is fine");
    cr_expect(mp_tracemalloc_is_tracing());
    mp_tracemalloc_stop();
    cr_expect_not(mp_tracemalloc_is_tracing());
}

Test(tracemalloc, nothing_is_recorded_while_stopped)
{
    void *p = mp_object_malloc(100);
    mp_object *i = mp_int_from_long(100000);
    expect_traced(0, 0);
    mp_object_free(p);
    MP_DECREF(i);
    expect_traced(0, 0);
}

/* python3 -c "import tracemalloc as t; x = [1] * 10; t.start();
 *             print(t.get_object_traceback(x))"  -> None */
Test(tracemalloc, allocations_made_before_start_are_not_traced)
{
    void *before = mp_object_malloc(100);
    mp_object *int_before = mp_int_from_long(100000);
    mp_object *list_before = mp_list_new(0);
    start_tracing();
    expect_traced(0, 0);
    cr_expect_eq(trace_count(), 0);
    mp_trace_site site;
    cr_expect_not(mp_tracemalloc_get_object_traceback(int_before, &site));
    cr_expect_not(mp_tracemalloc_get_object_traceback(list_before, &site));
    mp_object_free(before);
    MP_DECREF(int_before);
    MP_DECREF(list_before);
    expect_traced(0, 0);
    cr_expect_eq(trace_count(), 0);
    mp_tracemalloc_stop();
}

/* python3 -c "import tracemalloc as t; t.take_snapshot()"
 * -> RuntimeError: the tracemalloc module must be tracing memory
 *    allocations to take a snapshot */
Test(tracemalloc, take_snapshot_while_not_tracing_fails)
{
    cr_expect_null(mp_tracemalloc_take_snapshot());
    cr_expect_neq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_str_eq(mp_err_message(),
                     "the tracemalloc module must be tracing memory allocations to take a "
                     "snapshot");
    mp_err_clear();
    start_tracing();
    mp_tracemalloc_stop();
    cr_expect_null(mp_tracemalloc_take_snapshot(), "nor after a stop");
    cr_expect_neq(mp_err_occurred(), MP_ERR_NONE);
    mp_err_clear();
}

Test(tracemalloc, tracing_uses_memory_of_its_own)
{
    start_tracing();
    cr_expect_gt(mp_tracemalloc_get_tracemalloc_memory(), 0);
    void *p = mp_object_malloc(10);
    cr_expect_gt(mp_tracemalloc_get_tracemalloc_memory(), 0);
    mp_object_free(p);
    mp_tracemalloc_stop();
}

/* ---- current and peak --------------------------------------------------------------- */

Test(tracemalloc, traced_memory_counts_the_requested_sizes)
{
    start_tracing();
    void *a = mp_object_malloc(100), *b = mp_object_malloc(200), *c = mp_object_malloc(5000);
    /* Not 112 + 208 + 5000: the requests, not their size classes. */
    expect_traced(5300, 5300);
    cr_expect_geq(traced_peak(), traced_current());
    mp_object_free(b);
    expect_traced(5100, 5300);
    mp_object_free(a);
    mp_object_free(c);
    expect_traced(0, 5300);
    mp_tracemalloc_stop();
}

/* python3 -c "import tracemalloc as t; t.start(); a = bytes(5000); b = bytes(1000);
 *             del a; t.reset_peak(); c, p = t.get_traced_memory(); print(c == p)"
 * -> True */
Test(tracemalloc, reset_peak_brings_the_peak_down_to_current)
{
    start_tracing();
    void *a = mp_object_malloc(5000), *b = mp_object_malloc(1000);
    mp_object_free(a);
    expect_traced(1000, 6000);
    mp_tracemalloc_reset_peak();
    expect_traced(1000, 1000);
    void *c = mp_object_malloc(50);
    expect_traced(1050, 1050);
    mp_object_free(c);
    expect_traced(1000, 1050);
    mp_object_free(b);
    mp_tracemalloc_stop();
}

/* python3 -c "import tracemalloc as t; t.start(); x = bytes(1000); t.clear_traces();
 *             print(t.get_traced_memory())"  -> (0, 0) */
Test(tracemalloc, clear_traces_forgets_the_traces)
{
    start_tracing();
    void *a = mp_object_malloc(1000), *b = mp_object_malloc(2000);
    mp_tracemalloc_clear_traces();
    cr_expect(mp_tracemalloc_is_tracing(), "clear_traces keeps tracing");
    expect_traced(0, 0);
    cr_expect_eq(trace_count(), 0);
    mp_object_free(a);
    expect_traced(0, 0);
    void *c = mp_object_malloc(300);
    expect_traced(300, 300);
    cr_expect_eq(trace_count(), 1);
    mp_object_free(b);
    expect_traced(300, 300);
    mp_object_free(c);
    expect_traced(0, 300);
    mp_tracemalloc_stop();
}

/* python3 -c "import tracemalloc as t; t.start(); x = bytes(1000); t.stop();
 *             print(t.get_traced_memory())"  -> (0, 0) */
Test(tracemalloc, stop_forgets_the_traces_and_a_restart_starts_clean)
{
    start_tracing();
    void *a = mp_object_malloc(1000);
    mp_object *i = mp_int_from_long(424242);
    mp_tracemalloc_stop();
    expect_traced(0, 0);
    mp_trace_site site;
    cr_expect_not(mp_tracemalloc_get_object_traceback(i, &site));
    start_tracing();
    expect_traced(0, 0);
    cr_expect_eq(trace_count(), 0);
    cr_expect_not(mp_tracemalloc_get_object_traceback(i, &site));
    mp_object_free(a);
    MP_DECREF(i);
    expect_traced(0, 0);
    void *b = mp_object_malloc(10);
    expect_traced(10, 10);
    mp_object_free(b);
    mp_tracemalloc_stop();
}

/* A resize re-traces the block with its new size (the request) and the
 * site of the realloc, as _tracemalloc.c's tracemalloc_realloc does
 * (REMOVE_TRACE of the old pointer, ADD_TRACE of the new one with the
 * current traceback). */
Test(tracemalloc, realloc_retraces_the_block)
{
    start_tracing();
    int malloc_line, realloc_line;
    void *p = MALLOC_NOTING_LINE(20, malloc_line);
    expect_traced(20, 20);
    p = mp_object_realloc(p, 30); realloc_line = __LINE__;
    cr_assert_not_null(p);
    expect_traced(30, 30);
    p = mp_object_realloc(p, 3000);
    cr_assert_not_null(p);
    expect_traced(3000, 3000);
    p = mp_object_realloc(p, 100); realloc_line = __LINE__;
    cr_assert_not_null(p);
    expect_traced(100, 3000);
    cr_expect_eq(trace_count(), 1);
    mp_snapshot *s = snapshot();
    mp_statistic *st;
    size_t n = mp_snapshot_statistics(s, MP_GROUP_BY_LINENO, &st);
    cr_assert_eq(n, 1);
    cr_expect_eq(st[0].site.line, realloc_line, "the trace's site is line %d, not the realloc's %d"
                 " (the malloc was on %d)", st[0].site.line, realloc_line, malloc_line);
    cr_expect_eq(st[0].size, 100);
    free(st);
    mp_snapshot_free(s);
    mp_object_free(p);
    expect_traced(0, 3000);
    mp_tracemalloc_stop();
}

/* ---- tracemalloc agrees with the allocator over a workload ---------------------------- */

/* CPython 3.11's list_resize, for appends: the new allocated count. */
static size_t list_grow(size_t allocated, size_t size, size_t newsize)
{
    if (allocated >= newsize && newsize >= (allocated >> 1))
        return allocated;
    size_t n = (newsize + (newsize >> 3) + 6) & ~(size_t)3;
    if (newsize - size > n - newsize)
        n = (newsize + 3) & ~(size_t)3;
    return newsize == 0 ? 0 : n;
}

enum kind { EMPTY, RAW, INT, STR, TUPLE, LIST };

typedef struct thing {
    enum kind kind;
    void *p;          /* the raw block or the object */
    size_t bytes;     /* what it asked for, all blocks together */
    size_t blocks;    /* how many blocks it holds */
    size_t len, cap;  /* a list's length and allocated slots */
} thing;

#define THINGS 200
#define THING_OPS 4000

static void append_small_ints(thing *t, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        mp_object *seven = mp_int_from_long(7); /* cached: no allocation */
        cr_assert_eq(mp_list_append(t->p, seven), 0);
        MP_DECREF(seven);
        size_t cap = list_grow(t->cap, t->len, t->len + 1);
        t->bytes += 8 * (cap - t->cap);
        if (t->cap == 0 && cap > 0)
            t->blocks++;
        t->cap = cap;
        t->len++;
    }
}

static void make_thing(thing *t)
{
    uint64_t r = rng();
    switch (r % 5) {
    case 0: {
        size_t n = (size_t)(r >> 8) % 1500;
        t->p = mp_object_malloc(n);
        *t = (thing){RAW, t->p, n, 1, 0, 0};
        break;
    }
    case 1: /* out of the small-int cache, one digit, made from a C long */
        t->p = mp_int_from_long(1000 + (long)((r >> 8) % 1000000));
        *t = (thing){INT, t->p, 32, 1, 0, 0};
        break;
    case 2: {
        char text[64];
        size_t n = 2 + (size_t)(r >> 8) % 40;
        for (size_t i = 0; i < n; i++)
            text[i] = (char)('a' + (r >> (i % 40)) % 26);
        text[n] = '\0';
        t->p = mp_str_from_utf8(text);
        *t = (thing){STR, t->p, 48 + n + 1, 1, 0, 0};
        break;
    }
    case 3: {
        size_t n = 1 + (size_t)(r >> 8) % 6;
        t->p = mp_tuple_new((mp_ssize_t)n);
        cr_assert_not_null(t->p);
        for (size_t i = 0; i < n; i++)
            mp_tuple_set_item(t->p, (mp_ssize_t)i, mp_int_from_long((long)i));
        *t = (thing){TUPLE, t->p, 16 + 24 + 8 * n, 1, 0, 0};
        break;
    }
    default:
        t->p = mp_list_new(0);
        *t = (thing){LIST, t->p, 56, 1, 0, 0};
        cr_assert_not_null(t->p);
        append_small_ints(t, (size_t)(r >> 8) % 30);
        break;
    }
    cr_assert_not_null(t->p, "%s", mp_err_message());
}

static void drop_thing(thing *t)
{
    if (t->kind == RAW)
        mp_object_free(t->p);
    else
        MP_DECREF(t->p);
    *t = (thing){0};
}

/* Changes a live thing: a raw block is resized, a list grows. */
static void change_thing(thing *t)
{
    uint64_t r = rng();
    if (t->kind == RAW) {
        size_t n = (size_t)(r >> 8) % 3000;
        void *q = mp_object_realloc(t->p, n);
        cr_assert_not_null(q);
        t->p = q;
        t->bytes = n;
    } else if (t->kind == LIST) {
        append_small_ints(t, 1 + (size_t)(r >> 8) % 20);
    }
}

Test(tracemalloc, traces_match_the_allocator_over_a_workload)
{
    static thing things[THINGS];
    memset(things, 0, sizeof things);
    rng_state = 0x2545F4914F6CDD1Du;
    start_tracing();
    size_t blocks_at_start = blocks_in_use();
    for (int op = 0; op < THING_OPS; op++) {
        thing *t = &things[rng() % THINGS];
        uint64_t r = rng() % 4;
        if (t->kind == EMPTY)
            make_thing(t);
        else if (r == 0)
            drop_thing(t);
        else if (r == 1)
            change_thing(t);
        if (op % 200 != 0 && op != THING_OPS - 1)
            continue;
        size_t bytes = 0, blocks = 0;
        for (size_t i = 0; i < THINGS; i++) {
            bytes += things[i].bytes;
            blocks += things[i].blocks;
        }
        mp_snapshot *s = snapshot();
        size_t traces = mp_snapshot_trace_count(s);
        mp_snapshot_free(s);
        cr_expect_eq(traces, blocks_in_use() - blocks_at_start,
                     "op %d: %zu traces, the allocator has %zu more blocks than at start", op,
                     traces, blocks_in_use() - blocks_at_start);
        cr_expect_eq(traces, blocks, "op %d: %zu traces, %zu blocks live", op, traces, blocks);
        cr_expect_eq(traced_current(), bytes, "op %d: traced %zu bytes, asked for %zu", op,
                     traced_current(), bytes);
        cr_expect_geq(traced_peak(), traced_current());
    }
    for (size_t i = 0; i < THINGS; i++) {
        if (things[i].kind != EMPTY)
            drop_thing(&things[i]);
    }
    cr_expect_eq(traced_current(), 0);
    cr_expect_eq(trace_count(), 0);
    cr_expect_eq(blocks_in_use(), blocks_at_start);
    mp_tracemalloc_stop();
}

/* Thousands of live traces, dropped in a scrambled order: each survivor is
 * still found, and the totals follow. */
Test(tracemalloc, many_traces_dropped_in_any_order)
{
    enum { N = 5000 };
    static mp_object *ints[N];
    start_tracing();
    int line = 0;
    for (int i = 0; i < N; i++) {
        ints[i] = mp_int_from_long(1000 + i); line = __LINE__;
        cr_assert_not_null(ints[i]);
    }
    expect_traced(32 * N, 32 * N);
    cr_expect_eq(trace_count(), N);
    /* 3001 is prime to N, so i * 3001 % N visits every index once. */
    size_t live = N;
    for (int k = 0; k < N; k++) {
        int i = (int)((long)k * 3001 % N);
        MP_DECREF(ints[i]);
        ints[i] = NULL;
        live--;
        if (k % 1000 != 999 && k != N / 2)
            continue;
        cr_expect_eq(traced_current(), 32 * live, "after %d frees", k + 1);
        cr_expect_eq(trace_count(), live, "after %d frees", k + 1);
        size_t found = 0;
        for (int j = 0; j < N; j++) {
            mp_trace_site site;
            if (ints[j] && mp_tracemalloc_get_object_traceback(ints[j], &site) &&
                site.line == line)
                found++;
        }
        cr_expect_eq(found, live, "after %d frees, %zu of %zu live ints have their traceback",
                     k + 1, found, live);
    }
    expect_traced(0, 32 * N);
    mp_tracemalloc_stop();
}

/* CPython traces a 0-byte request too: one trace, 0 bytes. */
Test(tracemalloc, a_zero_byte_block_is_one_trace_of_zero_bytes)
{
    start_tracing();
    void *p = mp_object_malloc(0);
    cr_assert_not_null(p);
    cr_expect_eq(trace_count(), 1);
    expect_traced(0, 0);
    mp_object_free(p);
    cr_expect_eq(trace_count(), 0);
    mp_tracemalloc_stop();
}

/* ---- sites ------------------------------------------------------------------------------ */

Test(tracemalloc, a_block_is_attributed_to_the_line_that_asked)
{
    start_tracing();
    int line;
    void *p = MALLOC_NOTING_LINE(64, line);
    mp_snapshot *s = snapshot();
    mp_statistic *st;
    size_t n = mp_snapshot_statistics(s, MP_GROUP_BY_LINENO, &st);
    cr_assert_eq(n, 1);
    cr_expect(is_this_file(st[0].site.file), "file %s, not %s", st[0].site.file, __FILE__);
    cr_expect_eq(st[0].site.line, line);
    cr_expect_eq(st[0].size, 64);
    cr_expect_eq(st[0].count, 1);
    free(st);
    mp_snapshot_free(s);
    mp_object_free(p);
    mp_tracemalloc_stop();
}

Test(tracemalloc, get_object_traceback_of_an_int)
{
    start_tracing();
    mp_object *i = mp_int_from_long(123456); const int line = __LINE__;
    mp_trace_site site = {0};
    cr_assert(mp_tracemalloc_get_object_traceback(i, &site));
    cr_expect(is_this_file(site.file), "file %s, not %s", site.file, __FILE__);
    cr_expect_eq(site.line, line);
    MP_DECREF(i);
    mp_tracemalloc_stop();
}

/* A container's traced block starts at its GC header, 16 bytes before the
 * object; the traceback is found from the object all the same. */
Test(tracemalloc, get_object_traceback_of_a_list_and_a_tuple)
{
    start_tracing();
    mp_object *l = mp_list_new(0); const int list_line = __LINE__;
    mp_object *t = mp_tuple_new(2); const int tuple_line = __LINE__;
    mp_tuple_set_item(t, 0, mp_int_from_long(1));
    mp_tuple_set_item(t, 1, mp_int_from_long(2));
    mp_trace_site site = {0};
    cr_assert(mp_tracemalloc_get_object_traceback(l, &site));
    cr_expect(is_this_file(site.file));
    cr_expect_eq(site.line, list_line);
    cr_assert(mp_tracemalloc_get_object_traceback(t, &site));
    cr_expect(is_this_file(site.file));
    cr_expect_eq(site.line, tuple_line);
    MP_DECREF(l);
    MP_DECREF(t);
    mp_tracemalloc_stop();
}

/* A list's items are allocated inside mp_list_append, yet attributed to
 * the line that called it, as tracemalloc names the Python line however
 * deep in C the allocation happens. */
Test(tracemalloc, a_nested_allocation_keeps_the_callers_line)
{
    start_tracing();
    mp_object *seven = mp_int_from_long(7);
    mp_object *l = mp_list_new(0); const int new_line = __LINE__;
    cr_assert_eq(mp_list_append(l, seven), 0); const int append_line = __LINE__;
    mp_snapshot *s = snapshot();
    mp_statistic *st;
    size_t n = mp_snapshot_statistics(s, MP_GROUP_BY_LINENO, &st);
    cr_assert_eq(n, 2);
    /* The list header, 56 bytes; the items, 4 slots of 8 bytes. */
    cr_expect_eq(st[0].site.line, new_line);
    cr_expect_eq(st[0].size, 56);
    cr_expect_eq(st[1].site.line, append_line);
    cr_expect_eq(st[1].size, 32);
    free(st);
    mp_snapshot_free(s);
    MP_DECREF(l);
    MP_DECREF(seven);
    mp_tracemalloc_stop();
}

/* ---- statistics ------------------------------------------------------------------------------ */

/* Statistic._sort_key is (size, count, traceback), sorted with
 * reverse=True (Lib/tracemalloc.py, Snapshot.statistics). */
Test(tracemalloc, statistics_by_lineno_come_biggest_first)
{
    start_tracing();
    void *big[3], *small[10];
    int line_big = 0, line_small = 0;
    for (int i = 0; i < 10; i++)
        small[i] = MALLOC_NOTING_LINE(10, line_small);
    for (int i = 0; i < 3; i++)
        big[i] = MALLOC_NOTING_LINE(1000, line_big);
    mp_snapshot *s = snapshot();
    cr_expect_eq(mp_snapshot_trace_count(s), 13);
    mp_statistic *st;
    size_t n = mp_snapshot_statistics(s, MP_GROUP_BY_LINENO, &st);
    cr_assert_eq(n, 2);
    cr_expect(is_this_file(st[0].site.file));
    cr_expect_eq(st[0].site.line, line_big);
    cr_expect_eq(st[0].size, 3000);
    cr_expect_eq(st[0].count, 3);
    cr_expect(is_this_file(st[1].site.file));
    cr_expect_eq(st[1].site.line, line_small);
    cr_expect_eq(st[1].size, 100);
    cr_expect_eq(st[1].count, 10);
    free(st);

    n = mp_snapshot_statistics(s, MP_GROUP_BY_FILENAME, &st);
    cr_assert_eq(n, 1);
    cr_expect(is_this_file(st[0].site.file));
    cr_expect_eq(st[0].site.line, 0);
    cr_expect_eq(st[0].size, 3100);
    cr_expect_eq(st[0].count, 13);
    free(st);
    mp_snapshot_free(s);
    for (int i = 0; i < 3; i++)
        mp_object_free(big[i]);
    for (int i = 0; i < 10; i++)
        mp_object_free(small[i]);
    mp_tracemalloc_stop();
}

/* Equal sizes: more blocks first; equal sizes and counts: the traceback
 * decides, the greater (same file, later line) first. */
Test(tracemalloc, statistics_break_ties_by_count_then_by_site)
{
    start_tracing();
    int line_a, line_b, line_c;
    void *a = MALLOC_NOTING_LINE(64, line_a);
    void *b = MALLOC_NOTING_LINE(64, line_b);
    void *c[2];
    for (int i = 0; i < 2; i++)
        c[i] = MALLOC_NOTING_LINE(32, line_c);
    mp_snapshot *s = snapshot();
    mp_statistic *st;
    size_t n = mp_snapshot_statistics(s, MP_GROUP_BY_LINENO, &st);
    cr_assert_eq(n, 3);
    cr_expect_eq(st[0].site.line, line_c, "64 bytes in 2 blocks before 64 in 1");
    cr_expect_eq(st[1].site.line, line_b, "then the later line");
    cr_expect_eq(st[2].site.line, line_a);
    free(st);
    mp_snapshot_free(s);
    mp_object_free(a);
    mp_object_free(b);
    mp_object_free(c[0]);
    mp_object_free(c[1]);
    mp_tracemalloc_stop();
}

/* ---- compare_to ------------------------------------------------------------------------------ */

/* Three sites, each one line of its own function. */
static int line_x, line_y, line_z;
static void *alloc_x(size_t n) { line_x = __LINE__; return mp_object_malloc(n); }
static void *alloc_y(size_t n) { line_y = __LINE__; return mp_object_malloc(n); }
static void *alloc_z(size_t n) { line_z = __LINE__; return mp_object_malloc(n); }

static const mp_statistic_diff *find_diff(const mp_statistic_diff *d, size_t n, int line)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i].site.line == line)
            return &d[i];
    }
    return NULL;
}

/* Snapshot.compare_to (Lib/tracemalloc.py): a site only in the old snapshot
 * shows as StatisticDiff(traceback, 0, -size, 0, -count); the list is
 * sorted, reverse=True, by (abs(size_diff), size, abs(count_diff), count,
 * traceback).
 *
 * A: x 2 * 100, y 4 * 50, z 1 * 80.  B: x 5 * 100, y 1 * 50, z gone.
 * So x +300 (+3), y -150 (-3), z -80 (-1), in that order. */
Test(tracemalloc, compare_to_finds_what_grew_and_what_shrank)
{
    start_tracing();
    void *x[5], *y[4], *z;
    for (int i = 0; i < 2; i++)
        x[i] = alloc_x(100);
    for (int i = 0; i < 4; i++)
        y[i] = alloc_y(50);
    z = alloc_z(80);
    mp_snapshot *a = snapshot();
    for (int i = 2; i < 5; i++)
        x[i] = alloc_x(100);
    for (int i = 1; i < 4; i++)
        mp_object_free(y[i]);
    mp_object_free(z);
    mp_snapshot *b = snapshot();

    mp_statistic_diff *d;
    size_t n = mp_snapshot_compare_to(b, a, MP_GROUP_BY_LINENO, &d);
    cr_assert_eq(n, 3);
    cr_expect_eq(d[0].site.line, line_x, "the site that grew most comes first");
    cr_expect(is_this_file(d[0].site.file));
    cr_expect_eq(d[0].size, 500);
    cr_expect_eq(d[0].count, 5);
    cr_expect_eq(d[0].size_diff, 300);
    cr_expect_eq(d[0].count_diff, 3);
    cr_expect_eq(d[1].site.line, line_y);
    cr_expect_eq(d[1].size, 50);
    cr_expect_eq(d[1].count, 1);
    cr_expect_eq(d[1].size_diff, -150);
    cr_expect_eq(d[1].count_diff, -3);
    cr_expect_eq(d[2].site.line, line_z);
    cr_expect_eq(d[2].size, 0);
    cr_expect_eq(d[2].count, 0);
    cr_expect_eq(d[2].size_diff, -80);
    cr_expect_eq(d[2].count_diff, -1);
    for (size_t i = 1; i < n; i++) {
        size_t prev = (size_t)(d[i - 1].size_diff < 0 ? -d[i - 1].size_diff : d[i - 1].size_diff);
        size_t here = (size_t)(d[i].size_diff < 0 ? -d[i].size_diff : d[i].size_diff);
        cr_expect_geq(prev, here, "sorted by abs(size_diff), biggest first");
    }
    free(d);

    /* The other way round, every difference changes sign. */
    n = mp_snapshot_compare_to(a, b, MP_GROUP_BY_LINENO, &d);
    cr_assert_eq(n, 3);
    const mp_statistic_diff *dx = find_diff(d, n, line_x), *dz = find_diff(d, n, line_z);
    cr_assert_not_null(dx);
    cr_assert_not_null(dz);
    cr_expect_eq(dx->size_diff, -300);
    cr_expect_eq(dx->size, 200);
    cr_expect_eq(dz->size_diff, 80);
    cr_expect_eq(dz->size, 80);
    free(d);

    /* By file: one entry, 550 bytes in 6 blocks now, 480 in 7 before. */
    n = mp_snapshot_compare_to(b, a, MP_GROUP_BY_FILENAME, &d);
    cr_assert_eq(n, 1);
    cr_expect(is_this_file(d[0].site.file));
    cr_expect_eq(d[0].site.line, 0);
    cr_expect_eq(d[0].size, 550);
    cr_expect_eq(d[0].count, 6);
    cr_expect_eq(d[0].size_diff, 550 - 480);
    cr_expect_eq(d[0].count_diff, 6 - 7);
    free(d);

    mp_snapshot_free(a);
    mp_snapshot_free(b);
    for (int i = 0; i < 5; i++)
        mp_object_free(x[i]);
    mp_object_free(y[0]);
    mp_tracemalloc_stop();
}

/* A snapshot is a copy: what happens after it is taken does not change it. */
Test(tracemalloc, a_snapshot_does_not_change_afterwards)
{
    start_tracing();
    void *p = mp_object_malloc(700);
    mp_snapshot *s = snapshot();
    mp_object_free(p);
    void *q = mp_object_malloc(10);
    cr_expect_eq(mp_snapshot_trace_count(s), 1);
    mp_statistic *st;
    size_t n = mp_snapshot_statistics(s, MP_GROUP_BY_FILENAME, &st);
    cr_assert_eq(n, 1);
    cr_expect_eq(st[0].size, 700);
    free(st);
    mp_snapshot_free(s);
    mp_object_free(q);
    mp_tracemalloc_stop();
}
