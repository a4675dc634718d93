/* Lab 09 — weak references.
 *
 * A weak reference finds an object without keeping it alive: it answers
 * the object while something else holds it, and None once it has died,
 * calling back whoever asked to be told. This lab shows what weakref.ref
 * does and refuses, when callbacks run (by count and by the collector),
 * then the two uses the articles praise: a WeakValueDictionary cache whose
 * entries leave with their objects, and an observer list that no longer
 * keeps dropped observers alive. Claims 24-25.
 *
 * C variables play the Python names: `del a` is MP_DECREF(a). CPython's
 * weak reference callback is any callable; ours is a C function and an
 * argument object the reference holds, which is what a closure or a bound
 * method such as `observers.remove` amounts to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "mp.h"

#define MAX_ROUNDS 100

static long objects = -1, rounds = 10;
static const lab_option options[] = {
    {"--objects", "objects cached in step 4, and observers made over step 5 (default 4000; 400 "
                  "with --quick)",
     &objects, 10, 20000},
    {"--rounds", "rounds of step 5's observer story (default 10)", &rounds, 2, MAX_ROUNDS},
    {0},
};

/* What happened, in order, as the twin's events list records it. */
static char events[256];

static void note(const char *e)
{
    size_t used = strlen(events);
    snprintf(events + used, sizeof events - used, "%s%s", used ? "," : "", e);
}

/* len(events) */
static int event_count(void)
{
    int n = events[0] != '\0';
    for (const char *p = events; *p; p++)
        n += *p == ',';
    return n;
}

/* Takes the error o refused with, if any: true when it is the TypeError
 * CPython raises, which names the type. */
static bool took_weakref_error(mp_object *o)
{
    char expected[128];
    snprintf(expected, sizeof expected, "cannot create weak reference to '%s' object",
             MP_TYPE(o)->tp_name);
    bool same = mp_err_occurred() == MP_ERR_TYPE && strcmp(mp_err_message(), expected) == 0;
    if (mp_err_occurred())
        lab_event("%s: %s", mp_err_name(mp_err_occurred()), mp_err_message());
    mp_err_clear();
    return same;
}

/* weakref.ref(o) raises TypeError, and says o's type. */
static bool refused(mp_object *o)
{
    mp_object *r = mp_weakref_new(o, NULL, NULL);
    if (r) {
        MP_DECREF(r);
        return false;
    }
    return took_weakref_error(o);
}

static mp_object *new_class(const char *name, const char *const *slots)
{
    mp_object *cls = mp_class_new(name, slots);
    if (!cls) {
        fprintf(stderr, "lab 09: cannot make class %s: %s\n", name, mp_err_message());
        exit(2);
    }
    return cls;
}

/* ---- step 1: weakref.ref -------------------------------------------------------- */

static void step_ref(mp_object *node_cls)
{
    lab_step("weakref.ref: a reference that does not count");
    lab_say("A weak reference is an object of its own (80 bytes with its GC header) that "
            "points at another without adding to its count. Calling it gives the object "
            "while something else keeps it alive, and None afterwards.");
    lab_py("class Node: pass");
    lab_py("a = Node()");
    mp_object *a = mp_instance_new(node_cls);
    lab_check_int(0, "sys.getrefcount(a)", mp_getrefcount(a), "rc_before", 2);
    lab_py("r = weakref.ref(a)");
    mp_object *r = mp_weakref_new(a, NULL, NULL);
    lab_check_bool(0, "r() is a", mp_weakref_get_object(r) == a, "r_is_a", true);
    lab_check_int(0, "sys.getrefcount(a)", mp_getrefcount(a), "rc_with_ref", 2);
    lab_check_int(0, "sys.getsizeof(r)", (long long)mp_getsizeof(r), "sizeof_ref", 80);

    lab_say("A reference without a callback is all the same whoever asks for it, so "
            "CPython makes one and hands it out again; the object keeps the list of its "
            "weak references, with that one first.");
    mp_object *r1 = mp_weakref_new(a, NULL, NULL), *r2 = mp_weakref_new(a, NULL, NULL);
    lab_check_bool(0, "weakref.ref(a) is weakref.ref(a)", r1 == r2, "ref_shared", true);
    MP_DECREF(r1);
    MP_DECREF(r2);
    lab_check_int(0, "weakref.getweakrefcount(a)", mp_weakref_getweakrefcount(a), "weakrefcount",
                  1);
    lab_py("del a");
    MP_DECREF(a);
    lab_check_bool(0, "r() is None", mp_weakref_get_object(r) == NULL, "r_dead", true);
    MP_DECREF(r);

    lab_say("Only objects with room for that list accept weak references: a list, an int "
            "or a str has none, and a class with __slots__ has none unless '__weakref__' "
            "is one of them. The list head costs 8 bytes per object.");
    mp_object *l = mp_list_new(0);
    for (long i = 1; i <= 3; i++) {
        mp_object *v = mp_int_from_long(i);
        mp_list_append(l, v);
        MP_DECREF(v);
    }
    lab_py("weakref.ref([1, 2, 3])");
    lab_check_bool(0, "# TypeError naming 'list'", refused(l), "refuse_list", true);
    MP_DECREF(l);
    mp_object *big = mp_int_from_long(1000);
    lab_py("weakref.ref(int('1000'))");
    lab_check_bool(0, "# TypeError naming 'int'", refused(big), "refuse_int", true);
    MP_DECREF(big);

    static const char *const xy[] = {"x", "y", NULL}, *const xy_weak[] = {"x", "y", "__weakref__",
                                                                          NULL};
    lab_py("class Point: __slots__ = ('x', 'y')\n"
           "class WeakPoint: __slots__ = ('x', 'y', '__weakref__')");
    mp_object *point_cls = new_class("Point", xy), *weak_cls = new_class("WeakPoint", xy_weak);
    mp_object *p = mp_instance_new(point_cls), *w = mp_instance_new(weak_cls);
    lab_py("weakref.ref(Point())");
    lab_check_bool(0, "# TypeError naming 'Point'", refused(p), "refuse_point", true);
    mp_object *rw = mp_weakref_new(w, NULL, NULL);
    lab_check_bool(0, "# weakref.ref(WeakPoint()) works", rw != NULL, "accept_weakpoint", true);
    MP_XDECREF(rw);
    mp_err_clear();
    lab_check_int(0, "sys.getsizeof(Point())", (long long)mp_getsizeof(p), "sizeof_point", 48);
    lab_check_int(0, "sys.getsizeof(WeakPoint())", (long long)mp_getsizeof(w), "sizeof_weakpoint",
                  56);
    MP_DECREF(p);
    MP_DECREF(w);
    MP_DECREF(point_cls);
    MP_DECREF(weak_cls);
}

/* ---- step 2: callbacks -------------------------------------------------------------- */

static mp_object *r1_seen, *r2_seen;
static int callbacks_run, callbacks_saw_all_dead;

/* def logger(tag): def callback(ref): events.append(tag); ...
 * The argument object is the tag the closure would hold. */
static void log_callback(mp_object *ref, mp_object *tag)
{
    (void)ref;
    char text[32];
    mp_str_as_utf8(tag, text, sizeof text);
    note(text);
    callbacks_run++;
    bool dead1 = !r1_seen || !mp_weakref_get_object(r1_seen);
    bool dead2 = !r2_seen || !mp_weakref_get_object(r2_seen);
    callbacks_saw_all_dead += dead1 && dead2;
    lab_event("callback %s runs: r1() is %s, r2() is %s", text, dead1 ? "None" : "alive",
              dead2 ? "None" : "alive");
}

/* lambda ref: events.append('callback'), with nothing to hold. */
static void plain_callback(mp_object *ref, mp_object *arg)
{
    (void)ref;
    (void)arg;
    note("callback");
    lab_event("the callback runs");
}

static mp_object *new_tagged_ref(mp_object *o, const char *tag)
{
    mp_object *t = mp_str_from_utf8(tag);
    mp_object *r = mp_weakref_new(o, log_callback, t);
    MP_DECREF(t);
    return r;
}

static void step_callbacks(mp_object *node_cls)
{
    lab_step("Callbacks, when the object dies");
    lab_say("weakref.ref(o, callback) gets a reference of its own, never the shared one, "
            "and its callback runs once o dies. Every weak reference to o is cleared "
            "before the first callback runs, and the newest callback runs first.");
    lab_py("n = Node()\n"
           "r1 = weakref.ref(n, logger('first'))\n"
           "r2 = weakref.ref(n, logger('second'))");
    mp_object *n = mp_instance_new(node_cls);
    mp_object *r1 = new_tagged_ref(n, "first"), *r2 = new_tagged_ref(n, "second");
    r1_seen = r1, r2_seen = r2;
    lab_check_bool(0, "r1 is not r2", r1 != r2, "callback_refs_distinct", true);
    lab_check_int(0, "weakref.getweakrefcount(n)", mp_weakref_getweakrefcount(n),
                  "callback_weakrefcount", 2);
    events[0] = '\0';
    lab_py("del n");
    MP_DECREF(n);
    lab_check_text(0, "','.join(events)", events, "callback_order", "second,first");
    lab_check_bool(0, "# every callback saw r1() and r2() None",
                   callbacks_run == 2 && callbacks_saw_all_dead == 2, "callbacks_saw_all_dead",
                   true);
    r1_seen = r2_seen = NULL;
    MP_DECREF(r1);
    MP_DECREF(r2);

    lab_say("The callback belongs to the weak reference: if the reference dies first, "
            "nobody is told.");
    lab_py("m = Node(); r = weakref.ref(m, logger('late'))\n"
           "del r; del m");
    mp_object *m = mp_instance_new(node_cls);
    mp_object *r = new_tagged_ref(m, "late");
    callbacks_run = 0;
    MP_DECREF(r);
    MP_DECREF(m);
    lab_check_int(0, "# callbacks run", callbacks_run, "calls_after_ref_died", 0);

    lab_say("An object in a cycle does not die at `del`: its count stays above zero until "
            "the collector finds the cycle. The callback runs then, inside gc.collect(), "
            "when the collector clears the weak references to its garbage.");
    mp_gc_collect(-1);
    lab_py("c = Node(); c.me = c\n"
           "w = weakref.ref(c, lambda ref: events.append('callback'))\n"
           "del c");
    mp_object *c = mp_instance_new(node_cls);
    mp_object_setattr_str(c, "me", c);
    mp_object *w = mp_weakref_new(c, plain_callback, NULL);
    events[0] = '\0';
    MP_DECREF(c);
    lab_check_int(0, "len(events)", event_count(), "cycle_calls_before_collect", 0);
    lab_check_int(0, "gc.collect()", mp_gc_collect(-1), "cycle_collect", 1);
    lab_check_int(0, "len(events)", event_count(), "cycle_calls_after_collect", 1);
    lab_check_bool(0, "w() is None", mp_weakref_get_object(w) == NULL, "cycle_ref_dead", true);
    MP_DECREF(w);
}

/* ---- step 3: __del__ and weak references -------------------------------------------- */

static mp_object *watched;
static int del_saw_none;

/* class D: def __del__(self): events.append('__del__'); dead_in_del.append(watched() is None) */
static void d_del(mp_object *self)
{
    (void)self;
    bool none = mp_weakref_get_object(watched) == NULL;
    note("__del__");
    del_saw_none += none;
    lab_event("__del__ runs: watched() is %s", none ? "None" : "self");
}

static void step_finalizers(void)
{
    lab_step("__del__ and weak references");
    lab_say("Which comes first, __del__ or the weak references' clearing, depends on how "
            "the object dies. By count, CPython's dealloc of an instance runs __del__ "
            "first (it might resurrect the object) and clears the weak references after.");
    lab_py("class D:\n"
           "    def __del__(self):\n"
           "        events.append('__del__'); dead_in_del.append(watched() is None)");
    mp_object *d_cls = new_class("D", NULL);
    mp_class_set_del(d_cls, d_del);
    lab_py("b = D(); watched = weakref.ref(b, lambda ref: events.append('callback'))\n"
           "del b");
    mp_object *b = mp_instance_new(d_cls);
    watched = mp_weakref_new(b, plain_callback, NULL);
    events[0] = '\0';
    del_saw_none = 0;
    MP_DECREF(b);
    lab_check_text(0, "','.join(events)", events, "count_order", "__del__,callback");
    lab_check_bool(0, "dead_in_del == [True]", del_saw_none == 1, "count_dead_in_del", false);
    MP_DECREF(watched);

    lab_say("The collector does it the other way round (handle_weakrefs, then "
            "finalize_garbage): it clears every weak reference to the garbage and runs "
            "their callbacks first, so no callback and no __del__ can reach an object "
            "that is about to be torn apart through one.");
    mp_gc_collect(-1);
    lab_py("d = D(); d.me = d\n"
           "watched = weakref.ref(d, lambda ref: events.append('callback'))\n"
           "del d");
    mp_object *d = mp_instance_new(d_cls);
    mp_object_setattr_str(d, "me", d);
    watched = mp_weakref_new(d, plain_callback, NULL);
    events[0] = '\0';
    del_saw_none = 0;
    MP_DECREF(d);
    lab_check_int(0, "gc.collect()", mp_gc_collect(-1), "gc_collect_d", 1);
    lab_check_text(0, "','.join(events)", events, "gc_order", "callback,__del__");
    lab_check_bool(0, "dead_in_del == [True]", del_saw_none == 1, "gc_dead_in_del", true);
    MP_DECREF(watched);
    watched = NULL;
    MP_DECREF(d_cls);
}

/* ---- step 4: a cache ---------------------------------------------------------------------- */

static long items_freed;

/* The slots of each cached item's payload list: what it is worth caching.
 * The twin has the same. */
#define PAYLOAD 64

/* class Item: def __del__(self): freed += 1 */
static void item_del(mp_object *self)
{
    (void)self;
    items_freed++;
}

/* cache[key] = value */
static void cache_set(mp_object *cache, bool weak, mp_object *key, mp_object *value)
{
    if (weak)
        mp_weakvaluedict_setitem(cache, key, value);
    else
        mp_dict_setitem(cache, key, value);
}

/* cache.get(key) is value: mp_weakvaluedict_get returns a new reference,
 * mp_dict_getitem a borrowed one. */
static bool cache_holds(mp_object *cache, bool weak, mp_object *key, mp_object *value)
{
    if (!weak)
        return mp_dict_getitem(cache, key) == value;
    mp_object *got = mp_weakvaluedict_get(cache, key);
    MP_XDECREF(got);
    return got == value;
}

typedef struct cache_run {
    size_t traced_full, traced_after;
    long long len_full, len_after, live_after, still_cached, live_no_users;
} cache_run;

/* n Items cached under the keys 0..n-1 and held by the program's list
 * users; then `users = users[1::2]` drops every other one. */
static void run_cache(mp_object *item_cls, long n, bool weak, cache_run *out)
{
    mp_gc_collect(-1);
    items_freed = 0;
    size_t peak;
    mp_tracemalloc_start();
    mp_object *cache = weak ? mp_weakvaluedict_new() : mp_dict_new();
    mp_object *users = mp_list_new(0);
    for (long i = 0; i < n; i++) {
        mp_object *item = mp_instance_new(item_cls), *key = mp_int_from_long(i);
        mp_object *payload = mp_list_new(PAYLOAD);
        for (mp_ssize_t k = 0; k < PAYLOAD; k++)
            mp_list_set_item(payload, k, mp_int_from_long(0));
        mp_object_setattr_str(item, "payload", payload);
        MP_DECREF(payload);
        cache_set(cache, weak, key, item);
        mp_list_append(users, item);
        MP_DECREF(key);
        MP_DECREF(item);
    }
    mp_tracemalloc_get_traced_memory(&out->traced_full, &peak);
    out->len_full = mp_object_len(cache);

    mp_object *odd = mp_list_new(n / 2);
    for (long j = 0; j < n / 2; j++)
        mp_list_set_item(odd, j, mp_newref(mp_list_get_item(users, 2 * j + 1)));
    MP_DECREF(users);
    users = odd;
    mp_tracemalloc_get_traced_memory(&out->traced_after, &peak);
    mp_tracemalloc_stop();
    out->len_after = mp_object_len(cache);
    out->live_after = n - items_freed;
    out->still_cached = 0;
    for (long j = 0; j < n / 2; j++) {
        mp_object *key = mp_int_from_long(2 * j + 1);
        out->still_cached += cache_holds(cache, weak, key, mp_list_get_item(users, j));
        MP_DECREF(key);
    }
    MP_DECREF(users);
    out->live_no_users = n - items_freed;
    MP_DECREF(cache);
}

static void step_cache(long n)
{
    lab_step("A cache that lets go: WeakValueDictionary");
    lab_say("A cache maps keys to objects the program is using. In a WeakValueDictionary "
            "each value is held by a KeyedRef, a weak reference that knows its key, whose "
            "callback deletes the entry when the value dies. The program below caches %ld "
            "items, keeps them in its own list users, then drops every other one.",
            n);
    mp_object *item_cls = new_class("Item", NULL);
    mp_class_set_del(item_cls, item_del);
    lab_py("class Item:\n"
           "    def __del__(self): global freed; freed += 1");
    lab_py("cache = weakref.WeakValueDictionary(); users = []\n"
           "for i in range(%ld):\n"
           "    item = Item(); item.payload = [0] * %d\n"
           "    cache[i] = item; users.append(item)",
           n, PAYLOAD);
    cache_run weak, plain;
    run_cache(item_cls, n, true, &weak);
    lab_check_int(24, "len(cache)", weak.len_full, "weak_len_full", n);
    lab_py("users = users[1::2]");
    lab_check_int(24, "len(cache)", weak.len_after, "weak_len_after", n / 2);
    lab_check_int(24, "# Items alive", weak.live_after, "weak_live_after", n / 2);
    lab_check_int(24, "# cache.get(k) is the user's item", weak.still_cached, "weak_still_cached",
                  n / 2);
    lab_py("del users");
    lab_check_int(24, "# Items alive", weak.live_no_users, "weak_live_no_users", 0);

    lab_say("The same program with a plain dict as the cache: the dict's own references "
            "keep every item alive, used or not.");
    lab_py("cache = {}; ...the same loop...\n"
           "users = users[1::2]");
    run_cache(item_cls, n, false, &plain);
    lab_check_int(24, "len(cache)", plain.len_after, "plain_len_after", n);
    lab_check_int(24, "# Items alive", plain.live_after, "plain_live_after", n);
    lab_check_int(24, "# cache.get(k) is the user's item", plain.still_cached,
                  "plain_still_cached", n / 2);
    lab_py("del users");
    lab_check_int(24, "# Items alive", plain.live_no_users, "plain_live_no_users", n);

    lab_say("tracemalloc, started before each cache was made, shows the price and the "
            "gain. Each weak entry carries a KeyedRef, 88 bytes in both runtimes, so the full "
            "weak cache is the bigger one. Each item here holds a list of %d slots, about "
            "700 bytes an entry in all, so once half the items are dropped the weak cache is "
            "the smaller one: it pays off for objects worth more than their KeyedRef. The "
            "bytes differ a little between the runtimes (CPython's interpreter allocates as "
            "it runs); the order does not.",
            PAYLOAD);
    lab_show_int("# traced bytes, weak cache full", (long long)weak.traced_full,
                 "traced_weak_full");
    lab_show_int("# traced bytes, plain dict full", (long long)plain.traced_full,
                 "traced_plain_full");
    lab_show_int("# bytes more per weak entry", ((long long)weak.traced_full -
                                                 (long long)plain.traced_full) / n,
                 "keyedref_bytes_per_entry");
    lab_check_bool(24, "# weak full > plain full", weak.traced_full > plain.traced_full,
                   "weak_full_above_plain", true);
    lab_show_int("# traced bytes, weak, half dropped", (long long)weak.traced_after,
                 "traced_weak_after");
    lab_show_int("# traced bytes, plain, half dropped", (long long)plain.traced_after,
                 "traced_plain_after");
    lab_check_bool(24, "# weak after < plain after", weak.traced_after < plain.traced_after,
                   "weak_after_below_plain", true);

    lab_say("Two limits. An entry leaves when its value dies, and a value in a cycle dies "
            "only when the collector runs. And a value must accept weak references: ints, "
            "strs, lists, tuples and dicts cannot be cached this way as they are.");
    mp_gc_collect(-1);
    lab_py("d = weakref.WeakValueDictionary()\n"
           "a = Item(); a.me = a; d['loop'] = a; del a");
    mp_object *d = mp_weakvaluedict_new(), *loop = mp_str_from_utf8("loop");
    mp_object *a = mp_instance_new(item_cls);
    mp_object_setattr_str(a, "me", a);
    mp_weakvaluedict_setitem(d, loop, a);
    MP_DECREF(a);
    lab_check_int(24, "len(d)", mp_object_len(d), "cycle_len_before_collect", 1);
    lab_py("gc.collect()");
    mp_gc_collect(-1);
    lab_check_int(24, "len(d)", mp_object_len(d), "cycle_len_after_collect", 0);
    mp_object *numbers = mp_list_new(0), *key = mp_str_from_utf8("numbers");
    lab_py("d['numbers'] = []");
    bool refused_list =
        mp_weakvaluedict_setitem(d, key, numbers) < 0 && took_weakref_error(numbers);
    lab_check_bool(24, "# TypeError naming 'list'", refused_list, "wvd_refuses_list", true);
    MP_DECREF(numbers);
    MP_DECREF(key);
    MP_DECREF(loop);
    MP_DECREF(d);
    MP_DECREF(item_cls);

    lab_claim(24, "holds",
              "with %ld items cached and half dropped, len(cache) fell from %lld to %lld at "
              "once and only %lld items stayed alive, in both runtimes; a plain dict kept all "
              "%lld. Two limits: values in cycles wait for gc.collect(), and ints, strs, "
              "lists and dicts cannot be values. Each entry costs a KeyedRef of 88 bytes.",
              n, weak.len_full, weak.len_after, weak.live_after, plain.live_after);
}

/* ---- step 5: observers --------------------------------------------------------------------- */

typedef enum { STRONG, WEAK, CLEANUP, NVARIANTS } variant;
static const char *const variant_names[NVARIANTS] = {"strong", "weak", "cleanup"};

static long observers_made, observers_gone;

/* class Observer: def __del__(self): gone += 1 */
static void observer_del(mp_object *self)
{
    (void)self;
    observers_gone++;
}

/* self.observers.remove, the weak subject's callback: the dead
 * reference's entry takes itself out of the list. */
static void list_remove(mp_object *ref, mp_object *list)
{
    for (mp_ssize_t i = 0; i < mp_list_size(list); i++) {
        if (mp_list_get_item(list, i) == ref) {
            MP_DECREF(mp_list_pop(list, i));
            return;
        }
    }
}

/* subject.subscribe(o): the C variable observers plays subject.observers. */
static void subscribe(mp_object *observers, variant v, mp_object *o)
{
    if (v == WEAK) {
        mp_object *r = mp_weakref_new(o, list_remove, observers);
        mp_list_append(observers, r);
        MP_DECREF(r);
    } else {
        mp_list_append(observers, o);
    }
}

/* subject.unsubscribe_all(current): observers.remove(o) for each. */
static void unsubscribe_all(mp_object *observers, mp_object *current)
{
    for (mp_ssize_t k = 0; k < mp_list_size(current); k++)
        list_remove(mp_list_get_item(current, k), observers);
}

/* subject.notify(): each live observer's update() is one delivery. */
static long notify(mp_object *observers, variant v)
{
    long delivered = 0;
    for (mp_ssize_t i = 0; i < mp_list_size(observers); i++) {
        mp_object *entry = mp_list_get_item(observers, i);
        delivered += v != WEAK || mp_weakref_get_object(entry) != NULL;
    }
    return delivered;
}

typedef struct observer_run {
    long live[MAX_ROUNDS + 1]; /* after each round, then after the last drop */
    long delivered, len, live_after_collect;
} observer_run;

/* Each round the program drops the observers it made last round (the
 * cleanup variant unsubscribing them first), makes per_round new ones,
 * subscribes them and notifies. */
static void run_observers(mp_object *observer_cls, variant v, long nrounds, long per_round,
                          observer_run *out)
{
    mp_gc_collect(-1);
    observers_made = observers_gone = 0;
    mp_object *observers = mp_list_new(0), *current = mp_list_new(0);
    for (long round = 0; round < nrounds; round++) {
        if (v == CLEANUP)
            unsubscribe_all(observers, current);
        MP_DECREF(current);
        current = mp_list_new(0);
        for (long k = 0; k < per_round; k++) {
            mp_object *o = mp_instance_new(observer_cls);
            observers_made++;
            subscribe(observers, v, o);
            mp_list_append(current, o);
            MP_DECREF(o);
        }
        out->delivered = notify(observers, v);
        out->live[round] = observers_made - observers_gone;
    }
    out->len = mp_list_size(observers);
    if (v == CLEANUP)
        unsubscribe_all(observers, current);
    MP_DECREF(current);
    out->live[nrounds] = observers_made - observers_gone;
    mp_gc_collect(-1);
    out->live_after_collect = observers_made - observers_gone;
    /* The weak subject's list and its references are a cycle (each holds
     * observers.remove, which holds the list): the collector frees it. */
    MP_DECREF(observers);
    mp_gc_collect(-1);
}

static void step_observers(long n, long nrounds)
{
    long per_round = n / nrounds > 0 ? n / nrounds : 1;
    lab_step("The observer leak");
    lab_say("A subject keeps a list of observers and notifies each one. Every round the "
            "program drops the %ld observers it made last round (a window closed, a "
            "request finished) and makes %ld new ones, which subscribe. Three subjects: "
            "one holding its observers strongly, one holding weak references whose callback "
            "is the list's own remove, and a strong one the program unsubscribes from "
            "before dropping.",
            per_round, per_round);
    lab_py("class Subject:\n"
           "    def __init__(self): self.observers = []\n"
           "    def subscribe(self, o): self.observers.append(o)\n"
           "    def unsubscribe(self, o): self.observers.remove(o)");
    lab_py("class WeakSubject(Subject):\n"
           "    def subscribe(self, o):\n"
           "        self.observers.append(weakref.ref(o, self.observers.remove))");
    mp_object *observer_cls = new_class("Observer", NULL);
    mp_class_set_del(observer_cls, observer_del);
    observer_run runs[NVARIANTS];
    for (int v = 0; v < NVARIANTS; v++)
        run_observers(observer_cls, (variant)v, nrounds, per_round, &runs[v]);
    MP_DECREF(observer_cls);

    lab_csv *csv = lab_csv_open("observers_live.csv",
                                "step,strong_ours,weak_ours,cleanup_ours,strong_cpython,"
                                "weak_cpython,cleanup_cpython");
    for (long step = 0; step <= nrounds; step++) {
        char row[256];
        int used = snprintf(row, sizeof row, "%ld,%ld,%ld,%ld", step + 1, runs[STRONG].live[step],
                            runs[WEAK].live[step], runs[CLEANUP].live[step]);
        for (int v = 0; v < NVARIANTS; v++) {
            char key[32];
            long long cpython;
            snprintf(key, sizeof key, "live_%s", variant_names[v]);
            if (lab_twin_item_int(key, (size_t)step, &cpython))
                used += snprintf(row + used, sizeof row - (size_t)used, ",%lld", cpython);
            else
                used += snprintf(row + used, sizeof row - (size_t)used, ",");
        }
        lab_csv_row(csv, "%s", row);
    }
    lab_csv_close(csv);

    static const char *const titles[NVARIANTS] = {"strong references", "weak references",
                                                  "strong, unsubscribed"};
    for (int v = 0; v < NVARIANTS; v++) {
        char what[96], key[64];
        long held = v == STRONG ? nrounds * per_round : per_round;
        lab_say("%s:", titles[v]);
        snprintf(key, sizeof key, "%s_live_last_round", variant_names[v]);
        snprintf(what, sizeof what, "# Observers alive after round %ld", nrounds);
        lab_check_int(25, what, runs[v].live[nrounds - 1], key, held);
        snprintf(key, sizeof key, "%s_len", variant_names[v]);
        lab_check_int(25, "len(subject.observers)", runs[v].len, key, held);
        snprintf(key, sizeof key, "%s_delivered", variant_names[v]);
        lab_check_int(25, "# deliveries of the last notify()", runs[v].delivered, key, held);
        snprintf(key, sizeof key, "%s_live_dropped", variant_names[v]);
        lab_check_int(25, "# alive once the program drops all", runs[v].live[nrounds], key,
                      v == STRONG ? held : 0);
        snprintf(key, sizeof key, "%s_live_after_collect", variant_names[v]);
        lab_check_int(25, "# alive after gc.collect()", runs[v].live_after_collect, key,
                      v == STRONG ? held : 0);
    }
    lab_say("The strong subject keeps every observer it ever saw, and keeps notifying "
            "them: they are not garbage, since the subject can still reach them, so "
            "gc.collect() frees nothing. observers_live.csv has the count round by round.");
    lab_claim(25, "holds",
              "after %ld rounds of %ld, the strong subject kept all %ld observers alive "
              "(gc.collect() freed none), while the weak one and the unsubscribing one kept "
              "only the %ld in use, and none once dropped, in both runtimes. It is a leak "
              "of reachable objects, which no collector can fix.",
              nrounds, per_round, nrounds * per_round, per_round);
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"09-weakref", "weak references", "24-25", options};
    lab_begin(&spec, argc, argv);
    long n = objects > 0 ? objects : lab_quick() ? 400 : 4000;
    mp_object *node_cls = new_class("Node", NULL);
    step_ref(node_cls);
    step_callbacks(node_cls);
    MP_DECREF(node_cls);
    step_finalizers();
    step_cache(n);
    step_observers(n, rounds);
    return lab_end();
}
