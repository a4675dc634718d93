/* Lab 10 — allocation tracing.
 *
 * While tracemalloc runs, every block the interpreter hands out is recorded
 * with its size and the line that asked for it. This lab runs the articles'
 * example (current and peak after building a list of 10000 ints), ranks
 * the lines of a small program by the memory they hold, finds a leak with
 * a snapshot diff, and asks where single objects were made. Claim 26.
 *
 * In CPython the line is a line of Python. Here it is the line of this
 * file that called into the runtime (runtime/site.h), so each line of the
 * modelled Python is one line here too. A Python line runs a lot of C
 * inside CPython, all charged to that line; the helpers below play such
 * lines, and are always called through AT_LINE or MP_AT, which charge
 * everything they allocate to the line that calls them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "mp.h"

static long count = -1, calls = -1;
static const lab_option options[] = {
    {"--count", "length of the list in step 1 (default 10000, the articles' example)", &count, 1,
     1000000},
    {"--calls", "calls of the leaking function in step 3 (default 1000; 200 with --quick)", &calls,
     1, 100000},
    {0},
};

/* The sizes of step 2's program and step 3's service; the twin has the same. */
#define TABLES 3
#define TABLE_LEN 40000
#define NAMES 8000
#define ROWS 300
#define ROW_LEN 20
#define BUFFER_LEN 25000
#define REBUILD_EVERY 100

#define LIST_BYTES 56 /* sys.getsizeof([]): 16 of GC header, 40 of list */
#define INT_ASKS 32   /* but a one-digit int made from a C long asks for
                         sizeof(PyLongObject), 32 (CPython's _PyLong_FromMedium) */
#define TUPLE_BYTES 40 /* sys.getsizeof(()): 16 of GC header, 24 of tuple */
#define STR_BYTES 48  /* an ASCII str's header; then its text and a NUL */
#define STR(x) #x
#define XSTR(x) STR(x)

/* The lines both runtimes name, in the twin's order (its SITES). */
enum site_name {
    BIG_LISTS,
    SHORT_STRS,
    INT_TUPLES,
    LIST_OF_LISTS,
    LIST_OF_STRS,
    LIST_OF_TUPLES,
    REMEMBER,
    BUFFER,
    SCRATCH,
    LOOP_VARIABLE, /* the twin's `for i in ...`: ours are C longs */
    NSITES
};
static const char *const site_names[NSITES] = {
    "big lists", "short strs", "int tuples", "list of lists", "list of strs",
    "list of tuples", "remember", "buffer", "scratch", "loop variable",
};
static int site_line[NSITES];

/* Evaluates call charged to the line it is written on, and stores that
 * line in line_var. Keep each use on one line: __LINE__ is where it is. */
#define AT_LINE(line_var, call) ((line_var) = __LINE__, MP_AT(call))

/* ---- one line of Python each -----------------------------------------------------
 * These call the runtime by its plain function names, in parentheses, which
 * skips site.h's macros: like the runtime's own nested calls, they keep the
 * line that AT_LINE stored, as CPython keeps the Python line however deep
 * in C an allocation happens. */

/* [i for i in range(n)]: grown by appends, as LIST_APPEND grows it. */
static mp_object *list_of_range(long n)
{
    mp_object *l = (mp_list_new)(0);
    for (long i = 0; l && i < n; i++) {
        mp_object *v = (mp_int_from_long)(i);
        (mp_list_append)(l, v);
        MP_DECREF(v);
    }
    return l;
}

/* [0] * n: exactly n slots, all holding the cached 0. */
static mp_object *zeros(long n)
{
    mp_object *l = (mp_list_new)(n);
    for (long i = 0; l && i < n; i++)
        mp_list_set_item(l, i, (mp_int_from_long)(0));
    return l;
}

/* tuple(range(base, base + ROW_LEN)): the tuple and its ints. */
static mp_object *int_row(long base)
{
    mp_object *t = (mp_tuple_new)(ROW_LEN);
    for (long j = 0; t && j < ROW_LEN; j++)
        mp_tuple_set_item(t, j, (mp_int_from_long)(base + j));
    return t;
}

/* l.append('request %06d: accepted' % i) */
static int append_record(mp_object *l, long i)
{
    mp_object *record = lab_str_printf("request %06ld: accepted", i);
    int r = record ? (mp_list_append)(l, record) : -1;
    MP_XDECREF(record);
    return r;
}

/* ['scratch %06d: accepted' % (i + j) for j in range(4)] */
static mp_object *scratch_records(long i)
{
    mp_object *l = (mp_list_new)(0);
    for (long j = 0; l && j < 4; j++) {
        mp_object *record = lab_str_printf("scratch %06ld: accepted", i + j);
        (mp_list_append)(l, record);
        MP_XDECREF(record);
    }
    return l;
}

/* ---- shared by the steps ------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Which of our named sites a statistic's line is, or -1. */
static int site_of(mp_trace_site s)
{
    if (strcmp(s.file, __FILE__) != 0)
        return -1;
    for (int k = 0; k < NSITES; k++) {
        if (site_line[k] == s.line)
            return k;
    }
    return -1;
}

static const char *site_label(long long k)
{
    return k >= 0 && k < NSITES ? site_names[k] : "other";
}

/* ---- step 1 -------------------------------------------------------------------------------- */

static void step_articles(long n)
{
    lab_step("The articles' example: current and peak");
    lab_say("Start tracing, build a list of %ld ints, and ask how much traced memory is "
            "allocated now and how much was at the most. Every int from 0 to 256 is the "
            "cached object and costs nothing; the rest are new objects.",
            n);
    lab_py("tracemalloc.start()");
    mp_tracemalloc_start();
    lab_py("data = [i for i in range(%ld)]", n);
    mp_object *data = MP_AT(list_of_range(n));
    lab_py("current, peak = tracemalloc.get_traced_memory()");
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    mp_tracemalloc_stop();
    lab_show_int("current", (long long)current, "current");
    lab_show_int("peak", (long long)peak, "peak");

    long ints = n > 257 ? n - 257 : 0;
    long capacity = lab_list_capacity_after_appends(n);
    long long sizeof_data = LIST_BYTES + 8LL * capacity;
    lab_say("Where the bytes are: appends grew the list to %ld slots (3.11's list_resize "
            "formula), so sys.getsizeof(data) is 56 + 8 × %ld; and %ld of the ints are "
            "outside the cache. sys.getsizeof says each is 28 bytes, but tracemalloc "
            "counts what each allocation asked for, and CPython 3.11 makes a one-digit int "
            "with _PyLong_FromMedium, which asks for sizeof(PyLongObject): 32 bytes (the "
            "one digit padded to 8). pymalloc serves both from its 32-byte class.",
            capacity, capacity, ints);
    lab_check_int(0, "sys.getsizeof(data)", (long long)mp_getsizeof(data), "sizeof_data",
                  sizeof_data);
    lab_show_int("# bytes traced per int", ints ? ((long long)current - sizeof_data) / ints : 0,
                 "traced_int_bytes");
    long long estimate = sizeof_data + (long long)INT_ASKS * ints;
    char what[96];
    snprintf(what, sizeof what, "# current == sys.getsizeof(data) + 32 × %ld", ints);
    lab_check_bool(26, what, (long long)current == estimate, NULL, true);
    lab_show_int("# current − that", (long long)current - estimate, "current_minus_estimate");
    lab_say("CPython's figure can be 56 bytes lower: the list object itself may come from "
            "CPython's free list of dead lists, allocated before tracing began, and then its "
            "header is not traced at all. Ours has no free lists (see runtime/list.c).");
    snprintf(what, sizeof what, "# |current − (getsizeof + 32 × %ld)| ≤ 56", ints);
    long long off = (long long)current - estimate;
    lab_check_bool(26, what, (off < 0 ? -off : off) <= LIST_BYTES, "current_near_estimate", true);

    lab_say("The peak is what was allocated at the worst moment. In CPython the "
            "comprehension is a function object (152 bytes) looping over a range iterator "
            "(48), and both die when it returns, after the last int was made: the peak is "
            "current plus those 200 bytes. Our C loop plays the comprehension and makes "
            "no temporaries; a list that grows by realloc is traced at its new size only, "
            "in both runtimes, so nothing else raises the peak.");
    lab_show_int("peak - current", (long long)(peak - current), "peak_minus_current");
    lab_check_bool(26, "# peak == current + temporaries", peak == current,
                   "peak_is_current_plus_temporaries", true);

    lab_csv *csv = lab_csv_open("traced_memory.csv", "runtime,count,current,peak,estimate");
    lab_csv_row(csv, "ours,%ld,%zu,%zu,%lld", n, current, peak, estimate);
    long long c_current, c_peak;
    if (lab_twin_int("current", &c_current) && lab_twin_int("peak", &c_peak))
        lab_csv_row(csv, "cpython,%ld,%lld,%lld,%lld", n, c_current, c_peak, estimate);
    lab_csv_close(csv);
    MP_DECREF(data);
}

/* ---- step 2 -------------------------------------------------------------------------------- */

/* The program whose lines step 2 ranks: three workloads of clearly
 * different sizes, each on a line of its own, and the lists holding them. */
static void program(mp_object **tables, mp_object **names, mp_object **rows)
{
    *tables = AT_LINE(site_line[LIST_OF_LISTS], mp_list_new(TABLES));
    for (long k = 0; k < TABLES; k++)
        mp_list_set_item(*tables, k, AT_LINE(site_line[BIG_LISTS], zeros(TABLE_LEN)));
    *names = AT_LINE(site_line[LIST_OF_STRS], mp_list_new(NAMES));
    for (long i = 0; i < NAMES; i++)
        mp_list_set_item(*names, i, AT_LINE(site_line[SHORT_STRS], lab_str_printf("user-%05ld", i)));
    *rows = AT_LINE(site_line[LIST_OF_TUPLES], mp_list_new(ROWS));
    for (long i = 0; i < ROWS; i++)
        mp_list_set_item(*rows, i, AT_LINE(site_line[INT_TUPLES], int_row(1000 + ROW_LEN * i)));
}

/* The label of CPython's row, when it is not the workload ours has at that rank. */
static void their_label(int ours_site, long long their_site)
{
    if (their_site != ours_site)
        printf("  %s", site_label(their_site));
}

static void print_top(const mp_statistic *stats, size_t n)
{
    printf("   %2s  %-14s %-10s %7s %6s %7s   %-12s %7s %6s\n", "#", "what", "ours", "size",
           "count", "avg", "CPython", "size", "count");
    lab_csv *csv = lab_csv_open("top_lines.csv", "rank,runtime,site,size,count");
    for (size_t i = 0; i < 10; i++) {
        long long line, site, size, cnt;
        bool theirs = lab_twin_item_int("top_line", i, &line) &&
                      lab_twin_item_int("top_site", i, &site) &&
                      lab_twin_item_int("top_size", i, &size) &&
                      lab_twin_item_int("top_count", i, &cnt);
        if (i >= n && !theirs)
            break;
        int ours_site = i < n ? site_of(stats[i].site) : NSITES;
        char at[32];
        printf("   %2zu  %-14s ", i + 1, i < n ? site_label(ours_site) : "");
        if (i < n) {
            snprintf(at, sizeof at, "%s:%d", base_name(stats[i].site.file), stats[i].site.line);
            printf("%-10s %7zu %6zu %7zu", at, stats[i].size, stats[i].count,
                   stats[i].size / stats[i].count);
            lab_csv_row(csv, "%zu,ours,%s,%zu,%zu", i + 1, at, stats[i].size, stats[i].count);
        } else {
            printf("%-10s %7s %6s %7s", "", "", "", "");
        }
        if (theirs) {
            snprintf(at, sizeof at, "twin.py:%lld", line);
            printf("   %-12s %7lld %6lld", at, size, cnt);
            their_label(ours_site, site);
            lab_csv_row(csv, "%zu,cpython,%s,%lld,%lld", i + 1, at, size, cnt);
        }
        putchar('\n');
    }
    lab_csv_close(csv);
}

static void step_top_lines(void)
{
    lab_step("Snapshots: the lines that hold the most");
    lab_say("A snapshot copies the traces: every live block with its size and line. "
            "Grouped by line, they rank the lines of a program by the memory their "
            "allocations still hold. The program makes a few big lists, many short strs "
            "and some tuples of ints, each on a line of its own.");
    lab_py("def program():\n"
           "    tables = [None] * %d\n"
           "    for k in range(%d):\n"
           "        tables[k] = [0] * %d\n"
           "    names = [None] * %d\n"
           "    for i in range(%d):\n"
           "        names[i] = 'user-%%05d' %% i\n"
           "    rows = [None] * %d\n"
           "    for i in range(%d):\n"
           "        rows[i] = tuple(range(1000 + %d * i, 1000 + %d * (i + 1)))\n"
           "    return tables, names, rows",
           TABLES, TABLES, TABLE_LEN, NAMES, NAMES, ROWS, ROWS, ROW_LEN, ROW_LEN);
    lab_py("tracemalloc.start(); kept = program()");
    mp_tracemalloc_start();
    mp_object *tables, *names, *rows;
    program(&tables, &names, &rows);
    lab_py("snapshot = tracemalloc.take_snapshot(); tracemalloc.stop()");
    mp_snapshot *snap = mp_tracemalloc_take_snapshot();
    mp_tracemalloc_stop();
    lab_py("for stat in snapshot.statistics('lineno')[:10]: print(stat)");
    mp_statistic *stats = NULL;
    size_t n = snap ? mp_snapshot_statistics(snap, MP_GROUP_BY_LINENO, &stats) : 0;
    if (n == (size_t)-1)
        n = 0;
    print_top(stats, n);

    lab_say("The lines differ (this file and twin.py), so the lab compares what they "
            "stand for: each workload's bytes against what its objects ask for, and the "
            "order of the workloads. A str is one block of 48 + len + 1 bytes in both "
            "runtimes: no tolerance. A tuple of 20 is one block of 40 + 8 × 20, too long "
            "for CPython's tuple free list, and each of its ints asks for 32: no tolerance. "
            "A list is a header and its slots, but CPython may take the header from its "
            "free list untraced: 56 bytes per list.");
    static const struct {
        enum site_name site;
        const char *key, *noun, *python;
        long long objects, each, tolerance;
    } work[] = {
        {BIG_LISTS, "near_big_lists", "lists", "[0] * " XSTR(TABLE_LEN), TABLES, LIST_BYTES + 8LL * TABLE_LEN,
         LIST_BYTES},
        {SHORT_STRS, "near_short_strs", "strs", "'user-%05d' % i", NAMES, STR_BYTES + 10 + 1, 0},
        {INT_TUPLES, "near_int_tuples", "tuples", "tuple(range(...))", ROWS,
         TUPLE_BYTES + 8LL * ROW_LEN + (long long)INT_ASKS * ROW_LEN, 0},
    };
    enum { NWORK = sizeof work / sizeof work[0] };
    long long ours[NWORK] = {0}, expected[NWORK];
    for (size_t k = 0; k < NWORK; k++) {
        for (size_t i = 0; i < n; i++) {
            if (site_of(stats[i].site) == (int)work[k].site)
                ours[k] += (long long)stats[i].size;
        }
        expected[k] = work[k].objects * work[k].each;
        long long tolerance = work[k].objects * work[k].tolerance, off = ours[k] - expected[k];
        char what[96];
        snprintf(what, sizeof what, "# %s: %lld ± %lld", work[k].python, expected[k], tolerance);
        lab_check_bool(26, what, (off < 0 ? -off : off) <= tolerance, work[k].key, true);
    }

    /* The order the arithmetic predicts, and the order each runtime found. */
    int by_expected[NWORK], by_ours[NWORK];
    for (int k = 0; k < NWORK; k++)
        by_expected[k] = by_ours[k] = k;
    for (int a = 0; a < NWORK; a++) {
        for (int b = a + 1; b < NWORK; b++) {
            if (expected[by_expected[b]] > expected[by_expected[a]]) {
                int t = by_expected[a];
                by_expected[a] = by_expected[b], by_expected[b] = t;
            }
            if (ours[by_ours[b]] > ours[by_ours[a]]) {
                int t = by_ours[a];
                by_ours[a] = by_ours[b], by_ours[b] = t;
            }
        }
    }
    char order_expected[96] = "", order_ours[96] = "";
    for (int k = 0; k < NWORK; k++) {
        size_t ue = strlen(order_expected), uo = strlen(order_ours);
        snprintf(order_expected + ue, sizeof order_expected - ue, "%s%s", k ? " > " : "",
                 work[by_expected[k]].noun);
        snprintf(order_ours + uo, sizeof order_ours - uo, "%s%s", k ? " > " : "",
                 work[by_ours[k]].noun);
    }
    lab_check_text(26, "# the workloads by size", order_ours, "workload_order", order_expected);
    lab_say("Each of our lists is two blocks (header and slots) where CPython's count is "
            "one; that is the free list again. Each tuple row is 21 blocks in both: the "
            "tuple and its 20 ints, all made by the one line.");

    free(stats);
    mp_snapshot_free(snap);
    MP_DECREF(tables);
    MP_DECREF(names);
    MP_DECREF(rows);
}

/* ---- step 3 -------------------------------------------------------------------------------- */

static mp_object *registry; /* module-level: whatever remember() puts here stays */
static mp_object *buffer;

/* def remember(i): registry.append('request %06d: accepted' % i) */
static void remember(long i)
{
    AT_LINE(site_line[REMEMBER], append_record(registry, i));
}

/* def rebuild_buffer(): global buffer; buffer = [0] * BUFFER_LEN */
static void rebuild_buffer(void)
{
    mp_object *old = buffer;
    buffer = AT_LINE(site_line[BUFFER], zeros(BUFFER_LEN));
    MP_XDECREF(old);
}

/* def scratch_work(i): scratch = [...]; more than remember() makes, none kept. */
static void scratch_work(long i)
{
    mp_object *scratch = AT_LINE(site_line[SCRATCH], scratch_records(i));
    MP_XDECREF(scratch);
}

static void serve(long i)
{
    remember(i);
    scratch_work(i);
    if (i % REBUILD_EVERY == REBUILD_EVERY - 1)
        rebuild_buffer();
}

static void print_diff(const mp_statistic_diff *diffs, size_t n)
{
    printf("   %2s  %-10s %-10s %9s %10s   %-12s %9s %10s\n", "#", "what", "ours", "size_diff",
           "count_diff", "CPython", "size_diff", "count_diff");
    lab_csv *csv =
        lab_csv_open("leak_diff.csv", "rank,runtime,site,size_diff,count_diff,size,count");
    for (size_t i = 0; i < 5; i++) {
        long long line, site, size_diff, count_diff, size, cnt;
        bool theirs = lab_twin_item_int("diff_line", i, &line) &&
                      lab_twin_item_int("diff_site", i, &site) &&
                      lab_twin_item_int("diff_size_diff", i, &size_diff) &&
                      lab_twin_item_int("diff_count_diff", i, &count_diff) &&
                      lab_twin_item_int("diff_size", i, &size) &&
                      lab_twin_item_int("diff_count", i, &cnt);
        if (i >= n && !theirs)
            break;
        int ours_site = i < n ? site_of(diffs[i].site) : NSITES;
        char at[32];
        printf("   %2zu  %-10s ", i + 1, i < n ? site_label(ours_site) : "");
        if (i < n) {
            snprintf(at, sizeof at, "%s:%d", base_name(diffs[i].site.file), diffs[i].site.line);
            printf("%-10s %+9td %+10td", at, diffs[i].size_diff, diffs[i].count_diff);
            lab_csv_row(csv, "%zu,ours,%s,%td,%td,%zu,%zu", i + 1, at, diffs[i].size_diff,
                        diffs[i].count_diff, diffs[i].size, diffs[i].count);
        } else {
            printf("%-10s %9s %10s", "", "", "");
        }
        if (theirs) {
            snprintf(at, sizeof at, "twin.py:%lld", line);
            printf("   %-12s %+9lld %+10lld", at, size_diff, count_diff);
            their_label(ours_site, site);
            lab_csv_row(csv, "%zu,cpython,%s,%lld,%lld,%lld,%lld", i + 1, at, size_diff,
                        count_diff, size, cnt);
        }
        putchar('\n');
    }
    lab_csv_close(csv);
}

static void step_leak(long n)
{
    lab_step("A snapshot diff finds a leak");
    lab_say("remember() keeps every record it makes in a module-level list, as code that "
            "remembers everything does. Around it, scratch_work() makes four records per "
            "call and drops them, and a %d-slot buffer is rebuilt every %d calls. Two "
            "snapshots, %ld calls apart, and compare_to ranks the lines by how much their "
            "memory changed.",
            BUFFER_LEN, REBUILD_EVERY, n);
    lab_py("registry = []");
    lab_py("def remember(i): registry.append('request %%06d: accepted' %% i)");
    lab_py("def scratch_work(i): scratch = ['scratch %%06d: accepted' %% (i + j) for j in "
           "range(4)]");
    lab_py("def rebuild_buffer(): global buffer; buffer = [0] * %d", BUFFER_LEN);
    registry = mp_list_new(0);
    lab_py("tracemalloc.start(); rebuild_buffer(); old = tracemalloc.take_snapshot()");
    mp_tracemalloc_start();
    rebuild_buffer();
    mp_snapshot *old = mp_tracemalloc_take_snapshot();
    lab_py("for i in range(%ld):\n"
           "    remember(i); scratch_work(i)\n"
           "    if i %% %d == %d: rebuild_buffer()",
           n, REBUILD_EVERY, REBUILD_EVERY - 1);
    for (long i = 0; i < n; i++)
        serve(i);
    lab_py("new = tracemalloc.take_snapshot(); tracemalloc.stop()");
    mp_snapshot *new = mp_tracemalloc_take_snapshot();
    mp_tracemalloc_stop();
    lab_py("for stat in new.compare_to(old, 'lineno')[:5]: print(stat)");
    mp_statistic_diff *diffs = NULL;
    size_t nd = old && new ? mp_snapshot_compare_to(new, old, MP_GROUP_BY_LINENO, &diffs) : 0;
    if (nd == (size_t)-1)
        nd = 0;
    print_diff(diffs, nd);

    char record[64];
    int record_len = snprintf(record, sizeof record, "request %06d: accepted", 0);
    long long record_bytes = STR_BYTES + record_len + 1;
    long capacity = lab_list_capacity_after_appends(n);
    long long leak_bytes = n * record_bytes + 8LL * capacity;
    lab_say("The leak, by arithmetic: %ld records of 48 + %d + 1 bytes each, and registry's "
            "array of slots, grown by appends to %ld. Each realloc traces the array afresh "
            "at the line that asked, so all of it belongs to remember's line: %ld × %lld + "
            "8 × %ld = %lld bytes in %ld blocks. (The twin leaves tracemalloc's own lines "
            "out of its snapshots: old is still alive when new is taken. Our snapshots "
            "live outside the runtime and are never traced.)",
            n, record_len, capacity, n, record_bytes, capacity, leak_bytes, n + 1);
    bool first = nd > 0 && site_of(diffs[0].site) == REMEMBER;
    lab_check_bool(26, "# diff[0] is remember's line", first, "leak_first", true);
    lab_check_int(26, "# its size_diff", nd ? (long long)diffs[0].size_diff : 0,
                  "leak_size_diff", leak_bytes);
    lab_check_int(26, "# its count_diff", nd ? (long long)diffs[0].count_diff : 0,
                  "leak_count_diff", n + 1);

    mp_statistic *stats = NULL;
    size_t ns = new ? mp_snapshot_statistics(new, MP_GROUP_BY_LINENO, &stats) : 0;
    if (ns == (size_t)-1)
        ns = 0;
    long long buffer_bytes = LIST_BYTES + 8LL * BUFFER_LEN;
    const char *biggest_expected = leak_bytes > buffer_bytes ? site_names[REMEMBER] : site_names[BUFFER];
    lab_say("scratch_work() made four times as many records as remember() and kept none, "
            "so its line is not in the diff at all. The buffer holds %lld bytes at both "
            "snapshots: its line is there with +0. In CPython the loop variable i, an int "
            "above 256, is alive too when new is taken; ours is a C long. Sorted by size "
            "instead, new.statistics() puts the biggest holder first (%s, here): one snapshot "
            "shows where memory is, only a diff shows where it grows.",
            buffer_bytes, biggest_expected);
    lab_check_text(26, "# biggest in new.statistics()",
                   ns ? site_label(site_of(stats[0].site)) : "", "biggest_line_now",
                   biggest_expected);

    free(stats);
    free(diffs);
    mp_snapshot_free(old);
    mp_snapshot_free(new);
    MP_DECREF(registry);
    MP_XDECREF(buffer);
    registry = buffer = NULL;
}

/* ---- step 4 -------------------------------------------------------------------------------- */

/* The line tracemalloc gives for o, or -1 when it has none. */
static int traceback_line(mp_object *o)
{
    mp_trace_site s;
    return mp_tracemalloc_get_object_traceback(o, &s) ? s.line : -1;
}

static void step_traceback(void)
{
    lab_step("Where one object was made");
    lab_say("get_object_traceback(obj) looks up the block under obj (for a container, "
            "the GC header 16 bytes before it) and returns its traceback: one frame, the "
            "line, by default. An object tracing never saw being allocated has none.");
    lab_py("early = 'made before start %%d' %% 42");
    mp_object *early = MP_AT(lab_str_printf("made before start %d", 42));
    lab_py("tracemalloc.start()");
    mp_tracemalloc_start();
    int text_line, row_line, table_line;
    lab_py("text = 'user-%%05d' %% 42");
    mp_object *text = AT_LINE(text_line, lab_str_printf("user-%05d", 42));
    lab_py("row = tuple(range(1042, %d))", 1042 + ROW_LEN);
    mp_object *row = AT_LINE(row_line, int_row(1042));
    lab_py("table = [0] * %d", TABLE_LEN);
    mp_object *table = AT_LINE(table_line, zeros(TABLE_LEN));
    lab_py("seven = int('7')");
    mp_object *seven = mp_int_from_string("7");

    int at_text = traceback_line(text), at_row = traceback_line(row);
    lab_show_int("tracemalloc.get_object_traceback(text)[0].lineno", at_text, "tb_text_line");
    lab_check_bool(26, "# the line that made text", at_text == text_line, "tb_text_ok", true);
    lab_show_int("tracemalloc.get_object_traceback(row)[0].lineno", at_row, "tb_row_line");
    lab_check_bool(26, "# the line that made row", at_row == row_line, "tb_row_ok", true);
    lab_show_int("len(tracemalloc.get_object_traceback(text))", at_text >= 0, "tb_nframe");
    lab_check_bool(26, "tracemalloc.get_object_traceback(seven) is None",
                   traceback_line(seven) < 0, "tb_seven_none", true);
    lab_check_bool(26, "tracemalloc.get_object_traceback(early) is None",
                   traceback_line(early) < 0, "tb_early_none", true);
    lab_say("seven is the cached int, allocated before the program began; early was made "
            "before tracing started. table shows the free list once more: CPython reused a "
            "dead list object, allocated before tracing, so only its slots are traced and "
            "the object itself has no traceback. Ours has no free list.");
    lab_show_int("len(tracemalloc.get_object_traceback(table) or ())",
                 traceback_line(table) == table_line, "tb_table_frames");
    mp_tracemalloc_stop();
    MP_DECREF(early);
    MP_DECREF(text);
    MP_DECREF(row);
    MP_DECREF(table);
    MP_DECREF(seven);
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"10-tracemalloc", "allocation tracing", "26", options};
    lab_begin(&spec, argc, argv);
    step_articles(count > 0 ? count : 10000);
    step_top_lines();
    step_leak(calls > 0 ? calls : lab_quick() ? 200 : 1000);
    step_traceback();
    lab_claim(26, "holds",
              "current and peak as arithmetic predicts; a snapshot ranked the lines by size "
              "and compare_to put the leaking line first with the predicted size_diff, in "
              "both runtimes. 'Allocated the most' means 'still holds the most'.");
    return lab_end();
}
