/* weakref.c — weak references and their callbacks. See weakref.h.
 *
 * Models CPython 3.11's Objects/weakrefobject.c. The collector's side,
 * clearing the weak references to unreachable objects before any
 * finalizer runs, is handle_weakrefs in gc.c, as in gcmodule.c.
 *
 * Invariants:
 *   - A weak reference is in its referent's list exactly while wr_object
 *     is set; clearing unlinks it and sets wr_object to NULL, for good.
 *   - In a referent's list, a basic reference (exact type, no callback)
 *     comes first, and there is at most one; references with callbacks
 *     are inserted just after it, so the newest callback runs first.
 *   - A cleared reference is never linked again, so while callbacks run,
 *     wr_next of a cleared one is free to chain the ones still to call.
 */
#include "weakref.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "gc.h"
#include "internal.h"

static mp_weakref **list_of(mp_object *o)
{
    return (mp_weakref **)((char *)o + o->ob_type->tp_weaklistoffset);
}

static bool accepts_weakrefs(const mp_object *o) { return o->ob_type->tp_weaklistoffset > 0; }

static bool is_basic(const mp_weakref *r)
{
    return r->ob_base.ob_type == &mp_type_weakref && !r->wr_callback;
}

static void insert_head(mp_weakref *r, mp_weakref **list)
{
    r->wr_prev = NULL;
    r->wr_next = *list;
    if (*list)
        (*list)->wr_prev = r;
    *list = r;
}

static void insert_after(mp_weakref *r, mp_weakref *prev)
{
    r->wr_prev = prev;
    r->wr_next = prev->wr_next;
    if (prev->wr_next)
        prev->wr_next->wr_prev = r;
    prev->wr_next = r;
}

/* _PyWeakref_ClearRef: r no longer refers to anything; its callback, if
 * any, stays for the caller to run. */
void mp_weakref_clear_ref(mp_weakref *r)
{
    if (!r->wr_object)
        return;
    mp_weakref **list = list_of(r->wr_object);
    if (*list == r)
        *list = r->wr_next;
    if (r->wr_prev)
        r->wr_prev->wr_next = r->wr_next;
    if (r->wr_next)
        r->wr_next->wr_prev = r->wr_prev;
    r->wr_object = NULL;
    r->wr_prev = r->wr_next = NULL;
}

/* Clears r and forgets its callback without running it. */
void mp_weakref_clear(mp_weakref *r)
{
    mp_weakref_clear_ref(r);
    r->wr_callback = NULL;
    MP_CLEAR(r->wr_callback_arg);
}

/* handle_callback: runs r's callback, once. It runs with a clean error
 * state, the pending one kept aside; an error it leaves is reported as
 * unraisable, since there is no caller to give it to. */
void mp_weakref_run_callback(mp_weakref *r)
{
    mp_weakref_callback fn = r->wr_callback;
    mp_object *arg = r->wr_callback_arg;
    if (!fn)
        return;
    r->wr_callback = NULL;
    r->wr_callback_arg = NULL;
    mp_err_state saved;
    mp_err_fetch(&saved);
    fn(MP_OBJ(r), arg);
    mp_err_write_unraisable("weakref callback");
    mp_err_restore(&saved);
    MP_XDECREF(arg);
}

mp_object *mp_weakref_new_subtype(mp_type *t, mp_object *o, mp_weakref_callback callback,
                                  mp_object *arg)
{
    if (!accepts_weakrefs(o)) {
        mp_err_format(MP_ERR_TYPE, "cannot create weak reference to '%s' object",
                      o->ob_type->tp_name);
        return NULL;
    }
    mp_weakref *r = (mp_weakref *)mp_gc_new(t);
    if (!r)
        return NULL;
    memset(r + 1, 0, (size_t)t->tp_basicsize - sizeof *r); /* a subtype's own fields */
    r->wr_object = o;
    r->wr_callback = callback;
    r->wr_callback_arg = arg ? mp_newref(arg) : NULL;
    r->hash = -1;
    /* Looked at only now: the allocation may have run a collection, and
     * with it callbacks that changed the list. */
    mp_weakref **list = list_of(o);
    if (is_basic(r) || !*list || !is_basic(*list))
        insert_head(r, list);
    else
        insert_after(r, *list);
    mp_gc_track(MP_OBJ(r));
    return MP_OBJ(r);
}

mp_object *mp_weakref_new(mp_object *o, mp_weakref_callback callback, mp_object *arg)
{
    if (!callback && accepts_weakrefs(o)) {
        mp_weakref *first = *list_of(o);
        if (first && is_basic(first))
            return mp_newref(first);
    }
    return mp_weakref_new_subtype(&mp_type_weakref, o, callback, arg);
}

mp_object *mp_weakref_get_object(mp_object *ref) { return ((mp_weakref *)ref)->wr_object; }

mp_ssize_t mp_weakref_getweakrefcount(mp_object *o)
{
    if (!accepts_weakrefs(o))
        return 0;
    mp_ssize_t n = 0;
    for (mp_weakref *r = *list_of(o); r; r = r->wr_next)
        n++;
    return n;
}

void mp_object_clear_weakrefs(mp_object *o)
{
    if (!accepts_weakrefs(o))
        return;
    mp_weakref **list = list_of(o);
    /* Everything is cleared before any callback runs, so each callback sees
     * every weak reference to o dead. A reference whose own count is 0 is
     * being freed right now: it is cleared, never called. */
    mp_weakref *to_call = NULL, **tail = &to_call;
    while (*list) {
        mp_weakref *r = *list;
        mp_weakref_clear_ref(r);
        if (r->wr_callback && r->ob_base.ob_refcnt > 0) {
            MP_INCREF(r);
            *tail = r;
            tail = &r->wr_next;
        } else {
            mp_weakref_clear(r);
        }
    }
    while (to_call) {
        mp_weakref *r = to_call;
        to_call = r->wr_next;
        r->wr_next = NULL;
        mp_weakref_run_callback(r);
        MP_DECREF(r);
    }
}

/* ---- the type's slots ---------------------------------------------------- */

static void weakref_dealloc(mp_object *o)
{
    mp_gc_untrack(o);
    mp_weakref_clear((mp_weakref *)o);
    mp_gc_del(o);
}

static int weakref_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_object *cb_arg = ((mp_weakref *)o)->wr_callback_arg;
    return cb_arg ? visit(cb_arg, arg) : 0;
}

static int weakref_clear(mp_object *o)
{
    mp_weakref_clear((mp_weakref *)o);
    return 0;
}

/* A weak reference hashes as its referent, computed while it is alive and
 * kept, so it stays a dict key after the referent dies. */
static mp_hash_t weakref_hash(mp_object *o)
{
    mp_weakref *r = (mp_weakref *)o;
    if (r->hash != -1)
        return r->hash;
    if (!r->wr_object) {
        mp_err_set(MP_ERR_TYPE, "weak object has gone away");
        return -1;
    }
    r->hash = mp_object_hash(r->wr_object);
    return r->hash;
}

static void weakref_repr(mp_object *o, mp_strbuf *out)
{
    mp_weakref *r = (mp_weakref *)o;
    if (r->wr_object)
        mp_strbuf_printf(out, "<weakref at %p; to '%s' at %p>", (void *)o,
                         r->wr_object->ob_type->tp_name, (void *)r->wr_object);
    else
        mp_strbuf_printf(out, "<weakref at %p; dead>", (void *)o);
}

mp_type mp_type_weakref = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "weakref.ReferenceType",
    .tp_basicsize = sizeof(mp_weakref),
    .tp_flags = MP_TPFLAGS_HAVE_GC | MP_TPFLAGS_WEAKREF,
    .tp_dealloc = weakref_dealloc,
    .tp_traverse = weakref_traverse,
    .tp_clear = weakref_clear,
    .tp_hash = weakref_hash,
    .tp_repr = weakref_repr,
};
