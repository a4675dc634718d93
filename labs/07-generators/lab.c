/* Lab 07 — generators against lists.
 *
 * sum([x*x for x in range(n)]) builds a list of n squares and then adds
 * them up; sum(x*x for x in range(n)) hands sum one square at a time from
 * a generator. This lab measures what each holds: the sizes of the two
 * objects, the peak traced memory of both pipelines as n grows from a
 * hundred to ten million, the time per element, and what a generator lets
 * go of when it is dropped half-way or runs out. Claim 21.
 *
 * C variables play the Python names. The list comprehension is a C loop
 * appending to a list (CPython's LIST_APPEND); the generator expression is
 * runtime/gen.c's mp_gen_squares, a C state machine; step 4 writes one
 * more generator function here, with gen.h's MP_GEN_* macros.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "mp.h"

static long max_n = -1, repeat = -1;
static const lab_option options[] = {
    {"--max-n", "largest n of step 2, and of steps 1 and 3 up to 10**6 (default 10**7; "
                "10**5 with --quick)", &max_n, 10000, 10000000},
    {"--repeat", "step 3 keeps the best of N runs (default 5; 3 with --quick)", &repeat, 1, 1000},
    {0},
};

#define MAX_DECADES 8
#define SIZES_UP_TO 1000000L /* step 1's lists; step 3 times this n at most */
#define HALF_WAY_ITEMS 1000  /* the input of step 4 */

/* The bounds of step 2's structural checks; the twin has the same. */
#define CACHED_SQUARES 17   /* 0*0 .. 16*16 are the small ints 0..256 */
#define INT_BYTES 32        /* what each other square asks the allocator for */
#define LIST_BYTES 56       /* sys.getsizeof([]) */
#define FREE_LIST_SLACK 56  /* CPython may reuse a dead list's header, untraced */
#define TEMPORARIES 256     /* the pipeline's few objects besides the list and ints */
#define RATIO_LO 9.0
#define RATIO_HI 11.0
#define GEN_PEAK_MAX 1024   /* "a few hundred bytes" */
#define GEN_PEAK_SPREAD 256 /* largest - smallest generator peak */

/* What the list pipeline must hold at its peak, besides temporaries: the
 * list (56 bytes and 8 per slot) and every square outside the small-int
 * cache, at once. */
static long long list_estimate(long n)
{
    return LIST_BYTES + 8LL * lab_list_capacity_after_appends(n) +
           (long long)INT_BYTES * (n > CACHED_SQUARES ? n - CACHED_SQUARES : 0);
}

/* ---- the two pipelines ----------------------------------------------------------
 * Both follow CPython's order of events: range(n) is made, iter() taken
 * from it, and the range dropped (GET_ITER), before the first item. */

static mp_object *range_iter(long n)
{
    mp_object *r = lab_must(mp_range_new(0, n, 1));
    mp_object *it = lab_must(mp_object_getiter(r));
    MP_DECREF(r);
    return it;
}

/* [x*x for x in range(n)]: an empty list and one append per item. */
static mp_object *list_of_squares(long n)
{
    mp_object *it = range_iter(n), *l = lab_must(mp_list_new(0)), *x;
    while ((x = mp_iter_next(it)) != NULL) {
        mp_object *square = lab_must(mp_int_mul(x, x));
        MP_DECREF(x);
        if (mp_list_append(l, square) < 0)
            lab_must(NULL);
        MP_DECREF(square);
    }
    MP_DECREF(it);
    return l;
}

/* sum([x*x for x in range(n)]) */
static mp_object *list_pipeline(long n)
{
    mp_object *l = list_of_squares(n);
    mp_object *s = lab_must(mp_sum(l));
    MP_DECREF(l);
    return s;
}

/* sum(x*x for x in range(n)): CPython calls the generator expression with
 * the iterator, which becomes its local .0; iter() of an iterator is
 * itself, so mp_gen_squares keeps this one. */
static mp_object *gen_pipeline(long n)
{
    mp_object *it = range_iter(n);
    mp_object *g = lab_must(mp_gen_squares(it));
    MP_DECREF(it);
    mp_object *s = lab_must(mp_sum(g));
    MP_DECREF(g);
    return s;
}

/* ---- step 1 ------------------------------------------------------------------------ */

static void step_sizes(long up_to)
{
    lab_step("A generator is one small object, whatever n");
    lab_say("A generator expression makes one object, which remembers where it stopped "
            "and holds the iterator it reads from; each square is made only when asked "
            "for. A list comprehension makes every square at once and keeps them all.");
    lab_py("small = (x*x for x in range(10))\nbig = (x*x for x in range(10**6))");
    mp_object *r10 = lab_must(mp_range_new(0, 10, 1)), *r6 = lab_must(mp_range_new(0, 1000000, 1));
    mp_object *small = lab_must(mp_gen_squares(r10)), *big = lab_must(mp_gen_squares(r6));
    size_t small_size = mp_getsizeof(small), big_size = mp_getsizeof(big);
    lab_show_int("sys.getsizeof(small)", (long long)small_size, "sizeof_gen_small");
    lab_show_int("sys.getsizeof(big)", (long long)big_size, "sizeof_gen_big");
    lab_check_bool(21, "sys.getsizeof(small) == sys.getsizeof(big)", small_size == big_size,
                   "gen_size_constant", true);
    mp_ssize_t slots = MP_SIZE(small);
    lab_say("The sizes differ between the runtimes, by design. CPython's generator carries "
            "an interpreter frame: a fixed part of 168 bytes (with the 16-byte GC header) "
            "and 8 bytes per slot for the code's two locals (.0, the iterator, and x) and "
            "its three stack slots. Ours is a C state machine (runtime/gen.c): a fixed part "
            "of 64 bytes and 8 per slot of its locals struct, which holds only the "
            "iterator; x lives in a C variable between two yields. Neither depends on n.");
    lab_show_int("# fixed part", (long long)small_size - 8 * slots, "gen_fixed");
    lab_show_int("# slots of locals (and stack)", slots, "gen_slots");
    MP_DECREF(small);
    MP_DECREF(big);
    MP_DECREF(r10);
    MP_DECREF(r6);

    lab_say("The list comprehension's list, for n from 10 to %ld: 56 bytes of list and 8 "
            "per slot, with the slots grown by 3.11's list_resize as LIST_APPEND fills "
            "them. sys.getsizeof counts neither the squares nor anything else the list "
            "refers to: step 2 counts everything.",
            up_to);
    for (long n = 10; n <= up_to; n *= 10) {
        mp_object *l = list_of_squares(n);
        char what[80], key[40], nt[24];
        snprintf(what, sizeof what, "sys.getsizeof([x*x for x in range(%s)])",
                 lab_power_text(n, nt, sizeof nt));
        snprintf(key, sizeof key, "sizeof_list %ld", n);
        lab_check_int(21, what, (long long)mp_getsizeof(l), key,
                      LIST_BYTES + 8LL * lab_list_capacity_after_appends(n));
        MP_DECREF(l);
    }
}

/* ---- step 2 ------------------------------------------------------------------------ */

typedef struct peak_row {
    long n;
    size_t list_peak, gen_peak;
    long long list_cpython, gen_cpython; /* -1: no twin */
    bool sums_ok;
    char list_sum[48], gen_sum[48];
} peak_row;

/* clear_traces() forgets everything traced so far, so current and peak
 * start at 0 and nothing made before the line counts. */
static size_t peak_of(mp_object *(*pipeline)(long), long n, char *sum, size_t size)
{
    mp_tracemalloc_clear_traces();
    mp_object *s = pipeline(n);
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    mp_repr(s, sum, size);
    MP_DECREF(s);
    return peak;
}

/* n(n-1)(2n-1)/6, the sum of the squares below n, in decimal. */
static void closed_form(long n, char *buf, size_t size)
{
    unsigned __int128 v = (unsigned __int128)n * (unsigned __int128)(n - 1) * (2 * n - 1) / 6;
    char digits[48];
    int k = 0;
    do {
        digits[k++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    size_t i = 0;
    while (k > 0 && i + 1 < size)
        buf[i++] = digits[--k];
    buf[i] = '\0';
}

static void print_peaks(const peak_row *rows, int count)
{
    printf("   %10s   %13s %13s   %13s %13s\n", "", "list: ours", "CPython", "generator: ours",
           "CPython");
    lab_csv *csv = lab_csv_open("peak_vs_n.csv", "n,list_ours,gen_ours,list_cpython,gen_cpython");
    for (int i = 0; i < count; i++) {
        const peak_row *r = &rows[i];
        char lc[24] = "n/a", gc[24] = "n/a", nt[24];
        if (r->list_cpython >= 0) {
            snprintf(lc, sizeof lc, "%lld", r->list_cpython);
            snprintf(gc, sizeof gc, "%lld", r->gen_cpython);
        }
        printf("   %10s   %13zu %13s   %13zu %13s\n", lab_power_text(r->n, nt, sizeof nt),
               r->list_peak, lc, r->gen_peak, gc);
        if (r->list_cpython >= 0)
            lab_csv_row(csv, "%ld,%zu,%zu,%lld,%lld", r->n, r->list_peak, r->gen_peak,
                        r->list_cpython, r->gen_cpython);
        else
            lab_csv_row(csv, "%ld,%zu,%zu,,", r->n, r->list_peak, r->gen_peak);
    }
    lab_csv_close(csv);
}

static void check_list_growth(const peak_row *rows, int count)
{
    lab_say("From n = 1000 on, each decade multiplies the list pipeline's peak by close "
            "to 10 (the bound checked is %g to %g): memory proportional to n.",
            RATIO_LO, RATIO_HI);
    bool ratios_ok = true;
    for (int i = 1; i < count; i++) {
        if (rows[i - 1].n < 1000)
            continue;
        double ratio = (double)rows[i].list_peak / (double)rows[i - 1].list_peak;
        ratios_ok = ratios_ok && ratio >= RATIO_LO && ratio <= RATIO_HI;
        char what[80], key[40], a[24], b[24];
        snprintf(what, sizeof what, "# list peak at %s / at %s",
                 lab_power_text(rows[i].n, a, sizeof a), lab_power_text(rows[i - 1].n, b, sizeof b));
        snprintf(key, sizeof key, "list_ratio %ld", rows[i].n);
        lab_show_real(what, ratio, "", key);
    }
    lab_check_bool(21, "# every such ratio within 9..11", ratios_ok, "list_ratios_near_10", true);

    const peak_row *top = &rows[count - 1];
    long long estimate = list_estimate(top->n);
    lab_say("Where the bytes are: the list (56 + 8 per slot) and every square outside the "
            "small-int cache (all but 0*0 .. 16*16), each asking for 32 bytes, live at "
            "once at the end of the comprehension. At n = %ld that is %lld bytes, %.1f per "
            "item. Besides them the peak holds a few temporaries: in CPython the "
            "comprehension's function (152 bytes), its range iterator (48) and x; ours has "
            "the range iterator and x, or, while sum runs, the list's iterator and sum's "
            "running total. CPython may also take the list object from its free list of "
            "dead lists, untraced: 56 bytes less.",
            top->n, estimate, (double)estimate / (double)top->n);
    bool near = true;
    for (int i = 0; i < count; i++) {
        long long off = (long long)rows[i].list_peak - list_estimate(rows[i].n);
        near = near && off >= -FREE_LIST_SLACK && off <= TEMPORARIES;
    }
    lab_show_int("# list peak − that, at the largest n", (long long)top->list_peak - estimate,
                 "list_minus_estimate_top");
    lab_check_bool(21, "# within −56..256 bytes of it, every n", near, "list_near_estimate", true);
}

static size_t gen_peak_max(const peak_row *rows, int count)
{
    size_t hi = 0;
    for (int i = 0; i < count; i++)
        hi = rows[i].gen_peak > hi ? rows[i].gen_peak : hi;
    return hi;
}

static void check_gen_flat(const peak_row *rows, int count)
{
    size_t lo = rows[0].gen_peak, hi = gen_peak_max(rows, count);
    for (int i = 1; i < count; i++)
        lo = rows[i].gen_peak < lo ? rows[i].gen_peak : lo;
    lab_say("The generator pipeline's peak is its few objects: the generator, the range "
            "iterator it reads, and the square of the moment with its x (CPython adds the "
            "generator expression's function, which the generator's frame keeps alive). "
            "Each square is freed as soon as sum has added it, so the next one reuses "
            "its memory. Once the total no longer fits a C long (from about n = 3 × 10**6), "
            "sum adds int objects and the peak gains a few dozen bytes.");
    lab_show_int("# largest generator peak", (long long)hi, "gen_peak_max");
    lab_check_bool(21, "# generator peak ≤ 1024 bytes, every n", hi <= GEN_PEAK_MAX,
                   "gen_peak_small", true);
    lab_check_bool(21, "# largest − smallest ≤ 256 bytes", hi - lo <= GEN_PEAK_SPREAD,
                   "gen_peak_flat", true);
}

static void check_sums(const peak_row *rows, int count)
{
    const peak_row *top = &rows[count - 1];
    char expected[48], nt[24], what[80], key[40];
    closed_form(top->n, expected, sizeof expected);
    lab_say("Both pipelines compute the same number, the sum of the squares below n, "
            "which is n(n−1)(2n−1)/6.");
    lab_power_text(top->n, nt, sizeof nt);
    snprintf(what, sizeof what, "sum([x*x for x in range(%s)])", nt);
    snprintf(key, sizeof key, "sum_list %ld", top->n);
    lab_check_text(0, what, top->list_sum, key, expected);
    snprintf(what, sizeof what, "sum(x*x for x in range(%s))", nt);
    snprintf(key, sizeof key, "sum_gen %ld", top->n);
    lab_check_text(0, what, top->gen_sum, key, expected);
    bool all = true;
    for (int i = 0; i < count; i++)
        all = all && rows[i].sums_ok;
    lab_check_bool(0, "# both == n(n−1)(2n−1)/6, every n", all, "sums_closed_form", true);
}

static void step_peaks(long up_to)
{
    lab_step("Peak traced memory: list pipeline against generator pipeline");
    lab_say("tracemalloc's peak is the most memory the traced allocations held at any "
            "moment. Each pipeline runs alone, from a cleared trace, for n from 100 to %ld.",
            up_to);
    lab_py("tracemalloc.start()\n"
           "for n in (10**2, 10**3, ...):\n"
           "    tracemalloc.clear_traces()          # current and peak back to 0\n"
           "    s = sum([x*x for x in range(n)])\n"
           "    list_peak = tracemalloc.get_traced_memory()[1]\n"
           "    tracemalloc.clear_traces()\n"
           "    s = sum(x*x for x in range(n))\n"
           "    gen_peak = tracemalloc.get_traced_memory()[1]");
    peak_row rows[MAX_DECADES];
    int count = 0;
    mp_tracemalloc_start();
    for (long n = 100; n <= up_to && count < MAX_DECADES; n *= 10, count++) {
        peak_row *r = &rows[count];
        r->n = n;
        r->list_peak = peak_of(list_pipeline, n, r->list_sum, sizeof r->list_sum);
        r->gen_peak = peak_of(gen_pipeline, n, r->gen_sum, sizeof r->gen_sum);
        char expected[48];
        closed_form(n, expected, sizeof expected);
        r->sums_ok = !strcmp(r->list_sum, expected) && !strcmp(r->gen_sum, expected);
        if (!lab_twin_item_int("peak_list", (size_t)count, &r->list_cpython) ||
            !lab_twin_item_int("peak_gen", (size_t)count, &r->gen_cpython))
            r->list_cpython = r->gen_cpython = -1;
    }
    mp_tracemalloc_stop();
    print_peaks(rows, count);
    check_list_growth(rows, count);
    check_gen_flat(rows, count);
    check_sums(rows, count);

    const peak_row *top = &rows[count - 1];
    char nt[24];
    lab_claim(21, "holds",
              "in both runtimes the list pipeline's peak grew tenfold per decade, to %zu bytes "
              "at n = %s here (%.1f per item), while the generator pipeline's stayed at %zu "
              "bytes or less; the generator itself is 72 bytes here, 208 in CPython, whatever "
              "n. The constant is per generator: what a consumer keeps (list(g)) and the input "
              "it reads are another matter.",
              top->list_peak, lab_power_text(top->n, nt, sizeof nt),
              (double)top->list_peak / (double)top->n, gen_peak_max(rows, count));
}

/* ---- step 3 ------------------------------------------------------------------------ */

static double ns_per_item(mp_object *(*pipeline)(long), long n, long times)
{
    double best = 0;
    for (long i = 0; i < times; i++) {
        double t = lab_now();
        mp_object *s = pipeline(n);
        t = lab_now() - t;
        MP_DECREF(s);
        if (i == 0 || t < best)
            best = t;
    }
    return best * 1e9 / (double)n;
}

static void step_time(long n, long times)
{
    lab_step("Time per element");
    lab_say("Both pipelines at n = %ld, tracing off, the best of %ld runs each, in "
            "nanoseconds per element. Shown, not checked: they depend on the machine.",
            n, times);
    double list_ns = ns_per_item(list_pipeline, n, times);
    double gen_ns = ns_per_item(gen_pipeline, n, times);
    char what[80], nt[24];
    lab_power_text(n, nt, sizeof nt);
    snprintf(what, sizeof what, "sum([x*x for x in range(%s)])", nt);
    lab_show_measured(what, list_ns, "ns", "ns_list");
    snprintf(what, sizeof what, "sum(x*x for x in range(%s))", nt);
    lab_show_measured(what, gen_ns, "ns", "ns_gen");
    lab_show_measured("# generator time / list time", gen_ns / list_ns, "", "gen_over_list");
    lab_say("Resuming a generator costs something per item: in CPython a call into the "
            "interpreter loop with the generator's frame (gen_send_ex2), here a call of its "
            "step function. The list pays in other ways: list_resize copies its array as it "
            "grows; every square gets a block of its own, all %ld alive at once (%.1f MB), "
            "so sum reads them back from wherever they landed, the larger n the further "
            "from the CPU's fastest caches; and dropping the list is one more pass over "
            "them. The generator's square is freed as soon as sum has added it, and the "
            "next square can reuse its block, still in the cache. Which side wins depends "
            "on n and the machine: the generator is not slower by nature.",
            n, (double)list_estimate(n) / 1e6);
}

/* ---- step 4 ------------------------------------------------------------------------ */

/* def squares_of(data):
 *     for x in data:
 *         yield x*x
 * Its locals: the argument and the loop's iterator, both references. */
typedef struct squares_of_locals {
    mp_object *data, *it;
} squares_of_locals;

static mp_object *squares_of_step(mp_object *g)
{
    squares_of_locals *f = mp_gen_locals(g);
    mp_object *x;
    MP_GEN_BEGIN(g);
    f->it = mp_object_getiter(f->data);
    if (!f->it)
        return NULL;
    while ((x = mp_iter_next(f->it)) != NULL) {
        mp_object *square = mp_int_mul(x, x);
        MP_DECREF(x);
        MP_GEN_YIELD(g, square);
    }
    MP_GEN_END(g);
}

static const mp_gen_code squares_of_code = {"squares_of", squares_of_step, 2,
                                            sizeof(squares_of_locals)};

static mp_object *squares_of(mp_object *data)
{
    mp_object *g = lab_must(mp_gen_new(&squares_of_code));
    ((squares_of_locals *)mp_gen_locals(g))->data = mp_newref(data);
    return g;
}

/* next(g), the value dropped at once. */
static void advance(mp_object *g) { MP_DECREF(lab_must(mp_iter_next(g))); }

/* for _ in g: pass */
static void exhaust(mp_object *g)
{
    mp_object *x;
    while ((x = mp_iter_next(g)) != NULL)
        MP_DECREF(x);
}

/* tuple(range(first, first + m)) */
static mp_object *int_tuple(long first, long m)
{
    mp_object *t = lab_must(mp_tuple_new(m));
    for (long i = 0; i < m; i++)
        mp_tuple_set_item(t, i, lab_must(mp_int_from_long(first + i)));
    return t;
}

/* list(range(first, first + m)) */
static mp_object *int_list(long first, long m)
{
    mp_object *l = lab_must(mp_list_new(m));
    for (long i = 0; i < m; i++)
        mp_list_set_item(l, i, lab_must(mp_int_from_long(first + i)));
    return l;
}

static void step_dropped(void)
{
    lab_say("A generator dropped half-way: its input is a tuple nothing else refers to, "
            "so only the generator's iterator keeps it, and its ints, alive. (A tuple, "
            "because CPython would keep a dead list's 56-byte header on its free list, "
            "still traced.)");
    lab_py("tracemalloc.start(); tracemalloc.clear_traces()\n"
           "g = (x*x for x in tuple(range(1000, %d)))\n"
           "next(g); next(g)",
           1000 + HALF_WAY_ITEMS);
    mp_tracemalloc_start();
    mp_tracemalloc_clear_traces();
    mp_object *t = int_tuple(1000, HALF_WAY_ITEMS);
    mp_object *g = lab_must(mp_gen_squares(t));
    MP_DECREF(t); /* a temporary: now only the generator's iterator holds it */
    advance(g);
    advance(g);
    size_t held, after, peak;
    mp_tracemalloc_get_traced_memory(&held, &peak);
    lab_show_int("tracemalloc.get_traced_memory()[0]", (long long)held, "held_suspended");
    lab_py("del g");
    MP_DECREF(g);
    mp_tracemalloc_get_traced_memory(&after, &peak);
    mp_tracemalloc_stop();
    lab_check_int(21, "tracemalloc.get_traced_memory()[0]", (long long)after, "after_del", 0);
    lab_say("Suspended, the generator held through its iterator the tuple (%d bytes) and "
            "its %d ints (%d bytes each), besides itself and the iterator (and, in "
            "CPython, the function). del g released its locals, the iterator, and with it "
            "the tuple and every int: traced memory is back where it was, nothing leaked.",
            40 + 8 * HALF_WAY_ITEMS, HALF_WAY_ITEMS, INT_BYTES);
}

static void step_exhausted(void)
{
    lab_say("An exhausted generator: CPython clears its frame the moment the function "
            "returns (the generator object may live on), ours releases its locals then too. "
            "sys.getrefcount counts its argument as one more reference.");
    lab_py("data = list(range(1000, %d))\ng = (x*x for x in data)", 1000 + HALF_WAY_ITEMS);
    mp_object *data = int_list(1000, HALF_WAY_ITEMS);
    mp_object *g = lab_must(mp_gen_squares(data));
    lab_check_int(0, "sys.getrefcount(data)", mp_getrefcount(data), "rc_genexpr_new", 3);
    lab_py("next(g)");
    advance(g);
    lab_check_int(0, "sys.getrefcount(data)", mp_getrefcount(data), "rc_genexpr_suspended", 3);
    lab_py("for _ in g: pass");
    exhaust(g);
    lab_check_int(0, "sys.getrefcount(data)", mp_getrefcount(data), "rc_genexpr_exhausted", 2);
    MP_DECREF(g);

    lab_say("Here the list's own iterator lets go of the list when it runs out, in both "
            "runtimes, so the last 2 does not yet show the generator's part. A generator "
            "function that keeps its argument as a local does: only clearing the frame "
            "(ours: the locals struct) can drop data.");
    lab_py("def squares_of(data):\n"
           "    for x in data:\n"
           "        yield x*x\n"
           "g = squares_of(data)");
    g = squares_of(data);
    lab_check_int(0, "sys.getrefcount(data)", mp_getrefcount(data), "rc_func_new", 3);
    lab_py("next(g)");
    advance(g);
    lab_check_int(0, "sys.getrefcount(data)", mp_getrefcount(data), "rc_func_suspended", 4);
    lab_py("for _ in g: pass");
    exhaust(g);
    lab_check_int(0, "sys.getrefcount(data)", mp_getrefcount(data), "rc_func_exhausted", 2);
    lab_check_bool(0, "g.gi_frame is None", ((mp_gen *)g)->gi_frame_state == MP_FRAME_COMPLETED,
                   "gi_frame_exhausted_is_none", true);
    MP_DECREF(g);
    MP_DECREF(data);

    lab_say("A range iterator copies start, step and length and keeps no reference to "
            "its range, in both runtimes, so a generator over a range never keeps the "
            "range alive.");
    lab_py("r = range(%d)\ng = (x*x for x in r)\nnext(g)", HALF_WAY_ITEMS);
    mp_object *r = lab_must(mp_range_new(0, HALF_WAY_ITEMS, 1));
    g = lab_must(mp_gen_squares(r));
    advance(g);
    lab_check_int(0, "sys.getrefcount(r)", mp_getrefcount(r), "rc_range_suspended", 2);
    MP_DECREF(g);
    MP_DECREF(r);
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"07-generators", "generators vs lists", "21", options};
    /* CPython's tracemalloc traces ten million allocations in the full run. */
    lab_twin_timeout(300);
    lab_begin(&spec, argc, argv);
    long top = max_n > 0 ? max_n : lab_quick() ? 100000 : 10000000;
    step_sizes(top < SIZES_UP_TO ? top : SIZES_UP_TO);
    step_peaks(top);
    step_time(top < SIZES_UP_TO ? top : SIZES_UP_TO, repeat > 0 ? repeat : lab_quick() ? 3 : 5);
    lab_step("What a generator lets go of");
    step_dropped();
    step_exhausted();
    return lab_end();
}
