/* gc.c — the generational cycle collector.
 *
 * Models CPython 3.11's Modules/gcmodule.c. Read gc_collect_main first: it
 * is the whole algorithm, and the functions above it are its steps.
 *
 * Reference counting frees everything but cycles. The collector finds the
 * containers that only the containers of one generation keep alive:
 *
 *   1. update_refs: copy each object's refcount into gc_refs.
 *   2. subtract_refs: for every reference one of them holds to another,
 *      take one from the target's gc_refs. What is left counts references
 *      from outside the generation: from C variables, from older objects.
 *   3. move_unreachable: an object with gc_refs > 0 is reachable, and so is
 *      everything it refers to; the rest are unreachable.
 *   4. weak references to unreachable objects are cleared, finalizers
 *      (tp_finalize, __del__) run once each (PEP 442), and reachability is
 *      computed again within the unreachable set, since a finalizer may
 *      have resurrected something.
 *   5. tp_clear breaks the cycles of what is still unreachable, and
 *      reference counting frees it.
 *
 * Where ours departs from CPython for speed (update_and_subtract_refs, the
 * deferred items, the leaves, the skipped second look at the unreachable),
 * the comment there says how; none of them changes what a collection finds.
 *
 * The GC header's two words are put to several uses, as in CPython:
 *   gc_next  the next object of the list; during a collection, its low bit
 *            marks an object tentatively unreachable
 *   gc_prev  the previous object, in the bits above the lowest three; bit 0
 *            says the finalizer has run, bit 1 that the object is in the
 *            generation being collected, bit 2 that it is frozen (ours:
 *            every block is 16-byte aligned, so one more bit is free than
 *            CPython can count on); during steps 1 to 3 the upper bits
 *            hold gc_refs instead of the previous pointer, except in a
 *            full collection's leaves, which keep it
 *
 * Invariants (checked between phases under MP_DEBUG by validate_list):
 *   - Outside a collection, every tracked object is in exactly one list
 *     (a generation or the permanent one), doubly linked, with the
 *     collecting bit and the unreachable bit clear.
 *   - gens[0].count is allocations minus deallocations of containers since
 *     generation 0 was last collected; gens[1] and gens[2] count
 *     collections of the generation below since their own last one.
 *   - A full collection runs automatically only when the objects that
 *     survived generation 1 since the last full one (long_lived_pending)
 *     reach a quarter of those that survived the last full one
 *     (long_lived_total): CPython's rule against quadratic behaviour.
 *
 * Build switches: MP_STRESS_GC collects generation 0 at every container
 * allocation; MP_LOG_GC prints one stable line per phase of a collection.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "gc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dict.h"
#include "error.h"
#include "internal.h"
#include "list.h"
#include "obmalloc.h"
#include "tuple.h"
#include "weakref.h"

#define PREV_MASK_FINALIZED ((uintptr_t)1)
#define PREV_MASK_COLLECTING ((uintptr_t)2)
#define PREV_MASK_FROZEN ((uintptr_t)4)
#define PREV_SHIFT 3
#define PREV_MASK (~(uintptr_t)0 << PREV_SHIFT)
_Static_assert(~PREV_MASK == MP_GC_PREV_FLAG_BITS, "gc.h names the flag bits for trashcan.c");
#define NEXT_MASK_UNREACHABLE ((uintptr_t)1)

typedef struct generation {
    mp_gc_head head; /* the list's sentinel */
    int threshold;
    int count;
} generation;

static struct {
    generation gens[MP_GC_GENERATIONS];
    mp_gc_head permanent;
    bool enabled;
    bool collecting;
    int debug;
    mp_ssize_t long_lived_total, long_lived_pending;
    mp_gc_stats stats[MP_GC_GENERATIONS];
    mp_object *garbage;
    struct {
        mp_gc_callback fn;
        void *arg;
    } callbacks[MP_GC_MAX_CALLBACKS];
    int ncallbacks;
} gcs;

/* ---- the GC header -------------------------------------------------------------- */

static mp_gc_head *next_of(const mp_gc_head *g)
{
    return (mp_gc_head *)(g->gc_next & ~NEXT_MASK_UNREACHABLE);
}

static mp_gc_head *prev_of(const mp_gc_head *g) { return (mp_gc_head *)(g->gc_prev & PREV_MASK); }

static void set_next(mp_gc_head *g, mp_gc_head *n) { g->gc_next = (uintptr_t)n; }

static void set_prev(mp_gc_head *g, mp_gc_head *p)
{
    g->gc_prev = (g->gc_prev & ~PREV_MASK) | (uintptr_t)p;
}

static mp_ssize_t gc_refs(const mp_gc_head *g) { return (mp_ssize_t)(g->gc_prev >> PREV_SHIFT); }

static void set_gc_refs(mp_gc_head *g, mp_ssize_t refs)
{
    g->gc_prev = (g->gc_prev & ~PREV_MASK) | ((uintptr_t)refs << PREV_SHIFT);
}

static bool is_collecting(const mp_gc_head *g) { return g->gc_prev & PREV_MASK_COLLECTING; }

static bool is_finalized(const mp_gc_head *g) { return g->gc_prev & PREV_MASK_FINALIZED; }

static bool is_tracked(const mp_object *o) { return MP_AS_GC(o)->gc_next != 0; }

/* The objects the collector looks at: containers that are tracked. */
static bool may_be_collected(const mp_object *o)
{
    return mp_type_is_gc(o->ob_type) && is_tracked(o);
}

/* ---- lists ----------------------------------------------------------------------------- */

static void list_init(mp_gc_head *list)
{
    list->gc_next = list->gc_prev = (uintptr_t)list;
}

static bool list_is_empty(const mp_gc_head *list) { return next_of(list) == list; }

static void list_append(mp_gc_head *node, mp_gc_head *list)
{
    mp_gc_head *last = (mp_gc_head *)list->gc_prev;
    set_prev(node, last);
    set_next(node, list);
    set_next(last, node);
    list->gc_prev = (uintptr_t)node;
}

static void list_remove(mp_gc_head *node)
{
    mp_gc_head *prev = prev_of(node), *next = next_of(node);
    set_next(prev, next);
    set_prev(next, prev);
    node->gc_next = 0; /* untracked */
}

static void list_move(mp_gc_head *node, mp_gc_head *list)
{
    mp_gc_head *prev = prev_of(node), *next = next_of(node);
    set_next(prev, next);
    set_prev(next, prev);
    list_append(node, list);
}

/* Appends every node of from to to, leaving from empty. */
static void list_merge(mp_gc_head *from, mp_gc_head *to)
{
    if (list_is_empty(from))
        return;
    mp_gc_head *tail = (mp_gc_head *)to->gc_prev;
    mp_gc_head *first = next_of(from), *last = (mp_gc_head *)from->gc_prev;
    set_next(tail, first);
    set_prev(first, tail);
    set_next(last, to);
    to->gc_prev = (uintptr_t)last;
    list_init(from);
}

static mp_ssize_t list_size(const mp_gc_head *list)
{
    mp_ssize_t n = 0;
    for (const mp_gc_head *g = next_of(list); g != list; g = next_of(g))
        n++;
    return n;
}

#ifdef MP_DEBUG
/* The links of list are consistent, and every node carries exactly the
 * flags given (PREV_MASK_COLLECTING, NEXT_MASK_UNREACHABLE). */
static void validate_list(const mp_gc_head *list, uintptr_t collecting, uintptr_t unreachable)
{
    const mp_gc_head *prev = list;
    for (const mp_gc_head *g = next_of(list); g != list; g = next_of(g)) {
        if (prev_of(g) != prev || (g->gc_prev & PREV_MASK_COLLECTING) != collecting ||
            (g->gc_next & NEXT_MASK_UNREACHABLE) != unreachable ||
            (g->gc_prev & PREV_MASK_FROZEN))
            mp_fatal("gc: a %s object in a collector list has a broken link or stray flags",
                     MP_FROM_GC(g)->ob_type->tp_name);
        prev = g;
    }
    if ((mp_gc_head *)list->gc_prev != prev)
        mp_fatal("gc: a collector list's tail does not match its last node");
}
#else
#define validate_list(list, collecting, unreachable) ((void)0)
#endif

#ifdef MP_LOG_GC
#define LOG_PHASE(...) (fprintf(stderr, "gc: "), fprintf(stderr, __VA_ARGS__), fputc('\n', stderr))
#else
#define LOG_PHASE(...) ((void)0)
#endif

/* ---- tracking and allocation ------------------------------------------------------------ */

void mp_gc_track(mp_object *o)
{
    mp_gc_head *g = MP_AS_GC(o);
    if (g->gc_next)
        return;
    g->gc_prev &= PREV_MASK_FINALIZED; /* not frozen any more, if it was */
    list_append(g, &gcs.gens[0].head);
}

void mp_gc_untrack(mp_object *o)
{
    mp_gc_head *g = MP_AS_GC(o);
    if (g->gc_next)
        list_remove(g);
}

bool mp_gc_is_tracked(mp_object *o) { return may_be_collected(o); }

static void collect_generations(void);

/* _PyObject_GC_Link: a container's allocation counts for generation 0 and
 * may start a collection, before the new object is tracked or even built. */
/* The two words of a managed __dict__ that come before the GC header
 * (_PyType_PreHeaderSize, less the GC header itself); see instance.c. */
static size_t managed_dict_bytes(const mp_type *t)
{
    return t->tp_flags & MP_TPFLAGS_MANAGED_DICT ? 2 * sizeof(mp_object *) : 0;
}

static mp_object *gc_alloc(mp_type *t, size_t object_bytes)
{
    size_t managed = managed_dict_bytes(t);
    char *block = mp_object_malloc(managed + sizeof(mp_gc_head) + object_bytes);
    if (!block)
        return NULL;
    memset(block, 0, managed);
    mp_gc_head *g = (mp_gc_head *)(block + managed);
    g->gc_next = g->gc_prev = 0;
    generation *young = &gcs.gens[0];
    young->count++;
#ifdef MP_STRESS_GC
    if (gcs.enabled && !gcs.collecting && !mp_err_occurred())
#else
    if (gcs.enabled && young->threshold && young->count > young->threshold && !gcs.collecting &&
        !mp_err_occurred())
#endif
        collect_generations();
    mp_object *o = MP_FROM_GC(g);
    mp_object_init(o, t);
    return o;
}

mp_object *mp_gc_new(mp_type *t) { return gc_alloc(t, (size_t)t->tp_basicsize); }

mp_varobject *mp_gc_new_var(mp_type *t, mp_ssize_t nitems)
{
    size_t bytes = mp_var_bytes(t, nitems);
    if (bytes == SIZE_MAX)
        return NULL;
    mp_varobject *v = (mp_varobject *)gc_alloc(t, bytes);
    if (v)
        v->ob_size = nitems;
    return v;
}

void mp_gc_del(mp_object *o)
{
    mp_gc_head *g = MP_AS_GC(o);
    if (g->gc_next)
        list_remove(g);
    if (gcs.gens[0].count > 0)
        gcs.gens[0].count--;
    char *block = (char *)g - managed_dict_bytes(o->ob_type);
#ifdef MP_DEBUG
    mp_object_free_named(block, o->ob_type->tp_name);
#else
    mp_object_free(block);
#endif
}

/* ---- steps 1 to 3: who is reachable ---------------------------------------------------------- */

/* Calls visit on every referent of o. Lists and tuples, the bulk of most
 * heaps, are walked here, last item first as their tp_traverse does;
 * other types go through tp_traverse. Inlined with a constant visit, the
 * collector's loops make no indirect call per list or per item. */
static inline __attribute__((always_inline)) void traverse(mp_object *o, mp_visitproc visit,
                                                           void *arg)
{
    mp_type *t = o->ob_type;
    mp_object **items;
    if (t == &mp_type_list)
        items = ((mp_list *)o)->ob_item;
    else if (t == &mp_type_tuple)
        items = ((mp_tuple *)o)->ob_item;
    else {
        if (t->tp_traverse)
            t->tp_traverse(o, visit, arg);
        return;
    }
    for (mp_ssize_t i = MP_SIZE(o); --i >= 0;) {
        if (items[i])
            visit(items[i], arg);
    }
}

/* Ours: the items of a big list or tuple are visited as the walk reaches
 * them, not all at once.
 *
 * A list built by appending new objects holds them in the order they were
 * allocated, which is also their order in the generation's list. Visiting
 * all of its items at once sweeps memory once for the visits and once more
 * for the walk that follows; over a heap larger than the caches, each
 * sweep is a pass over main memory. So a walk that meets such a container
 * sets its items aside (one container at a time) and takes the next one
 * when it reaches the same object: the visit then costs no memory traffic
 * of its own. Items the walk does not meet in order are visited in one go
 * (flush), as CPython visits them all straight away. */
#ifdef MP_STRESS_GC
#define DEFER_MIN_ITEMS 1 /* every list and tuple: the whole suite goes this way */
#else
#define DEFER_MIN_ITEMS 64
#endif

typedef struct deferred {
    mp_object **items; /* NULL when nothing is set aside; else next < end */
    mp_ssize_t next, end;
    /* For the first walk of a full collection: whose items they are, how
     * many were taken, whether each was the object walked, and how many
     * of those were left as leaves (below). */
    mp_object *container;
    mp_ssize_t taken, leaves;
    bool in_step;
} deferred;

/* The first walk's findings for the second, on the big containers whose
 * items it took one by one (a run), in walk order, which the second walk
 * follows too:
 *   - in step: the items were exactly the objects walked right after the
 *     container. When it is reachable, the second walk knows the next
 *     `items` objects are, without reading its items again; when all of
 *     them are leaves (below), it does not even walk them.
 *   - leaves: how many items the first walk left alone. They are reachable
 *     exactly when their container is, which the second walk learns before
 *     it meets them.
 * Runs with neither are not logged; once MAX_RUNS are, the first walk
 * leaves no more leaves. */
#define MAX_RUNS 32

typedef struct logged_run {
    mp_object *container;
    mp_ssize_t items, leaves;
    bool in_step;
    mp_object *last; /* the object walked when the last item was taken */
} logged_run;

typedef struct run_log {
    logged_run runs[MAX_RUNS];
    int count;
} run_log;

static inline bool has_many_items(const mp_object *o)
{
    const mp_type *t = o->ob_type;
    return (t == &mp_type_list || t == &mp_type_tuple) && MP_SIZE(o) >= DEFER_MIN_ITEMS;
}

/* Sets o's items aside if o is a big list or tuple and nothing else is.
 * The container stays as it is until the walk ends: nothing runs during a
 * walk that could change it. */
static inline bool defer_items(deferred *d, mp_object *o)
{
    if (d->items || !has_many_items(o))
        return false;
    d->items = o->ob_type == &mp_type_list ? ((mp_list *)o)->ob_item : ((mp_tuple *)o)->ob_item;
    d->next = 0;
    d->end = MP_SIZE(o);
    d->container = o;
    d->taken = 0;
    d->leaves = 0;
    d->in_step = true;
    return true;
}

/* Takes the next item set aside, or NULL when there is none. */
static inline mp_object *deferred_next(deferred *d)
{
    while (d->items) {
        mp_object *o = d->items[d->next];
        if (++d->next == d->end)
            d->items = NULL;
        if (o)
            return o;
    }
    return NULL;
}

/* Peeks instead: the next item is taken only if it is o. */
static inline bool deferred_take_if(deferred *d, mp_object *o)
{
    if (!d->items)
        return false;
    if (d->items[d->next] != o)
        return false;
    if (++d->next == d->end)
        d->items = NULL;
    return true;
}

static inline __attribute__((always_inline)) void deferred_flush(deferred *d, mp_visitproc visit,
                                                                 void *arg)
{
    for (mp_object *o; (o = deferred_next(d));)
        visit(o, arg);
}

/* gc_refs starts as the object's count; the collecting bit says it takes
 * part in this collection. */
static inline void start_gc_refs(mp_gc_head *g)
{
    mp_object *o = MP_FROM_GC(g);
#ifdef MP_DEBUG
    if (o->ob_refcnt <= 0)
        mp_fatal("gc: a tracked %s object has refcount %td", o->ob_type->tp_name, o->ob_refcnt);
#endif
    g->gc_prev = (g->gc_prev & PREV_MASK_FINALIZED) | PREV_MASK_COLLECTING |
                 ((uintptr_t)o->ob_refcnt << PREV_SHIFT);
}

/* The same for an object whose only reference comes from a container of
 * the collection: gc_refs starts at 0. */
static inline void start_held_once(mp_gc_head *g)
{
    g->gc_prev = (g->gc_prev & PREV_MASK_FINALIZED) | PREV_MASK_COLLECTING;
}

static inline void decref_gc_refs(mp_gc_head *g)
{
#ifdef MP_DEBUG
    if (gc_refs(g) == 0)
        mp_fatal("gc: a %s object has more references than its refcount says "
                 "(refcount is too small)", MP_FROM_GC(g)->ob_type->tp_name);
#endif
    g->gc_prev -= (uintptr_t)1 << PREV_SHIFT;
}

/* What the walks of steps 1 to 3 learn about the objects on the way. */
typedef struct census {
    mp_ssize_t objects;    /* in the generation(s) collected */
    mp_ssize_t survivors;  /* reachable, still tracked */
    mp_ssize_t untracked;  /* tuples of atoms let go */
    mp_ssize_t dicts;      /* among the survivors, for untrack_dicts */
    mp_ssize_t unreachable;
    /* Objects found unreachable on the way (some may have come back) whose
     * death would need more than tp_clear: weak references, objects with
     * weak references to them, finalizers not yet run. Counted where they
     * leave the list, so the reachable, most of a big heap, cost nothing. */
    mp_ssize_t need_care;
} census;

static inline bool needs_care(mp_gc_head *g)
{
    mp_object *o = MP_FROM_GC(g);
    const mp_type *t = o->ob_type;
    return (t->tp_flags & MP_TPFLAGS_WEAKREF) ||
           (t->tp_weaklistoffset > 0 && *(mp_weakref **)((char *)o + t->tp_weaklistoffset)) ||
           (t->tp_finalize && !is_finalized(g));
}

static void update_refs(mp_gc_head *containers, census *c)
{
    for (mp_gc_head *g = next_of(containers); g != containers; g = next_of(g)) {
        start_gc_refs(g);
        c->objects++;
    }
}

static inline int visit_decref(mp_object *o, void *arg)
{
    (void)arg;
    if (mp_type_is_gc(o->ob_type)) {
        mp_gc_head *g = MP_AS_GC(o);
        if (is_collecting(g))
            decref_gc_refs(g);
    }
    return 0;
}

static void subtract_refs(mp_gc_head *containers)
{
    for (mp_gc_head *g = next_of(containers); g != containers; g = next_of(g))
        traverse(MP_FROM_GC(g), visit_decref, NULL);
}

/* In a full collection every tracked object but the frozen ones takes
 * part, which a referent's header says without a flag set beforehand. */
static inline int visit_decref_full(mp_object *o, void *arg)
{
    (void)arg;
    if (!mp_type_is_gc(o->ob_type))
        return 0;
    mp_gc_head *g = MP_AS_GC(o);
    if (!g->gc_next || (g->gc_prev & PREV_MASK_FROZEN))
        return 0;
    if (!is_collecting(g))
        start_gc_refs(g);
    decref_gc_refs(g);
    return 0;
}

/* Counts the referents that are containers, and takes them off as
 * visit_decref_full does. */
static inline int visit_decref_counted(mp_object *o, void *containers)
{
    if (mp_type_is_gc(o->ob_type))
        ++*(mp_ssize_t *)containers;
    return visit_decref_full(o, NULL);
}

/* Ours: leaves.
 *
 * o is the item set aside that the first walk has just reached, and the
 * big container holds its only reference. Its gc_refs is then 0, and it is
 * reachable exactly when the container is. If it also refers to no
 * container (an empty list, a list of numbers), a reachable o gives the
 * second walk nothing to do but keep its prev pointer, which the first
 * walk need not overwrite. So o's header is left as it was: neither
 * collecting nor holding gc_refs, o is a leaf of the container's run.
 *
 * The second walk meets the container first, and any object it then meets
 * not collecting is a leaf of that run: reachable with it, or started then
 * with gc_refs 0 and judged as any other. Tuples and dicts have survivor
 * rules of their own, and are never leaves.
 *
 * Returns whether o was left as a leaf; if not, o is collecting with
 * gc_refs 0. Either way its referents have been visited. */
static inline bool visit_held_once(mp_gc_head *g, bool may_leave)
{
    mp_object *o = MP_FROM_GC(g);
    mp_ssize_t containers = 0;
    traverse(o, visit_decref_counted, &containers);
    if (may_leave && containers == 0 && o->ob_type != &mp_type_tuple &&
        o->ob_type != &mp_type_dict)
        return true;
    start_held_once(g);
    return false;
}

/* The run's last item has been taken (or flushed, out of step), with last
 * the object walked then. */
static void end_run(const deferred *d, run_log *log, mp_object *last)
{
    if ((d->in_step || d->leaves) && log->count < MAX_RUNS)
        log->runs[log->count++] =
            (logged_run){d->container, d->taken, d->leaves, d->in_step, last};
}

/* Ours, for full collections: update_refs and subtract_refs in one walk.
 * An object's gc_refs starts the first time the walk or a reference
 * reaches it, so each object is read once fewer: over a heap larger than
 * the caches, a whole pass of memory traffic fewer. */
static void update_and_subtract_refs(mp_gc_head *containers, census *c, run_log *log)
{
    deferred d = {0};
    mp_ssize_t objects = 0;
    for (mp_gc_head *g = next_of(containers); g != containers; g = next_of(g)) {
        mp_object *o = MP_FROM_GC(g);
        objects++;
        /* The counts do not care about order: an item out of step is
         * taken anyway, one for each object walked. One in step is known
         * to be a tracked container of the generations collected. */
        mp_object *item = deferred_next(&d);
        bool held_once = item == o && o->ob_refcnt == 1;
        if (held_once) {
            d.leaves += visit_held_once(g, log->count < MAX_RUNS);
        } else {
            if (!is_collecting(g))
                start_gc_refs(g);
            if (item == o) {
                decref_gc_refs(g);
            } else if (item) {
                visit_decref_full(item, NULL);
                d.in_step = false;
            }
        }
        if (item && (d.taken++, !d.items))
            end_run(&d, log, o);
        if (!held_once && !defer_items(&d, o))
            traverse(o, visit_decref_full, NULL);
    }
    if (d.items) {
        deferred_flush(&d, visit_decref_full, NULL);
        d.in_step = false;
        end_run(&d, log, NULL);
    }
    c->objects += objects;
}

/* A reference from a reachable object: its target is reachable too. One
 * already moved to the unreachable list comes back to the end of the young
 * list, where the scan will reach it; one not scanned yet is marked. */
static inline int visit_reachable(mp_object *o, void *young_arg)
{
    if (!mp_type_is_gc(o->ob_type))
        return 0;
    mp_gc_head *g = MP_AS_GC(o), *young = young_arg;
    if (!is_collecting(g))
        return 0;
    if (g->gc_next & NEXT_MASK_UNREACHABLE) {
        mp_gc_head *prev = prev_of(g), *next = next_of(g);
        prev->gc_next = g->gc_next; /* keeps the unreachable bit of prev's link */
        set_prev(next, prev);
        list_append(g, young);
        set_gc_refs(g, 1);
    } else if (gc_refs(g) == 0) {
        set_gc_refs(g, 1);
    }
    return 0;
}

/* Ours: g looks unreachable to the second walk. A container is usually
 * made right after what it holds (Python evaluates a display's items and
 * a call's arguments first), so the next object may well hold g. If it is
 * known reachable (gc_refs above 0, or the next item set aside), its
 * visits are made now, before g is judged: that may spare g a move to the
 * unreachable list and back, and a second walk at the young list's end.
 * Big containers are left to be met in turn, to keep their items set
 * aside. Returns whether g is reachable now; *ahead is the object visited. */
static inline bool visit_ahead(mp_gc_head *g, mp_gc_head *young, deferred *d, mp_gc_head **ahead)
{
    mp_gc_head *next = next_of(g);
    if (next == young || !is_collecting(next) || next == *ahead)
        return false;
    mp_object *n = MP_FROM_GC(next);
    if (has_many_items(n))
        return false;
    if (deferred_take_if(d, n) && gc_refs(next) == 0)
        set_gc_refs(next, 1);
    if (gc_refs(next) == 0)
        return false;
    traverse(n, visit_reachable, young);
    *ahead = next;
    return gc_refs(g) != 0;
}

/* _PyTuple_MaybeUntrack: a tuple that holds no container that may ever be
 * tracked cannot be part of a cycle, so the collector can stop looking. */
static bool may_ever_be_tracked(mp_object *o)
{
    if (!mp_type_is_gc(o->ob_type))
        return false;
    return mp_tuple_check(o) ? is_tracked(o) : true;
}

static bool tuple_may_be_untracked(mp_object *t)
{
    for (mp_ssize_t i = 0; i < MP_SIZE(t); i++) {
        mp_object *item = ((mp_tuple *)t)->ob_item[i];
        if (!item || may_ever_be_tracked(item))
            return false;
    }
    return true;
}

/* Splits young into reachable (stays, prev links rebuilt, collecting bit
 * cleared) and unreachable (moved, unreachable bit set on their links).
 *
 * Two of CPython's later walks over the survivors happen here, in the
 * same order: untrack_tuples (a reachable tuple of atoms leaves the list)
 * and the count of survivors, which go in the census. */
static void move_unreachable(mp_gc_head *young, mp_gc_head *unreachable, census *c,
                             const run_log *log)
{
    mp_gc_head *prev = young;
    mp_gc_head *g = next_of(young);
    deferred d = {0};
    int run = 0;                 /* the next of log's runs to meet */
    mp_ssize_t known = 0;        /* objects ahead that a reachable run holds */
    bool leaves_reachable = false; /* whether the last run met's container is */
    mp_gc_head *ahead = NULL;      /* visited before the walk reached it */
    mp_ssize_t survivors = 0, untracked = 0, dicts = 0, need_care = 0;
    for (;; g = next_of(prev)) {
        if (g == young) {
            if (!d.items)
                break;
            /* The last object walked may have left the list: the items
             * visited now that come back from the unreachable list must
             * go after the last one still in it. */
            young->gc_prev = (uintptr_t)prev;
            deferred_flush(&d, visit_reachable, young);
            continue;
        }
        mp_object *o = MP_FROM_GC(g);
        /* The next item set aside is this object: a reachable container
         * holds it. Otherwise, before anything is called unreachable,
         * every item set aside is visited. */
        bool reachable;
        if (known) {
            known--;
            reachable = true;
        } else if (!is_collecting(g) && leaves_reachable) {
            deferred_take_if(&d, o); /* a leaf of a run out of step */
            reachable = true;
        } else {
            if (!is_collecting(g)) /* a leaf of an unreachable container, so far */
                start_held_once(g);
            reachable = deferred_take_if(&d, o) || gc_refs(g);
            if (!reachable)
                reachable = visit_ahead(g, young, &d, &ahead);
            if (!reachable && d.items) {
                deferred_flush(&d, visit_reachable, young);
                reachable = gc_refs(g);
            }
        }
        /* A run of the first walk: if reachable and in step, its items
         * are the next objects; if not, it is walked again when something
         * reaches it, and its items visited then. */
        const logged_run *r =
            run < log->count && log->runs[run].container == o ? &log->runs[run++] : NULL;
        bool all_leaves = r && r->in_step && r->leaves == r->items;
        if (r)
            leaves_reachable = reachable;
        if (reachable) {
            if (r && r->in_step)
                known = all_leaves ? 0 : r->items;
            else if (is_collecting(g) && g != ahead && !defer_items(&d, o))
                traverse(o, visit_reachable, young);
            /* The collecting bit goes once o's own visits are done (one to
             * itself finds it still set, and changes only gc_refs), before
             * anything walked later can visit o. */
            if (mp_tuple_check(o) && tuple_may_be_untracked(o)) {
                prev->gc_next = g->gc_next;
                g->gc_next = 0;
                g->gc_prev &= ~PREV_MASK_COLLECTING;
                untracked++;
            } else {
                g->gc_prev = (g->gc_prev & PREV_MASK_FINALIZED) | (uintptr_t)prev;
                prev = g;
                survivors++;
                dicts += o->ob_type == &mp_type_dict;
                /* The leaves that follow are reachable, and their headers
                 * are already what the walk would leave. */
                if (all_leaves) {
                    prev = MP_AS_GC(r->last);
                    survivors += r->items;
                }
            }
        } else {
            /* Tentatively unreachable: off the young list (single-linked
             * for now), onto the end of the unreachable one. */
            need_care += needs_care(g);
            prev->gc_next = g->gc_next;
            mp_gc_head *last = (mp_gc_head *)unreachable->gc_prev;
            last->gc_next = NEXT_MASK_UNREACHABLE | (uintptr_t)g;
            set_prev(g, last);
            g->gc_next = NEXT_MASK_UNREACHABLE | (uintptr_t)unreachable;
            unreachable->gc_prev = (uintptr_t)g;
        }
    }
    young->gc_prev = (uintptr_t)prev;
    unreachable->gc_next &= ~NEXT_MASK_UNREACHABLE;
    c->survivors += survivors;
    c->untracked += untracked;
    c->dicts += dicts;
    c->need_care += need_care;
    c->unreachable = c->objects - c->survivors - c->untracked;
}

/* Steps 1 to 3 over base, which holds every tracked object not frozen if
 * full: the unreachable go to unreachable, still marked (their unreachable
 * bit set, and collecting). */
static census deduce_unreachable(mp_gc_head *base, mp_gc_head *unreachable, bool full)
{
    census c = {0};
    run_log log = {.count = 0};
    validate_list(base, 0, 0);
    if (full) {
        update_and_subtract_refs(base, &c, &log);
    } else {
        update_refs(base, &c);
        subtract_refs(base);
    }
    list_init(unreachable);
    move_unreachable(base, unreachable, &c, &log);
    validate_list(base, 0, 0);
    return c;
}

/* untrack_dicts, in full collections only (CPython's defence against
 * quadratic build-up of dicts of atoms): a walk of its own, after every
 * tuple of atoms has gone, since a dict may hold such a tuple. Returns how
 * many left the list. */
static mp_ssize_t untrack_dicts(mp_gc_head *young)
{
    mp_ssize_t n = 0;
    mp_gc_head *g = next_of(young);
    while (g != young) {
        mp_gc_head *next = next_of(g);
        mp_object *o = MP_FROM_GC(g);
        if (o->ob_type == &mp_type_dict && mp_dict_may_untrack(o)) {
            list_remove(g);
            n++;
        }
        g = next;
    }
    return n;
}

/* ---- steps 4 and 5: weak references, finalizers, look again, clear ----------------------------- */

typedef struct garbage_scan {
    mp_ssize_t objects;  /* in the unreachable list */
    bool finalizers;     /* some of them have a finalizer still to run */
    mp_ssize_t callbacks_run, freed_by_callbacks;
} garbage_scan;

/* One walk over the unreachable: each loses its unreachable bit (as
 * CPython's clear_unreachable_mask), is counted, and has its weak
 * references handled (handle_weakrefs):
 *
 * every weak reference to an unreachable object is cleared before any
 * finalizer could reach the object through it. A weak reference that is
 * itself unreachable is cleared too, whatever it refers to, and its
 * callback never runs: it dies with the garbage. The callbacks of the
 * others run after the walk, while everything unreachable is intact. */
static garbage_scan scan_garbage(mp_gc_head *unreachable, mp_gc_head *old)
{
    garbage_scan scan = {0};
    mp_gc_head to_call;
    list_init(&to_call);
    for (mp_gc_head *g = next_of(unreachable); g != unreachable; g = next_of(g)) {
        g->gc_next &= ~NEXT_MASK_UNREACHABLE;
        scan.objects++;
        mp_object *o = MP_FROM_GC(g);
        mp_type *t = o->ob_type;
        scan.finalizers |= t->tp_finalize && !is_finalized(g);
        if (t->tp_flags & MP_TPFLAGS_WEAKREF)
            mp_weakref_clear_ref((mp_weakref *)o);
        if (t->tp_weaklistoffset <= 0)
            continue;
        mp_weakref **list = (mp_weakref **)((char *)o + t->tp_weaklistoffset);
        while (*list) {
            mp_weakref *r = *list;
            mp_weakref_clear_ref(r);
            if (!r->wr_callback || is_collecting(MP_AS_GC(r)))
                continue;
            /* The weak reference moves to to_call, out of whatever
             * generation holds it; the reference taken keeps it alive. */
            MP_INCREF(r);
            list_move(MP_AS_GC(r), &to_call);
        }
    }
    validate_list(unreachable, PREV_MASK_COLLECTING, 0);
    while (!list_is_empty(&to_call)) {
        mp_gc_head *g = next_of(&to_call);
        mp_weakref *r = (mp_weakref *)MP_FROM_GC(g);
        mp_weakref_run_callback(r);
        scan.callbacks_run++;
        MP_DECREF(r);
        if (next_of(&to_call) == g)
            list_move(g, old);
        else
            scan.freed_by_callbacks++;
    }
    return scan;
}

/* Each finalizer runs once: the finalized bit stays set for good. A
 * finalizer may free other objects of the list or resurrect them, so the
 * loop always takes the first object left and moves it aside. */
static void finalize_garbage(mp_gc_head *collectable)
{
    mp_gc_head seen;
    list_init(&seen);
    while (!list_is_empty(collectable)) {
        mp_gc_head *g = next_of(collectable);
        mp_object *o = MP_FROM_GC(g);
        list_move(g, &seen);
        if (!is_finalized(g) && o->ob_type->tp_finalize) {
            MP_INCREF(o);
            mp_object_call_finalizer(o);
            MP_DECREF(o);
        }
    }
    list_merge(&seen, collectable);
}

/* Whatever a finalizer or a callback made reachable again moves to the old
 * generation; the rest stays condemned. Returns how many are left. */
static mp_ssize_t handle_resurrected_objects(mp_gc_head *unreachable,
                                             mp_gc_head *still_unreachable, mp_gc_head *old)
{
    for (mp_gc_head *g = next_of(unreachable); g != unreachable; g = next_of(g))
        g->gc_prev &= ~PREV_MASK_COLLECTING;
    deduce_unreachable(unreachable, still_unreachable, false);
    mp_ssize_t n = 0;
    for (mp_gc_head *g = next_of(still_unreachable); g != still_unreachable; g = next_of(g)) {
        g->gc_next &= ~NEXT_MASK_UNREACHABLE;
        n++;
    }
    list_merge(unreachable, old);
    return n;
}

static void delete_garbage(mp_gc_head *collectable, mp_gc_head *old)
{
    while (!list_is_empty(collectable)) {
        mp_gc_head *g = next_of(collectable);
        mp_object *o = MP_FROM_GC(g);
        g->gc_prev &= ~PREV_MASK_COLLECTING;
        if (gcs.debug & MP_GC_DEBUG_SAVEALL) {
            mp_object *garbage = mp_gc_garbage();
            if (!garbage || mp_list_append(garbage, o) < 0)
                mp_err_write_unraisable("gc.garbage");
        } else if (o->ob_type->tp_clear) {
            MP_INCREF(o);
            o->ob_type->tp_clear(o);
            MP_DECREF(o);
        }
        /* Still here: something outside the cycle held it after all. */
        if (next_of(collectable) == g)
            list_move(g, old);
    }
}

/* ---- the collection ------------------------------------------------------------------------ */

static void debug_cycle(const char *what, mp_object *o)
{
    char buf[96];
    fprintf(stderr, "gc: %s <%s %s>\n", what, o->ob_type->tp_name, mp_repr(o, buf, sizeof buf));
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void run_callbacks(const char *phase, int generation, mp_ssize_t collected,
                          mp_ssize_t uncollectable)
{
    mp_gc_info info = {generation, collected, uncollectable};
    for (int i = 0; i < gcs.ncallbacks; i++)
        gcs.callbacks[i].fn(phase, &info, gcs.callbacks[i].arg);
}

/* Collects generation (0, 1 or 2) and the ones younger than it. Returns
 * the number of unreachable objects found; *collected_out gets those that
 * were freed. */
static mp_ssize_t gc_collect_main(int generation, mp_ssize_t *collected_out)
{
    double t0 = 0;
    if (gcs.debug & MP_GC_DEBUG_STATS) {
        t0 = seconds_now();
        fprintf(stderr, "gc: collecting generation %d...\n", generation);
        fprintf(stderr, "gc: objects in each generation: %td %td %td\n",
                list_size(&gcs.gens[0].head), list_size(&gcs.gens[1].head),
                list_size(&gcs.gens[2].head));
        fprintf(stderr, "gc: objects in permanent generation: %td\n", list_size(&gcs.permanent));
    }
    LOG_PHASE("collect generation %d", generation);

    if (generation + 1 < MP_GC_GENERATIONS)
        gcs.gens[generation + 1].count++;
    for (int i = 0; i <= generation; i++)
        gcs.gens[i].count = 0;
    for (int i = 0; i < generation; i++)
        list_merge(&gcs.gens[i].head, &gcs.gens[generation].head);
    mp_gc_head *young = &gcs.gens[generation].head;
    mp_gc_head *old =
        generation + 1 < MP_GC_GENERATIONS ? &gcs.gens[generation + 1].head : young;
    validate_list(old, 0, 0);

    mp_gc_head unreachable;
    census c = deduce_unreachable(young, &unreachable, young == old);
    LOG_PHASE("reachable %td, unreachable %td", c.survivors, c.unreachable);

    /* Survivors grow older. */
    if (young != old) {
        if (generation == MP_GC_GENERATIONS - 2)
            gcs.long_lived_pending += c.survivors;
        list_merge(young, old);
    } else {
        if (c.dicts)
            c.survivors -= untrack_dicts(young);
        gcs.long_lived_pending = 0;
        gcs.long_lived_total = c.survivors;
    }

    /* Without weak references or finalizers among the objects collected,
     * the walk over the unreachable has nothing to do but count them and
     * clear their unreachable bits, and the census has counted them: the
     * bits go as delete_garbage relinks or frees each one. */
    garbage_scan scan = {.objects = c.unreachable};
    if (c.need_care)
        scan = scan_garbage(&unreachable, old);
    else
        validate_list(&unreachable, PREV_MASK_COLLECTING, NEXT_MASK_UNREACHABLE);
    LOG_PHASE("weak reference callbacks run %td", scan.callbacks_run);
    if (gcs.debug & MP_GC_DEBUG_COLLECTABLE) {
        for (mp_gc_head *g = next_of(&unreachable); g != &unreachable; g = next_of(g))
            debug_cycle("collectable", MP_FROM_GC(g));
    }
    if (scan.finalizers)
        finalize_garbage(&unreachable);
    LOG_PHASE("finalizers %s", scan.finalizers ? "run" : "none");

    /* CPython looks for resurrected objects every time. Only a finalizer or
     * a callback can have made new references, so without either the
     * unreachable set is known to be unchanged, and a second pass over it
     * would find exactly what the first did. */
    mp_gc_head final_unreachable;
    mp_ssize_t m = scan.freed_by_callbacks;
    if (scan.finalizers || scan.callbacks_run) {
        m += handle_resurrected_objects(&unreachable, &final_unreachable, old);
    } else {
        list_init(&final_unreachable);
        list_merge(&unreachable, &final_unreachable);
        m += scan.objects;
    }
    LOG_PHASE("still unreachable %td", m - scan.freed_by_callbacks);

    delete_garbage(&final_unreachable, old);
    LOG_PHASE("cleared");
    validate_list(old, 0, 0);

    /* No legacy finalizers (tp_del) here: nothing is ever uncollectable. */
    mp_ssize_t n = 0;
    if (gcs.debug & MP_GC_DEBUG_STATS)
        fprintf(stderr, "gc: done, %td unreachable, %td uncollectable, %.4fs elapsed\n", n + m, n,
                seconds_now() - t0);

    gcs.stats[generation].collections++;
    gcs.stats[generation].collected += m;
    gcs.stats[generation].uncollectable += n;
    *collected_out = m;
    return n + m;
}

static mp_ssize_t collect_with_callbacks(int generation)
{
    gcs.collecting = true;
    run_callbacks("start", generation, 0, 0);
    mp_ssize_t collected;
    mp_ssize_t found = gc_collect_main(generation, &collected);
    run_callbacks("stop", generation, collected, found - collected);
    gcs.collecting = false;
    return found;
}

/* The oldest generation over its threshold is collected; a full
 * collection also waits until enough has survived to be worth it. */
static void collect_generations(void)
{
    for (int i = MP_GC_GENERATIONS - 1; i >= 0; i--) {
        if (gcs.gens[i].count > gcs.gens[i].threshold) {
            if (i == MP_GC_GENERATIONS - 1 && gcs.long_lived_pending < gcs.long_lived_total / 4)
                continue;
            collect_with_callbacks(i);
            return;
        }
    }
#ifdef MP_STRESS_GC
    /* Nothing is due, but a stress build collects anyway: a missing visit
     * or a wrong count then shows at the next allocation after it. */
    collect_with_callbacks(0);
#endif
}

mp_ssize_t mp_gc_collect(int generation)
{
    if (generation == -1)
        generation = MP_GC_GENERATIONS - 1;
    if (generation < 0 || generation >= MP_GC_GENERATIONS) {
        mp_err_set(MP_ERR_VALUE, "invalid generation");
        return -1;
    }
    if (gcs.collecting)
        return 0; /* already collecting: nothing more to do, as CPython */
    return collect_with_callbacks(generation);
}

/* ---- the gc module ------------------------------------------------------------------------- */

void mp_gc_enable(void) { gcs.enabled = true; }
void mp_gc_disable(void) { gcs.enabled = false; }
bool mp_gc_isenabled(void) { return gcs.enabled; }

void mp_gc_get_threshold(int *t0, int *t1, int *t2)
{
    *t0 = gcs.gens[0].threshold;
    *t1 = gcs.gens[1].threshold;
    *t2 = gcs.gens[2].threshold;
}

void mp_gc_set_threshold(int t0, int t1, int t2)
{
    gcs.gens[0].threshold = t0;
    gcs.gens[1].threshold = t1;
    gcs.gens[2].threshold = t2;
}

void mp_gc_get_count(int *c0, int *c1, int *c2)
{
    *c0 = gcs.gens[0].count;
    *c1 = gcs.gens[1].count;
    *c2 = gcs.gens[2].count;
}

void mp_gc_get_stats(mp_gc_stats out[MP_GC_GENERATIONS])
{
    memcpy(out, gcs.stats, sizeof gcs.stats);
}

int mp_gc_callback_add(mp_gc_callback fn, void *arg)
{
    if (gcs.ncallbacks == MP_GC_MAX_CALLBACKS) {
        mp_err_set(MP_ERR_SYSTEM, "too many gc callbacks");
        return -1;
    }
    gcs.callbacks[gcs.ncallbacks].fn = fn;
    gcs.callbacks[gcs.ncallbacks].arg = arg;
    gcs.ncallbacks++;
    return 0;
}

void mp_gc_callback_remove(mp_gc_callback fn, void *arg)
{
    for (int i = 0; i < gcs.ncallbacks; i++) {
        if (gcs.callbacks[i].fn == fn && gcs.callbacks[i].arg == arg) {
            memmove(&gcs.callbacks[i], &gcs.callbacks[i + 1],
                    sizeof gcs.callbacks[0] * (size_t)(gcs.ncallbacks - i - 1));
            gcs.ncallbacks--;
            return;
        }
    }
}

/* Calls fn(o, arg) for every tracked object, stopping when it returns
 * nonzero (which is returned). */
static int for_each_tracked(int (*fn)(mp_object *o, void *arg), void *arg)
{
    mp_gc_head *lists[MP_GC_GENERATIONS + 1] = {&gcs.gens[0].head, &gcs.gens[1].head,
                                                &gcs.gens[2].head, &gcs.permanent};
    for (int i = 0; i < MP_GC_GENERATIONS + 1; i++) {
        for (mp_gc_head *g = next_of(lists[i]); g != lists[i]; g = next_of(g)) {
            int r = fn(MP_FROM_GC(g), arg);
            if (r)
                return r;
        }
    }
    return 0;
}

typedef struct referrer_search {
    mp_object *target;
    mp_object *found; /* the list being filled */
    bool refers;
    bool failed;
} referrer_search;

static int visit_is_target(mp_object *o, void *arg)
{
    referrer_search *s = arg;
    s->refers |= o == s->target;
    return 0;
}

static int collect_referrer(mp_object *o, void *arg)
{
    referrer_search *s = arg;
    s->refers = false;
    if (o->ob_type->tp_traverse && o != s->found)
        o->ob_type->tp_traverse(o, visit_is_target, s);
    if (s->refers && mp_list_append(s->found, o) < 0) {
        s->failed = true;
        return 1;
    }
    return 0;
}

mp_object *mp_gc_get_referrers(mp_object *target)
{
    referrer_search s = {.target = target, .found = mp_list_new(0)};
    if (!s.found)
        return NULL;
    for_each_tracked(collect_referrer, &s);
    if (s.failed)
        MP_CLEAR(s.found);
    return s.found;
}

static int append_referent(mp_object *o, void *list) { return mp_list_append(list, o) < 0; }

mp_object *mp_gc_get_referents(mp_object *o)
{
    mp_object *list = mp_list_new(0);
    if (list && o->ob_type->tp_traverse && o->ob_type->tp_traverse(o, append_referent, list))
        MP_CLEAR(list);
    return list;
}

mp_object *mp_gc_get_objects(int generation)
{
    if (generation < -1 || generation >= MP_GC_GENERATIONS) {
        mp_err_set(MP_ERR_VALUE, "generation parameter must be less than the number of available "
                                 "generations (3)");
        return NULL;
    }
    mp_object *list = mp_list_new(0);
    if (!list)
        return NULL;
    for (int i = 0; i < MP_GC_GENERATIONS; i++) {
        if (generation != -1 && generation != i)
            continue;
        mp_gc_head *head = &gcs.gens[i].head;
        for (mp_gc_head *g = next_of(head); g != head; g = next_of(g)) {
            mp_object *o = MP_FROM_GC(g);
            if (o != list && mp_list_append(list, o) < 0) {
                MP_DECREF(list);
                return NULL;
            }
        }
    }
    return list;
}

void mp_gc_freeze(void)
{
    for (int i = 0; i < MP_GC_GENERATIONS; i++) {
        mp_gc_head *head = &gcs.gens[i].head;
        for (mp_gc_head *g = next_of(head); g != head; g = next_of(g))
            g->gc_prev |= PREV_MASK_FROZEN;
        list_merge(head, &gcs.permanent);
        gcs.gens[i].count = 0;
    }
}

void mp_gc_unfreeze(void)
{
    for (mp_gc_head *g = next_of(&gcs.permanent); g != &gcs.permanent; g = next_of(g))
        g->gc_prev &= ~PREV_MASK_FROZEN;
    list_merge(&gcs.permanent, &gcs.gens[MP_GC_GENERATIONS - 1].head);
}

mp_ssize_t mp_gc_get_freeze_count(void) { return list_size(&gcs.permanent); }

void mp_gc_set_debug(int flags) { gcs.debug = flags; }
int mp_gc_get_debug(void) { return gcs.debug; }

mp_object *mp_gc_garbage(void)
{
    if (!gcs.garbage)
        gcs.garbage = mp_list_new(0);
    return gcs.garbage;
}

/* ---- finalizers (PEP 442) ------------------------------------------------------------------------ */

void mp_object_call_finalizer(mp_object *o)
{
    if (!o->ob_type->tp_finalize)
        return;
    if (mp_type_is_gc(o->ob_type)) {
        mp_gc_head *g = MP_AS_GC(o);
        if (is_finalized(g))
            return;
        g->gc_prev |= PREV_MASK_FINALIZED;
    }
    /* A finalizer runs with a clean error state, as slot_tp_finalize does;
     * what it raises goes nowhere but stderr. */
    mp_err_state saved;
    mp_err_fetch(&saved);
    o->ob_type->tp_finalize(o);
    mp_err_write_unraisable(o->ob_type->tp_name);
    mp_err_restore(&saved);
}

/* The object is at count 0 inside its dealloc, untracked: it is revived
 * and tracked for its finalizer, and stays so if the finalizer kept a
 * reference to it, as subtype_dealloc does. */
bool mp_object_call_finalizer_from_dealloc(mp_object *o)
{
    bool gc = mp_type_is_gc(o->ob_type);
    o->ob_refcnt = 1;
    if (gc)
        mp_gc_track(o);
    mp_object_call_finalizer(o);
    if (--o->ob_refcnt > 0)
        return true;
    if (gc)
        mp_gc_untrack(o);
    return false;
}

/* ---- start and finish ------------------------------------------------------------------------ */

void mp_gc_init(void)
{
    static const int thresholds[MP_GC_GENERATIONS] = {700, 10, 10};
    memset(&gcs, 0, sizeof gcs);
    for (int i = 0; i < MP_GC_GENERATIONS; i++) {
        list_init(&gcs.gens[i].head);
        gcs.gens[i].threshold = thresholds[i];
    }
    list_init(&gcs.permanent);
    gcs.enabled = true;
}

/* At shutdown: gc.garbage goes, and one last collection frees the cycles
 * still around, so nothing the program left behind outlives mp_fini. */
void mp_gc_fini(void)
{
    MP_CLEAR(gcs.garbage);
    gcs.debug = 0;
    gcs.ncallbacks = 0;
    mp_gc_unfreeze();
    collect_with_callbacks(MP_GC_GENERATIONS - 1);
    gcs.enabled = false;
}
