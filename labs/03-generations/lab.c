/* Lab 03 — generations.
 *
 * The cycle collector splits the containers into three generations and
 * collects the youngest most often. This lab reads the thresholds and the
 * count that drives them, records every automatic collection while a
 * program builds a heap, follows one object from generation 0 to 2, checks
 * the rule that keeps full collections rare as a heap grows, times a full
 * collection against the heap's size, and measures what raising the
 * thresholds buys and costs. Claims 11-13.
 *
 * Where a check needs the schedule CPython's rules give (which collection
 * is of which generation), predict() works it out by counting alone, with
 * no objects and no collector: the expected values come from the rules,
 * not from our runtime's output. C variables play the Python names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "mp.h"

static long lists = -1, heap = -1, cycles = -1;
static const lab_option options[] = {
    {"--lists", "kept lists made in step 2 (default 100000; 10000 with --quick)", &lists, 10000,
     10000000},
    {"--heap", "steps 3-5's largest heap, in lists (default 1000000; 100000 with --quick)", &heap,
     10000, 10000000},
    {"--cycles", "garbage cycles made per threshold in step 6 (default 60000; 30000 with --quick)",
     &cycles, 26000, 10000000},
    {0},
};

static const int default_thresholds[3] = {700, 10, 10};
/* Step 4's second run: full collections become possible after every second
 * collection of generation 1, so the 25% rule decides at lab sizes. */
static const int low_older_thresholds[3] = {700, 1, 1};
#define REPEATS 5       /* collections timed keep the fastest of these */
#define CHURN_REPEATS 3 /* and step 6's loops the fastest of these */
#define MAX_DECADES 8

/* What the steps found, for the claims' evidence at the end. */
static struct {
    long first_gen1, first_gen2;   /* numbers of the first such collections, or 0 */
    long biggest, fulls, no_rule;  /* step 4 at default thresholds, largest heap */
    double young_us, full_ms;      /* step 3's timings */
    long old_lists;
} found;

/* Steps 4 and 5's heap sizes: the powers of ten from 1000 up to the heap. */
static int decades(long *sizes)
{
    int n = 0;
    for (long size = 1000; size <= heap && n < MAX_DECADES; size *= 10)
        sizes[n++] = size;
    return n;
}

static long young_count(void)
{
    int c0, c1, c2;
    mp_gc_get_count(&c0, &c1, &c2);
    return c0;
}

/* a = []; b = [a]; a.append(b), and the names dropped: two lists that keep
 * each other alive, which only the collector can free. */
static void make_cycle(void)
{
    mp_object *a = mp_list_new(0);
    mp_object *b = mp_list_new(1);
    mp_list_set_item(b, 0, mp_newref(a));
    mp_list_append(a, b);
    MP_DECREF(a);
    MP_DECREF(b);
}

/* keep = [[] for _ in range(n)] */
static mp_object *kept_lists(long n)
{
    mp_object *keep = mp_list_new(n);
    for (long i = 0; i < n; i++)
        mp_list_set_item(keep, i, mp_list_new(0));
    return keep;
}

/* ---- timelines: which generation each collection was, and when --------------------------- */

typedef struct collection {
    int generation;
    long lists; /* len(keep) when it started */
} collection;

typedef struct timeline {
    collection *at;
    size_t n, cap;
    mp_object *keep;  /* whose length is recorded */
    bool only_full;   /* record generation 2 only */
} timeline;

static void timeline_add(timeline *t, int generation, long lists_made)
{
    if (t->only_full && generation != 2)
        return;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        collection *grown = realloc(t->at, cap * sizeof *grown);
        if (!grown) {
            fprintf(stderr, "03-generations: out of memory for the timeline\n");
            exit(LAB_EXIT_USAGE);
        }
        t->at = grown;
        t->cap = cap;
    }
    t->at[t->n++] = (collection){generation, lists_made};
}

static void timeline_free(timeline *t)
{
    free(t->at);
    *t = (timeline){0};
}

/* The gc.callbacks entry: log.append((info['generation'], len(keep))). */
static void record(const char *phase, const mp_gc_info *info, void *arg)
{
    timeline *t = arg;
    if (strcmp(phase, "start") == 0)
        timeline_add(t, info->generation, (long)mp_list_size(t->keep));
}

/* keep = []; for _ in range(n): keep.append([]), from a fresh full
 * collection, with every automatic collection recorded in t. */
static void build_heap(long n, const int thresholds[3], timeline *t)
{
    mp_gc_set_threshold(thresholds[0], thresholds[1], thresholds[2]);
    mp_gc_collect(-1);
    t->keep = mp_list_new(0);
    mp_gc_callback_add(record, t);
    for (long i = 0; i < n; i++) {
        mp_object *l = mp_list_new(0);
        mp_list_append(t->keep, l);
        MP_DECREF(l);
    }
    mp_gc_callback_remove(record, t);
    MP_CLEAR(t->keep);
    mp_gc_set_threshold(default_thresholds[0], default_thresholds[1], default_thresholds[2]);
}

/* The collections CPython 3.11's rules schedule while n lists are made
 * and kept, after a full collection, with one container (keep) already
 * counted: collect_generations' choice (the oldest generation whose count
 * passed its threshold, a full collection only once the objects promoted
 * into generation 2 since the last one reach a quarter of those it left)
 * and gc_collect_main's bookkeeping, in counts alone. With quarter_rule
 * false, the same without the 25% rule. */
static void predict(long n, const int threshold[3], bool quarter_rule, timeline *out)
{
    long count[3] = {1, 0, 0}, size[3] = {1, 0, 0};
    long pending = 0, total = 0;
    for (long made = 0; made < n; made++) {
        if (++count[0] > threshold[0]) {
            int g = 2;
            while (g > 0 && !(count[g] > threshold[g] &&
                              !(g == 2 && quarter_rule && pending < total / 4)))
                g--;
            long survivors = 0;
            for (int i = 0; i <= g; i++) {
                survivors += size[i];
                size[i] = count[i] = 0;
            }
            if (g < 2)
                count[g + 1]++;
            size[g < 2 ? g + 1 : 2] += survivors;
            if (g == 1)
                pending += survivors;
            if (g == 2) {
                pending = 0;
                total = survivors;
            }
            timeline_add(out, g, made);
        }
        size[0]++; /* the new list, tracked once built */
    }
}

/* ---- step 1 ---------------------------------------------------------------------------- */

static void count_row(const char *key, long base, long expected)
{
    lab_check_int(11, "gc.get_count()[0] - base", young_count() - base, key, expected);
}

static void step_count(void)
{
    lab_step("The thresholds, and what the count counts");
    lab_say("Three generations, three thresholds. Generation 0's count goes up by one for "
            "every container allocated (list, tuple, dict, instance: whatever can refer to "
            "other objects) and down by one for every container freed; when it passes "
            "threshold 0, generation 0 is collected.");
    int t0, t1, t2;
    mp_gc_get_threshold(&t0, &t1, &t2);
    char text[48];
    snprintf(text, sizeof text, "(%d, %d, %d)", t0, t1, t2);
    lab_check_text(11, "gc.get_threshold()", text, "threshold", "(700, 10, 10)");

    lab_py("x = 10 ** 10");
    mp_object *x = mp_int_from_long(10000000000L);
    lab_py("gc.collect(); base = gc.get_count()[0]");
    mp_gc_collect(-1);
    long base = young_count();
    lab_py("a = []");
    mp_object *a = mp_list_new(0);
    count_row("count_a", base, 1);
    lab_py("b = [a]");
    mp_object *b = mp_list_new(1);
    mp_list_set_item(b, 0, mp_newref(a));
    count_row("count_b", base, 2);
    lab_py("n = x * x; s = repr(n)");
    mp_object *n = mp_int_mul(x, x);
    char digits[32];
    mp_object *s = mp_str_from_utf8(mp_repr(n, digits, sizeof digits));
    count_row("count_atoms", base, 2);
    lab_say("Ints and strs are not containers: they cannot be part of a cycle, so the "
            "collector never tracks or counts them.");
    lab_py("t = (a, b)");
    mp_object *t = mp_tuple_pack(2, a, b);
    count_row("count_t", base, 3);
    lab_py("row = (a,) * 25");
    mp_object *row = mp_tuple_new(25);
    for (int i = 0; i < 25; i++)
        mp_tuple_set_item(row, i, mp_newref(a));
    count_row("count_row", base, 4);
    lab_py("del row");
    MP_DECREF(row);
    count_row("count_del_row", base, 3);
    lab_say("A del that frees a container gives its count back. But CPython keeps up to 80 "
            "dead lists and up to 2000 dead tuples of each length below 20 on free lists, "
            "for reuse, and a container parked there is not subtracted. gc.collect() empties "
            "them, so every list and tuple made so far was new in both runtimes, and row, "
            "25 long, was freed outright. Now t goes to CPython's free list, and u takes it "
            "back without being counted. Ours has no free lists: one less, then one more.");
    lab_py("del t");
    MP_DECREF(t);
    lab_show_int("gc.get_count()[0] - base", young_count() - base, "count_del_t");
    lab_py("u = (b, a)");
    mp_object *u = mp_tuple_pack(2, b, a);
    count_row("count_u", base, 3);
    MP_DECREF(u);
    MP_DECREF(s);
    MP_DECREF(n);
    MP_DECREF(b);
    MP_DECREF(a);
    MP_DECREF(x);
}

/* ---- step 2 ------------------------------------------------------------------------------ */

/* "g0 / g1 / g2": how many of the first n collections each generation had. */
static void split_text(const timeline *t, size_t n, char *buf, size_t size)
{
    long per[3] = {0, 0, 0};
    for (size_t i = 0; i < n && i < t->n; i++)
        per[t->at[i].generation]++;
    snprintf(buf, size, "%ld / %ld / %ld", per[0], per[1], per[2]);
}

/* The number (from 1) of the first of the first n collections that was of
 * generation g, or 0. */
static long first_of(const timeline *t, size_t n, int g)
{
    for (size_t i = 0; i < n && i < t->n; i++) {
        if (t->at[i].generation == g)
            return (long)i + 1;
    }
    return 0;
}

static int by_value(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The most common number of lists made between two collections, and in
 * *others how many gaps had another length. */
static long usual_gap(const timeline *t, long *others)
{
    size_t n = t->n ? t->n - 1 : 0;
    long *gaps = malloc((n ? n : 1) * sizeof *gaps);
    long best = -1;
    size_t best_run = 0;
    for (size_t i = 0; gaps && i < n; i++)
        gaps[i] = t->at[i + 1].lists - t->at[i].lists;
    if (gaps)
        qsort(gaps, n, sizeof *gaps, by_value);
    for (size_t i = 0, run = 0; gaps && i < n; i++) {
        run = i > 0 && gaps[i] == gaps[i - 1] ? run + 1 : 1;
        if (run > best_run)
            best = gaps[i], best_run = run;
    }
    free(gaps);
    *others = (long)(n - best_run);
    return best;
}

#define DIGITS_PER_LINE 60

/* The generations of the first n collections as digits, in groups of 12:
 * one generation-1 collection closes each group. */
static void print_generations(const char *who, const timeline *t, const char *key, size_t n)
{
    long long first;
    if (!t && !lab_twin_item_int(key, 0, &first))
        return;
    for (size_t start = 0; start < n; start += DIGITS_PER_LINE) {
        printf("   %-9s", start ? "" : who);
        for (size_t i = start; i < n && i < start + DIGITS_PER_LINE; i++) {
            long long g = -1;
            if (t)
                g = i < t->n ? t->at[i].generation : -1;
            else if (!lab_twin_item_int(key, i, &g))
                g = -1;
            if (i > start && i % 12 == 0)
                putchar(' ');
            putchar(g < 0 ? '?' : (char)('0' + g));
        }
        putchar('\n');
    }
}

static void step_automatic(long n)
{
    lab_step("Automatic collections, counted");
    lab_say("gc.callbacks are called at the start and the stop of every collection. One that "
            "logs the generation while a program builds a heap of %ld lists shows the "
            "schedule the thresholds make.",
            n);
    lab_py("log = []\n"
           "def record(phase, info):\n"
           "    if phase == 'start': log.append((info['generation'], len(keep)))\n"
           "gc.collect(); keep = []; gc.callbacks.append(record)");
    lab_py("for _ in range(%ld): keep.append([])", n);
    timeline seen = {0}, rules = {0};
    build_heap(n, default_thresholds, &seen);
    predict(n, default_thresholds, true, &rules);
    /* CPython's own containers may move its last collection past the end of
     * the run, so both sides compare the first `compared` (the twin too). */
    size_t compared = (size_t)(n / (default_thresholds[0] + 1) - 1);

    lab_show_int("len(log)", (long long)seen.n, "auto_collections");
    lab_check_int(11, "log[0][1]", seen.n ? seen.at[0].lists : -1, "auto_first_at",
                  rules.n ? rules.at[0].lists : -1);
    lab_say("The first collection came while the 700th list was being made: with keep itself "
            "that is the 701st container, the first to take the count past 700. From then "
            "on, one came every 701 containers.");
    long others;
    lab_check_int(11, "# lists made between two collections", usual_gap(&seen, &others),
                  "auto_gap", default_thresholds[0] + 1);
    lab_show_int("# gaps of another length", others, "auto_other_gaps");
    if (first_of(&seen, seen.n, 2))
        lab_say("CPython's gap after the full collection is 700: a full collection empties "
                "the free lists, so the dict CPython makes for the callbacks' info argument "
                "is then allocated afresh, one container more before the next collection. "
                "Ours passes a C struct.");

    lab_say("The generation of each of the first %zu collections (the rules predict the same "
            "sequence):",
            compared);
    print_generations("ours", &seen, NULL, compared);
    print_generations("CPython", NULL, "auto_generations", compared);
    char ours_split[48], rules_split[48];
    split_text(&seen, compared, ours_split, sizeof ours_split);
    split_text(&rules, compared, rules_split, sizeof rules_split);
    char what[64];
    snprintf(what, sizeof what, "# first %zu: gen 0 / 1 / 2", compared);
    lab_check_text(11, what, ours_split, "auto_split", rules_split);
    found.first_gen1 = first_of(&seen, compared, 1);
    found.first_gen2 = first_of(&seen, compared, 2);
    lab_check_int(11, "# first collection of gen 1: number", found.first_gen1, "auto_first_gen1",
                  first_of(&rules, compared, 1));
    lab_say("Generation 1 is collected when its count passes 10: its count is the number of "
            "generation-0 collections since its last, so 11 of them come first and the 12th "
            "collection is of generation 1, which takes generation 0 with it. Generation 2 "
            "waits the same way for 11 collections of generation 1: the earliest full "
            "collection is number 11 × 12 + 1 = 133%s",
            compared >= 133 ? "." : " (make 94,000 lists or more with --lists to see it).");
    if (compared >= 133)
        lab_check_int(11, "# first collection of gen 2: number", found.first_gen2,
                      "auto_first_gen2", first_of(&rules, compared, 2));
    timeline_free(&seen);
    timeline_free(&rules);
}

/* ---- step 3 ------------------------------------------------------------------------------- */

/* The generation whose list holds o, as gc.get_objects(g) shows it. */
static int gen_of(mp_object *o)
{
    for (int g = 0; g < 3; g++) {
        mp_object *objects = mp_gc_get_objects(g);
        bool found = false;
        for (mp_ssize_t i = 0; objects && i < mp_list_size(objects) && !found; i++)
            found = mp_list_get_item(objects, i) == o;
        MP_XDECREF(objects);
        if (found)
            return g;
    }
    return -1;
}

static long objects_in(int generation)
{
    mp_object *objects = mp_gc_get_objects(generation);
    long n = objects ? (long)mp_list_size(objects) : -1;
    MP_XDECREF(objects);
    return n;
}

static void step_promotion(long n)
{
    lab_step("Promotion: from generation 0 to 2");
    lab_say("A container starts in generation 0. Each collection moves the survivors of the "
            "generations it examined into the next older one, and the oldest keeps its own. "
            "gen_of(o) finds o in the lists gc.get_objects(g) returns.");
    lab_py("def gen_of(o):\n"
           "    return next(g for g in range(3) if any(p is o for p in gc.get_objects(g)))");
    lab_py("gc.collect(); x = []");
    mp_gc_collect(-1);
    mp_object *x = mp_list_new(0);
    lab_check_int(12, "gen_of(x)", gen_of(x), "gen_new", 0);
    lab_py("gc.collect(0)");
    mp_gc_collect(0);
    lab_check_int(12, "gen_of(x)", gen_of(x), "gen_after_0", 1);
    lab_py("gc.collect(1)");
    mp_gc_collect(1);
    lab_check_int(12, "gen_of(x)", gen_of(x), "gen_after_1", 2);
    lab_py("gc.collect()");
    mp_gc_collect(-1);
    lab_check_int(12, "gen_of(x)", gen_of(x), "gen_after_2", 2);
    MP_DECREF(x);

    lab_say("A collection of a young generation looks only at its own objects. A cycle that "
            "became garbage after it grew old stays until a collection of its generation.");
    lab_py("a = []; b = [a]; a.append(b); gc.collect()   # a and b are old now\n"
           "del a, b                                     # old garbage\n"
           "c = []; d = [c]; c.append(d); del c, d       # young garbage");
    mp_object *a = mp_list_new(0);
    mp_object *b = mp_list_new(1);
    mp_list_set_item(b, 0, mp_newref(a));
    mp_list_append(a, b);
    mp_gc_collect(-1);
    MP_DECREF(a);
    MP_DECREF(b);
    make_cycle();
    lab_check_int(12, "gc.collect(0)", mp_gc_collect(0), "found_by_0", 2);
    lab_check_int(12, "gc.collect(1)", mp_gc_collect(1), "found_by_1", 0);
    lab_check_int(12, "gc.collect(2)", mp_gc_collect(2), "found_by_2", 2);

    lab_say("That is what makes young collections cheap. With %ld lists grown old, a fresh "
            "cycle is timed being found by a collection of generation 0 and by a full one, "
            "fastest of %d tries each.",
            n, REPEATS);
    lab_py("keep = [[] for _ in range(%ld)]; gc.collect()", n);
    mp_object *keep = kept_lists(n);
    mp_gc_collect(-1);
    lab_show_int("len(gc.get_objects(2))", objects_in(2), "old_heap");
    double young = 0, full = 0;
    long examined = 0;
    mp_ssize_t young_found = 0, full_found = 0;
    for (int r = 0; r < REPEATS; r++) {
        make_cycle();
        examined = objects_in(0);
        double t = lab_now();
        young_found = mp_gc_collect(0);
        t = lab_now() - t;
        young = r == 0 || t < young ? t : young;
        make_cycle();
        t = lab_now();
        full_found = mp_gc_collect(2);
        t = lab_now() - t;
        full = r == 0 || t < full ? t : full;
    }
    lab_py("c = []; d = [c]; c.append(d); del c, d");
    lab_show_int("len(gc.get_objects(0))", examined, "young_examined");
    lab_check_int(12, "gc.collect(0)", young_found, "young_found", 2);
    lab_show_measured("# its time", young * 1e6, "µs", "young_us");
    lab_py("c = []; d = [c]; c.append(d); del c, d");
    lab_check_int(12, "gc.collect(2)", full_found, "full_found", 2);
    lab_show_measured("# its time", full * 1e3, "ms", "full_ms");
    lab_check_bool(12, "# gc.collect(0) is the faster", young < full, "young_faster", true);
    found.young_us = young * 1e6;
    found.full_ms = full * 1e3;
    found.old_lists = n;
    MP_DECREF(keep);
}

/* ---- step 4 ------------------------------------------------------------------------------ */

/* Each full collection after the first came when the lists had grown by a
 * quarter since the one before. */
static bool grew_a_quarter(const timeline *t)
{
    for (size_t i = 1; i < t->n; i++) {
        if (4 * t->at[i].lists < 5 * t->at[i - 1].lists)
            return false;
    }
    return true;
}

static void full_at_text(const timeline *t, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%ld", i ? ", " : "", t->at[i].lists);
}

static void twin_full_at_text(const char *key, char *buf, size_t size)
{
    size_t used = 0;
    long long at;
    buf[0] = '\0';
    for (size_t i = 0; lab_twin_item_int(key, i, &at) && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? ", " : "", at);
    if (!used)
        snprintf(buf, size, "n/a");
}

/* Builds each decade's heap under thresholds and checks the count of full
 * collections against the rules. Returns, for the last decade, how many
 * the counts alone would have run; *last gets the ones that ran. */
static long fulls_by_decade(const char *name, const int thresholds[3], lab_csv *csv,
                            timeline *last)
{
    long sizes[MAX_DECADES];
    int nd = decades(sizes);
    long without[MAX_DECADES];
    for (int i = 0; i < nd; i++) {
        timeline seen = {.only_full = true}, rules = {.only_full = true},
                 no_rule = {.only_full = true};
        build_heap(sizes[i], thresholds, &seen);
        predict(sizes[i], thresholds, true, &rules);
        predict(sizes[i], thresholds, false, &no_rule);
        char what[64], key[48];
        snprintf(what, sizeof what, "# full collections, %ld lists", sizes[i]);
        snprintf(key, sizeof key, "fulls %s %ld", name, sizes[i]);
        lab_check_int(11, what, (long long)seen.n, key, (long long)rules.n);
        without[i] = (long)no_rule.n;
        long long cpython;
        char theirs[24] = "";
        if (lab_twin_int(key, &cpython))
            snprintf(theirs, sizeof theirs, "%lld", cpython);
        lab_csv_row(csv, "%d,%d,%d,%ld,%zu,%s,%zu,%zu", thresholds[0], thresholds[1],
                    thresholds[2], sizes[i], seen.n, theirs, rules.n, no_rule.n);
        timeline_free(&rules);
        timeline_free(&no_rule);
        if (i == nd - 1)
            *last = seen;
        else
            timeline_free(&seen);
    }
    char list[160] = "";
    size_t used = 0;
    for (int i = 0; i < nd; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%ld", i ? ", " : "",
                                 without[i]);
    lab_say("Without the 25%% rule, the counts alone would have run %s full collections.", list);
    return without[nd - 1];
}

static void show_growth(const char *name, const timeline *last)
{
    char ours[400], theirs[400], key[32];
    full_at_text(last, ours, sizeof ours);
    snprintf(key, sizeof key, "full_at_%s", name);
    twin_full_at_text(key, theirs, sizeof theirs);
    lab_say("len(keep) at each full collection, %ld lists (CPython's come one list earlier "
            "for each full collection before them: the dict of step 2):\nours: %s\nCPython: %s",
            heap, ours, theirs);
    if (last->n < 2) {
        lab_say("(One full collection or none: no growth between two to check.)");
        return;
    }
    snprintf(key, sizeof key, "quarter_%s", name);
    lab_check_bool(11, "# each: ≥ 1.25 × the one before", grew_a_quarter(last), key, true);
}

static void step_quarter_rule(void)
{
    lab_step("The 25% rule: full collections while a heap grows");
    lab_say("A program that builds a big structure keeps every object it makes, so each full "
            "collection examines everything made so far. If one ran after every 11 "
            "collections of generation 1, building a heap of n objects would cost time "
            "quadratic in n. So CPython 3.11 adds a condition (gc_collect_generations in "
            "Modules/gcmodule.c): a full collection also waits until the objects promoted "
            "into generation 2 since the last one (long_lived_pending) reach a quarter of "
            "those that one left (long_lived_total). Each heap below starts from a fresh "
            "gc.collect(); the expected counts come from the rules, applied by counting "
            "alone.");
    lab_csv *csv = lab_csv_open("full_collections.csv",
                                "young_threshold,middle_threshold,old_threshold,lists,"
                                "ours,cpython,rules,without_rule");
    lab_py("keep = []\nfor _ in range(N): keep.append([])");
    timeline last_default = {0}, last_low = {0};
    found.no_rule = fulls_by_decade("default", default_thresholds, csv, &last_default);
    found.fulls = (long)last_default.n;
    long sizes[MAX_DECADES];
    found.biggest = sizes[decades(sizes) - 1];
    show_growth("default", &last_default);
    lab_say("At the default thresholds a full collection can come only every 133 "
            "collections, 93,233 containers, and the rule takes over only once the heap "
            "holds four times that. Lowering the older thresholds lets full collections come "
            "every 7 collections, and shows the rule at work on smaller heaps: the count "
            "then grows with the logarithm of the heap, not in proportion to it.");
    lab_py("gc.set_threshold(700, 1, 1)");
    fulls_by_decade("low", low_older_thresholds, csv, &last_low);
    show_growth("low", &last_low);
    lab_csv_close(csv);
    timeline_free(&last_default);
    timeline_free(&last_low);
}

/* ---- step 5 ---------------------------------------------------------------------------------- */

static void step_pause(void)
{
    lab_step("Pause time against heap size");
    lab_say("A full collection reads every tracked container from memory, CPython's three "
            "times or more, so its pause grows with the heap, however little garbage there "
            "is. Each heap of live lists is collected %d times and the fastest is kept. The "
            "twin froze the interpreter's own objects (gc.freeze()) before anything else, so "
            "CPython's collections also examine only the lab's lists.",
            REPEATS);
    lab_csv *csv = lab_csv_open("pause_vs_heap.csv", "n,ours_ms,cpython_ms");
    long sizes[MAX_DECADES];
    int nd = decades(sizes);
    bool grows = true;
    double previous = 0;
    long long found = 0;
    for (int i = 0; i < nd; i++) {
        mp_object *keep = kept_lists(sizes[i]);
        mp_gc_collect(-1);
        double best = 0;
        for (int r = 0; r < REPEATS; r++) {
            double t = lab_now();
            found += mp_gc_collect(-1);
            t = lab_now() - t;
            best = r == 0 || t < best ? t : best;
        }
        MP_DECREF(keep);
        char what[64], key[32];
        snprintf(what, sizeof what, "# gc.collect(), %ld lists", sizes[i]);
        snprintf(key, sizeof key, "pause_ms %ld", sizes[i]);
        lab_show_measured(what, best * 1e3, "ms", key);
        grows = grows && (i == 0 || best > previous);
        previous = best;
        double theirs;
        if (lab_twin_real(key, &theirs))
            lab_csv_row(csv, "%ld,%.6f,%.6f", sizes[i], best * 1e3, theirs);
        else
            lab_csv_row(csv, "%ld,%.6f,", sizes[i], best * 1e3);
        if (i == nd - 1 && lab_twin_real(key, &theirs))
            lab_say("At %ld lists that is " LAB_MEASURED("%.1f") " ns per live list for ours, "
                    LAB_MEASURED("%.1f") " for CPython.",
                    sizes[i], best * 1e9 / (double)sizes[i], theirs * 1e6 / (double)sizes[i]);
    }
    lab_csv_close(csv);
    lab_check_int(0, "# unreachable found, all sizes", found, "pause_found", 0);
    lab_check_bool(0, "# each size's pause > the one before", grows, "pause_grows", true);
}

/* ---- step 6 ---------------------------------------------------------------------------------- */

static const int settings[][3] = {
    {100, 10, 10}, {700, 10, 10}, {1000, 10, 10}, {5000, 10, 10},
    {10000, 10, 10}, {50000, 10, 10}, {1000, 15, 15},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])
#define RISING 6 /* the first six differ in threshold 0 only, rising */
#define DEFAULT_SETTING 1
#define SAME_T0_SETTING 2 /* (1000, 10, 10) */
#define CLAIMED_SETTING 6

typedef struct churn_result {
    long collections, older; /* all, and those of generations 1 and 2 */
    double ns_per_cycle;
    size_t peak;
} churn_result;

static long collections_run(long *older)
{
    mp_gc_stats stats[MP_GC_GENERATIONS];
    mp_gc_get_stats(stats);
    *older = (long)(stats[1].collections + stats[2].collections);
    return *older + (long)stats[0].collections;
}

/* for _ in range(n): a = []; b = [a]; a.append(b), under the given
 * thresholds: timed (the fastest of CHURN_REPEATS runs), then once more
 * under tracemalloc for the peak. */
static churn_result churn(long n, const int thresholds[3])
{
    churn_result r = {0};
    for (int run = 0; run < CHURN_REPEATS; run++) {
        mp_gc_collect(-1);
        mp_gc_set_threshold(thresholds[0], thresholds[1], thresholds[2]);
        long older_before, older_after;
        long before = collections_run(&older_before);
        double t = lab_now();
        for (long i = 0; i < n; i++)
            make_cycle();
        double ns = (lab_now() - t) * 1e9 / (double)n;
        r.collections = collections_run(&older_after) - before;
        r.older = older_after - older_before;
        r.ns_per_cycle = run == 0 || ns < r.ns_per_cycle ? ns : r.ns_per_cycle;
        /* Restored at once: back at 700, the count a higher threshold left
         * would start a collection at the next container made. */
        mp_gc_set_threshold(default_thresholds[0], default_thresholds[1], default_thresholds[2]);
    }
    mp_gc_collect(-1);
    mp_gc_set_threshold(thresholds[0], thresholds[1], thresholds[2]);
    mp_tracemalloc_start();
    for (long i = 0; i < n; i++)
        make_cycle();
    size_t current;
    mp_tracemalloc_get_traced_memory(&current, &r.peak);
    mp_tracemalloc_stop();
    mp_gc_set_threshold(default_thresholds[0], default_thresholds[1], default_thresholds[2]);
    return r;
}

static void step_tradeoff(long n)
{
    lab_step("The threshold trade-off");
    lab_say("A loop makes %ld garbage cycles of two lists each, under one set of thresholds "
            "at a time. A higher threshold 0 lets more garbage pile up between collections: "
            "fewer collections, a higher peak. Collections are counted with gc.get_stats(), "
            "the time per cycle is the fastest of %d plain runs, and the peak comes from one "
            "more run under tracemalloc.",
            n, CHURN_REPEATS);
    lab_py("gc.set_threshold(t0, t1, t2)\n"
           "for _ in range(%ld): a = []; b = [a]; a.append(b)",
           n);
    lab_csv *csv = lab_csv_open("threshold_tradeoff.csv",
                                "young_threshold,middle_threshold,old_threshold,"
                                "collections_ours,collections_cpython,older_ours,older_cpython,"
                                "ns_per_cycle_ours,ns_per_cycle_cpython,peak_ours,peak_cpython");
    printf("   %-17s %15s  %13s  %19s\n", "", "collections", "ns per cycle", "peak traced bytes");
    printf("   %-17s %7s %7s  %6s %6s  %9s %9s\n", "thresholds", "ours", "CPython", "ours",
           "CPython", "ours", "CPython");
    churn_result r[NSETTINGS];
    for (size_t i = 0; i < NSETTINGS; i++) {
        r[i] = churn(n, settings[i]);
        long long c, o, ns, peak;
        bool theirs = lab_twin_item_int("tradeoff_collections", i, &c) &&
                      lab_twin_item_int("tradeoff_older", i, &o) &&
                      lab_twin_item_int("tradeoff_ns", i, &ns) &&
                      lab_twin_item_int("tradeoff_peak", i, &peak);
        char name[24], cs[4][24] = {"n/a", "n/a", "n/a", "n/a"};
        snprintf(name, sizeof name, "(%d, %d, %d)", settings[i][0], settings[i][1],
                 settings[i][2]);
        if (theirs) {
            snprintf(cs[0], sizeof cs[0], "%lld", c);
            snprintf(cs[1], sizeof cs[1], "%lld", o);
            snprintf(cs[2], sizeof cs[2], "%lld", ns);
            snprintf(cs[3], sizeof cs[3], "%lld", peak);
        }
        lab_printf("   %-17s %7ld %7s  " LAB_MEASURED("%6.0f") " " LAB_MEASURED("%6s")
                   "  %9zu %9s\n", name, r[i].collections, cs[0],
               r[i].ns_per_cycle, cs[2], r[i].peak, cs[3]);
        lab_csv_row(csv, "%d,%d,%d,%ld,%s,%ld,%s,%.1f,%s,%zu,%s", settings[i][0], settings[i][1],
                    settings[i][2], r[i].collections, theirs ? cs[0] : "", r[i].older,
                    theirs ? cs[1] : "", r[i].ns_per_cycle, theirs ? cs[2] : "", r[i].peak,
                    theirs ? cs[3] : "");
    }
    lab_csv_close(csv);

    bool fewer = true, higher = true;
    for (size_t i = 1; i < RISING; i++) {
        fewer = fewer && r[i].collections < r[i - 1].collections;
        higher = higher && r[i].peak > r[i - 1].peak;
    }
    lab_check_bool(13, "# collections fall as t0 rises", fewer, "fewer_collections", true);
    lab_check_bool(13, "# the peak rises with t0", higher, "higher_peak", true);
    lab_say("The peak is about t0 / 2 dead cycles of 152 bytes each: two lists of 56 and "
            "their item arrays of 8 and 32. CPython runs fewer collections than ours at low "
            "thresholds: each collection frees lists onto the free list, up to 80, and the "
            "next 80 lists made come from there uncounted, so generation 0 fills after "
            "t0 + 81 allocations, not t0 + 1. The time per cycle has little reason to follow "
            "t0: every dead cycle is examined once, by one collection of generation 0, "
            "however many others that collection finds, so fewer collections save little "
            "work. Its differences here are mostly noise; run the lab twice to see.");

    const churn_result *d = &r[DEFAULT_SETTING], *c = &r[CLAIMED_SETTING];
    lab_say("The articles' advice, set_threshold(1000, 15, 15), against the default:");
    lab_check_bool(13, "# (1000, 15, 15) runs fewer", c->collections < d->collections,
                   "claim_fewer", true);
    lab_check_bool(13, "# (1000, 15, 15) peaks higher", c->peak > d->peak, "claim_peak", true);
    lab_say("Against (1000, 10, 10), the two 15s do not change how many collections run "
            "(%ld and %ld), only how many of them are of the older generations (%ld against "
            "%ld): an older collection examines more, but here every cycle dies young.",
            c->collections, r[SAME_T0_SETTING].collections, c->older,
            r[SAME_T0_SETTING].older);
    lab_claim(13, "holds",
              "(1000, 15, 15) ran %ld collections where (700, 10, 10) ran %ld, and peaked at "
              "%zu traced bytes instead of %zu (ours; CPython went the same way). What the "
              "memory buys is small: garbage that dies young costs the same work however it "
              "is batched (" LAB_MEASURED("%.0f") " against " LAB_MEASURED("%.0f")
              " ns per cycle here, within the noise). Raising "
              "thresholds 1 and 2 pays when it spares full collections over a big old heap "
              "(steps 4 and 5).",
              c->collections, d->collections, c->peak, d->peak, c->ns_per_cycle,
              d->ns_per_cycle);
}

/* ---- the claims ------------------------------------------------------------------------------ */

static const char *ordinal_suffix(long n)
{
    if (n % 100 >= 11 && n % 100 <= 13)
        return "th";
    return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

static void claim_generations(void)
{
    char gen2[160] = "";
    if (found.first_gen2)
        snprintf(gen2, sizeof gen2, "; the first full collection was the %ld%s",
                 found.first_gen2, ordinal_suffix(found.first_gen2));
    char rule[240] = "";
    if (found.fulls != found.no_rule)
        snprintf(rule, sizeof rule, " While %ld lists were made, %ld full collections ran, not "
                                    "the %ld that 11 collections of generation 1 each would "
                                    "give.",
                 found.biggest, found.fulls, found.no_rule);
    lab_claim(11, "partly",
              "(700, 10, 10) in both runtimes, and generation 0 is collected as soon as its "
              "count passes 700: every 701 containers. But generation 1 comes after 11 "
              "collections of generation 0, not 10 (the first was the %ld%s collection)%s; "
              "and a full collection also waits until the heap has grown by a quarter since "
              "the last one.%s",
              found.first_gen1, ordinal_suffix(found.first_gen1), gen2, rule);
    lab_claim(12, "holds",
              "a new list was in generation 0, then 1, then 2; gc.collect(0) freed a young "
              "cycle and left an old one to gc.collect(2). With %ld old lists, the young "
              "collection took " LAB_MEASURED("%.3g") " µs and the full one " LAB_MEASURED("%.3g")
              " ms (ours; CPython alike).",
              found.old_lists, found.young_us, found.full_ms);
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"03-generations", "generations", "11-13", options};
    lab_begin(&spec, argc, argv);
    if (heap < 0)
        heap = lab_quick() ? 100000 : 1000000;
    step_count();
    step_automatic(lists > 0 ? lists : lab_quick() ? 10000 : 100000);
    step_promotion(heap);
    step_quarter_rule();
    step_pause();
    step_tradeoff(cycles > 0 ? cycles : lab_quick() ? 30000 : 60000);
    claim_generations();
    return lab_end();
}
