/* Lab 06 — list vs array vs deque.
 *
 * Three containers for a sequence of numbers. A list is an array of
 * pointers to objects, grown with spare room; an array.array packs the
 * numbers themselves, as C values; a deque keeps pointers in blocks of
 * 64 linked both ways. This lab watches each grow, weighs what each costs
 * per number with tracemalloc, times adding and removing at either end as
 * the length goes from a hundred to a million, and ends with which to
 * choose when. Claims 19 and 20.
 *
 * C variables play the Python names: `l.append(x)` is mp_list_append(l, x),
 * `d.appendleft(x)` mp_deque_appendleft(d, x). Our runtime has no
 * interpreter, so a loop of calls stands in for a Python loop; step 3 says
 * what that changes in the timings.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "mp.h"

static long appends = -1, elements = -1, max_n = -1, repeat = -1;
static const lab_option options[] = {
    {"--appends", "step 1 appends to each container up to N items (default 10000; 1000 with "
                  "--quick)",
     &appends, 100, 1000000},
    {"--elements", "step 2 weighs containers of N numbers (default 100000; 10000 with --quick)",
     &elements, 1000, 1000000},
    {"--max-n", "step 3 times n = 100, 1000, ... up to N (default 1000000; 10000 with --quick)",
     &max_n, 10000, 1000000},
    {"--repeat", "step 3 keeps the best of N runs (default 5, also with --quick)", &repeat, 1, 100},
    {0},
};

/* Sizes in CPython 3.11, all measured by the twin too. */
#define LIST_BYTES 56   /* sys.getsizeof([]): 40 of list, 16 of GC header */
#define TUPLE_BYTES 40  /* a tuple before its items: 24 of header, 16 of GC header */
#define ARRAY_BYTES 80  /* sys.getsizeof(array('i')): 64 of array, 16 of GC header */
#define DEQUE_BYTES 232 /* sys.getsizeof(deque()) less its one block */
#define BLOCK_BYTES 528 /* a deque block: 64 slots and two links */
#define CENTER 31       /* an empty deque's right end: appends start at slot 32 */
#define POINTER 8

#define FIRST 1000    /* step 2's numbers are FIRST, FIRST + 1, ...: none is cached */
#define INT_BYTES 32  /* what each asks for, made from a C long (runtime/int.c) */
#define ITEM 100000   /* step 3's item: outside the small-int cache */
#define RATIO_I 8.0   /* list with its ints over array('i'): "far more compactly" */
#define RATIO_D 4.0   /* ... over array('d') */
#define LINEAR_MIN 10 /* list front: ns at n_hi over ns at n_hi / 100, where 100 is linear */
#define FLAT_MAX 3    /* an O(1) end: slowest n over fastest n */
#define SHOWN_CHANGES 10

static void *must_alloc(size_t bytes)
{
    void *p = calloc(1, bytes);
    if (!p)
        lab_must(mp_err_nomemory());
    return p;
}

/* ---- what CPython 3.11's source predicts --------------------------------------------- */

/* array_resize: room for newsize + newsize/16 + 3 while the array holds
 * fewer than 8 items, + 7 after. */
static long array_grown(long newsize, long oldsize)
{
    return (newsize >> 4) + (oldsize < 8 ? 3 : 7) + newsize;
}

static long array_capacity_after(long n)
{
    long allocated = 0;
    for (long size = 1; size <= n; size++)
        if (size > allocated)
            allocated = array_grown(size, size - 1);
    return allocated;
}

/* Appending at the right starts at slot CENTER + 1 of the first block, and
 * takes a new block each time the end passes slot 63. */
static long deque_blocks_after(long n) { return 1 + (CENTER + n) / 64; }

/* ---- 1 · how each grows ------------------------------------------------------------------ */

/* One container's sizes after 0..n appends: ours, the formula's, and
 * CPython's when the twin sent them. */
typedef struct growth {
    const char *twin_key; /* "list_changes": [length, value, ...] where it changes */
    long long *ours, *formula, *cpython;
    bool have_cpython;
} growth;

/* The twin sends only the lengths where a value changes; this spreads
 * them back over every length 0..n. */
static bool twin_series(const char *key, long n, long long *out)
{
    long long length, value, next;
    if (!lab_twin_item_int(key, 0, &length) || length != 0 || !lab_twin_item_int(key, 1, &value))
        return false;
    size_t i = 2;
    for (long len = 0; len <= n; len++) {
        while (lab_twin_item_int(key, i, &next) && next == len) {
            if (!lab_twin_item_int(key, i + 1, &value))
                return false;
            i += 2;
        }
        out[len] = value;
    }
    return !lab_twin_item_int(key, i, &next);
}

static growth growth_new(const char *twin_key, long n)
{
    growth g = {twin_key, must_alloc((size_t)(n + 1) * sizeof(long long)),
                must_alloc((size_t)(n + 1) * sizeof(long long)),
                must_alloc((size_t)(n + 1) * sizeof(long long)), false};
    return g;
}

static void growth_free(growth *g)
{
    free(g->ours);
    free(g->formula);
    free(g->cpython);
}

/* The first `count` lengths where ours changes, across the page, with
 * ours and CPython's value there; shown() turns a value into what to print. */
static void print_changes_across(const growth *g, long n, int count, const char *what,
                                 long long (*shown)(long long))
{
    long at[SHOWN_CHANGES];
    int m = 0;
    for (long len = 0; len <= n && m < count && m < SHOWN_CHANGES; len++)
        if (len == 0 || g->ours[len] != g->ours[len - 1])
            at[m++] = len;
    printf("\n   %-18s", "length");
    for (int j = 0; j < m; j++)
        printf(" %5ld", at[j]);
    printf("\n   %-18s", what);
    for (int j = 0; j < m; j++)
        printf(" %5lld", shown(g->ours[at[j]]));
    printf("\n   %-18s", "  CPython's");
    for (int j = 0; j < m; j++) {
        if (g->have_cpython)
            printf(" %5lld", shown(g->cpython[at[j]]));
        else
            printf(" %5s", "n/a");
    }
    printf("\n\n");
}

static long changes_in(const long long *values, long n)
{
    long count = 0;
    for (long len = 1; len <= n; len++)
        count += values[len] != values[len - 1];
    return count;
}

/* Checks ours against the formula and CPython's at every length. */
static void check_every_length(growth *g, long n, const char *formula_key, const char *what)
{
    bool formula_ok = true, same = true;
    for (long len = 0; len <= n; len++) {
        formula_ok &= g->ours[len] == g->formula[len];
        same &= !g->have_cpython || g->ours[len] == g->cpython[len];
    }
    char label[96];
    snprintf(label, sizeof label, "# %s == formula, 0..%ld", what, n);
    lab_check_bool(0, label, formula_ok, formula_key, true);
    if (g->have_cpython) {
        snprintf(label, sizeof label, "# same as CPython's, 0..%ld", n);
        lab_check_bool(0, label, same, NULL, true);
    }
}

/* The first changes, the last, and what getsizeof says at each. */
static void print_list_changes(const growth *caps, long n)
{
    printf("\n   %8s   %14s %8s   %15s %8s\n", "length", "capacity: ours", "CPython",
           "getsizeof: ours", "CPython");
    long total = changes_in(caps->ours, n), index = 0;
    for (long len = 0; len <= n; len++) {
        if (len > 0 && caps->ours[len] == caps->ours[len - 1])
            continue;
        if (index < SHOWN_CHANGES || index == total) {
            char cc[24] = "n/a", cs[24] = "n/a";
            if (caps->have_cpython) {
                snprintf(cc, sizeof cc, "%lld", caps->cpython[len]);
                snprintf(cs, sizeof cs, "%lld", LIST_BYTES + POINTER * caps->cpython[len]);
            }
            printf("   %8ld   %14lld %8s   %15lld %8s\n", len, caps->ours[len], cc,
                   LIST_BYTES + POINTER * caps->ours[len], cs);
        } else if (index == SHOWN_CHANGES) {
            printf("   %8s   (%ld more)\n", "...", total - SHOWN_CHANGES);
        }
        index++;
    }
    putchar('\n');
}

static void write_list_csv(const growth *caps, long n)
{
    lab_csv *csv = lab_csv_open("list_capacity.csv",
                                "length,capacity_ours,capacity_cpython,getsizeof_ours,"
                                "getsizeof_cpython");
    for (long len = 0; len <= n; len++) {
        if (caps->have_cpython)
            lab_csv_row(csv, "%ld,%lld,%lld,%lld,%lld", len, caps->ours[len], caps->cpython[len],
                        LIST_BYTES + POINTER * caps->ours[len],
                        LIST_BYTES + POINTER * caps->cpython[len]);
        else
            lab_csv_row(csv, "%ld,%lld,,%lld,", len, caps->ours[len],
                        LIST_BYTES + POINTER * caps->ours[len]);
    }
    lab_csv_close(csv);
}

static void step_list_growth(long n)
{
    lab_step("How each grows");
    lab_say("A list keeps pointers in an array with spare room at the end, so most appends "
            "only store a pointer. When the room runs out, list_resize (Objects/listobject.c) "
            "asks for newsize + newsize/8 + 6 slots, rounded down to a multiple of 4: about "
            "an eighth more than needed. sys.getsizeof shows the room: 56 bytes of list and "
            "GC header, plus 8 per slot, used or not.");
    lab_py("l = []\n"
           "for i in range(%ld):\n"
           "    l.append(0)\n"
           "    capacity = (sys.getsizeof(l) - 56) // 8",
           n);
    growth caps = growth_new("list_changes", n);
    mp_object *l = lab_must(mp_list_new(0)), *zero = lab_must(mp_int_from_long(0));
    caps.ours[0] = ((long long)mp_getsizeof(l) - LIST_BYTES) / POINTER;
    for (long len = 1; len <= n; len++) {
        lab_must_ok(mp_list_append(l, zero));
        caps.ours[len] = ((long long)mp_getsizeof(l) - LIST_BYTES) / POINTER;
    }
    MP_DECREF(l);
    MP_DECREF(zero);
    long allocated = 0;
    caps.formula[0] = 0;
    for (long len = 1; len <= n; len++) {
        if (len > allocated)
            allocated = lab_list_grown(len);
        caps.formula[len] = allocated;
    }
    caps.have_cpython = twin_series(caps.twin_key, n, caps.cpython);

    mp_object *empty = lab_must(mp_list_new(0));
    lab_check_int(0, "sys.getsizeof([])", (long long)mp_getsizeof(empty), "sizeof_empty_list",
                  LIST_BYTES);
    MP_DECREF(empty);
    lab_say("Where the capacity changes, and what getsizeof says there:");
    print_list_changes(&caps, n);
    check_every_length(&caps, n, "list_formula", "capacity");
    lab_show_int("# resizes in all those appends", changes_in(caps.ours, n), "list_resizes");
    lab_say("Each resize may move the whole array (realloc), but the room grows with the "
            "list, so %ld appends cost only %ld resizes: appending is O(1) on average. The "
            "price is the spare room, up to an eighth of the list plus 6 slots: %lld slots "
            "for %ld items at the end here.",
            n, changes_in(caps.ours, n), caps.ours[n], n);
    write_list_csv(&caps, n);
    growth_free(&caps);
}

static long long same_value(long long v) { return v; }

static long long deque_sizeof(long long blocks) { return DEQUE_BYTES + BLOCK_BYTES * blocks; }

static void step_array_deque_growth(long n)
{
    lab_say("An array.array grows the same way with a milder rule, array_resize "
            "(Modules/arraymodule.c): newsize/16 + 3 spare items while it is under 8 items, "
            "newsize/16 + 7 after, because arrays are chosen to save memory. Its "
            "sys.getsizeof is 80 (64 of array and the GC header) plus capacity × itemsize.");
    lab_py("a = array('i')\n"
           "for i in range(%ld):\n"
           "    a.append(0)\n"
           "    capacity = (sys.getsizeof(a) - 80) // a.itemsize",
           n);
    growth caps = growth_new("array_changes", n);
    mp_object *a = lab_must(mp_array_new('i')), *zero = lab_must(mp_int_from_long(0));
    int itemsize = mp_array_itemsize(a);
    caps.ours[0] = ((long long)mp_getsizeof(a) - ARRAY_BYTES) / itemsize;
    for (long len = 1; len <= n; len++) {
        lab_must_ok(mp_array_append(a, zero));
        caps.ours[len] = ((long long)mp_getsizeof(a) - ARRAY_BYTES) / itemsize;
    }
    MP_DECREF(a);
    MP_DECREF(zero);
    long allocated = 0;
    caps.formula[0] = 0;
    for (long len = 1; len <= n; len++) {
        if (len > allocated)
            allocated = array_grown(len, len - 1);
        caps.formula[len] = allocated;
    }
    caps.have_cpython = twin_series(caps.twin_key, n, caps.cpython);
    mp_object *empty = lab_must(mp_array_new('i'));
    lab_check_int(0, "sys.getsizeof(array('i'))", (long long)mp_getsizeof(empty),
                  "sizeof_empty_array", ARRAY_BYTES);
    MP_DECREF(empty);
    print_changes_across(&caps, n, SHOWN_CHANGES, "capacity: ours", same_value);
    check_every_length(&caps, n, "array_formula", "capacity");
    lab_show_int("# resizes in all those appends", changes_in(caps.ours, n), "array_resizes");
    lab_say("The comment in array_resize (CPython 3.11) gives the pattern as 0, 4, 8, "
            "16, 25, 34, 46, 56, 67, 79; the formula under it, and both runtimes, give 44, "
            "54, 65, 77. Measure rather than trust a comment. At the end here: %lld items of "
            "room for %ld, a sixteenth spare where a list keeps an eighth.",
            caps.ours[n], n);
    growth_free(&caps);

    lab_say("A deque never moves its items: it keeps them in blocks of 64 pointers "
            "(BLOCKLEN in Modules/_collectionsmodule.c), 528 bytes each with the two links, "
            "and links a new block when an end runs out. An empty deque is 760 bytes: 216 "
            "of deque (136 of them its cache of up to 16 emptied blocks), 16 of GC header "
            "and one block, whose ends start at its middle (CENTER) so that either end can "
            "grow by half a block first.");
    lab_py("d = deque()\n"
           "for i in range(%ld):\n"
           "    d.append(0)\n"
           "    blocks = (sys.getsizeof(d) - 232) // 528",
           n);
    growth blocks = growth_new("deque_changes", n);
    mp_object *d = lab_must(mp_deque_new(MP_DEQUE_UNBOUNDED));
    zero = lab_must(mp_int_from_long(0));
    blocks.ours[0] = ((long long)mp_getsizeof(d) - DEQUE_BYTES) / BLOCK_BYTES;
    for (long len = 1; len <= n; len++) {
        lab_must_ok(mp_deque_append(d, zero));
        blocks.ours[len] = ((long long)mp_getsizeof(d) - DEQUE_BYTES) / BLOCK_BYTES;
    }
    MP_DECREF(d);
    MP_DECREF(zero);
    for (long len = 0; len <= n; len++)
        blocks.formula[len] = deque_blocks_after(len);
    blocks.have_cpython = twin_series(blocks.twin_key, n, blocks.cpython);
    mp_object *e = lab_must(mp_deque_new(MP_DEQUE_UNBOUNDED));
    lab_check_int(0, "sys.getsizeof(deque())", (long long)mp_getsizeof(e), "sizeof_empty_deque",
                  DEQUE_BYTES + BLOCK_BYTES);
    MP_DECREF(e);
    print_changes_across(&blocks, n, 6, "getsizeof: ours", deque_sizeof);
    check_every_length(&blocks, n, "deque_formula", "blocks");
    lab_say("So getsizeof(d) is 760 + 528 for each block past the first: a step every 64 "
            "items, from 33 on. No item ever moves and nothing is over-allocated but the "
            "rest of the last block: %lld blocks for %ld items here.",
            blocks.ours[n], n);
    growth_free(&blocks);
}

/* ---- 2 · bytes per number -------------------------------------------------------------- */

typedef enum { K_LIST, K_TUPLE, K_ARRAY_I, K_ARRAY_D, K_DEQUE, NKINDS } kind;

static const struct {
    const char *key, *label, *name;
} kinds[NKINDS] = {
    [K_LIST] = {"list", "list", "l"},
    [K_TUPLE] = {"tuple", "tuple", "t"},
    [K_ARRAY_I] = {"array_i", "array('i')", "ai"},
    [K_ARRAY_D] = {"array_d", "array('d')", "ad"},
    [K_DEQUE] = {"deque", "deque", "d"},
};

/* sys.getsizeof of each container of n numbers, built as step 2 builds it. */
static long long expected_sizeof(kind k, long n)
{
    switch (k) {
    case K_LIST: return LIST_BYTES + POINTER * lab_list_capacity_after_appends(n);
    case K_TUPLE: return TUPLE_BYTES + POINTER * (long long)n;
    case K_ARRAY_I: return ARRAY_BYTES + 4 * array_capacity_after(n);
    case K_ARRAY_D: return ARRAY_BYTES + 8 * array_capacity_after(n);
    case K_DEQUE: return DEQUE_BYTES + BLOCK_BYTES * deque_blocks_after(n);
    case NKINDS: break;
    }
    return 0;
}

/* The item i of the numbers: a new int made here when nums is NULL (the
 * twin's range(1000, 1000 + n)), else nums[i]. A new reference. */
static mp_object *number(mp_object *nums, long i)
{
    return nums ? mp_newref(mp_list_get_item(nums, i)) : lab_must(mp_int_from_long(FIRST + i));
}

/* fill(c, items), or tuple(items) */
static mp_object *make(kind k, mp_object *nums, long n)
{
    mp_object *c;
    switch (k) {
    case K_TUPLE:
        c = lab_must(mp_tuple_new(n));
        for (long i = 0; i < n; i++)
            mp_tuple_set_item(c, i, number(nums, i));
        return c;
    case K_LIST: c = lab_must(mp_list_new(0)); break;
    case K_ARRAY_I: c = lab_must(mp_array_new('i')); break;
    case K_ARRAY_D: c = lab_must(mp_array_new('d')); break;
    default: c = lab_must(mp_deque_new(MP_DEQUE_UNBOUNDED)); break;
    }
    for (long i = 0; i < n; i++) {
        mp_object *x = number(nums, i);
        lab_must_ok(k == K_LIST    ? mp_list_append(c, x)
                : k == K_DEQUE ? mp_deque_append(c, x)
                               : mp_array_append(c, x));
        MP_DECREF(x);
    }
    return c;
}

/* Traced bytes of the container while it lives, and its sys.getsizeof. */
static long long traced(kind k, mp_object *nums, long n, long long *size)
{
    size_t current, peak;
    mp_tracemalloc_start();
    mp_object *c = make(k, nums, n);
    mp_tracemalloc_get_traced_memory(&current, &peak);
    mp_tracemalloc_stop();
    *size = (long long)mp_getsizeof(c);
    MP_DECREF(c);
    return (long long)current;
}

static char *per_number(char *buf, size_t size, bool have, long long bytes, long n)
{
    if (have)
        snprintf(buf, size, "%.2f", (double)bytes / (double)n);
    else
        snprintf(buf, size, "n/a");
    return buf;
}

/* Step 2's figures per number, for the wrap-up and the claim. */
static double list_with_ints, array_i_bytes, array_d_bytes, list_alone, ratio_i;
static bool bytes_as_cpython;

static void step_bytes(long n)
{
    lab_step("Bytes per number");
    lab_say("The same %ld numbers, %d to %ld, in each container. tracemalloc counts every "
            "block: first with the int objects made as they go in, then with the ints made "
            "beforehand, so that only the container counts. sys.getsizeof sees the "
            "container alone.",
            n, FIRST, FIRST + n - 1);
    lab_py("def fill(c, items):\n"
           "    for x in items:\n"
           "        c.append(x)\n"
           "    return c\n"
           "nums = list(range(%d, %ld))            # the ints, made beforehand\n"
           "l = fill([], nums); t = tuple(nums)\n"
           "ai = fill(array('i'), nums); ad = fill(array('d'), nums)\n"
           "d = fill(deque(), nums)\n"
           "# and each again from range(%d, %ld), traced with its ints",
           FIRST, FIRST + n, FIRST, FIRST + n);
    mp_object *nums = lab_must(mp_list_new(n));
    for (long i = 0; i < n; i++)
        lab_must_ok(mp_list_set_item(nums, i, lab_must(mp_int_from_long(FIRST + i))));

    long long with[NKINDS], alone[NKINDS], size[NKINDS], ignored;
    for (kind k = 0; k < NKINDS; k++) {
        with[k] = traced(k, NULL, n, &size[k]);
        alone[k] = traced(k, nums, n, &ignored);
    }
    MP_DECREF(nums);

    printf("\n   %-11s %20s   %20s   %20s\n", "bytes per", "traced, with ints",
           "traced, alone", "getsizeof / n");
    printf("   %-11s %9s %10s   %9s %10s   %9s %10s\n", "number", "ours", "CPython", "ours",
           "CPython", "ours", "CPython");
    static const char *const columns[] = {"with_ints", "alone", "sizeof"};
    bool twin_all = true, same = true;
    for (kind k = 0; k < NKINDS; k++) {
        long long ours[3] = {with[k], alone[k], size[k]};
        char theirs[3][24];
        for (int j = 0; j < 3; j++) {
            char key[40];
            long long v = 0;
            snprintf(key, sizeof key, "%s %s", columns[j], kinds[k].key);
            bool have = lab_twin_int(key, &v);
            twin_all &= have;
            same &= !have || v == ours[j];
            per_number(theirs[j], sizeof theirs[j], have, v, n);
        }
        printf("   %-11s %9.2f %10s   %9.2f %10s   %9.2f %10s\n", kinds[k].label,
               (double)with[k] / (double)n, theirs[0], (double)alone[k] / (double)n, theirs[1],
               (double)size[k] / (double)n, theirs[2]);
    }
    putchar('\n');

    lab_say("sys.getsizeof, to the byte: a list's 56 and its slots, grown by appends; a "
            "tuple's 40 and exactly n slots; an array's 80 and its items, 4 or 8 bytes "
            "each, grown by array_resize; a deque's 232 and its blocks of 528.");
    for (kind k = 0; k < NKINDS; k++) {
        char what[48], key[40];
        snprintf(what, sizeof what, "sys.getsizeof(%s)", kinds[k].name);
        snprintf(key, sizeof key, "sizeof %s", kinds[k].key);
        lab_check_int(19, what, size[k], key, expected_sizeof(k, n));
    }
    bool alone_is_sizeof = true, ints_cost = true;
    for (kind k = 0; k < NKINDS; k++) {
        alone_is_sizeof &= alone[k] == size[k];
        bool packed = k == K_ARRAY_I || k == K_ARRAY_D;
        ints_cost &= with[k] - alone[k] == (packed ? 0 : (long long)INT_BYTES * n);
    }
    lab_check_bool(19, "# traced alone == getsizeof, all five", alone_is_sizeof,
                   "alone_is_sizeof", true);
    lab_say("Each int is 28 bytes by sys.getsizeof, but one made from a C long asks the "
            "allocator for 32 (CPython 3.11's _PyLong_FromMedium allocates a whole "
            "PyLongObject). The list, the tuple and the deque keep an int object per "
            "number; the arrays convert each to a C int or double and let it go.");
    lab_check_bool(19, "# with ints − alone: 32 per int, 0 for arrays", ints_cost, "ints_cost",
                   true);
    if (twin_all)
        lab_check_bool(19, "# all 15 figures == CPython's", same, NULL, true);
    bytes_as_cpython = twin_all && same;

    list_with_ints = (double)with[K_LIST] / (double)n;
    list_alone = (double)alone[K_LIST] / (double)n;
    array_i_bytes = (double)with[K_ARRAY_I] / (double)n;
    array_d_bytes = (double)with[K_ARRAY_D] / (double)n;
    ratio_i = (double)with[K_LIST] / (double)with[K_ARRAY_I];
    double ratio_d = (double)with[K_LIST] / (double)with[K_ARRAY_D];
    lab_show_real("# list with ints / array('i')", ratio_i, "", "ratio list/array_i");
    lab_check_bool(19, "# that is at least 8", ratio_i >= RATIO_I, "ratio_i_ok", true);
    lab_show_real("# list with ints / array('d')", ratio_d, "", "ratio list/array_d");
    lab_check_bool(19, "# that is at least 4", ratio_d >= RATIO_D, "ratio_d_ok", true);
    lab_show_real("# list alone / array('i')", (double)alone[K_LIST] / (double)alone[K_ARRAY_I],
                  "", "ratio alone list/array_i");
    long spare = lab_list_capacity_after_appends(n) - n;
    lab_say("\"Far more compactly\", in numbers: a list of numbers costs %.2f bytes each, an "
            "8-byte slot (with %.1f%% spare slots at this n) plus a 32-byte int; array('i') "
            "costs %.2f, the number itself and a little spare room: %.1f times less. "
            "array('d') keeps a double in %.2f. The gain is in the int objects: against the "
            "list alone, which is all a list of small ints (shared from the cache) or of "
            "ints kept elsewhere costs, array('i') saves only about half. The tuple saves "
            "the list's spare room; the deque costs about what a list does.",
            list_with_ints, 100.0 * (double)spare / (double)n, array_i_bytes, ratio_i,
            array_d_bytes);
}

/* ---- 3 · either end, as n grows ------------------------------------------------------------- */

typedef enum { C_LIST, C_ARRAY, C_DEQUE } container_kind;

typedef enum {
    OP_LIST_INSERT0,
    OP_LIST_POP0,
    OP_DEQUE_APPENDLEFT,
    OP_DEQUE_POPLEFT,
    OP_LIST_APPEND,
    OP_LIST_POP,
    OP_ARRAY_APPEND,
    OP_ARRAY_POP,
    OP_DEQUE_APPEND,
    OP_DEQUE_POP,
    NOPS
} op;

static const struct {
    const char *key, *python;
} ops_info[NOPS] = {
    [OP_LIST_INSERT0] = {"list_insert0", "l.insert(0, x)"},
    [OP_LIST_POP0] = {"list_pop0", "l.pop(0)"},
    [OP_DEQUE_APPENDLEFT] = {"deque_appendleft", "d.appendleft(x)"},
    [OP_DEQUE_POPLEFT] = {"deque_popleft", "d.popleft()"},
    [OP_LIST_APPEND] = {"list_append", "l.append(x)"},
    [OP_LIST_POP] = {"list_pop", "l.pop()"},
    [OP_ARRAY_APPEND] = {"array_append", "a.append(x)"},
    [OP_ARRAY_POP] = {"array_pop", "a.pop()"},
    [OP_DEQUE_APPEND] = {"deque_append", "d.append(x)"},
    [OP_DEQUE_POP] = {"deque_pop", "d.pop()"},
};

/* Each pair adds at one end and takes from it, so a round of both leaves
 * the length where it was. */
#define NPAIRS 5
static const struct {
    container_kind kind;
    op grow, shrink;
} pairs[NPAIRS] = {
    {C_LIST, OP_LIST_INSERT0, OP_LIST_POP0},     {C_DEQUE, OP_DEQUE_APPENDLEFT, OP_DEQUE_POPLEFT},
    {C_LIST, OP_LIST_APPEND, OP_LIST_POP},       {C_ARRAY, OP_ARRAY_APPEND, OP_ARRAY_POP},
    {C_DEQUE, OP_DEQUE_APPEND, OP_DEQUE_POP},
};

#define MAX_SIZES 5   /* 10**2 .. 10**6 */
#define SWEEP_MAX 512 /* operations per timed batch, at most */

/* Operations per measurement, the twin's too: a list's front moves n
 * items per operation, so it gets about work_budget() / n of them (at least
 * 10); every other end gets ops_budget(). */
static long work_budget(void) { return lab_quick() ? 2000000 : 20000000; }
static long ops_budget(void) { return lab_quick() ? 10000 : 100000; }

static long ops_for(op o, long n)
{
    if (o != OP_LIST_INSERT0)
        return ops_budget();
    long ops = work_budget() / n;
    return ops < 10 ? 10 : ops > ops_budget() ? ops_budget() : ops;
}

/* One container measured at length n: k adds then k removes per round,
 * so the length sweeps n - k/2 .. n + k/2 and averages n; as many rounds
 * as make the ops. k is at most SWEEP_MAX, the same at every n but 100, so
 * that only n changes between sizes: a deque's end then stays within the
 * 16 emptied blocks it keeps, where a wider sweep would call the allocator
 * for blocks at large n only. */
typedef struct sweep {
    int pair;
    long k, rounds;
    mp_object *c;
    double best[2]; /* ns per op of grow and of shrink: the fastest batch so far */
} sweep;

static mp_object *filled(container_kind kind, mp_object *x, long m)
{
    mp_object *l = lab_must(mp_list_new(m));
    for (long i = 0; i < m; i++)
        lab_must_ok(mp_list_set_item(l, i, mp_newref(x)));
    if (kind == C_LIST)
        return l;
    mp_object *c;
    if (kind == C_DEQUE) {
        c = lab_must(mp_deque_new(MP_DEQUE_UNBOUNDED));
        lab_must_ok(mp_deque_extend(c, l));
    } else {
        c = lab_must(mp_array_new('i'));
        for (long i = 0; i < m; i++)
            lab_must_ok(mp_array_append(c, x));
    }
    MP_DECREF(l);
    return c;
}

/* k operations o on c, the loop the twin's timeit runs. */
static void run(op o, mp_object *c, mp_object *x, long k)
{
    switch (o) {
    case OP_LIST_INSERT0:
        for (long i = 0; i < k; i++)
            lab_must_ok(mp_list_insert(c, 0, x));
        break;
    case OP_LIST_POP0:
        for (long i = 0; i < k; i++)
            MP_DECREF(lab_must(mp_list_pop(c, 0)));
        break;
    case OP_DEQUE_APPENDLEFT:
        for (long i = 0; i < k; i++)
            lab_must_ok(mp_deque_appendleft(c, x));
        break;
    case OP_DEQUE_POPLEFT:
        for (long i = 0; i < k; i++)
            MP_DECREF(lab_must(mp_deque_popleft(c)));
        break;
    case OP_LIST_APPEND:
        for (long i = 0; i < k; i++)
            lab_must_ok(mp_list_append(c, x));
        break;
    case OP_LIST_POP:
        for (long i = 0; i < k; i++)
            MP_DECREF(lab_must(mp_list_pop(c, -1)));
        break;
    case OP_ARRAY_APPEND:
        for (long i = 0; i < k; i++)
            lab_must_ok(mp_array_append(c, x));
        break;
    case OP_ARRAY_POP:
        for (long i = 0; i < k; i++)
            MP_DECREF(lab_must(mp_array_pop(c, -1)));
        break;
    case OP_DEQUE_APPEND:
        for (long i = 0; i < k; i++)
            lab_must_ok(mp_deque_append(c, x));
        break;
    case OP_DEQUE_POP:
        for (long i = 0; i < k; i++)
            MP_DECREF(lab_must(mp_deque_pop(c)));
        break;
    case NOPS: break;
    }
}

static sweep sweep_new(int pair, long n, mp_object *x)
{
    long ops = ops_for(pairs[pair].grow, n);
    long k = n / 2 < ops ? n / 2 : ops;
    k = k < SWEEP_MAX ? k : SWEEP_MAX;
    sweep s = {pair, k, ops / k > 1 ? ops / k : 1, NULL, {INFINITY, INFINITY}};
    s.c = filled(pairs[pair].kind, x, n - k / 2);
    /* One round unmeasured: capacities and caches settle. */
    run(pairs[pair].grow, s.c, x, k);
    run(pairs[pair].shrink, s.c, x, k);
    return s;
}

/* What reading the clock twice costs, the least of many tries: each timed
 * batch pays it once, and has it taken off. */
static double clock_cost(void)
{
    double best = INFINITY;
    for (int i = 0; i < 1000; i++) {
        double t0 = lab_now();
        best = fmin(best, lab_now() - t0);
    }
    return best;
}

/* Times every batch of one run; a batch of k operations that the machine
 * interrupted is slower, never faster, so the fastest batch is the cost. */
static void sweep_measure(sweep *s, mp_object *x, double clock)
{
    op ops[2] = {pairs[s->pair].grow, pairs[s->pair].shrink};
    for (long r = 0; r < s->rounds; r++) {
        for (int i = 0; i < 2; i++) {
            double t0 = lab_now();
            run(ops[i], s->c, x, s->k);
            double ns = fmax(lab_now() - t0 - clock, 0) * 1e9 / (double)s->k;
            s->best[i] = fmin(s->best[i], ns);
        }
    }
}

/* ns[op][size], ours and the twin's (NAN where it has none). */
static double ours_ns[NOPS][MAX_SIZES], cpython_ns[NOPS][MAX_SIZES];
static long sizes[MAX_SIZES];
static int nsizes;

static void measure_all(long top, long runs)
{
    mp_object *x = lab_must(mp_int_from_long(ITEM));
    sweep sweeps[NPAIRS * MAX_SIZES];
    int count = 0;
    nsizes = 0;
    for (long n = 100; n <= top && nsizes < MAX_SIZES; n *= 10) {
        sizes[nsizes++] = n;
        for (int p = 0; p < NPAIRS; p++)
            sweeps[count++] = sweep_new(p, n, x);
    }
    /* Every container once per run, so that a busy moment of the machine
     * spoils one run of each, not every run of one. */
    double clock = clock_cost();
    for (long r = 0; r < runs; r++)
        for (int i = 0; i < count; i++)
            sweep_measure(&sweeps[i], x, clock);
    for (int i = 0; i < count; i++) {
        int size = i / NPAIRS;
        ours_ns[pairs[sweeps[i].pair].grow][size] = sweeps[i].best[0];
        ours_ns[pairs[sweeps[i].pair].shrink][size] = sweeps[i].best[1];
        MP_DECREF(sweeps[i].c);
    }
    MP_DECREF(x);
    for (op o = 0; o < NOPS; o++) {
        for (int s = 0; s < nsizes; s++) {
            char key[48];
            snprintf(key, sizeof key, "ns %s %ld", ops_info[o].key, sizes[s]);
            if (!lab_twin_real(key, &cpython_ns[o][s]))
                cpython_ns[o][s] = NAN;
        }
    }
}

static void format_ns(char *buf, size_t size, double ns)
{
    if (isnan(ns))
        snprintf(buf, size, "n/a");
    else if (ns >= 1e4)
        snprintf(buf, size, "%.0f", ns);
    else
        snprintf(buf, size, "%.1f", ns);
}

static void print_left_table(void)
{
    static const op left[] = {OP_LIST_INSERT0, OP_LIST_POP0, OP_DEQUE_APPENDLEFT,
                              OP_DEQUE_POPLEFT};
    printf("\n   %-7s", "ns/op");
    for (int j = 0; j < 4; j++)
        printf(" %17s", ops_info[left[j]].python);
    printf("\n   %-7s", "n");
    for (int j = 0; j < 4; j++)
        printf(" %8s %8s", "ours", "CPython");
    putchar('\n');
    for (int s = 0; s < nsizes; s++) {
        char nt[24];
        printf("   %-7s", lab_power_text(sizes[s], nt, sizeof nt));
        for (int j = 0; j < 4; j++) {
            char a[24], b[24];
            format_ns(a, sizeof a, ours_ns[left[j]][s]);
            format_ns(b, sizeof b, cpython_ns[left[j]][s]);
            lab_printf(" " LAB_MEASURED("%8s") " " LAB_MEASURED("%8s"), a, b);
        }
        putchar('\n');
    }
    putchar('\n');
}

static void write_ops_csv(void)
{
    lab_csv *csv = lab_csv_open(
        "ops_vs_n.csv",
        "n,list_insert0_ns_ours,list_pop0_ns_ours,deque_appendleft_ns_ours,deque_popleft_ns_ours,"
        "list_insert0_ns_cpython,list_pop0_ns_cpython,deque_appendleft_ns_cpython,"
        "deque_popleft_ns_cpython");
    static const op left[] = {OP_LIST_INSERT0, OP_LIST_POP0, OP_DEQUE_APPENDLEFT,
                              OP_DEQUE_POPLEFT};
    for (int s = 0; s < nsizes; s++) {
        char row[512];
        int used = snprintf(row, sizeof row, "%ld", sizes[s]);
        for (int j = 0; j < 4; j++)
            used += snprintf(row + used, sizeof row - (size_t)used, ",%.3f", ours_ns[left[j]][s]);
        for (int j = 0; j < 4; j++) {
            double v = cpython_ns[left[j]][s];
            if (isnan(v))
                used += snprintf(row + used, sizeof row - (size_t)used, ",");
            else
                used += snprintf(row + used, sizeof row - (size_t)used, ",%.3f", v);
        }
        lab_csv_row(csv, "%s", row);
    }
    lab_csv_close(csv);
}

static int size_index(long n)
{
    for (int s = 0; s < nsizes; s++)
        if (sizes[s] == n)
            return s;
    return -1;
}

/* The slowest size's time over the fastest's. */
static double spread(const double *ns)
{
    double lo = ns[0], hi = ns[0];
    for (int s = 1; s < nsizes; s++) {
        lo = ns[s] < lo ? ns[s] : lo;
        hi = ns[s] > hi ? ns[s] : hi;
    }
    return hi / lo;
}

/* Step 3's figures, for the wrap-up and the claim. */
static double front_growth[2];
static long n_hi, n_lo;

static void step_ends(long top, long runs)
{
    lab_step("Either end, as n grows");
    lab_say("Adding and removing at the front. l.insert(0, x) makes room by moving every "
            "item one slot right (ins1 in Objects/listobject.c), and l.pop(0) moves them all "
            "back (list_pop_impl's memmove). d.appendleft(x) and d.popleft() only move the "
            "deque's left index, and link or unlink a block every 64 items.");
    lab_say("For each n from 100 to %ld: a container of about n items, then rounds of k "
            "additions, timed, and k removals, timed, with k = n/2 up to %d, so the length "
            "sweeps n ± k/2 and averages n. Each of %ld runs times every container; shown is "
            "the fastest batch, in nanoseconds per operation, less the cost of reading the "
            "clock. Ours: a C loop of calls. CPython's: timeit of the statement, its loop "
            "included.",
            top, SWEEP_MAX, runs);
    lab_py("l = [x] * (n - k//2); d = deque(l)\n"
           "timeit.timeit('l.insert(0, x)', number=k, globals=...)\n"
           "timeit.timeit('l.pop(0)', number=k, globals=...)       # and d.appendleft, "
           "d.popleft");
    measure_all(top, runs);
    print_left_table();
    write_ops_csv();

    n_hi = 100;
    for (int s = 0; s < nsizes; s++)
        if (sizes[s] <= 100000)
            n_hi = sizes[s];
    n_lo = n_hi / 100;
    int hi = size_index(n_hi), lo = size_index(n_lo);
    char a[24], b[24], what[96], key[48];
    lab_say("An O(n) operation costs 100 times more for 100 times the items, once the "
            "moving outweighs the fixed cost of the call. From n = %s to %s:",
            lab_power_text(n_lo, a, sizeof a), lab_power_text(n_hi, b, sizeof b));
    static const op front[] = {OP_LIST_INSERT0, OP_LIST_POP0};
    bool linear = true;
    for (int j = 0; j < 2; j++) {
        front_growth[j] = ours_ns[front[j]][hi] / ours_ns[front[j]][lo];
        linear &= front_growth[j] > LINEAR_MIN;
        snprintf(what, sizeof what, "# %s: ns at %s / at %s", ops_info[front[j]].python, b, a);
        snprintf(key, sizeof key, "growth %s", ops_info[front[j]].key);
        lab_show_measured(what, front_growth[j], "", key);
    }
    lab_check_bool(20, "# both grow more than 10 times", linear, "list_front_linear", true);

    lab_say("An O(1) operation costs the same at every n, give or take the machine's "
            "caches and noise. Slowest n over fastest, from 100 to %s:",
            lab_power_text(top, a, sizeof a));
    static const op deque_left[] = {OP_DEQUE_APPENDLEFT, OP_DEQUE_POPLEFT};
    bool flat = true;
    for (int j = 0; j < 2; j++) {
        double r = spread(ours_ns[deque_left[j]]);
        flat &= r < FLAT_MAX;
        snprintf(what, sizeof what, "# %s: slowest / fastest", ops_info[deque_left[j]].python);
        snprintf(key, sizeof key, "spread %s", ops_info[deque_left[j]].key);
        lab_show_measured(what, r, "", key);
    }
    lab_check_bool(20, "# both below 3", flat, "deque_left_flat", true);

    lab_say("At the right end nothing moves in any of the three: append and pop are O(1) "
            "for a list and an array too (amortized: now and then a resize copies the "
            "array). Fastest and slowest n, ns per operation:");
    printf("\n   %-15s %24s   %24s\n", "ns/op", "ours", "CPython");
    printf("   %-15s %8s %8s %6s   %8s %8s %6s\n", "", "fastest", "slowest", "ratio", "fastest",
           "slowest", "ratio");
    bool right_flat = true;
    for (op o = OP_LIST_APPEND; o <= OP_DEQUE_POP; o++) {
        double lo_ns = ours_ns[o][0], hi_ns = ours_ns[o][0];
        double clo = cpython_ns[o][0], chi = cpython_ns[o][0];
        for (int s = 1; s < nsizes; s++) {
            lo_ns = fmin(lo_ns, ours_ns[o][s]);
            hi_ns = fmax(hi_ns, ours_ns[o][s]);
            clo = fmin(clo, cpython_ns[o][s]);
            chi = fmax(chi, cpython_ns[o][s]);
        }
        right_flat &= hi_ns / lo_ns < FLAT_MAX;
        char c1[24], c2[24], c3[24];
        format_ns(c1, sizeof c1, clo);
        format_ns(c2, sizeof c2, chi);
        format_ns(c3, sizeof c3, chi / clo);
        lab_printf("   %-15s " LAB_MEASURED("%8.1f") " " LAB_MEASURED("%8.1f") " "
                   LAB_MEASURED("%6.2f") "   " LAB_MEASURED("%8s") " " LAB_MEASURED("%8s") " "
                   LAB_MEASURED("%6s") "\n", ops_info[o].python, lo_ns, hi_ns,
               hi_ns / lo_ns, c1, c2, isnan(clo) ? "n/a" : c3);
    }
    putchar('\n');
    lab_check_bool(20, "# all six below 3", right_flat, "right_flat", true);

    int top_s = nsizes - 1;
    lab_power_text(sizes[top_s], a, sizeof a);
    lab_say("Where the operation is cheap, ours is several times faster than CPython: we "
            "have no bytecode to dispatch, no method to look up and no arguments to parse, "
            "and deque.h and list.h inline the common case. Where moving the items "
            "dominates, the two should meet: both pop(0)s are one memmove of the pointers. "
            "CPython's insert(0) moves them in a loop of its own, one at a time (ins1), "
            "where ours calls memmove.");
    if (!isnan(cpython_ns[OP_LIST_POP0][top_s]) && !isnan(cpython_ns[OP_LIST_INSERT0][top_s]))
        lab_say("At n = %s: l.pop(0) " LAB_MEASURED("%.0f") " ns here, " LAB_MEASURED("%.0f")
                " in CPython; l.insert(0, x) " LAB_MEASURED("%.0f") " here, "
                LAB_MEASURED("%.0f") " in CPython.",
                a, ours_ns[OP_LIST_POP0][top_s], cpython_ns[OP_LIST_POP0][top_s],
                ours_ns[OP_LIST_INSERT0][top_s], cpython_ns[OP_LIST_INSERT0][top_s]);
}

/* ---- 4 · which to choose ------------------------------------------------------------------ */

/* "0.8 ns (CPython 9.7)" for op at size index s; without the twin, ours. */
static const char *both_ns(char *buf, size_t size, op o, int s)
{
    char ours[24], cpython[24];
    format_ns(ours, sizeof ours, ours_ns[o][s]);
    format_ns(cpython, sizeof cpython, cpython_ns[o][s]);
    if (isnan(cpython_ns[o][s]))
        snprintf(buf, size, LAB_MEASURED("%s") " ns", ours);
    else
        snprintf(buf, size, LAB_MEASURED("%s") " ns (CPython " LAB_MEASURED("%s") ")", ours,
                 cpython);
    return buf;
}

static void step_choose(void)
{
    lab_step("Which to choose");
    char a[24], t1[80], t2[80], t3[80], t4[80];
    int top_s = nsizes - 1;
    lab_power_text(sizes[top_s], a, sizeof a);
    lab_say("A list, by default. Appending and popping at the right end cost %s and %s at "
            "n = %s, as at any length, and a number costs its 8-byte slot and its int: %.2f "
            "bytes in step 2. Reading l[i] hands back the object it holds.",
            both_ns(t1, sizeof t1, OP_LIST_APPEND, top_s),
            both_ns(t2, sizeof t2, OP_LIST_POP, top_s), a, list_with_ints);
    lab_say("A tuple, for a sequence that never changes: no spare room, so a little smaller "
            "than the list that built it.");
    lab_say("An array.array, for many numbers of one C type: %.2f bytes a number as 'i', "
            "%.2f as 'd', against %.2f in a list, %.1f times less for 'i'. It holds values, "
            "not objects, so each append converts the number: a.append(x) costs %s, "
            "l.append(x) %s. Each a[i] or a.pop() makes a new int or float, a value must "
            "fit the typecode, and inserting at the front moves every item, as in a list. "
            "When the ints are shared (small ints, or kept elsewhere anyway), a list costs "
            "%.2f bytes a number, and the array saves only about half.",
            array_i_bytes, array_d_bytes, list_with_ints, ratio_i,
            both_ns(t1, sizeof t1, OP_ARRAY_APPEND, top_s),
            both_ns(t2, sizeof t2, OP_LIST_APPEND, top_s), list_alone);
    lab_say("A deque, for a queue: taking from the front of a list of %s items costs %s, "
            "for it moves every item; a deque's popleft costs %s, whatever the length. Its "
            "price: reaching d[i] in the middle walks the blocks, O(n/64), and even an empty "
            "deque is 760 bytes. For a short queue the difference is small in absolute terms: "
            "at n = 100, l.insert(0, x) costs %s against %s for d.appendleft(x).",
            a, both_ns(t1, sizeof t1, OP_LIST_POP0, top_s),
            both_ns(t2, sizeof t2, OP_DEQUE_POPLEFT, top_s),
            both_ns(t3, sizeof t3, OP_LIST_INSERT0, 0),
            both_ns(t4, sizeof t4, OP_DEQUE_APPENDLEFT, 0));

    char lo[24], hi[24];
    lab_power_text(n_lo, lo, sizeof lo);
    lab_power_text(n_hi, hi, sizeof hi);
    lab_claim(19, "holds",
              "a list of numbers costs %.2f bytes each (an 8-byte slot and a 32-byte int), "
              "array('i') %.2f: %.1f times less, and array('d') %.2f%s. The saving is the "
              "int objects: against the list's slots alone (small or shared ints) "
              "array('i') is only about twice as small.",
              list_with_ints, array_i_bytes, ratio_i, array_d_bytes,
              bytes_as_cpython ? ", the same to the byte in CPython" : "");
    int h = size_index(n_hi), l = size_index(n_lo);
    double cg0 = cpython_ns[OP_LIST_INSERT0][h] / cpython_ns[OP_LIST_INSERT0][l];
    double cg1 = cpython_ns[OP_LIST_POP0][h] / cpython_ns[OP_LIST_POP0][l];
    char cpython[64] = "", small[48] = "";
    if (!isnan(cg0) && !isnan(cg1))
        snprintf(cpython, sizeof cpython, " (CPython: " LAB_MEASURED("%.0f") " and "
                                          LAB_MEASURED("%.0f") ")", cg0, cg1);
    if (!isnan(cpython_ns[OP_LIST_INSERT0][0]))
        snprintf(small, sizeof small, ", " LAB_MEASURED("%.0f") " in CPython",
                 cpython_ns[OP_LIST_INSERT0][0]);
    lab_claim(20, "holds",
              "from n = %s to %s, list.insert(0) grew " LAB_MEASURED("%.0f")
              " times and list.pop(0) " LAB_MEASURED("%.0f") " times "
              "here%s, while deque.appendleft/popleft stayed within a factor of 3 from 100 "
              "to %s items. At small n it hardly matters: at n = 100, list.insert(0) took "
              LAB_MEASURED("%.0f") " ns here%s.",
              lo, hi, front_growth[0], front_growth[1], cpython,
              a, ours_ns[OP_LIST_INSERT0][0], small);
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"06-sequences", "list vs array vs deque", "19-20", options};
    lab_twin_timeout(120);
    lab_begin(&spec, argc, argv);
    long n1 = appends > 0 ? appends : lab_quick() ? 1000 : 10000;
    step_list_growth(n1);
    step_array_deque_growth(n1);
    step_bytes(elements > 0 ? elements : lab_quick() ? 10000 : 100000);
    step_ends(max_n > 0 ? max_n : lab_quick() ? 10000 : 1000000,
              repeat > 0 ? repeat : 5);
    step_choose();
    return lab_end();
}
