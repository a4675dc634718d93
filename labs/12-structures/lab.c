/* Lab 12 — choosing structures.
 *
 * Four choices a Python programmer makes every day, each weighed in bytes
 * or nanoseconds: a tuple or a list for the same items, a set or a list to
 * ask `x in c`, bytes or str for data and text (and when equal strings are
 * one object), a comprehension or an append loop to build a list. Claims
 * 18, 30, 31 and 32.
 *
 * C variables play the Python names. There is no compiler and no
 * interpreter here: where CPython's compiler or bytecode decides something
 * (a display of 31 items, an interned constant, a comprehension's function
 * object), the lab says so and models it in C, or shows CPython's figure
 * alone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "mp.h"
#include "shuffle.h"

static long max_n = -1, count = -1, copies = -1;
static const lab_option options[] = {
    {"--max-n", "largest container in step 2 (default 100000; 1000 with --quick)", &max_n, 100,
     1000000},
    {"--count", "lookups timed per size in step 2 (default 100000; 10000 with --quick)", &count,
     100, 10000000},
    {"--copies", "equal strings made in step 4 (default 10000; 1000 with --quick)", &copies, 10,
     1000000},
    {0},
};

/* Step 2's structural checks, the same thresholds as the twin's. */
#define LIST_SLOPE_MIN 0.7   /* log-log slope of a list miss against n: linear is 1 */
#define SET_SLOPE_MAX 0.5    /* and of a set lookup: flat is 0, caches allowing */
#define SET_WINS_FROM 100    /* the set is faster at every n from here on */
#define LIST_BUDGET 1000000  /* items compared per list measurement, at most */
#define REPEATS 3            /* timings are the best of this many runs */
#define MAX_SIZES 24

/* ---- shared by the steps ----------------------------------------------------------------- */

/* sys.getsizeof of a set after n distinct keys were added one by one:
 * set_add_entry in Objects/setobject.c rebuilds the table when fill * 5 >=
 * mask * 3, for used * 4 keys (used * 2 past 50000), at the smallest
 * power of two above that. 216 bytes of object (with its GC header and 8
 * slots inside), plus 16 per slot once the table is separate. */
static long predicted_set_sizeof(long n)
{
    long slots = 8;
    for (long used = 1; used <= n; used++) {
        if (used * 5 >= (slots - 1) * 3) {
            long want = used > 50000 ? used * 2 : used * 4;
            for (slots = 8; slots <= want; slots <<= 1)
                ;
        }
    }
    return 216 + (slots > 8 ? 16 * slots : 0);
}

/* CPython's figure from item i of the twin's list, or "" when there is
 * none; shown() prints that as "n/a", and a CSV leaves the cell empty. */
static void twin_item(char *buf, size_t size, const char *key, size_t i)
{
    long long v;
    if (lab_twin_item_int(key, i, &v))
        snprintf(buf, size, "%lld", v);
    else
        buf[0] = '\0';
}

static const char *shown(const char *cell) { return *cell ? cell : "n/a"; }

/* CPython's time for one kind of lookup at one n ("set_hit_ns_100"),
 * formatted, or "n/a"; *out is NAN when there is none. */
static void twin_time(char *buf, size_t size, const char *kind, long n, int decimals, double *out)
{
    char key[48];
    snprintf(key, sizeof key, "%s_%ld", kind, n);
    if (!lab_twin_real(key, out))
        *out = NAN;
    if (isnan(*out))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%.*f", decimals, *out);
}

/* Blocks and bytes tracemalloc holds for what make(x, n) returns: only
 * what is made while tracing runs is traced, so that is all of it. */
typedef mp_object *(*maker)(mp_object *x, long n);

static void traced(maker make, mp_object *x, long n, long long *blocks, long long *bytes)
{
    lab_must_ok(mp_tracemalloc_start());
    mp_object *kept = make(x, n);
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    mp_snapshot *snap = mp_tracemalloc_take_snapshot();
    if (!snap)
        lab_must(NULL);
    *blocks = (long long)mp_snapshot_trace_count(snap);
    *bytes = (long long)current;
    mp_snapshot_free(snap);
    mp_tracemalloc_stop();
    MP_DECREF(kept);
}

/* ---- 1 · tuple vs list ------------------------------------------------------------------- */

/* tuple(items[:n]): one block, the items inside it. */
static mp_object *make_tuple(mp_object *x, long n)
{
    mp_object *t = lab_must(mp_tuple_new(n));
    for (long i = 0; i < n; i++)
        mp_tuple_set_item(t, i, mp_newref(x));
    return t;
}

/* items[:n]: PyList_New(n), exactly n slots, filled. */
static mp_object *make_exact(mp_object *x, long n)
{
    mp_object *l = lab_must(mp_list_new(n));
    for (long i = 0; i < n; i++)
        lab_must_ok(mp_list_set_item(l, i, mp_newref(x)));
    return l;
}

/* a = []; for _ in range(n): a.append(x) */
static mp_object *make_appended(mp_object *x, long n)
{
    mp_object *l = lab_must(mp_list_new(0));
    for (long i = 0; i < n; i++)
        lab_must_ok(mp_list_append(l, x));
    return l;
}

static long long sizeof_of(maker make, mp_object *x, long n)
{
    mp_object *o = make(x, n);
    long long size = (long long)mp_getsizeof(o);
    MP_DECREF(o);
    return size;
}

static void step_tuple_vs_list(void)
{
    lab_step("Tuple vs list: the same items, the bytes");
    lab_say("A tuple keeps its references inside the object: 16 bytes of GC header, 24 of "
            "header (count, type, length), 8 per item. A list keeps them in a separate block "
            "and adds two words to find and grow it: the pointer to that block and "
            "`allocated`, its capacity. A list made at its final size has exactly n slots; "
            "one grown by appends has the capacity list_resize chose on the way.");
    lab_py("x = object(); items = [x] * n\n"
           "t = tuple(items[:n]); l = items[:n]\n"
           "a = []\n"
           "for y in items[:n]: a.append(y)");

    static const long big[] = {100, 1000, 10000};
    long ns[16];
    size_t count_ns = 0;
    for (long n = 0; n <= 10; n++)
        ns[count_ns++] = n;
    for (size_t i = 0; i < (lab_quick() ? 1 : 3); i++)
        ns[count_ns++] = big[i];

    /* x = object(): any object will do, so an instance of a plain class. */
    mp_object *cls = lab_must(mp_class_new("object", NULL));
    mp_object *x = lab_must(mp_instance_new(cls));
    MP_DECREF(cls);

    lab_csv *csv = lab_csv_open("tuple_vs_list.csv",
                                "n,tuple_ours,tuple_cpython,exact_ours,exact_cpython,"
                                "appended_ours,appended_cpython,list_call_cpython");
    printf("\n   %6s %15s %17s %17s %9s\n", "", "tuple", "items[:n]", "appended", "list(t)");
    printf("   %6s %7s %7s %8s %8s %8s %8s %9s\n", "n", "ours", "CPython", "ours", "CPython",
           "ours", "CPython", "CPython");
    bool tuple_ok = true, exact_ok = true, appended_ok = true, tuple_smallest = true;
    long long gap = 0; /* items[:n] minus tuple at n = 0, if every n agrees */
    bool same_gap = true;
    for (size_t i = 0; i < count_ns; i++) {
        long n = ns[i];
        long long t = sizeof_of(make_tuple, x, n), e = sizeof_of(make_exact, x, n),
                  a = sizeof_of(make_appended, x, n);
        tuple_ok &= t == 40 + 8 * n;
        exact_ok &= e == 56 + 8 * n;
        appended_ok &= a == 56 + 8 * lab_list_capacity_after_appends(n);
        tuple_smallest &= t < e && t < a;
        if (i == 0)
            gap = e - t;
        same_gap &= e - t == gap;
        char ct[24], ce[24], ca[24], cl[24];
        twin_item(ct, sizeof ct, "tuple_sizes", i);
        twin_item(ce, sizeof ce, "exact_sizes", i);
        twin_item(ca, sizeof ca, "appended_sizes", i);
        twin_item(cl, sizeof cl, "list_call_sizes", i);
        printf("   %6ld %7lld %7s %8lld %8s %8lld %8s %9s\n", n, t, shown(ct), e, shown(ce), a,
               shown(ca), shown(cl));
        lab_csv_row(csv, "%ld,%lld,%s,%lld,%s,%lld,%s,%s", n, t, ct, e, ce, a, ca, cl);
    }
    putchar('\n');
    lab_csv_close(csv);

    lab_check_bool(18, "# tuple: 40 + 8n, every n", tuple_ok, "tuple_formula", true);
    lab_check_bool(18, "# items[:n]: 56 + 8n, every n", exact_ok, "exact_formula", true);
    lab_check_bool(18, "# appended: 56 + 8 * capacity", appended_ok, "appended_formula", true);
    lab_check_int(18, "# items[:n] minus tuple, every n", same_gap ? gap : -1,
                  "exact_minus_tuple", 16);
    lab_check_bool(18, "# the tuple is the smallest, every n", tuple_smallest, "tuple_smallest",
                   true);
    lab_say("At the same length the difference is always those two words, 16 bytes. Growing "
            "by appends adds the spare capacity: up to 8 slots for a small list, up to an "
            "eighth of n for a big one (a list of 10000 appended items has %ld spare "
            "slots).",
            lab_list_capacity_after_appends(10000) - 10000);

    lab_say("How a list is built decides its capacity, and CPython 3.11 has more ways than "
            "these two. The compiler turns a display of up to 30 names into BUILD_LIST n "
            "(exact); a display of three or more constants into a constant tuple extended "
            "into an empty list, and list(iterable) of a known length into "
            "list_preallocate_exact, both rounding up to an even number of slots; a display "
            "of more than 30 items into appends. Our runtime has no compiler and no "
            "list(iterable), so only CPython answers those.");
    lab_py("a, b, c = object(), object(), object()");
    mp_object *three = make_exact(x, 3);
    lab_check_int(18, "sys.getsizeof([a, b, c])", (long long)mp_getsizeof(three), "display_3",
                  56 + 8 * 3);
    MP_DECREF(three);
    lab_show_text("sys.getsizeof([1, 2, 3])", NULL, "display_consts_3");
    lab_show_text("sys.getsizeof(list((a, b, c)))", NULL, "list_call_3");
    lab_show_text("sys.getsizeof([a, a, ... 31 names])", NULL, "display_31");

    lab_say("sys.getsizeof counts the list's items block with the list object, but they are "
            "two allocations. tracemalloc sees the blocks as they are.");
    long sizes[2] = {3, lab_quick() ? 100 : 1000};
    static const struct {
        const char *name, *python;
        maker make;
    } kinds[] = {
        {"tuple", "tuple(items[:%ld])", make_tuple},
        {"exact", "items[:%ld]", make_exact},
        {"appended", "appended(items[:%ld])", make_appended},
    };
    for (int s = 0; s < 2; s++) {
        long n = sizes[s];
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            long long blocks, bytes;
            traced(kinds[k].make, x, n, &blocks, &bytes);
            char what[64], python[32], key[48];
            snprintf(python, sizeof python, kinds[k].python, n);
            long long expected_bytes = k == 0   ? 40 + 8 * n
                                       : k == 1 ? 56 + 8 * n
                                                : 56 + 8 * lab_list_capacity_after_appends(n);
            snprintf(what, sizeof what, "# %s: blocks", python);
            snprintf(key, sizeof key, "traced_%s_blocks_%ld", kinds[k].name, n);
            lab_check_int(18, what, blocks, key, k == 0 ? 1 : 2);
            snprintf(what, sizeof what, "# %s: bytes", python);
            snprintf(key, sizeof key, "traced_%s_bytes_%ld", kinds[k].name, n);
            lab_check_int(18, what, bytes, key, expected_bytes);
        }
    }
    lab_say("The twin first takes the spare tuples and lists CPython keeps on its free lists "
            "(up to 2000 tuples per length, 80 lists), so that every object it makes is a new "
            "block tracemalloc can see; our runtime has no free lists.");
    MP_DECREF(x);
    lab_claim(18, "holds",
              "a tuple is always the smallest: 40 + 8n bytes, one block, against 56 + 8n for "
              "a list built at its size (two blocks) and more for one grown by appends "
              "(over-allocation), in both runtimes. At equal length the saving is only 16 "
              "bytes, plus the spare slots of a grown list.");
}

/* ---- 2 · set vs list membership ---------------------------------------------------------- */

/* n distinct int objects from `first` on (first - i for a negative
 * first), in a shuffled order that does not depend on the machine. */
static mp_object **shuffled_ints(long first, long n)
{
    mp_object **v = malloc((size_t)n * sizeof *v);
    if (!v)
        lab_must(mp_err_nomemory());
    for (long i = 0; i < n; i++)
        v[i] = lab_must(mp_int_from_long(first >= 0 ? first + i : first - i));
    lab_shuffle(v, n);
    return v;
}

static void free_ints(mp_object **v, long n)
{
    for (long i = 0; i < n; i++)
        MP_DECREF(v[i]);
    free(v);
}

/* Best of REPEATS: ns per `probe in container`, over `lookups` probes
 * taken in turn. A C loop costs next to nothing, so nothing is
 * subtracted (the twin subtracts its empty Python loop). */
static double ns_per_lookup(mp_object *container, mp_object **probes, long nprobes, long lookups)
{
    double best = INFINITY;
    for (int r = 0; r < REPEATS; r++) {
        long found = 0, i = 0;
        double t0 = lab_now();
        for (long k = 0; k < lookups; k++) {
            found += mp_sequence_contains(container, probes[i]);
            i = i + 1 == nprobes ? 0 : i + 1;
        }
        double t = lab_now() - t0;
        if (found < 0)
            lab_must(NULL);
        best = t < best ? t : best;
    }
    return best / (double)lookups * 1e9;
}

/* The least-squares slope of log(time) against log(n): the power of n the
 * time grows with. Fitted over every n, so one noisy timing moves it
 * little. */
static double slope(const long *ns, const double *t, size_t n)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double x = log((double)ns[i]), y = log(fmax(t[i], 1e-3));
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

enum { SET_HIT, SET_MISS, LIST_HIT, LIST_MISS, NKINDS };
static const char *const kind_keys[NKINDS] = {"set_hit_ns", "set_miss_ns", "list_hit_ns",
                                              "list_miss_ns"};

static void step_membership(long largest, long lookups)
{
    lab_step("Set vs list: `x in c`");
    lab_say("A list answers `x in lst` by comparing x with its items in order until one is "
            "equal: n comparisons for a miss, n/2 on average for a hit. A set hashes x and "
            "looks at one slot, a few at most (set_lookkey in Objects/setobject.c). Both "
            "hold the ints 1000 .. 1000 + n - 1; the probes are equal ints that are not the "
            "same objects, in a shuffled order, so every match takes a real comparison, and "
            "the misses are negative.");
    lab_py("lst = [1000 + i for i in range(n)]; s = set(lst)\n"
           "for p in probes: p in s          # and: p in lst");

    /* 10, 30, 100, 300 ... up to the largest. */
    long ns[MAX_SIZES] = {0};
    size_t nsizes = 0;
    for (long n = 10; n <= largest && nsizes < MAX_SIZES; n = n % 3 ? n * 3 : n * 10 / 3)
        ns[nsizes++] = n;

    double t[NKINDS][MAX_SIZES] = {{0}};
    long long set_size[MAX_SIZES], list_size[MAX_SIZES];
    for (size_t i = 0; i < nsizes; i++) {
        long n = ns[i];
        mp_object *lst = lab_must(mp_list_new(0));
        for (long k = 0; k < n; k++) {
            mp_object *v = lab_must(mp_int_from_long(1000 + k));
            lab_must_ok(mp_list_append(lst, v));
            MP_DECREF(v);
        }
        mp_object *s = lab_must(mp_set_new(lst));
        set_size[i] = (long long)mp_getsizeof(s);
        list_size[i] = (long long)mp_getsizeof(lst);
        mp_object **hits = shuffled_ints(1000, n), **misses = shuffled_ints(-1000, n);
        long list_lookups = LIST_BUDGET / n < lookups ? LIST_BUDGET / n : lookups;
        if (list_lookups < 10)
            list_lookups = 10;
        t[SET_HIT][i] = ns_per_lookup(s, hits, n, lookups);
        t[SET_MISS][i] = ns_per_lookup(s, misses, n, lookups);
        t[LIST_HIT][i] = ns_per_lookup(lst, hits, n, list_lookups);
        t[LIST_MISS][i] = ns_per_lookup(lst, misses, n, list_lookups);
        free_ints(hits, n);
        free_ints(misses, n);
        MP_DECREF(s);
        MP_DECREF(lst);
    }

    lab_csv *csv = lab_csv_open(
        "membership_vs_n.csv",
        "n,set_hit_ours,set_hit_cpython,set_miss_ours,set_miss_cpython,list_hit_ours,"
        "list_hit_cpython,list_miss_ours,list_miss_cpython,set_sizeof_ours,set_sizeof_cpython,"
        "list_sizeof_ours,list_sizeof_cpython");
    printf("\n   ns per lookup %9s %15s %15s %15s\n", "set, hit", "set, miss", "list, hit",
           "list, miss");
    printf("   %7s %6s %7s %6s %7s %7s %7s %7s %7s\n", "n", "ours", "CPython", "ours", "CPython",
           "ours", "CPython", "ours", "CPython");
    double c[NKINDS][MAX_SIZES];
    for (size_t i = 0; i < nsizes; i++) {
        char cs[NKINDS][24];
        for (int k = 0; k < NKINDS; k++)
            twin_time(cs[k], sizeof cs[k], kind_keys[k], ns[i], k < LIST_HIT ? 1 : 0, &c[k][i]);
        lab_printf("   %7ld " LAB_MEASURED("%6.1f") " " LAB_MEASURED("%7s") " "
                   LAB_MEASURED("%6.1f") " " LAB_MEASURED("%7s") " " LAB_MEASURED("%7.0f") " "
                   LAB_MEASURED("%7s") " " LAB_MEASURED("%7.0f") " " LAB_MEASURED("%7s")
                   "\n", ns[i], t[SET_HIT][i],
               cs[SET_HIT], t[SET_MISS][i], cs[SET_MISS], t[LIST_HIT][i], cs[LIST_HIT],
               t[LIST_MISS][i], cs[LIST_MISS]);
    }

    printf("\n   bytes %22s %25s %15s\n", "sys.getsizeof(s)", "sys.getsizeof(lst)",
           "bytes per item");
    printf("   %8s %10s %10s %12s %12s %7s %7s\n", "n", "ours", "CPython", "ours", "CPython", "set",
           "list");
    bool set_predicted = true, list_predicted = true;
    for (size_t i = 0; i < nsizes; i++) {
        char cset[24], clist[24];
        twin_item(cset, sizeof cset, "set_sizeof", i);
        twin_item(clist, sizeof clist, "list_sizeof", i);
        set_predicted &= set_size[i] == predicted_set_sizeof(ns[i]);
        list_predicted &= list_size[i] == 56 + 8 * lab_list_capacity_after_appends(ns[i]);
        printf("   %8ld %10lld %10s %12lld %12s %7.1f %7.1f\n", ns[i], set_size[i], shown(cset),
               list_size[i], shown(clist), (double)set_size[i] / (double)ns[i],
               (double)list_size[i] / (double)ns[i]);
        char cols[NKINDS][32];
        for (int k = 0; k < NKINDS; k++) {
            if (isnan(c[k][i]))
                cols[k][0] = '\0';
            else
                snprintf(cols[k], sizeof cols[k], "%.3f", c[k][i]);
        }
        lab_csv_row(csv, "%ld,%.3f,%s,%.3f,%s,%.3f,%s,%.3f,%s,%lld,%s,%lld,%s", ns[i],
                    t[SET_HIT][i], cols[SET_HIT], t[SET_MISS][i], cols[SET_MISS], t[LIST_HIT][i],
                    cols[LIST_HIT], t[LIST_MISS][i], cols[LIST_MISS], set_size[i], cset,
                    list_size[i], clist);
    }
    putchar('\n');
    lab_csv_close(csv);

    double list_slope = slope(ns, t[LIST_MISS], nsizes);
    double set_slope = fmax(slope(ns, t[SET_HIT], nsizes), slope(ns, t[SET_MISS], nsizes));
    long wins_from = 0;
    bool wins_from_100 = true;
    for (size_t i = nsizes; i-- > 0;) {
        bool wins = t[SET_HIT][i] < t[LIST_HIT][i] && t[SET_MISS][i] < t[LIST_MISS][i];
        if (ns[i] >= SET_WINS_FROM)
            wins_from_100 &= wins;
        if (!wins)
            break;
        wins_from = ns[i];
    }
    lab_show_measured("# list miss: log-log slope", list_slope, NULL, "list_slope");
    lab_show_measured("# set lookup: log-log slope", set_slope, NULL, "set_slope");
    lab_show_measured_int("# the set is faster from n =", wins_from, "set_wins_from");
#ifndef MP_DEBUG
    lab_check_bool(30, "# list time grows as n (slope >= 0.7)", list_slope >= LIST_SLOPE_MIN,
                   "list_grows", true);
    lab_check_bool(30, "# set time far slower (slope <= 0.5)", set_slope <= SET_SLOPE_MAX,
                   "set_flat", true);
    lab_check_bool(30, "# set faster at every n >= 100", wins_from_100, "set_wins_from_100",
                   true);
#else
    lab_say("(The timing checks run in the release build only: the sanitizers slow each "
            "call by different amounts.)");
#endif
    lab_say("The slope is the power of n the time grows with, fitted over every n: about 1 "
            "for a list, which compares with every item; 0 for a set as long as its table "
            "fits in the processor's caches. Past that a hit slows down all the same, for "
            "reasons that have nothing to do with comparisons: it reads a slot and an int "
            "object at random places in memory, and waits for each. Still one comparison, "
            "not n.");

    lab_check_bool(30, "# set sizes: set_add_entry's growth", set_predicted,
                   "set_sizes_predicted", true);
    lab_check_bool(30, "# list sizes: list_resize's growth", list_predicted,
                   "list_sizes_predicted", true);
    size_t last = nsizes - 1;
    lab_say("The speed is paid for in memory. A set keeps a hash beside each reference and "
            "keeps its table at most 60%% full, so it costs %.1f bytes per item at n = %ld "
            "against the list's %.1f (the int objects themselves, shared by both, come on "
            "top). Choose the set when you ask `in` often; keep the list when you mostly "
            "walk the items in order.",
            (double)set_size[last] / (double)ns[last], ns[last],
            (double)list_size[last] / (double)ns[last]);
    char cpython[80] = "";
    if (!isnan(c[LIST_MISS][last]) && !isnan(c[SET_MISS][last]))
        snprintf(cpython, sizeof cpython, " (CPython: " LAB_MEASURED("%.0f") " and "
                                          LAB_MEASURED("%.0f") ")", c[LIST_MISS][last],
                 c[SET_MISS][last]);
    lab_claim(30, "holds",
              "at n = %ld a miss costs " LAB_MEASURED("%.0f") " ns in a list and "
              LAB_MEASURED("%.0f") " ns in a set here%s; the "
              "list's time grows linearly with n, the set's barely grows, and the set is "
              "faster from n = " LAB_MEASURED("%ld")
              " on. The price is memory: %.1f bytes per item for the set "
              "against %.1f for the list.",
              ns[last], t[LIST_MISS][last], t[SET_MISS][last], cpython, wins_from,
              (double)set_size[last] / (double)ns[last],
              (double)list_size[last] / (double)ns[last]);
}

/* ---- 3 · bytes vs str -------------------------------------------------------------------- */

/* n copies of one UTF-8 character, then tail: a str made at run time. */
static mp_object *repeated(const char *ch, long n, const char *tail, char *buf, size_t cap)
{
    size_t len = 0, w = strlen(ch), tl = strlen(tail);
    for (long i = 0; i < n && len + w + tl < cap; i++, len += w)
        memcpy(buf + len, ch, w);
    memcpy(buf + len, tail, tl);
    len += tl;
    return lab_must(mp_str_from_utf8_size(buf, (mp_ssize_t)len));
}

static void step_bytes_vs_str(void)
{
    lab_step("bytes vs str");
    lab_say("A bytes object is a 32-byte header, its bytes and a NUL: 33 + n. A str is "
            "stored the PEP 393 way: one, two or four bytes per character, the narrowest "
            "that holds its widest character, after a header of 48 bytes (ASCII) or 72 "
            "(anything else), plus a terminating character (Objects/unicodeobject.c).");

    static const struct {
        const char *name, *python, *ch, *tail;
        long n, per_char, header;
    } texts[] = {
        {"ascii", "'a' * 100", "a", "", 100, 1, 49},
        {"latin1", "'\u00e9' * 100", "\u00e9", "", 100, 1, 73},
        {"ucs2", "'\u5b57' * 100", "\u5b57", "", 100, 2, 74},
        {"ucs4", "'\U0001F600' * 100", "\U0001F600", "", 100, 4, 76},
        {"mixed", "'a' * 99 + '\U0001F600'", "a", "\U0001F600", 99, 4, 76},
    };
    char buf[1024];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        mp_object *s = repeated(texts[i].ch, texts[i].n, texts[i].tail, buf, sizeof buf);
        long chars = (long)mp_str_length(s);
        size_t utf8 = mp_str_as_utf8(s, buf, sizeof buf);
        mp_object *b = lab_must(mp_bytes_from_string_and_size(buf, (mp_ssize_t)utf8));
        char what[96], key[32];
        lab_py("s = %s", texts[i].python);
        snprintf(key, sizeof key, "str_%s", texts[i].name);
        lab_check_int(31, "sys.getsizeof(s)", (long long)mp_getsizeof(s), key,
                      texts[i].header + texts[i].per_char * chars);
        snprintf(what, sizeof what, "sys.getsizeof(s.encode())");
        snprintf(key, sizeof key, "utf8_%s", texts[i].name);
        lab_check_int(31, what, (long long)mp_getsizeof(b), key, 33 + (long long)utf8);
        MP_DECREF(s);
        MP_DECREF(b);
    }
    lab_say("For ASCII text, bytes saves only the 16 bytes of the bigger str header. For "
            "other text it depends on the characters: UTF-8 spends 2 bytes on an é and 3 on "
            "a 字 where the str spends 1 and 2, so the str is the smaller one; one emoji in "
            "an ASCII text makes the whole str four bytes per character, while its UTF-8 "
            "grows by three bytes.");

    lab_say("Binary data is where bytes belongs: each value takes one byte. The same 256 "
            "values kept in a str need the latin-1 trick (characters 0 to 255, and the "
            "bigger header, as some are not ASCII), or twice the bytes as hex.");
    lab_py("data = bytes(range(256))");
    char raw[256], hex[513], text[512];
    size_t tlen = 0;
    for (int v = 0; v < 256; v++) {
        raw[v] = (char)v;
        snprintf(hex + 2 * v, 3, "%02x", v);
        if (v < 128) {
            text[tlen++] = (char)v;
        } else {
            text[tlen++] = (char)(0xC0 | v >> 6);
            text[tlen++] = (char)(0x80 | (v & 0x3F));
        }
    }
    mp_object *data = lab_must(mp_bytes_from_string_and_size(raw, 256));
    mp_object *latin1 = lab_must(mp_str_from_utf8_size(text, (mp_ssize_t)tlen));
    mp_object *as_hex = lab_must(mp_str_from_utf8_size(hex, 512));
    long long nb = (long long)mp_getsizeof(data), nl = (long long)mp_getsizeof(latin1),
              nh = (long long)mp_getsizeof(as_hex);
    lab_check_int(31, "sys.getsizeof(data)", nb, "binary_bytes", 33 + 256);
    lab_check_int(31, "sys.getsizeof(data.decode('latin-1'))", nl, "binary_latin1", 73 + 256);
    lab_check_int(31, "sys.getsizeof(data.hex())", nh, "binary_hex", 49 + 512);
    lab_check_bool(31, "# bytes is the smallest", nb < nl && nb < nh, "binary_bytes_smallest",
                   true);
    MP_DECREF(data);
    MP_DECREF(latin1);
    MP_DECREF(as_hex);
}

/* ---- 4 · interning ----------------------------------------------------------------------- */

/* The str constant a separate compilation of `s = '<text>'` makes. CPython
 * 3.11's compiler interns a constant made only of ASCII letters, digits
 * and underscores, whatever its length (intern_string_constants and
 * all_name_chars in Objects/codeobject.c); any other constant is a new
 * object per compilation. mp_str_intern_from_utf8 plays the compiler. */
static mp_object *compiled_constant(const char *text)
{
    bool name_chars = true;
    for (const char *p = text; *p; p++)
        name_chars &= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '_';
    return lab_must(name_chars ? mp_str_intern_from_utf8(text) : mp_str_from_utf8(text));
}

static bool same_constant(const char *text)
{
    mp_object *a = compiled_constant(text), *b = compiled_constant(text);
    bool same = a == b;
    MP_DECREF(a);
    MP_DECREF(b);
    return same;
}

/* ''.join([a, b]): a str made at run time. */
static mp_object *joined(const char *a, const char *b)
{
    mp_object *x = lab_must(mp_str_from_utf8(a)), *y = lab_must(mp_str_from_utf8(b));
    mp_object *r = lab_must(mp_str_concat(x, y));
    MP_DECREF(x);
    MP_DECREF(y);
    return r;
}

/* The line each way of making a copy allocates on, for tracemalloc. */
static int copy_line, interned_copy_line;

static mp_object *make_copy(mp_object *prefix, mp_object *suffix)
{
    copy_line = __LINE__ + 1;
    return lab_must(mp_str_concat(prefix, suffix));
}

static mp_object *make_interned(mp_object *prefix, mp_object *suffix)
{
    interned_copy_line = __LINE__ + 1;
    mp_object *s = lab_must(mp_str_concat(prefix, suffix));
    mp_str_intern(&s);
    return s;
}

/* keep[i] = make(prefix, suffix) for every i, traced: the blocks and bytes
 * make's line still holds, and how many distinct objects keep holds. */
static void kept_by(mp_object *(*make)(mp_object *, mp_object *), const int *line, long n,
                    mp_object *prefix, mp_object *suffix, long long *blocks, long long *bytes,
                    long *distinct)
{
    mp_object **keep = malloc((size_t)n * sizeof *keep);
    if (!keep)
        lab_must(mp_err_nomemory());
    lab_must_ok(mp_tracemalloc_start());
    for (long i = 0; i < n; i++)
        keep[i] = make(prefix, suffix);
    mp_snapshot *snap = mp_tracemalloc_take_snapshot();
    mp_tracemalloc_stop();
    mp_statistic *stats = NULL;
    size_t nstats = snap ? mp_snapshot_statistics(snap, MP_GROUP_BY_LINENO, &stats) : (size_t)-1;
    if (nstats == (size_t)-1)
        lab_must(NULL);
    *blocks = *bytes = 0;
    for (size_t k = 0; k < nstats; k++) {
        if (stats[k].site.line == *line && strcmp(stats[k].site.file, __FILE__) == 0) {
            *blocks += (long long)stats[k].count;
            *bytes += (long long)stats[k].size;
        }
    }
    free(stats);
    mp_snapshot_free(snap);
    *distinct = n > 0;
    for (long i = 1; i < n; i++)
        *distinct += keep[i] != keep[0];
    for (long i = 0; i < n; i++)
        MP_DECREF(keep[i]);
    free(keep);
}

static void step_interning(long n)
{
    lab_step("Interning: equal strings, one object");
    lab_say("CPython keeps a table of interned strings, one object per text "
            "(_PyUnicode_InternInPlace in Objects/unicodeobject.c). Names in code are "
            "always interned, and so is every str constant made only of ASCII letters, "
            "digits and underscores; other constants, and every str made while the program "
            "runs, are not, unless sys.intern asks. Below, const(t) compiles `s = 't'` on its "
            "own and returns s, so two calls are two compilations and `is` can only be True "
            "through the table. Ours is compiled_constant in lab.c: it applies that rule "
            "with mp_str_intern_from_utf8, as the compiler would.");
    static const struct {
        const char *text, *what, *key;
        bool interned;
    } constants[] = {
        {"hello", "const('hello') is const('hello')", "ident_separate_is", true},
        {"long_name_long_name_long_name_long_name_long_name_long_name",
         "const('long_name_' * 6) is const('long_name_' * 6)", "ident_long_is", true},
        {"a b", "const('a b') is const('a b')", "space_separate_is", false},
        {"h\u00e9llo", "const('h\u00e9llo') is const('h\u00e9llo')", "accent_separate_is", false},
    };
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++)
        lab_check_bool(31, constants[i].what, same_constant(constants[i].text), constants[i].key,
                       constants[i].interned);
    lab_say("So \"short\" is not the rule: a 60-character name-like constant is shared, a "
            "three-character one with a space is not. Strings made at run time are new "
            "objects until sys.intern looks them up in the table.");
    mp_object *hello = compiled_constant("hello");
    mp_object *made = joined("hel", "lo");
    lab_py("a = const('hello'); made = ''.join(['hel', 'lo'])");
    lab_check_bool(31, "made is a", made == hello, "made_is_constant", false);
    lab_check_bool(31, "made == a", mp_object_richcompare(made, hello, MP_EQ) == 1,
                   "made_equals_constant", true);
    mp_str_intern(&made);
    lab_check_bool(31, "sys.intern(made) is a", made == hello, "intern_made_is_constant", true);
    MP_DECREF(made);
    MP_DECREF(hello);
    mp_object *world = compiled_constant("hello world");
    mp_str_intern(&world);
    mp_object *spaced = joined("hello", " world");
    mp_str_intern(&spaced);
    lab_check_bool(31,
                   "sys.intern(''.join(['hello', ' world'])) is sys.intern(const('hello world'))",
                   spaced == world, "intern_space_is", true);
    MP_DECREF(spaced);
    MP_DECREF(world);
    lab_say("One-character strings below U+0100 are shared without any table: CPython keeps "
            "a static object for each (get_latin1_char), and so does our runtime.");
    mp_object *h1 = lab_must(mp_str_from_utf8("h")), *hi = joined("h", "i");
    char first[8];
    mp_str_as_utf8(hi, first, 2);
    mp_object *h2 = lab_must(mp_str_from_utf8(first));
    lab_check_bool(31, "chr(104) is ''.join(['h', 'i'])[0]", h1 == h2, "one_char_is", true);
    MP_DECREF(h1);
    MP_DECREF(h2);
    MP_DECREF(hi);
    lab_show_text("# every name in a code object interned", NULL, "names_interned");

    lab_say("What interning saves: a program reads the same text %ld times (a status field "
            "of every record, say) and keeps each. The first copy was interned before "
            "tracing starts; tracemalloc then counts the blocks the line making the copies "
            "still holds.",
            n);
    mp_object *prefix = joined("status: ", "active"), *suffix = joined(" since ", "2024-01-01");
    mp_object *canonical = lab_must(mp_str_concat(prefix, suffix));
    mp_str_intern(&canonical);
    long long str_bytes = (long long)mp_getsizeof(canonical);
    lab_py("canonical = sys.intern(prefix + suffix)");
    lab_check_int(0, "sys.getsizeof(canonical)", str_bytes, "copy_sizeof",
                  49 + (long long)mp_str_length(canonical));
    long long blocks, bytes;
    long distinct;
    lab_py("for i in range(%ld): keep[i] = prefix + suffix", n);
    kept_by(make_copy, &copy_line, n, prefix, suffix, &blocks, &bytes, &distinct);
    lab_check_int(31, "# blocks kept", blocks, "copies_blocks", n);
    lab_check_int(31, "# bytes kept", bytes, "copies_bytes", n * str_bytes);
    lab_check_int(31, "len(set(map(id, keep)))", distinct, "copies_distinct", n);
    lab_py("for i in range(%ld): keep[i] = sys.intern(prefix + suffix)", n);
    kept_by(make_interned, &interned_copy_line, n, prefix, suffix, &blocks, &bytes, &distinct);
    lab_check_int(31, "# blocks kept", blocks, "interned_blocks", 0);
    lab_check_int(31, "# bytes kept", bytes, "interned_bytes", 0);
    lab_check_int(31, "len(set(map(id, keep)))", distinct, "interned_distinct", 1);
    lab_say("Each sys.intern still builds the new string, finds the equal one in the table, "
            "returns it and lets the new one die at once: %ld × %lld = %lld bytes saved, "
            "for the price of one lookup per copy.",
            n, str_bytes, n * str_bytes);
    MP_DECREF(canonical);
    MP_DECREF(prefix);
    MP_DECREF(suffix);
    lab_claim(31, "partly",
              "bytes is the compact choice for binary data (256 values: 289 bytes, against "
              "329 as a latin-1 str and 561 as hex), but for text it depends on the "
              "characters: 16 bytes less for ASCII, more than the str for text of é or 字. "
              "Interning is not about short strings: CPython interns names and name-like "
              "constants of any length, never strings made at run time unless sys.intern "
              "asks, which then keeps one object for %ld equal copies (%lld bytes saved).",
              n, n * str_bytes);
}

/* ---- 5 · comprehension vs append loop ---------------------------------------------------- */

/* f(x) = x + 1000. On the last item it takes a snapshot, to see what the
 * code building the list holds while f runs. */
static struct {
    mp_object *last, *thousand;
    mp_snapshot *during;
    int line; /* the line f allocates its result on */
} F;

static mp_object *f(mp_object *x)
{
    if (x == F.last && mp_tracemalloc_is_tracing())
        F.during = mp_tracemalloc_take_snapshot();
    F.line = __LINE__ + 1;
    return lab_must(mp_int_add(x, F.thousand));
}

/* Both forms, as our runtime runs them: BUILD_LIST, GET_ITER, then per
 * item FOR_ITER, the call of f, and an append through list_resize's
 * growth. `[f(x) for x in data]` appends with LIST_APPEND and the loop
 * with out.append, but both end in the same append, so one C loop plays
 * both. What the interpreter adds around them (the comprehension's
 * function object, the frames, the method lookup) has no counterpart
 * here. */
static mp_object *build(mp_object *data)
{
    mp_object *out = lab_must(mp_list_new(0));
    mp_object *it = lab_must(mp_object_getiter(data));
    mp_object *x;
    while ((x = mp_iter_next(it))) {
        mp_object *y = f(x);
        lab_must_ok(mp_list_append(out, y));
        MP_DECREF(y);
        MP_DECREF(x);
    }
    if (mp_err_occurred() != MP_ERR_NONE)
        lab_must(NULL);
    MP_DECREF(it);
    return out;
}

/* The blocks in snap this file holds apart from f's results, and the
 * results themselves. */
static void held(const mp_snapshot *snap, long long *building, long long *bytes,
                 long long *results)
{
    mp_statistic *stats = NULL;
    size_t n = mp_snapshot_statistics(snap, MP_GROUP_BY_LINENO, &stats);
    if (n == (size_t)-1)
        lab_must(NULL);
    *building = *bytes = *results = 0;
    for (size_t k = 0; k < n; k++) {
        if (strcmp(stats[k].site.file, __FILE__) != 0)
            continue;
        if (stats[k].site.line == F.line) {
            *results += (long long)stats[k].count;
        } else {
            *building += (long long)stats[k].count;
            *bytes += (long long)stats[k].size;
        }
    }
    free(stats);
}

static void step_comprehension(long n)
{
    lab_step("Comprehension vs append loop");
    lab_say("Both build the same list of f(x). The claim is that the comprehension makes "
            "fewer temporary objects. In CPython 3.11 the comprehension is a function of its "
            "own (Python/compile.c, compiler_comprehension): each time the line runs, "
            "MAKE_FUNCTION makes a function object, called once with the iterator; its "
            "frame lives on the interpreter's frame stack, not the heap. The loop looks up "
            "out.append on every item, but LOAD_METHOD finds the method without making a "
            "bound-method object (Python/ceval.c). Counted, not assumed: f takes a snapshot "
            "when it gets the last item, and the lab counts what the building code holds "
            "then and after.");
    lab_py("def f(x): return x + 1000");
    lab_py("data = [1000 + i for i in range(%ld)]", n);
    mp_object *data = lab_must(mp_list_new(0));
    for (long i = 0; i < n; i++) {
        mp_object *v = lab_must(mp_int_from_long(1000 + i));
        lab_must_ok(mp_list_append(data, v));
        MP_DECREF(v);
    }
    F.last = mp_list_get_item(data, n - 1);
    F.thousand = lab_must(mp_int_from_long(1000));

    static const struct {
        const char *key, *python;
    } forms[] = {
        {"comp", "out = [f(x) for x in data]"},
        {"loop", "out = []\nfor x in data:\n    out.append(f(x))"},
    };
    long long temporaries[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        lab_py("%s", forms[k].python);
        lab_must_ok(mp_tracemalloc_start());
        mp_object *out = build(data);
        mp_snapshot *after = mp_tracemalloc_take_snapshot();
        mp_tracemalloc_stop();
        if (!after || !F.during)
            lab_must(NULL);
        long long during_blocks, during_bytes, after_blocks, after_bytes, results, ignored;
        held(F.during, &during_blocks, &during_bytes, &ignored);
        held(after, &after_blocks, &after_bytes, &results);
        mp_snapshot_free(F.during);
        mp_snapshot_free(after);
        F.during = NULL;
        temporaries[k] = during_blocks - after_blocks;

        char key[48];
        snprintf(key, sizeof key, "%s_during_blocks", forms[k].key);
        lab_show_int("# blocks held while f runs", during_blocks, key);
        snprintf(key, sizeof key, "%s_after_blocks", forms[k].key);
        lab_check_int(32, "# blocks held after: list + items", after_blocks, key, 2);
        snprintf(key, sizeof key, "%s_temporaries", forms[k].key);
        if (k == 0)
            lab_show_int("# temporaries: during - after", temporaries[k], key);
        else
            lab_check_int(32, "# temporaries: during - after", temporaries[k], key, 1);
        snprintf(key, sizeof key, "%s_temporary_bytes", forms[k].key);
        lab_show_int("# their bytes", during_bytes - after_bytes, key);
        snprintf(key, sizeof key, "%s_results", forms[k].key);
        lab_check_int(32, "# results kept: f's ints", results, key, n);
        snprintf(key, sizeof key, "%s_sizeof", forms[k].key);
        lab_check_int(32, "sys.getsizeof(out)", (long long)mp_getsizeof(out), key,
                      56 + 8 * lab_list_capacity_after_appends(n));
        snprintf(key, sizeof key, "%s_instructions", forms[k].key);
        lab_show_text("# instructions per item", NULL, key);
        snprintf(key, sizeof key, "%s_append_as", forms[k].key);
        lab_show_text("# the append runs as", NULL, key);
        snprintf(key, sizeof key, "%s_ns", forms[k].key);
        lab_show_measured("# ns per item", NAN, "ns", key);
        MP_DECREF(out);
    }
    MP_DECREF(F.thousand);
    MP_DECREF(data);

    lab_say("The one temporary both forms share is the list iterator (48 bytes), made by "
            "GET_ITER; our runtime makes it too. The comprehension holds one block more in "
            "CPython: its function object, made once per run of the line, not per item. "
            "The loop holds nothing per item: LOAD_METHOD_NO_DICT and "
            "PRECALL_NO_KW_LIST_APPEND call list.append directly.");
    lab_show_text("sys.getsizeof(<the comprehension's function>)", NULL, "function_sizeof");
    lab_show_text("sys.getsizeof(out.append)", NULL, "bound_method_sizeof");
    lab_check_bool(32, "# comprehension: fewer temporaries", temporaries[0] < temporaries[1],
                   "comp_fewer_temporaries", false);
    lab_say("The list grows through the same list_resize in both, to the same capacity. "
            "What the comprehension saves is instructions: LIST_APPEND in place of the method "
            "lookup, a call and a POP_TOP, four fewer per item. Next to calling f and making "
            "an int, that is little: CPython's two times per item differ by a few percent, "
            "and not always in the comprehension's favour. CPython 3.12 inlines "
            "comprehensions (PEP 709), and the function object goes away.");
    lab_claim(32, "wrong",
              "in CPython 3.11 the comprehension makes one more temporary than the append "
              "loop, not fewer: its own function object, once per run. Neither makes one "
              "per item (LOAD_METHOD needs no bound method), and both grow the list "
              "identically. What the comprehension saves is four instructions per item, a "
              "few percent of the time at most.");
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"12-structures", "choosing structures", "18, 30-32", options};
    lab_begin(&spec, argc, argv);
    step_tuple_vs_list();
    step_membership(max_n > 0 ? max_n : lab_quick() ? 1000 : 100000,
                    count > 0 ? count : lab_quick() ? 10000 : 100000);
    step_bytes_vs_str();
    step_interning(copies > 0 ? copies : lab_quick() ? 1000 : 10000);
    step_comprehension(lab_quick() ? 100 : 1000);
    return lab_end();
}
