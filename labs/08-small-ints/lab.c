/* Lab 08 — the small-int cache.
 *
 * CPython keeps one object for each int from -5 to 256, ready before the
 * program starts, and hands out those objects whenever such a value is
 * produced. This lab makes values while
 * the program runs (as int("257") does, so no compiler constant is
 * involved), finds where the cache ends, counts the memory it saves, and
 * shows why `a = 257; b = 257; a is b` can still be True. Claims 22-23.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "mp.h"

static long repeat = -1, scan = -1;
static const lab_option options[] = {
    {"--repeat", "times each value is made in step 4 (default 100; 10 with --quick)", &repeat, 1,
     100000},
    {"--scan", "step 2 tries every value in [-N, N] (default 100000; 1000 with --quick)", &scan, 300,
     10000000},
    {0},
};

#define BUCKET_LO (-64)
#define BUCKET_HI 512
#define BUCKET_WIDTH 32
#define NBUCKETS ((BUCKET_HI - BUCKET_LO) / BUCKET_WIDTH)

/* int(str(value)): an int made at run time from text. Step 4 counts what
 * the line calling mp_int_from_string keeps, as the twin counts its
 * `return int(s)` line. */
static int make_line;

static mp_object *make(long value)
{
    char text[32];
    snprintf(text, sizeof text, "%ld", value);
    make_line = __LINE__ + 1;
    return mp_int_from_string(text);
}

static bool same_object_twice(long value)
{
    mp_object *a = make(value), *b = make(value);
    bool same = a == b;
    MP_DECREF(a);
    MP_DECREF(b);
    return same;
}

static void step_run_time(void)
{
    lab_step("Values made at run time");
    lab_say("int(text) builds its value while the program runs. For -5..256 it hands back "
            "the shared cached object; any other value is a new object each time, so two "
            "of them are equal but not identical.");
    static const struct {
        long value;
        const char *key;
    } cases[] = {{256, "is_256"}, {257, "is_257"}, {-5, "is_minus5"}, {-6, "is_minus6"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long v = cases[i].value;
        char what[64];
        snprintf(what, sizeof what, "int('%ld') is int('%ld')", v, v);
        lab_check_bool(22, what, same_object_twice(v), cases[i].key, v >= -5 && v <= 256);
    }
}

static void step_range(long n)
{
    lab_step("Where the cache ends");
    lab_say("Some articles guess the range grew in recent versions. Trying every value in "
            "[-%ld, %ld] settles it: the values that come back as the same object twice.",
            n, n);
    long lo = 0, hi = 0, count = 0;
    for (long v = -n; v <= n; v++) {
        if (same_object_twice(v)) {
            if (count++ == 0)
                lo = v;
            hi = v;
        }
    }
    char range[48];
    if (hi - lo + 1 == count)
        snprintf(range, sizeof range, "[%ld, %ld]", lo, hi);
    else
        snprintf(range, sizeof range, "%ld values", count);
    lab_check_text(23, "# v with int(str(v)) is int(str(v))", range, "cache_range", "[-5, 256]");
    lab_check_int(23, "# how many such values", count, "cached_count", 262);
    lab_claim(23, "wrong", "CPython 3.11 caches exactly %s, unchanged for many releases "
                           "(_PY_NSMALLNEGINTS = 5, _PY_NSMALLPOSINTS = 257).",
              range);
}

static void step_shared(void)
{
    lab_step("Shared by the whole interpreter");
    lab_say("Every 1 in the program is the same object, so its count is huge. CPython 3.11 "
            "allocates the cached ints statically with a count of 999,999,999, so they can "
            "never reach zero; 3.12 makes them truly immortal (PEP 683).");
    mp_object *one = mp_int_from_long(1);
    mp_ssize_t rc = mp_getrefcount(one);
    MP_DECREF(one);
    lab_show_measured_int("sys.getrefcount(1)", rc, "refcount_of_1");
    lab_check_bool(22, "sys.getrefcount(1) >= 999999999", rc >= MP_IMMORTAL_REFCNT,
                   "refcount_of_1_immortal", true);
}

/* Blocks and bytes still held by make()'s line after making each value of
 * one bucket `times` times and keeping every result: tracemalloc's
 * statistics for that line, exactly what the twin reads. */
static void kept_by_bucket(long lo, long times, long long *blocks, long long *bytes)
{
    mp_object *out = mp_list_new(BUCKET_WIDTH * times);
    mp_tracemalloc_start();
    mp_ssize_t i = 0;
    for (long v = lo; v < lo + BUCKET_WIDTH; v++)
        for (long t = 0; t < times; t++)
            mp_list_set_item(out, i++, make(v));
    mp_snapshot *snap = mp_tracemalloc_take_snapshot();
    mp_tracemalloc_stop();
    mp_statistic *stats = NULL;
    size_t n = snap ? mp_snapshot_statistics(snap, MP_GROUP_BY_LINENO, &stats) : 0;
    *blocks = *bytes = 0;
    for (size_t k = 0; k < n && k != (size_t)-1; k++) {
        if (stats[k].site.line == make_line && strcmp(stats[k].site.file, __FILE__) == 0) {
            *blocks = (long long)stats[k].count;
            *bytes = (long long)stats[k].size;
        }
    }
    free(stats);
    mp_snapshot_free(snap);
    MP_DECREF(out);
}

static void step_savings(long times)
{
    lab_step("What the cache saves");
    lab_say("Each value from %d to %d is made %ld times and every result kept, as a program "
            "holding many small numbers does. tracemalloc counts, in both runtimes, the "
            "blocks that the line calling int() still holds.",
            BUCKET_LO, BUCKET_HI - 1, times);
    lab_csv *csv = lab_csv_open("small_int_cache.csv",
                                "lo,hi,made,blocks_ours,blocks_cpython,bytes_ours,bytes_cpython");
    long long below = 0, cached = 0, above = 0, bytes = 0, blocks = 0;
    for (int b = 0; b < NBUCKETS; b++) {
        long lo = BUCKET_LO + b * BUCKET_WIDTH;
        long long n, size, cn = -1, csize = -1;
        kept_by_bucket(lo, times, &n, &size);
        *(lo < 0 ? &below : lo < 256 ? &cached : &above) += n;
        blocks += n, bytes += size;
        if (lab_twin_item_int("bucket_blocks", (size_t)b, &cn) &&
            lab_twin_item_int("bucket_bytes", (size_t)b, &csize))
            lab_csv_row(csv, "%ld,%ld,%ld,%lld,%lld,%lld,%lld", lo, lo + BUCKET_WIDTH - 1,
                        BUCKET_WIDTH * times, n, cn, size, csize);
        else
            lab_csv_row(csv, "%ld,%ld,%ld,%lld,,%lld,", lo, lo + BUCKET_WIDTH - 1,
                        BUCKET_WIDTH * times, n, size);
    }
    lab_csv_close(csv);
    lab_check_int(22, "# blocks kept: values -64..-1", below, "kept_below", 59 * times);
    lab_check_int(22, "# blocks kept: values 0..255", cached, "kept_cached", 0);
    lab_check_int(22, "# blocks kept: values 256..511", above, "kept_above", 255 * times);
    lab_check_int(0, "# bytes per kept int", blocks ? bytes / blocks : 0, "bytes_per_kept_int", 28);
    lab_say("Inside the cache nothing is kept: every result is a shared object. Outside it "
            "each result asks for 28 bytes, which pymalloc serves from its 32-byte size "
            "class.");
}

/* The constants of one compilation: CPython's compiler keeps one object per
 * distinct constant for everything it compiles in one go (a module, a
 * script, one entry at the prompt), so every use of the literal 257 there
 * loads the same object. */
typedef struct code_consts {
    mp_object *items[4];
    int count;
} code_consts;

static mp_object *load_const(code_consts *c, long value)
{
    mp_object *v = mp_int_from_long(value);
    for (int i = 0; i < c->count; i++) {
        if (mp_object_richcompare(c->items[i], v, MP_EQ) == 1) {
            MP_DECREF(v);
            return mp_newref(c->items[i]);
        }
    }
    c->items[c->count++] = mp_newref(v);
    return v;
}

static void release_consts(code_consts *c)
{
    for (int i = 0; i < c->count; i++)
        MP_DECREF(c->items[i]);
    c->count = 0;
}

static bool same_257(bool one_block)
{
    code_consts first = {0}, second = {0};
    mp_object *a = load_const(&first, 257);
    mp_object *b = load_const(one_block ? &first : &second, 257);
    bool same = a == b;
    MP_DECREF(a);
    MP_DECREF(b);
    release_consts(&first);
    release_consts(&second);
    return same;
}

static void step_constants(void)
{
    lab_step("Constants in one compilation");
    lab_say("A script, a module or one entry at the prompt is compiled in one go, and the "
            "compiler keeps each distinct constant once, even across the functions in it. "
            "Both names then get that one object: `is` says True, cache or not. Typed as "
            "two entries at the prompt, they are two compilations with two constants.");
    lab_py("exec('a = 257\\nb = 257')");
    lab_check_bool(22, "a is b", same_257(true), "same_block_is", true);
    lab_py("exec('a = 257'); exec('b = 257')");
    lab_check_bool(22, "a is b", same_257(false), "separate_blocks_is", false);
    lab_claim(22, "partly", "for values made at run time, 256 is shared and 257 is not, in "
                            "both runtimes; but `a = 257; b = 257` compiled together gives "
                            "True, because the compiler keeps the constant once. Use == for "
                            "values.");
}

static void step_sizes(void)
{
    lab_step("What an int costs");
    lab_say("An int is a 24-byte header and 4 bytes per 30-bit digit, at least one. For "
            "each cached result the cache saves these bytes and an allocation.");
    static const struct {
        const char *name, *text;
        long expected;
    } sizes[] = {
        {"0", "0", 28},
        {"1", "1", 28},
        {"256", "256", 28},
        {"257", "257", 28},
        {"2**30", "1073741824", 32},
        {"2**60", "1152921504606846976", 36},
        {"10**100", "1" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
                    "0000000000" "0000000000" "0000000000" "0000000000" "0000000000", 72},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mp_object *v = mp_int_from_string(sizes[i].text);
        char what[48], key[48];
        snprintf(what, sizeof what, "sys.getsizeof(%s)", sizes[i].name);
        snprintf(key, sizeof key, "sizeof %s", sizes[i].name);
        lab_check_int(0, what, (long long)mp_getsizeof(v), key, sizes[i].expected);
        MP_DECREF(v);
    }
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"08-small-ints", "the small-int cache", "22-23", options};
    lab_begin(&spec, argc, argv);
    step_run_time();
    step_range(scan > 0 ? scan : lab_quick() ? 1000 : 100000);
    step_shared();
    step_savings(repeat > 0 ? repeat : lab_quick() ? 10 : 100);
    step_constants();
    step_sizes();
    return lab_end();
}
