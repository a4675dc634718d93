/* gc_fuzz.c — a libFuzzer harness for the cycle collector, with an oracle.
 *
 * The input is a program of graph operations over a few slots, the
 * harness's own references: make a container of each type (list, dict,
 * tuple, set, deque, an instance with a __dict__, a slotted instance),
 * link one slot's object into another's, unlink, drop a slot, make a weak
 * reference with a callback (held in a table of the harness's, and
 * storable in containers like any object), give a class a __del__ that
 * resurrects its instance (into a list the harness holds) or not, collect
 * a generation, set thresholds, turn automatic collection on and off.
 *
 * Beside the runtime runs a model in plain arrays: each object's type and
 * outgoing edges, the roots (slots, weak table, resurrection list), which
 * objects have been finalized, which weak reference points where. The
 * model decides reachability by itself and judges every event the runtime
 * reports through hooks (a wrapper round each type's tp_dealloc, the
 * __del__, the weak reference callbacks):
 *
 *   - only an object the model calls unreachable may be deallocated, be
 *     finalized or have its weak references' callbacks run; a finalizer
 *     runs at most once per object (PEP 442), a callback once per weak
 *     reference; an instance whose class has a __del__ is not freed before
 *     it has run;
 *   - after every operation, each live object is intact: its type, its
 *     contents exactly the model's edges, its refcount exactly the number
 *     of references the model counts; a live weak reference refers to its
 *     live referent, or is dead and its callback ran (or a collection
 *     found it unreachable, which clears it silently);
 *   - after every full collection, no unreachable object is left; a weak
 *     reference found unreachable with its referent never ran its
 *     callback, and one that survives has run it;
 *   - after the program, with every root dropped, nothing is left, and the
 *     allocator holds the blocks it held before.
 *
 * Resurrection follows CPython 3.11 (Modules/gcmodule.c, gc_collect_main):
 * handle_weakrefs clears the weak references to everything unreachable and
 * runs their callbacks before finalize_garbage runs the finalizers, so an
 * object resurrected by its __del__ during a collection has dead weak
 * references, and everything it reaches survives with it. Through
 * refcounting (subtype_dealloc) the __del__ runs first and the weak
 * references are cleared only if it did not resurrect. The model does not
 * predict these orders; it checks each event as it comes.
 *
 * Bounds: at most MAX_OBJS objects per input, so a cascade of deallocs
 * stays below the trashcan's depth (MP_TRASHCAN_DEPTH), where a deferred
 * dealloc would look like a finished one to the wrapper.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "mp.h"

/* What NEW makes, then weak references, which op_weakref makes. */
enum kind { K_LIST, K_DICT, K_TUPLE, K_SET, K_INST, K_SLOTTED, K_DEQUE, NNEW, K_WEAKREF = NNEW,
            NKINDS };
static const char *const kind_names[NKINDS] = {
    "list", "dict", "tuple", "set", "instance", "slotted instance", "deque", "weakref"};

#define NSLOTS 8
#define NWEAK 8
#define MAX_OBJS 20
#define MAX_EDGES 8
#define NNAMES 8         /* attribute names n0..n7, and dict keys 0..7 */
#define NSLOTTED_NAMES 4 /* the slotted class declares n0..n3 */
#define MAX_OPS 512

enum { DEL_NONE, DEL_PLAIN, DEL_RESURRECT };

typedef struct mobj {
    enum kind kind;
    mp_object *ptr; /* NULL once the runtime has deallocated it */
    bool finalized;
    int resurrections;
    int n;
    /* Edge i: to[i] is a model object, or -1 for a small int (tuples only)
     * whose value is key[i]; for a dict key[i] is the int key, for an
     * instance the attribute's name. A list, tuple or deque keeps order. */
    int to[MAX_EDGES];
    int key[MAX_EDGES];
    /* A weak reference: its referent (not an edge: it holds no count), and
     * whether its callback ran. A collection that finds the weak reference
     * itself unreachable clears it without its callback, so that is
     * allowed once the model has seen it unreachable; and it must not run
     * when a full collection finds both it and its referent unreachable. */
    int target;
    bool fired, ever_unreachable, must_stay_silent;
} mobj;

static struct {
    mobj objs[MAX_OBJS];
    int nobjs;
    int slot[NSLOTS];          /* a model object, or -1 */
    int res[MAX_OBJS];         /* the resurrection list, in order */
    int nres;
    mp_object *resq;           /* the same list in the runtime */
    int weak[NWEAK];           /* the harness's weak references: model objects, or -1 */
    mp_object *cls[2];         /* class D: pass; class S: __slots__ n0..n3, __weakref__ */
    int del_mode[2];
    mp_object *keys[NNAMES];   /* small ints */
    mp_object *names[NNAMES];  /* str */
    bool reach[MAX_OBJS];
    int incoming[MAX_OBJS];
    /* While a collection runs: what was unreachable when it started. Its
     * finalize_garbage runs the __del__ of all of them, even of one that
     * an earlier __del__ of the same pass made reachable again. */
    bool collecting;
    bool doomed[MAX_OBJS];
} m;

/* ---- the model ------------------------------------------------------------------ */

static bool alive(int id) { return id >= 0 && m.objs[id].ptr; }

static void compute_reach(void)
{
    int stack[MAX_OBJS * (MAX_EDGES + 1) + NSLOTS + MAX_OBJS + NWEAK], top = 0;
    memset(m.reach, 0, sizeof m.reach);
    memset(m.incoming, 0, sizeof m.incoming);
    for (int s = 0; s < NSLOTS; s++) {
        if (m.slot[s] >= 0) {
            stack[top++] = m.slot[s];
            m.incoming[m.slot[s]]++;
        }
    }
    for (int i = 0; i < m.nres; i++) {
        stack[top++] = m.res[i];
        m.incoming[m.res[i]]++;
    }
    for (int w = 0; w < NWEAK; w++) {
        if (m.weak[w] >= 0) {
            stack[top++] = m.weak[w];
            m.incoming[m.weak[w]]++;
        }
    }
    for (int id = 0; id < m.nobjs; id++) {
        if (!alive(id))
            continue;
        for (int e = 0; e < m.objs[id].n; e++) {
            if (m.objs[id].to[e] >= 0)
                m.incoming[m.objs[id].to[e]]++;
        }
    }
    while (top > 0) {
        int id = stack[--top];
        if (m.reach[id] || !alive(id))
            continue;
        m.reach[id] = true;
        for (int e = 0; e < m.objs[id].n; e++) {
            if (m.objs[id].to[e] >= 0 && !m.reach[m.objs[id].to[e]])
                stack[top++] = m.objs[id].to[e];
        }
    }
}

/* The weak references the model sees unreachable now; a collection may
 * clear them without their callbacks. */
static void note_unreachable_weakrefs(void)
{
    for (int id = 0; id < m.nobjs; id++) {
        if (m.objs[id].kind == K_WEAKREF && alive(id) && !m.reach[id])
            m.objs[id].ever_unreachable = true;
    }
}

static int lookup(const mp_object *o)
{
    for (int id = 0; id < m.nobjs; id++) {
        if (m.objs[id].ptr == o)
            return id;
    }
    return -1;
}

static mp_type *type_of_kind(enum kind k)
{
    switch (k) {
    case K_LIST: return &mp_type_list;
    case K_DICT: return &mp_type_dict;
    case K_TUPLE: return &mp_type_tuple;
    case K_SET: return &mp_type_set;
    case K_INST: return (mp_type *)m.cls[0];
    case K_SLOTTED: return (mp_type *)m.cls[1];
    case K_WEAKREF: return &mp_type_weakref;
    default: return &mp_type_deque;
    }
}

static bool is_instance(enum kind k) { return k == K_INST || k == K_SLOTTED; }

/* Python's hash(): instances by identity, tuples by their items. */
static bool hashable(int to)
{
    if (to < 0)
        return true;
    const mobj *x = &m.objs[to];
    if (is_instance(x->kind))
        return true;
    if (x->kind != K_TUPLE)
        return false;
    for (int e = 0; e < x->n; e++) {
        if (!hashable(x->to[e]))
            return false;
    }
    return true;
}

/* Python's ==, for what a set compares: identity, or tuples item by item. */
static bool equal(int ta, int ka, int tb, int kb)
{
    if (ta < 0 || tb < 0)
        return ta == tb && ka == kb;
    if (ta == tb)
        return true;
    const mobj *a = &m.objs[ta], *b = &m.objs[tb];
    if (a->kind != K_TUPLE || b->kind != K_TUPLE || a->n != b->n)
        return false;
    for (int e = 0; e < a->n; e++) {
        if (!equal(a->to[e], a->key[e], b->to[e], b->key[e]))
            return false;
    }
    return true;
}

static int find_key(const mobj *x, int key)
{
    for (int e = 0; e < x->n; e++) {
        if (x->key[e] == key)
            return e;
    }
    return -1;
}

static void remove_edge(mobj *x, int e)
{
    memmove(&x->to[e], &x->to[e + 1], sizeof x->to[0] * (size_t)(x->n - e - 1));
    memmove(&x->key[e], &x->key[e + 1], sizeof x->key[0] * (size_t)(x->n - e - 1));
    x->n--;
}

static void expect_error(mp_err_kind kind, const char *what)
{
    FUZZ_CHECK(mp_err_occurred() == kind, "%s: expected %s, got %s (%s)", what, mp_err_name(kind),
               mp_err_name(mp_err_occurred()), mp_err_message());
    mp_err_clear();
}

/* ---- the runtime's events, judged as they come ------------------------------------------- */

static void (*plain_dealloc[NKINDS])(mp_object *);

static void (*original_dealloc(const mp_type *t))(mp_object *)
{
    for (int k = 0; k < NKINDS; k++) {
        if (type_of_kind((enum kind)k) == t)
            return plain_dealloc[k];
    }
    FUZZ_FAIL("a dealloc wrapper on the unknown type %s", t->tp_name);
}

static void wrapped_dealloc(mp_object *o)
{
    void (*dealloc)(mp_object *) = original_dealloc(o->ob_type);
    int id = lookup(o);
    if (id < 0) {
        dealloc(o);
        return;
    }
    mobj *x = &m.objs[id];
    compute_reach();
    FUZZ_CHECK(!m.reach[id], "object %d (%s), reachable, was deallocated", id,
               kind_names[x->kind]);
    int before = x->resurrections;
    dealloc(o);
    if (x->resurrections != before)
        return; /* its __del__ kept it */
    x->ptr = NULL;
    FUZZ_CHECK(!is_instance(x->kind) || !type_of_kind(x->kind)->tp_finalize || x->finalized,
               "object %d (%s), whose class has a __del__, died without it running", id,
               kind_names[x->kind]);
}

static void fuzz_del(mp_object *self)
{
    int id = lookup(self);
    FUZZ_CHECK(id >= 0, "a __del__ ran on an object the model does not know");
    mobj *x = &m.objs[id];
    FUZZ_CHECK(!x->finalized, "the __del__ of object %d ran twice", id);
    compute_reach();
    FUZZ_CHECK(!m.reach[id] || (m.collecting && m.doomed[id]),
               "the __del__ of object %d ran while it is reachable", id);
    note_unreachable_weakrefs(); /* before a resurrection makes them reachable */
    x->finalized = true;
    if (m.del_mode[x->kind == K_SLOTTED] == DEL_RESURRECT) {
        FUZZ_CHECK(mp_list_append(m.resq, self) == 0, "resurrection: list.append failed");
        m.res[m.nres++] = id;
        x->resurrections++;
    }
}

/* gc.callbacks: the start and end of every collection, automatic ones too. */
static void on_collection(const char *phase, const mp_gc_info *info, void *arg)
{
    (void)info;
    (void)arg;
    m.collecting = strcmp(phase, "start") == 0;
    if (!m.collecting)
        return;
    compute_reach();
    note_unreachable_weakrefs();
    for (int id = 0; id < m.nobjs; id++)
        m.doomed[id] = alive(id) && !m.reach[id];
}

static void fuzz_callback(mp_object *ref, mp_object *arg)
{
    long id = mp_int_as_long(arg);
    FUZZ_CHECK(id >= 0 && id < m.nobjs && m.objs[id].ptr == ref,
               "a callback ran for a weak reference the model does not know");
    mobj *r = &m.objs[id];
    FUZZ_CHECK(!r->fired, "the callback of weak reference %ld ran twice", id);
    FUZZ_CHECK(!r->must_stay_silent, "the callback of weak reference %ld ran, though it died "
               "in the same collection as object %d", id, r->target);
    FUZZ_CHECK(mp_weakref_get_object(ref) == NULL,
               "weak reference %ld still refers to its object in its callback", id);
    compute_reach();
    FUZZ_CHECK(!m.reach[r->target], "the callback of weak reference %ld ran while object %d "
               "is reachable", id, r->target);
    r->fired = true;
}

/* ---- checking the whole state --------------------------------------------------------------- */

static mp_object *edge_object(const mobj *x, int e)
{
    return x->to[e] >= 0 ? m.objs[x->to[e]].ptr : m.keys[x->key[e]];
}

static void check_contents(int id)
{
    mobj *x = &m.objs[id];
    mp_object *o = x->ptr;
    switch (x->kind) {
    case K_LIST:
        FUZZ_CHECK(mp_list_size(o) == x->n, "list %d has %td items, the model %d", id,
                   mp_list_size(o), x->n);
        for (int e = 0; e < x->n; e++)
            FUZZ_CHECK(mp_list_get_item(o, e) == edge_object(x, e), "list %d, item %d", id, e);
        break;
    case K_TUPLE:
        FUZZ_CHECK(mp_tuple_size(o) == x->n, "tuple %d has the wrong size", id);
        for (int e = 0; e < x->n; e++)
            FUZZ_CHECK(mp_tuple_get_item(o, e) == edge_object(x, e), "tuple %d, item %d", id, e);
        break;
    case K_DEQUE:
        FUZZ_CHECK(mp_deque_size(o) == x->n, "deque %d has %td items, the model %d", id,
                   mp_deque_size(o), x->n);
        for (int e = 0; e < x->n; e++) {
            mp_object *item = mp_deque_getitem(o, e);
            FUZZ_CHECK(item == edge_object(x, e), "deque %d, item %d", id, e);
            MP_DECREF(item);
        }
        break;
    case K_DICT:
        FUZZ_CHECK(mp_dict_size(o) == x->n, "dict %d has %td items, the model %d", id,
                   mp_dict_size(o), x->n);
        for (int e = 0; e < x->n; e++)
            FUZZ_CHECK(mp_dict_getitem(o, m.keys[x->key[e]]) == edge_object(x, e),
                       "dict %d, key %d", id, x->key[e]);
        break;
    case K_SET:
        FUZZ_CHECK(mp_set_size(o) == x->n, "set %d has %td items, the model %d", id,
                   mp_set_size(o), x->n);
        for (int e = 0; e < x->n; e++)
            FUZZ_CHECK(mp_set_contains(o, edge_object(x, e)) == 1, "set %d lacks item %d", id, e);
        break;
    case K_INST:
    case K_SLOTTED:
        for (int k = 0; k < NNAMES; k++) {
            int e = find_key(x, k);
            mp_object *v = mp_object_getattr(o, m.names[k]);
            if (e < 0) {
                FUZZ_CHECK(!v, "instance %d has an attribute n%d the model lacks", id, k);
                expect_error(MP_ERR_ATTRIBUTE, "getattr of an attribute never set");
            } else {
                FUZZ_CHECK(v == edge_object(x, e), "instance %d, attribute n%d", id, k);
                MP_DECREF(v);
            }
        }
        break;
    default:
        break;
    }
}

/* A live weak reference: dead after its callback; otherwise its referent,
 * alive, or nothing if a collection found the weak reference unreachable. */
static void check_weakref(int id)
{
    mobj *r = &m.objs[id];
    mp_object *got = mp_weakref_get_object(r->ptr);
    if (r->fired) {
        FUZZ_CHECK(!got, "weak reference %d is alive after its callback ran", id);
    } else if (!got) {
        FUZZ_CHECK(r->ever_unreachable, "weak reference %d was cleared (object %d %s), and its "
                   "callback never ran", id, r->target, alive(r->target) ? "alive" : "dead");
    } else {
        FUZZ_CHECK(alive(r->target) && got == m.objs[r->target].ptr,
                   "weak reference %d lost object %d", id, r->target);
    }
}

/* The state after an operation; full after a full collection. */
static void check_all(bool full)
{
    compute_reach();
    note_unreachable_weakrefs();
    for (int id = 0; id < m.nobjs; id++) {
        mobj *x = &m.objs[id];
        if (!x->ptr)
            continue;
        FUZZ_CHECK(!full || m.reach[id], "object %d (%s), unreachable, survived a full "
                   "collection", id, kind_names[x->kind]);
        FUZZ_CHECK(MP_TYPE(x->ptr) == type_of_kind(x->kind), "object %d is no longer a %s", id,
                   kind_names[x->kind]);
        FUZZ_CHECK(MP_REFCNT(x->ptr) == m.incoming[id],
                   "object %d (%s) has refcount %td; the model counts %d references", id,
                   kind_names[x->kind], MP_REFCNT(x->ptr), m.incoming[id]);
        if (x->kind == K_WEAKREF)
            check_weakref(id);
        else
            check_contents(id);
    }
}

/* ---- operations ------------------------------------------------------------------------------ */

static void drop_slot(int s)
{
    int id = m.slot[s];
    if (id < 0)
        return;
    m.slot[s] = -1;
    MP_DECREF(m.objs[id].ptr);
}

static void op_drop(fuzz_input *in) { drop_slot((int)fuzz_below(in, NSLOTS)); }

static mp_object *new_object(enum kind k, fuzz_input *in, mobj *x)
{
    switch (k) {
    case K_LIST: return mp_list_new(0);
    case K_DICT: return mp_dict_new();
    case K_SET: return mp_set_new(NULL);
    case K_DEQUE: return mp_deque_new(MP_DEQUE_UNBOUNDED);
    case K_INST: return mp_instance_new(m.cls[0]);
    case K_SLOTTED: return mp_instance_new(m.cls[1]);
    default: break;
    }
    /* A tuple of one to three items: slots' objects or small ints. */
    int n = 1 + (int)fuzz_below(in, 3);
    for (int e = 0; e < n; e++) {
        unsigned b = fuzz_byte(in);
        int id = m.slot[b % NSLOTS];
        x->to[e] = b & 0x80 ? -1 : id;
        x->key[e] = (int)(b % NNAMES);
    }
    mp_object *t = mp_tuple_new(n);
    if (!t)
        return NULL;
    for (int e = 0; e < n; e++)
        mp_tuple_set_item(t, e, mp_newref(edge_object(x, e)));
    x->n = n;
    return t;
}

static void op_new(fuzz_input *in)
{
    enum kind k = (enum kind)fuzz_below(in, NNEW);
    int s = (int)fuzz_below(in, NSLOTS);
    drop_slot(s);
    if (m.nobjs == MAX_OBJS)
        return;
    mobj x = {.kind = k};
    x.ptr = new_object(k, in, &x);
    FUZZ_CHECK(x.ptr, "making a %s failed: %s", kind_names[k], mp_err_message());
    int id = m.nobjs++;
    m.objs[id] = x;
    m.slot[s] = id;
}

/* Stores object src in container dst: b says where (a dict key, an
 * attribute, which end of a deque). */
static void link(int src, int dst, unsigned b)
{
    int key = (int)(b % NNAMES);
    if (src < 0 || dst < 0)
        return;
    mobj *x = &m.objs[dst];
    mp_object *d = x->ptr, *v = m.objs[src].ptr;
    int e = find_key(x, key);
    switch (x->kind) {
    case K_LIST:
        if (x->n == MAX_EDGES)
            return;
        x->to[x->n] = src;
        x->key[x->n++] = 0;
        FUZZ_CHECK(mp_list_append(d, v) == 0, "list.append failed");
        return;
    case K_DEQUE:
        if (x->n == MAX_EDGES)
            return;
        if (b & 0x80) {
            memmove(&x->to[1], &x->to[0], sizeof x->to[0] * (size_t)x->n);
            memmove(&x->key[1], &x->key[0], sizeof x->key[0] * (size_t)x->n);
            x->to[0] = src;
            x->key[0] = 0;
            x->n++;
            FUZZ_CHECK(mp_deque_appendleft(d, v) == 0, "deque.appendleft failed");
        } else {
            x->to[x->n] = src;
            x->key[x->n++] = 0;
            FUZZ_CHECK(mp_deque_append(d, v) == 0, "deque.append failed");
        }
        return;
    case K_SET:
        if (m.objs[src].kind == K_WEAKREF)
            return; /* its hash and == are its referent's: not modelled */
        if (!hashable(src)) {
            FUZZ_CHECK(mp_set_add(d, v) < 0, "set.add of an unhashable %s succeeded",
                       kind_names[m.objs[src].kind]);
            expect_error(MP_ERR_TYPE, "set.add of an unhashable object");
            return;
        }
        for (int i = 0; i < x->n; i++) {
            if (equal(x->to[i], x->key[i], src, 0)) {
                FUZZ_CHECK(mp_set_add(d, v) == 0, "set.add of an element there failed");
                return;
            }
        }
        if (x->n == MAX_EDGES)
            return;
        x->to[x->n] = src;
        x->key[x->n++] = 0;
        FUZZ_CHECK(mp_set_add(d, v) == 0, "set.add failed: %s", mp_err_message());
        return;
    case K_DICT:
    case K_INST:
    case K_SLOTTED:
        if (x->kind == K_SLOTTED && key >= NSLOTTED_NAMES) {
            FUZZ_CHECK(mp_object_setattr(d, m.names[key], v) < 0,
                       "setting an undeclared slot succeeded");
            expect_error(MP_ERR_ATTRIBUTE, "setting an undeclared slot");
            return;
        }
        if (e < 0) {
            if (x->n == MAX_EDGES)
                return;
            e = x->n++;
            x->key[e] = key;
        }
        x->to[e] = src; /* the old value, if any, is released by the store */
        if (x->kind == K_DICT)
            FUZZ_CHECK(mp_dict_setitem(d, m.keys[key], v) == 0, "dict setitem failed");
        else
            FUZZ_CHECK(mp_object_setattr(d, m.names[key], v) == 0, "setattr failed: %s",
                       mp_err_message());
        return;
    default:
        return; /* a tuple cannot change */
    }
}

static void op_link(fuzz_input *in)
{
    int src = m.slot[fuzz_below(in, NSLOTS)], dst = m.slot[fuzz_below(in, NSLOTS)];
    link(src, dst, fuzz_byte(in));
}

/* Stores a weak reference of the harness's table in a container, so it
 * can become garbage with (or without) its referent. */
static void op_link_weak(fuzz_input *in)
{
    int w = (int)fuzz_below(in, NWEAK), dst = m.slot[fuzz_below(in, NSLOTS)];
    link(m.weak[w], dst, fuzz_byte(in));
}

static void op_unlink(fuzz_input *in)
{
    int dst = m.slot[fuzz_below(in, NSLOTS)];
    unsigned b = fuzz_byte(in);
    if (dst < 0 || m.objs[dst].n == 0 || m.objs[dst].kind == K_TUPLE)
        return;
    mobj *x = &m.objs[dst];
    mp_object *d = x->ptr;
    int e = (int)(b % (unsigned)x->n);
    int target = x->to[e], key = x->key[e];
    mp_object *item;
    switch (x->kind) {
    case K_LIST:
        remove_edge(x, e);
        item = mp_list_pop(d, e);
        FUZZ_CHECK(item == m.objs[target].ptr, "list.pop(%d) returned the wrong item", e);
        MP_DECREF(item);
        return;
    case K_DEQUE:
        if (b & 0x80) {
            remove_edge(x, 0);
            item = mp_deque_popleft(d);
        } else {
            remove_edge(x, x->n - 1);
            item = mp_deque_pop(d);
        }
        FUZZ_CHECK(item, "deque pop failed");
        MP_DECREF(item);
        return;
    case K_SET:
        remove_edge(x, e);
        FUZZ_CHECK(mp_set_discard(d, m.objs[target].ptr) == 1, "set.discard missed its item");
        return;
    case K_DICT:
        remove_edge(x, e);
        FUZZ_CHECK(mp_dict_delitem(d, m.keys[key]) == 0, "del d[%d] failed", key);
        return;
    default:
        remove_edge(x, e);
        FUZZ_CHECK(mp_object_setattr(d, m.names[key], NULL) == 0, "delattr n%d failed: %s", key,
                   mp_err_message());
        return;
    }
}

static void drop_weak(int w)
{
    int id = m.weak[w];
    if (id < 0)
        return;
    m.weak[w] = -1;
    MP_DECREF(m.objs[id].ptr);
}

/* weakref.ref(slot's object, callback) into the harness's weak table. */
static void op_weakref(fuzz_input *in)
{
    int target = m.slot[fuzz_below(in, NSLOTS)];
    int w = (int)fuzz_below(in, NWEAK);
    if (target < 0)
        return;
    drop_weak(w);
    if (m.nobjs == MAX_OBJS)
        return;
    mobj *x = &m.objs[target];
    bool accepts = is_instance(x->kind) || x->kind == K_SET || x->kind == K_DEQUE;
    int id = m.nobjs;
    mp_object *arg = mp_int_from_long(id);
    mp_object *ref = mp_weakref_new(x->ptr, fuzz_callback, arg);
    MP_DECREF(arg);
    if (!accepts) {
        FUZZ_CHECK(!ref, "a weak reference to a %s was made", kind_names[x->kind]);
        expect_error(MP_ERR_TYPE, "a weak reference to a type without them");
        return;
    }
    FUZZ_CHECK(ref, "weakref.ref(%s) failed: %s", kind_names[x->kind], mp_err_message());
    m.objs[id] = (mobj){.kind = K_WEAKREF, .ptr = ref, .target = target};
    m.nobjs++;
    m.weak[w] = id;
}

static void op_drop_weak(fuzz_input *in) { drop_weak((int)fuzz_below(in, NWEAK)); }

static void op_set_del(fuzz_input *in)
{
    int c = (int)fuzz_below(in, 2), mode = (int)fuzz_below(in, 3);
    m.del_mode[c] = mode;
    FUZZ_CHECK(mp_class_set_del(m.cls[c], mode == DEL_NONE ? NULL : fuzz_del) == 0,
               "setting __del__ failed");
}

static void op_collect(fuzz_input *in)
{
    int gen = (int)fuzz_below(in, 3);
    compute_reach();
    bool unreachable[MAX_OBJS];
    int nunreachable = 0;
    for (int id = 0; id < m.nobjs; id++) {
        unreachable[id] = alive(id) && !m.reach[id];
        nunreachable += unreachable[id];
    }
    /* A full collection finds every unreachable object: a weak reference
     * found with its referent dies without its callback (handle_weakrefs). */
    bool cleared[MAX_OBJS] = {0};
    if (gen == 2) {
        for (int id = 0; id < m.nobjs; id++) {
            mobj *r = &m.objs[id];
            if (r->kind != K_WEAKREF || !alive(id))
                continue;
            cleared[id] = !mp_weakref_get_object(r->ptr);
            if (unreachable[id] && unreachable[r->target])
                r->must_stay_silent = true;
        }
    }
    mp_ssize_t found = mp_gc_collect(gen);
    FUZZ_CHECK(found >= 0, "gc.collect(%d) failed", gen);
    if (gen < 2)
        return;
    /* And a weak reference that survives loses a referent found unreachable,
     * even one its __del__ resurrects: its callback has run, unless it was
     * cleared already (found unreachable itself in an earlier collection,
     * then resurrected). */
    for (int id = 0; id < m.nobjs; id++) {
        const mobj *r = &m.objs[id];
        FUZZ_CHECK(r->kind != K_WEAKREF || !alive(id) || unreachable[id] || cleared[id] ||
                       !unreachable[r->target] || r->fired,
                   "weak reference %d outlived a full collection that found object %d "
                   "unreachable, and its callback did not run", id, r->target);
    }
    FUZZ_CHECK(nunreachable || found == 0,
               "a full collection found %td unreachable objects; the model none", found);
    /* Always-tracked containers the collection freed are among those it
     * counts (a tuple or dict may have been untracked). */
    mp_ssize_t freed = 0;
    for (int id = 0; id < m.nobjs; id++) {
        enum kind k = m.objs[id].kind;
        freed += unreachable[id] && !alive(id) && k != K_TUPLE && k != K_DICT && k != K_WEAKREF;
    }
    FUZZ_CHECK(found >= freed, "a full collection reported %td, yet freed %td containers", found,
               freed);
    check_all(true);
}

static void op_threshold(fuzz_input *in)
{
    int t0 = (int)fuzz_below(in, 12), t1 = (int)fuzz_below(in, 4), t2 = (int)fuzz_below(in, 4);
    mp_gc_set_threshold(t0, t1, t2);
}

static void op_enable(fuzz_input *in)
{
    if (fuzz_byte(in) & 1)
        mp_gc_enable();
    else
        mp_gc_disable();
}

/* Takes one object off the resurrection list into a slot, or empties the
 * list. */
static void op_resurrected(fuzz_input *in)
{
    unsigned b = fuzz_byte(in);
    int s = (int)fuzz_below(in, NSLOTS);
    if (m.nres == 0)
        return;
    if (b & 0x80) {
        mp_object *fresh = mp_list_new(0), *old = m.resq;
        FUZZ_CHECK(fresh, "list() failed");
        m.nres = 0;
        m.resq = fresh;
        MP_DECREF(old);
        return;
    }
    int i = (int)(b % (unsigned)m.nres);
    drop_slot(s); /* which may resurrect more, at the end of the list */
    int id = m.res[i];
    memmove(&m.res[i], &m.res[i + 1], sizeof m.res[0] * (size_t)(m.nres - i - 1));
    m.nres--;
    m.slot[s] = id;
    mp_object *o = mp_list_pop(m.resq, i);
    FUZZ_CHECK(o == m.objs[id].ptr, "the resurrection list's item %d is not object %d", i, id);
}

static void op_materialize(fuzz_input *in)
{
    int id = m.slot[fuzz_below(in, NSLOTS)];
    if (id < 0 || !is_instance(m.objs[id].kind))
        return;
    mp_object *d = mp_instance_dict(m.objs[id].ptr);
    if (m.objs[id].kind == K_SLOTTED) {
        FUZZ_CHECK(!d, "a slotted instance without __dict__ gave one");
        expect_error(MP_ERR_ATTRIBUTE, "__dict__ of a slotted instance");
        return;
    }
    FUZZ_CHECK(d && mp_dict_size(d) == m.objs[id].n, "__dict__ does not hold the attributes");
    MP_DECREF(d);
}

/* ---- one input --------------------------------------------------------------------------- */

static void hook_dealloc(enum kind k, mp_type *t)
{
    if (t->tp_dealloc != wrapped_dealloc) {
        plain_dealloc[k] = t->tp_dealloc;
        t->tp_dealloc = wrapped_dealloc;
    }
}

static void setup(void)
{
    memset(&m, 0, sizeof m);
    for (int s = 0; s < NSLOTS; s++)
        m.slot[s] = -1;
    for (int w = 0; w < NWEAK; w++)
        m.weak[w] = -1;
    static const char *const declared[] = {"n0", "n1", "n2", "n3", "__weakref__", NULL};
    m.cls[0] = mp_class_new("D", NULL);
    m.cls[1] = mp_class_new("S", declared);
    m.resq = mp_list_new(0);
    FUZZ_CHECK(m.cls[0] && m.cls[1] && m.resq, "setup failed");
    for (int k = 0; k < NNAMES; k++) {
        char name[4] = {'n', (char)('0' + k), 0, 0};
        m.keys[k] = mp_int_from_long(k);
        m.names[k] = mp_str_intern_from_utf8(name);
        FUZZ_CHECK(m.keys[k] && m.names[k], "setup failed");
    }
    for (int k = 0; k < NKINDS; k++)
        hook_dealloc((enum kind)k, type_of_kind((enum kind)k));
    FUZZ_CHECK(mp_gc_callback_add(on_collection, NULL) == 0, "gc.callbacks is full");
    /* The collection counts start from zero, so an input replays alike. */
    mp_gc_collect(2);
}

/* Drops every root, the weak references last: then nothing is reachable,
 * and a full collection must leave no model object behind. */
static void teardown(void)
{
    for (int c = 0; c < 2; c++) {
        m.del_mode[c] = DEL_NONE;
        mp_class_set_del(m.cls[c], NULL);
    }
    mp_gc_enable();
    for (int s = 0; s < NSLOTS; s++)
        drop_slot(s);
    m.nres = 0;
    MP_CLEAR(m.resq);
    mp_gc_collect(2);
    check_all(true); /* the weak table's references are still there */
    for (int w = 0; w < NWEAK; w++)
        drop_weak(w);
    mp_gc_collect(2);
    check_all(true);
    for (int k = 0; k < NNAMES; k++) {
        MP_DECREF(m.keys[k]);
        MP_DECREF(m.names[k]);
    }
    MP_DECREF(m.cls[0]);
    MP_DECREF(m.cls[1]);
    mp_gc_callback_remove(on_collection, NULL);
    mp_gc_set_threshold(700, 10, 10);
}

/* One program; afterwards the allocator holds exactly the blocks it held
 * before, or something leaked (checked once the runtime is warm). */
static void run(const uint8_t *data, size_t size, bool warm)
{
    static void (*const ops[])(fuzz_input *) = {
        op_new,    op_new,       op_link,     op_link,        op_unlink,
        op_drop,   op_weakref,   op_set_del,  op_collect,     op_threshold,
        op_enable, op_resurrected, op_materialize, op_drop_weak, op_link_weak,
    };
    fuzz_input in = {data, size, 0};
    mp_malloc_stats before, after;
    mp_get_malloc_stats(&before);
    setup();
    for (int i = 0; i < MAX_OPS && !fuzz_done(&in); i++) {
        ops[fuzz_below(&in, sizeof ops / sizeof ops[0])](&in);
        FUZZ_CHECK(!mp_err_occurred(), "an error was left set: %s", mp_err_message());
        check_all(false);
    }
    teardown();
    mp_get_malloc_stats(&after);
    FUZZ_CHECK(!warm || after.blocks_in_use == before.blocks_in_use,
               "%zu blocks were in use before the program, %zu after it", before.blocks_in_use,
               after.blocks_in_use);
}

/* The runtime starts once: mp_init and mp_fini reserve and release a large
 * region of address space, which under ASan costs about 0.1 s. An empty
 * program first makes what the runtime makes lazily and keeps (the intern
 * table), so that the block counts of later programs compare alike. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FUZZ_CHECK(mp_init() == 0, "mp_init failed");
    run(NULL, 0, false);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, true);
    return 0;
}
