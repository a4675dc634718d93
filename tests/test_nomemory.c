/* test_nomemory.c — every allocation of every scenario, failed in turn.
 *
 * SQLite's way of proving its error paths (its "malloc test": run a
 * statement once per allocation point, failing that allocation), with the
 * runtime's own switch, mp_set_nomemory (CPython's _testcapi.set_nomemory).
 * A scenario exercises one part of the runtime and checks every result,
 * unwinding on the first failure as a C-API caller does. It runs once to
 * count its allocation requests, N; then, for k = 1..N, in a fresh
 * session with request k failing. Every run must end cleanly:
 *   - the scenario either returns -1 with MemoryError set (the failure
 *     propagated) or 0 with no error (the runtime absorbed it, as a string
 *     that cannot be interned stays uninterned);
 *   - the objects that outlive the scenario (made before it, used inside
 *     it) have the reference counts they had before;
 *   - after cleanup no block is in use (the allocator's own counts), and a
 *     full collection afterwards finds the generation lists sound (the
 *     debug trees validate them between phases);
 *   - in the sanitizer tree, LeakSanitizer finds nothing leaked at the end.
 * The total of N over the scenarios, the failure points covered, is
 * printed at the end.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "mp.h"

/* LeakSanitizer reports at exit, after Criterion has counted the test as
 * passed; asked here, its verdict fails the test. */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
static int leaks_found(void) { return __lsan_do_recoverable_leak_check(); }
#else
static int leaks_found(void) { return 0; }
#endif

/* ---- what outlives a scenario ------------------------------------------------------ */

enum {
    SURVIVOR_STR,
    SURVIVOR_BIG,
    SURVIVOR_TUPLE,
    SURVIVOR_CLS,
    SURVIVOR_SMALL_INT, /* the runtime's shared objects, used everywhere */
    SURVIVOR_EMPTY_TUPLE,
    SURVIVOR_EMPTY_STR,
    NSURVIVORS
};
static mp_object *survivor[NSURVIVORS];

/* A str, a big int, a tuple of both, and a class whose instances have a
 * __dict__ (the classes of the scenarios' instances), made before a
 * scenario and handed to it; and three of the runtime's shared objects. */
static struct {
    mp_object *str, *big, *tuple, *cls;
} S;

static int make_survivors(void)
{
    S.str = mp_str_from_utf8("survivor");
    S.big = mp_int_from_string("123456789012345678901234567890");
    S.tuple = S.str && S.big ? mp_tuple_pack(2, S.str, S.big) : NULL;
    S.cls = mp_class_new("Node", NULL);
    survivor[SURVIVOR_STR] = S.str;
    survivor[SURVIVOR_BIG] = S.big;
    survivor[SURVIVOR_TUPLE] = S.tuple;
    survivor[SURVIVOR_CLS] = S.cls;
    survivor[SURVIVOR_SMALL_INT] = mp_int_from_long(0);
    survivor[SURVIVOR_EMPTY_TUPLE] = mp_tuple_new(0);
    survivor[SURVIVOR_EMPTY_STR] = mp_str_from_utf8("");
    for (int i = 0; i < NSURVIVORS; i++) {
        if (!survivor[i])
            return -1;
    }
    return 0;
}

static void drop_survivors(void)
{
    for (int i = 0; i < NSURVIVORS; i++)
        MP_CLEAR(survivor[i]);
    memset(&S, 0, sizeof S);
}

/* ---- unwinding ------------------------------------------------------------------------ */

/* Every scenario: `int r = -1;`, the work, `r = 0;`, and an `out:` label
 * that releases what it holds. */
#define NEW(var, call)                                                                         \
    do {                                                                                       \
        if (!((var) = (call)))                                                                 \
            goto out;                                                                          \
    } while (0)
#define OK(call)                                                                               \
    do {                                                                                       \
        if ((call) < 0)                                                                        \
            goto out;                                                                          \
    } while (0)
#define CLEAR(var) MP_CLEAR(var)

static size_t blocks_in_use_now(void)
{
    mp_malloc_stats s;
    mp_get_malloc_stats(&s);
    return s.blocks_in_use;
}

/* A new int outside the small-int cache. */
static mp_object *big_int(long i) { return mp_int_from_long(1000000 + i); }

/* ---- the scenarios ---------------------------------------------------------------------- */

static int sc_int(void)
{
    int r = -1;
    mp_object *small = NULL, *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    char buf[128];
    NEW(small, mp_int_from_long(7));
    NEW(a, mp_int_from_long(1L << 40));
    NEW(b, mp_int_mul(S.big, S.big));
    NEW(c, mp_int_add(b, a));
    NEW(d, mp_int_sub(c, S.big));
    mp_repr(d, buf, sizeof buf);
    r = 0;
out:
    MP_XDECREF(small);
    MP_XDECREF(a);
    MP_XDECREF(b);
    MP_XDECREF(c);
    MP_XDECREF(d);
    return r;
}

static int sc_str(void)
{
    int r = -1;
    mp_object *a = NULL, *b = NULL, *c = NULL, *i = NULL;
    NEW(a, mp_str_from_utf8("héllo wörld ✓ "));
    NEW(b, mp_str_concat(a, S.str));
    NEW(c, mp_str_concat(b, b));
    mp_str_intern(&c);
    NEW(i, mp_str_intern_from_utf8("an_interned_name"));
    r = 0;
out:
    MP_XDECREF(a);
    MP_XDECREF(b);
    MP_XDECREF(c);
    MP_XDECREF(i);
    return r;
}

static int sc_bytes(void)
{
    int r = -1;
    mp_object *a = NULL, *b = NULL, *item = NULL;
    static char big[2000];
    NEW(a, mp_bytes_from_string("some bytes"));
    NEW(b, mp_bytes_from_string_and_size(big, sizeof big));
    NEW(item, mp_bytes_getitem(a, 3));
    r = 0;
out:
    MP_XDECREF(a);
    MP_XDECREF(b);
    MP_XDECREF(item);
    return r;
}

static int sc_tuple(void)
{
    int r = -1;
    mp_object *t = NULL, *u = NULL, *x = NULL;
    NEW(t, mp_tuple_new(3));
    mp_tuple_set_item(t, 0, mp_newref(S.str));
    mp_tuple_set_item(t, 1, mp_newref(S.tuple));
    NEW(x, big_int(1));
    mp_tuple_set_item(t, 2, x);
    x = NULL;
    NEW(u, mp_tuple_pack(3, t, S.big, S.str));
    r = 0;
out:
    MP_XDECREF(t);
    MP_XDECREF(u);
    MP_XDECREF(x);
    return r;
}

static int sc_list(void)
{
    int r = -1;
    mp_object *l = NULL, *x = NULL, *p = NULL, *m = NULL;
    NEW(l, mp_list_new(0));
    for (long i = 0; i < 100; i++) {
        NEW(x, big_int(i));
        OK(mp_list_append(l, x));
        CLEAR(x);
    }
    OK(mp_list_append(l, S.str));
    OK(mp_list_insert(l, 0, S.tuple));
    OK(mp_list_set_item(l, 5, mp_newref(S.big)));
    NEW(p, mp_list_pop(l, 0));
    NEW(m, mp_list_new(3));
    OK(mp_list_append(l, l)); /* a cycle, left to the collector */
    r = 0;
out:
    MP_XDECREF(l);
    MP_XDECREF(x);
    MP_XDECREF(p);
    MP_XDECREF(m);
    return r;
}

static int sc_dict(void)
{
    int r = -1;
    mp_object *d = NULL, *k = NULL, *it = NULL, *item = NULL;
    NEW(d, mp_dict_new());
    for (long i = 0; i < 40; i++) {
        char name[32];
        snprintf(name, sizeof name, "key%ld", i);
        NEW(k, i % 2 ? mp_str_from_utf8(name) : big_int(i));
        OK(mp_dict_setitem(d, k, i % 3 ? S.str : S.tuple));
        CLEAR(k);
    }
    OK(mp_dict_setitem(d, S.tuple, S.big));
    OK(mp_dict_delitem(d, S.tuple));
    NEW(it, mp_dict_iter_items(d));
    while ((item = mp_iter_next(it)))
        CLEAR(item);
    if (mp_err_occurred())
        goto out;
    OK(mp_dict_setitem(d, S.str, d)); /* a cycle */
    r = 0;
out:
    MP_XDECREF(d);
    MP_XDECREF(k);
    MP_XDECREF(it);
    return r;
}

static int sc_set(void)
{
    int r = -1;
    mp_object *s = NULL, *t = NULL, *x = NULL, *l = NULL;
    NEW(s, mp_set_new(NULL));
    NEW(l, mp_list_new(0));
    for (long i = 0; i < 60; i++) {
        NEW(x, big_int(i));
        OK(mp_set_add(s, x));
        OK(mp_list_append(l, x));
        CLEAR(x);
    }
    OK(mp_set_add(s, S.str));
    OK(mp_set_discard(s, S.str));
    NEW(t, mp_set_new(l));
    OK(mp_set_update(t, s));
    r = 0;
out:
    MP_XDECREF(s);
    MP_XDECREF(t);
    MP_XDECREF(x);
    MP_XDECREF(l);
    return r;
}

static int sc_instance_dict(void)
{
    int r = -1;
    mp_object *a = NULL, *b = NULL, *d = NULL, *v = NULL;
    NEW(a, mp_instance_new(S.cls));
    NEW(b, mp_instance_new(S.cls));
    for (int i = 0; i < 12; i++) {
        char name[16];
        snprintf(name, sizeof name, "attr%d", i);
        OK(mp_object_setattr_str(a, name, S.str));
    }
    OK(mp_object_setattr_str(b, "attr0", S.big));
    OK(mp_object_setattr_str(b, "other", a));
    OK(mp_object_setattr_str(a, "other", b)); /* a cycle */
    NEW(v, mp_object_getattr_str(a, "attr3"));
    NEW(d, mp_instance_dict(b));
    OK(mp_dict_setitem(d, S.big, S.tuple)); /* not a str: the dict stops sharing keys */
    r = 0;
out:
    MP_XDECREF(a);
    MP_XDECREF(b);
    MP_XDECREF(d);
    MP_XDECREF(v);
    return r;
}

static int sc_instance_slots(void)
{
    int r = -1;
    mp_object *cls = NULL, *a = NULL, *v = NULL;
    static const char *const slots[] = {"x", "y", "z", NULL};
    NEW(cls, mp_class_new("Point", slots));
    NEW(a, mp_instance_new(cls));
    OK(mp_object_setattr_str(a, "x", S.big));
    OK(mp_object_setattr_str(a, "y", S.str));
    OK(mp_object_setattr_str(a, "z", a)); /* a cycle through a slot */
    NEW(v, mp_object_getattr_str(a, "y"));
    r = 0;
out:
    MP_XDECREF(cls);
    MP_XDECREF(a);
    MP_XDECREF(v);
    return r;
}

static int sc_array(void)
{
    int r = -1;
    mp_object *a = NULL, *b = NULL, *x = NULL, *p = NULL;
    NEW(a, mp_array_new('d'));
    NEW(b, mp_array_new('q'));
    for (long i = 0; i < 200; i++) {
        NEW(x, mp_float_from_double((double)i / 3));
        OK(mp_array_append(a, x));
        CLEAR(x);
        NEW(x, big_int(i));
        OK(mp_array_append(b, x));
        CLEAR(x);
    }
    NEW(x, big_int(-1));
    OK(mp_array_insert(b, 0, x));
    NEW(p, mp_array_pop(b, 0));
    r = 0;
out:
    MP_XDECREF(a);
    MP_XDECREF(b);
    MP_XDECREF(x);
    MP_XDECREF(p);
    return r;
}

static int sc_deque(void)
{
    int r = -1;
    mp_object *d = NULL, *b = NULL, *x = NULL, *p = NULL, *l = NULL;
    NEW(d, mp_deque_new(MP_DEQUE_UNBOUNDED));
    NEW(b, mp_deque_new(10));
    NEW(l, mp_list_new(0));
    for (long i = 0; i < 150; i++) {
        NEW(x, big_int(i));
        OK(i % 2 ? mp_deque_append(d, x) : mp_deque_appendleft(d, x));
        OK(mp_deque_append(b, x));
        OK(mp_list_append(l, x));
        CLEAR(x);
    }
    NEW(p, mp_deque_popleft_full(d));
    OK(mp_deque_extend(d, l));
    OK(mp_deque_append(d, d)); /* a cycle */
    r = 0;
out:
    MP_XDECREF(d);
    MP_XDECREF(b);
    MP_XDECREF(x);
    MP_XDECREF(p);
    MP_XDECREF(l);
    return r;
}

static mp_object *triple(mp_object *o)
{
    mp_object *three = mp_int_from_long(3);
    mp_object *v = three ? mp_int_mul(o, three) : NULL;
    MP_XDECREF(three);
    return v;
}

static int is_odd(mp_object *o) { return (int)(mp_int_as_long(o) & 1); }

static int sc_generators(void)
{
    int r = -1;
    mp_object *rg = NULL, *m = NULL, *f = NULL, *sum = NULL, *sq = NULL, *sum2 = NULL;
    NEW(rg, mp_range_new(0, 300, 1));
    NEW(m, mp_map_new(triple, rg));
    NEW(f, mp_filter_new(is_odd, m));
    NEW(sum, mp_sum(f));
    NEW(sq, mp_gen_squares(rg));
    NEW(sum2, mp_sum(sq));
    r = 0;
out:
    MP_XDECREF(rg);
    MP_XDECREF(m);
    MP_XDECREF(f);
    MP_XDECREF(sum);
    MP_XDECREF(sq);
    MP_XDECREF(sum2);
    return r;
}

static int sc_range(void)
{
    int r = -1;
    mp_object *rg = NULL, *it = NULL, *x = NULL, *huge = NULL;
    NEW(rg, mp_range_new(-1000000, 1000000, 7000));
    NEW(it, mp_object_getiter(rg));
    while ((x = mp_iter_next(it)))
        CLEAR(x);
    if (mp_err_occurred())
        goto out;
    NEW(huge, big_int(5));
    OK(mp_sequence_contains(rg, huge));
    r = 0;
out:
    MP_XDECREF(rg);
    MP_XDECREF(it);
    MP_XDECREF(x);
    MP_XDECREF(huge);
    return r;
}

static int sc_float(void)
{
    int r = -1;
    mp_object *d = NULL, *f = NULL;
    NEW(d, mp_dict_new());
    for (int i = 0; i < 30; i++) {
        NEW(f, mp_float_from_double(i + 0.5));
        OK(mp_dict_setitem(d, f, f));
        CLEAR(f);
    }
    r = 0;
out:
    MP_XDECREF(d);
    MP_XDECREF(f);
    return r;
}

static int sc_lru(void)
{
    int r = -1;
    mp_object *c = NULL, *k = NULL, *v = NULL;
    NEW(c, mp_lru_new(8));
    for (long i = 0; i < 30; i++) {
        NEW(k, big_int(i % 12));
        v = mp_lru_get(c, k);
        if (!v && mp_err_occurred())
            goto out;
        if (!v)
            OK(mp_lru_put(c, k, S.str));
        MP_XDECREF(v);
        v = NULL;
        CLEAR(k);
    }
    r = 0;
out:
    MP_XDECREF(c);
    MP_XDECREF(k);
    MP_XDECREF(v);
    return r;
}

/* A callback that allocates: records the dead ref in arg, a list. */
static void record_death(mp_object *ref, mp_object *arg) { (void)mp_list_append(arg, ref); }

static int sc_weakref(void)
{
    int r = -1;
    mp_object *o = NULL, *log = NULL, *w1 = NULL, *w2 = NULL, *w3 = NULL, *got = NULL;
    NEW(log, mp_list_new(0));
    NEW(o, mp_instance_new(S.cls));
    NEW(w1, mp_weakref_new(o, NULL, NULL));
    NEW(w2, mp_weakref_new(o, record_death, log));
    NEW(w3, mp_weakref_new(o, record_death, log));
    NEW(got, mp_weakref_get_object(w1)); /* borrowed, as PyWeakref_GetObject's */
    MP_INCREF(got);
    CLEAR(got);
    CLEAR(o); /* the callbacks run */
    r = 0;
out:
    MP_XDECREF(o);
    MP_XDECREF(w1);
    MP_XDECREF(w2);
    MP_XDECREF(w3);
    MP_XDECREF(got);
    MP_XDECREF(log);
    return r;
}

static int sc_weakvaluedict(void)
{
    int r = -1;
    mp_object *d = NULL, *keep = NULL, *o = NULL, *k = NULL, *got = NULL;
    NEW(d, mp_weakvaluedict_new());
    NEW(keep, mp_list_new(0));
    for (long i = 0; i < 20; i++) {
        NEW(o, mp_instance_new(S.cls));
        NEW(k, big_int(i));
        OK(mp_weakvaluedict_setitem(d, k, o));
        if (i % 2)
            OK(mp_list_append(keep, o));
        CLEAR(o); /* the even ones die, and leave the dict */
        CLEAR(k);
    }
    NEW(k, big_int(3));
    got = mp_weakvaluedict_get(d, k);
    if (!got && mp_err_occurred())
        goto out;
    OK(mp_weakvaluedict_delitem(d, k));
    r = 0;
out:
    MP_XDECREF(d);
    MP_XDECREF(keep);
    MP_XDECREF(o);
    MP_XDECREF(k);
    MP_XDECREF(got);
    return r;
}

/* A finalizer that allocates, and resurrects one object of each run in a
 * list it makes. */
static mp_object *resurrected;

static void del_resurrect(mp_object *self)
{
    mp_object *l = mp_list_new(0);
    if (l && !resurrected && mp_list_append(l, self) == 0)
        resurrected = mp_newref(l);
    MP_XDECREF(l);
}

/* A gc callback that allocates: logs each phase's name in gc_log. */
static mp_object *gc_log;

static void log_collection(const char *phase, const mp_gc_info *info, void *arg)
{
    (void)info, (void)arg;
    mp_object *p = mp_str_from_utf8(phase);
    if (p && gc_log)
        (void)mp_list_append(gc_log, p);
    MP_XDECREF(p);
    mp_err_clear(); /* a gc callback's error has nowhere to go */
}

static int sc_collector(void)
{
    int r = -1;
    mp_object *cls = NULL, *a = NULL, *b = NULL, *l = NULL, *d = NULL, *log = NULL;
    resurrected = NULL;
    NEW(log, mp_list_new(0));
    gc_log = log;
    OK(mp_gc_callback_add(log_collection, NULL));
    NEW(cls, mp_class_new("Finalized", NULL));
    OK(mp_class_set_del(cls, del_resurrect));
    for (int i = 0; i < 15; i++) {
        NEW(a, mp_instance_new(i % 3 ? S.cls : cls));
        NEW(b, mp_instance_new(cls));
        OK(mp_object_setattr_str(a, "peer", b));
        OK(mp_object_setattr_str(b, "peer", a));
        NEW(l, mp_list_new(0));
        OK(mp_list_append(l, l));
        OK(mp_list_append(l, a));
        NEW(d, mp_dict_new());
        OK(mp_dict_setitem(d, S.str, d));
        CLEAR(a);
        CLEAR(b);
        CLEAR(l);
        CLEAR(d);
    }
    OK(mp_gc_collect(0));
    OK(mp_gc_collect(-1));
    MP_CLEAR(resurrected);
    OK(mp_gc_collect(-1));
    r = 0;
out:
    mp_gc_callback_remove(log_collection, NULL);
    gc_log = NULL;
    MP_XDECREF(log);
    MP_XDECREF(cls);
    MP_XDECREF(a);
    MP_XDECREF(b);
    MP_XDECREF(l);
    MP_XDECREF(d);
    /* Cycles left by an early exit: their finalizers run (and may
     * resurrect) here, not after the scenario. */
    mp_err_state pending;
    mp_err_fetch(&pending);
    mp_gc_collect(-1);
    MP_XDECREF(resurrected);
    mp_gc_collect(-1);
    mp_err_restore(&pending);
    return r;
}

/* While tracing, every block made since start is traced: once all of them
 * are gone, the traced memory is 0 again, whichever allocation failed. */
static bool traced_memory_off;

static int sc_tracemalloc(void)
{
    int r = -1;
    mp_object *l = NULL, *x = NULL;
    mp_snapshot *s1 = NULL, *s2 = NULL;
    mp_statistic *stats = NULL;
    mp_statistic_diff *diffs = NULL;
    OK(mp_tracemalloc_start());
    NEW(s1, mp_tracemalloc_take_snapshot());
    NEW(l, mp_list_new(0));
    for (long i = 0; i < 50; i++) {
        NEW(x, i % 2 ? big_int(i) : mp_bytes_from_string_and_size(NULL, 600));
        OK(mp_list_append(l, x));
        CLEAR(x);
    }
    NEW(s2, mp_tracemalloc_take_snapshot());
    if (mp_snapshot_statistics(s2, MP_GROUP_BY_LINENO, &stats) == (size_t)-1)
        goto out;
    if (mp_snapshot_compare_to(s2, s1, MP_GROUP_BY_FILENAME, &diffs) == (size_t)-1)
        goto out;
    r = 0;
out:
    MP_XDECREF(l);
    MP_XDECREF(x);
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    if (current != 0)
        traced_memory_off = true;
    free(stats);
    free(diffs);
    if (s1)
        mp_snapshot_free(s1);
    if (s2)
        mp_snapshot_free(s2);
    mp_tracemalloc_stop();
    return r;
}

/* gc.garbage under DEBUG_SAVEALL (the one place a collection appends to
 * a list), and the introspection calls that build lists of objects. The
 * cycles made here hold no survivor: gc.garbage keeps them till mp_fini. */
static int sc_gc_api(void)
{
    int r = -1;
    mp_object *l = NULL, *m = NULL, *referrers = NULL, *referents = NULL, *objects = NULL;
    mp_gc_set_debug(MP_GC_DEBUG_SAVEALL);
    for (int i = 0; i < 20; i++) {
        NEW(l, mp_list_new(0));
        NEW(m, mp_list_new(0));
        OK(mp_list_append(l, m));
        OK(mp_list_append(m, l));
        CLEAR(l);
        CLEAR(m);
    }
    OK(mp_gc_collect(-1));
    mp_gc_set_debug(0);
    NEW(l, mp_list_new(0));
    OK(mp_list_append(l, S.tuple));
    NEW(referrers, mp_gc_get_referrers(S.tuple));
    NEW(referents, mp_gc_get_referents(l));
    NEW(objects, mp_gc_get_objects(-1));
    r = 0;
out:
    mp_gc_set_debug(0);
    MP_XDECREF(l);
    MP_XDECREF(m);
    MP_XDECREF(referrers);
    MP_XDECREF(referents);
    MP_XDECREF(objects);
    return r;
}

/* The interning table grows, and forgets its strings as they die. */
static int sc_interning(void)
{
    int r = -1;
    mp_object *l = NULL, *x = NULL;
    NEW(l, mp_list_new(0));
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "name_%d", i);
        NEW(x, mp_str_intern_from_utf8(name));
        OK(mp_list_append(l, x));
        CLEAR(x);
    }
    r = 0;
out:
    MP_XDECREF(l);
    MP_XDECREF(x);
    return r;
}

/* A dict that grows, shrinks by deletion, and is walked three ways; an
 * instance with more attributes than its class's shared keys hold. */
static int sc_dict_churn(void)
{
    int r = -1;
    mp_object *d = NULL, *k = NULL, *it = NULL, *item = NULL, *o = NULL;
    NEW(d, mp_dict_new());
    for (long i = 0; i < 400; i++) {
        NEW(k, big_int(i));
        OK(mp_dict_setitem(d, k, S.str));
        if (i % 3 == 0)
            OK(mp_dict_delitem(d, k));
        CLEAR(k);
    }
    mp_object *(*walks[])(mp_object *) = {mp_dict_iter_keys, mp_dict_iter_values,
                                          mp_dict_iter_items};
    for (int w = 0; w < 3; w++) {
        NEW(it, walks[w](d));
        while ((item = mp_iter_next(it)))
            CLEAR(item);
        if (mp_err_occurred())
            goto out;
        CLEAR(it);
    }
    NEW(o, mp_instance_new(S.cls));
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "a%d", i);
        OK(mp_object_setattr_str(o, name, S.big));
    }
    r = 0;
out:
    MP_XDECREF(d);
    MP_XDECREF(k);
    MP_XDECREF(it);
    MP_XDECREF(item);
    MP_XDECREF(o);
    return r;
}

/* Weak references with callbacks to objects in unreachable cycles: the
 * collector clears them and runs the callbacks (which allocate) in the
 * middle of a collection; a gc callback that allocates runs around it. */
static int sc_weakref_cycles(void)
{
    int r = -1;
    mp_object *log = NULL, *refs = NULL, *a = NULL, *b = NULL, *w = NULL;
    NEW(log, mp_list_new(0));
    NEW(refs, mp_list_new(0));
    gc_log = log;
    OK(mp_gc_callback_add(log_collection, NULL));
    for (int i = 0; i < 10; i++) {
        NEW(a, mp_instance_new(S.cls));
        NEW(b, mp_instance_new(S.cls));
        OK(mp_object_setattr_str(a, "peer", b));
        OK(mp_object_setattr_str(b, "peer", a));
        NEW(w, mp_weakref_new(a, record_death, log));
        OK(mp_list_append(refs, w));
        CLEAR(w);
        NEW(w, mp_weakref_new(b, NULL, NULL));
        OK(mp_list_append(refs, w));
        CLEAR(w);
        CLEAR(a);
        CLEAR(b);
    }
    OK(mp_gc_collect(-1));
    r = 0;
out:
    mp_gc_callback_remove(log_collection, NULL);
    gc_log = NULL;
    MP_XDECREF(a);
    MP_XDECREF(b);
    MP_XDECREF(w);
    MP_XDECREF(refs);
    MP_XDECREF(log);
    return r;
}

/* Strings of each width, mixed by concatenation, as set and dict keys. */
static int sc_str_kinds(void)
{
    static const char *const texts[] = {"ascii", "café", "日本語のテキスト", "emoji 😀 ok",
                                        "a longer ascii string past the one-character cache"};
    int r = -1;
    mp_object *set = NULL, *d = NULL, *acc = NULL, *x = NULL, *y = NULL;
    NEW(set, mp_set_new(NULL));
    NEW(d, mp_dict_new());
    NEW(acc, mp_str_from_utf8(""));
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        NEW(x, mp_str_from_utf8(texts[i]));
        NEW(y, mp_str_concat(acc, x));
        MP_DECREF(acc);
        acc = y;
        y = NULL;
        OK(mp_set_add(set, x));
        OK(mp_set_add(set, acc));
        OK(mp_dict_setitem(d, acc, x));
        CLEAR(x);
    }
    NEW(x, mp_str_from_utf8_size("\xc3\xa9t\xc3\xa9", 5));
    r = 0;
out:
    MP_XDECREF(set);
    MP_XDECREF(d);
    MP_XDECREF(acc);
    MP_XDECREF(x);
    MP_XDECREF(y);
    return r;
}

/* The other ends: set.pop, a bounded deque dropping items, pops from both
 * ends, an unbounded and a zero-size LRU cache. */
static int sc_containers_misc(void)
{
    int r = -1;
    mp_object *s = NULL, *dq = NULL, *x = NULL, *l = NULL, *c0 = NULL, *cu = NULL;
    NEW(s, mp_set_new(NULL));
    NEW(dq, mp_deque_new(16));
    NEW(l, mp_list_new(0));
    NEW(c0, mp_lru_new(0));
    NEW(cu, mp_lru_new(-1));
    for (long i = 0; i < 80; i++) {
        NEW(x, big_int(i));
        OK(mp_set_add(s, x));
        OK(mp_deque_appendleft(dq, x));
        OK(mp_list_insert(l, 0, x));
        OK(mp_lru_put(c0, x, x));
        OK(mp_lru_put(cu, x, S.str));
        CLEAR(x);
    }
    for (int i = 0; i < 30; i++) {
        NEW(x, mp_set_pop(s));
        CLEAR(x);
        NEW(x, mp_list_pop(l, 0));
        CLEAR(x);
    }
    NEW(x, mp_deque_pop_full(dq));
    r = 0;
out:
    MP_XDECREF(s);
    MP_XDECREF(dq);
    MP_XDECREF(x);
    MP_XDECREF(l);
    MP_XDECREF(c0);
    MP_XDECREF(cu);
    return r;
}

typedef struct scenario {
    const char *name;
    int (*run)(void);
} scenario;

static const scenario scenarios[] = {
    {"int (small and big)", sc_int},
    {"str", sc_str},
    {"str of every width", sc_str_kinds},
    {"bytes", sc_bytes},
    {"tuple", sc_tuple},
    {"list", sc_list},
    {"dict", sc_dict},
    {"set", sc_set},
    {"instance with __dict__", sc_instance_dict},
    {"instance with __slots__", sc_instance_slots},
    {"array", sc_array},
    {"deque", sc_deque},
    {"generator pipeline", sc_generators},
    {"range", sc_range},
    {"float", sc_float},
    {"lru cache", sc_lru},
    {"set.pop, bounded deque, list front, lru 0/None", sc_containers_misc},
    {"weakref with callbacks", sc_weakref},
    {"weakrefs to cycles, callbacks in collection", sc_weakref_cycles},
    {"WeakValueDictionary", sc_weakvaluedict},
    {"collector: cycles and finalizers", sc_collector},
    {"collector: gc.garbage, referrers, objects", sc_gc_api},
    {"str interning table", sc_interning},
    {"dict churn, many attributes", sc_dict_churn},
    {"tracemalloc: start, snapshot, statistics", sc_tracemalloc},
};

#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

/* ---- one run ---------------------------------------------------------------------------- */

typedef struct outcome {
    uint64_t requests;    /* what the scenario asked for */
    uint64_t failures;    /* injected failures it met */
    bool propagated;      /* it returned -1 */
} outcome;

/* Runs sc in a fresh session with request `fail` failing (0: none), and
 * checks the run ended cleanly. */
static outcome run_once(const scenario *sc, uint64_t fail, bool eager_gc)
{
    outcome o = {0};
    cr_assert_eq(mp_init(), 0, "mp_init: %s", mp_err_message());
    if (eager_gc)
        mp_gc_set_threshold(1, 1, 1);
    cr_assert_eq(make_survivors(), 0, "%s: the survivors: %s", sc->name, mp_err_message());
    mp_ssize_t counts[NSURVIVORS];
    for (int i = 0; i < NSURVIVORS; i++)
        counts[i] = mp_getrefcount(survivor[i]);
    traced_memory_off = false;

    uint64_t before = mp_get_alloc_requests();
    if (fail)
        cr_assert_eq(mp_set_nomemory(fail - 1, fail), 0);
    int r = sc->run();
    o.failures = mp_get_nomemory_failures();
    mp_remove_nomemory();
    o.requests = mp_get_alloc_requests() - before;
    o.propagated = r < 0;

    if (r < 0)
        cr_assert_eq(mp_err_occurred(), MP_ERR_MEMORY,
                     "%s, request %llu failing: returned -1 with %s: %s", sc->name,
                     (unsigned long long)fail, mp_err_name(mp_err_occurred()), mp_err_message());
    else
        cr_assert_eq(mp_err_occurred(), MP_ERR_NONE,
                     "%s, request %llu failing: returned 0 with %s set", sc->name,
                     (unsigned long long)fail, mp_err_name(mp_err_occurred()));
    if (r < 0)
        cr_assert_eq(o.failures, 1, "%s, request %llu failing: -1 without an injected failure",
                     sc->name, (unsigned long long)fail);
    cr_assert(!traced_memory_off, "%s, request %llu failing: traced memory not 0 at the end",
              sc->name, (unsigned long long)fail);
    mp_err_clear();

    /* The lists still sound, and what the scenario left in cycles goes. */
    cr_assert_geq(mp_gc_collect(-1), 0);
    for (int i = 0; i < NSURVIVORS; i++)
        cr_assert_eq(mp_getrefcount(survivor[i]), counts[i],
                     "%s, request %llu failing: survivor %d's count went from %td to %td",
                     sc->name, (unsigned long long)fail, i, counts[i],
                     mp_getrefcount(survivor[i]));
    drop_survivors();
    mp_fini();
    mp_malloc_stats s;
    mp_get_malloc_stats(&s);
    cr_assert_eq(s.blocks_in_use, 0,
                 "%s, request %llu failing: %zu block(s), %zu bytes, left after mp_fini",
                 sc->name, (unsigned long long)fail, s.blocks_in_use, s.bytes_in_use);
    return o;
}

/* Every scenario, failing each of its allocations in turn; eager_gc: with
 * thresholds (1, 1, 1), so collections (and the finalizers, weakref
 * callbacks and gc callbacks they run) fall between most allocations. */
static void fail_every_allocation(bool eager_gc)
{
    const char *mode = eager_gc ? "eager gc" : "gc as usual";
    uint64_t total = 0, propagated = 0, absorbed = 0;
    for (size_t i = 0; i < NSCENARIOS; i++) {
        const scenario *sc = &scenarios[i];
        outcome clean = run_once(sc, 0, eager_gc);
        cr_assert(!clean.propagated, "%s fails with no failure injected", sc->name);
        cr_assert_gt(clean.requests, 0, "%s allocates nothing", sc->name);
        uint64_t n = clean.requests, p = 0;
        for (uint64_t k = 1; k <= n; k++) {
            outcome o = run_once(sc, k, eager_gc);
            cr_assert_eq(o.failures, 1, "%s (%s): request %llu of %llu was never made", sc->name,
                         mode, (unsigned long long)k, (unsigned long long)n);
            p += o.propagated;
        }
        cr_log_info("%-48s %5llu allocation points: %llu reported MemoryError, %llu absorbed",
                    sc->name, (unsigned long long)n, (unsigned long long)p,
                    (unsigned long long)(n - p));
        total += n;
        propagated += p;
        absorbed += n - p;
    }
    cr_log_info("nomemory (%s): %llu failure points covered over %zu scenarios (%llu reported "
                "MemoryError, %llu absorbed)",
                mode, (unsigned long long)total, NSCENARIOS, (unsigned long long)propagated,
                (unsigned long long)absorbed);
    printf("nomemory (%s): %llu failure points covered over %zu scenarios\n", mode,
           (unsigned long long)total, NSCENARIOS);
    cr_assert_eq(leaks_found(), 0, "LeakSanitizer found blocks leaked (see stderr)");
}

Test(nomemory, every_allocation_of_every_scenario_fails_cleanly, .timeout = 600)
{
    fail_every_allocation(false);
}

Test(nomemory, every_allocation_fails_cleanly_with_collections_between, .timeout = 600)
{
    fail_every_allocation(true);
}

/* The switch itself. */
Test(nomemory, set_nomemory_fails_the_numbered_requests_only)
{
    cr_assert_eq(mp_init(), 0);
    cr_assert_eq(mp_set_nomemory(2, 4), 0);
    mp_object *a = mp_float_from_double(1.5), *b = mp_float_from_double(2.5);
    cr_expect(a && b, "requests 0 and 1 succeed");
    cr_expect_null(mp_float_from_double(3.5), "request 2 fails");
    cr_expect_eq(mp_err_occurred(), MP_ERR_MEMORY);
    mp_err_clear();
    cr_expect_null(mp_float_from_double(4.5), "request 3 fails");
    mp_err_clear();
    mp_object *c = mp_float_from_double(5.5);
    cr_expect_not_null(c, "request 4 succeeds again");
    cr_expect_eq(mp_get_nomemory_failures(), 2);
    MP_XDECREF(a);
    MP_XDECREF(b);
    MP_XDECREF(c);
    mp_fini();
}

Test(nomemory, stop_zero_fails_everything_after_start)
{
    cr_assert_eq(mp_init(), 0);
    cr_assert_eq(mp_set_nomemory(1, 0), 0);
    mp_object *a = mp_float_from_double(1.5);
    cr_expect_not_null(a);
    for (int i = 0; i < 100; i++) {
        cr_expect_null(mp_list_new(0));
        mp_err_clear();
    }
    mp_remove_nomemory();
    mp_object *l = mp_list_new(0);
    cr_expect_not_null(l, "remove_nomemory ends the failures");
    MP_XDECREF(a);
    MP_XDECREF(l);
    mp_fini();
}

Test(nomemory, requests_count_reallocs_and_failures)
{
    cr_assert_eq(mp_init(), 0);
    uint64_t before = mp_get_alloc_requests();
    void *p = mp_object_malloc(24);
    p = mp_object_realloc(p, 1000);
    cr_assert_not_null(p);
    cr_expect_eq(mp_get_alloc_requests() - before, 2);
    mp_set_nomemory(0, 1);
    cr_expect_null(mp_object_realloc(p, 5000), "the realloc fails, p untouched");
    cr_expect_eq(mp_get_alloc_requests() - before, 3);
    mp_object_free(p);
    mp_fini();
}

static int hook_calls;
static void count_hook(void) { hook_calls++; }

Test(nomemory, the_hook_runs_at_each_failure_with_memoryerror_set)
{
    cr_assert_eq(mp_init(), 0);
    hook_calls = 0;
    mp_set_nomemory_hook(count_hook);
    mp_set_nomemory(0, 2);
    cr_expect_null(mp_list_new(0));
    cr_expect_null(mp_object_malloc(4000));
    cr_expect_eq(hook_calls, 2);
    mp_set_nomemory_hook(NULL);
    mp_err_clear();
    mp_fini();
}

Test(nomemory, mp_fini_clears_the_switch)
{
    cr_assert_eq(mp_init(), 0);
    mp_set_nomemory(0, 0);
    mp_fini();
    cr_assert_eq(mp_init(), 0);
    mp_object *l = mp_list_new(0);
    cr_expect_not_null(l);
    MP_XDECREF(l);
    mp_fini();
}

/* tracemalloc's choice, CPython's: a block whose trace cannot be recorded
 * (here the first site's table) is not handed out, so nothing is ever live
 * and untraced, and the traced memory stays exact. */
Test(nomemory, an_untraceable_allocation_fails_and_traced_memory_stays_exact)
{
    cr_assert_eq(mp_init(), 0);
    cr_assert_eq(mp_tracemalloc_start(), 0);
    size_t blocks = blocks_in_use_now(), current, peak;
    mp_set_nomemory(1, 2); /* request 0: the block; request 1: the site table */
    cr_expect_null(mp_object_malloc(100));
    cr_expect_eq(mp_err_occurred(), MP_ERR_MEMORY);
    mp_err_clear();
    cr_expect_eq(blocks_in_use_now(), blocks, "no block left behind");
    mp_tracemalloc_get_traced_memory(&current, &peak);
    cr_expect_eq(current, 0);
    void *p = mp_object_malloc(100), *q = mp_object_malloc(1000);
    cr_assert(p && q);
    q = mp_object_realloc(q, 3000);
    cr_assert_not_null(q);
    mp_tracemalloc_get_traced_memory(&current, &peak);
    cr_expect_eq(current, 3100, "traced %zu bytes", current);
    mp_object_free(p);
    mp_object_free(q);
    mp_tracemalloc_get_traced_memory(&current, &peak);
    cr_expect_eq(current, 0);
    mp_tracemalloc_stop();
    mp_fini();
}
