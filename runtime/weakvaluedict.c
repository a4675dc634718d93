/* weakvaluedict.c — weakref.WeakValueDictionary and its KeyedRef. See
 * weakvaluedict.h.
 *
 * Models CPython 3.11's Lib/weakref.py. The dictionary keeps a dict, data,
 * from each key to a KeyedRef to the value, and a weak reference to
 * itself, selfref, which every KeyedRef's callback holds: a value's death
 * removes its entry if the dictionary is still alive, and an entry never
 * keeps the dictionary alive.
 *
 * Invariants:
 *   - Every value in data is a KeyedRef whose key is the entry's key.
 *   - An entry whose value died is gone by the time the value's death
 *     returns (by count) or the collection ends (by the collector), since
 *     the callback runs then; nothing is deferred.
 */
#include "weakvaluedict.h"

#include <stddef.h>

#include "dict.h"
#include "error.h"
#include "gc.h"
#include "internal.h"
#include "weakref.h"

typedef struct keyedref {
    mp_weakref base;
    mp_object *key;
} keyedref;

typedef struct wvdict {
    mp_object ob_base;
    mp_object *data;    /* key -> KeyedRef */
    mp_object *selfref; /* a weak reference to this dictionary */
    mp_weakref *weaklist;
} wvdict;

_Static_assert(sizeof(keyedref) + 16 == 88, "sys.getsizeof of a KeyedRef in CPython 3.11");

static wvdict *as_wvd(mp_object *o) { return (wvdict *)o; }

/* ---- KeyedRef ------------------------------------------------------------------- */

static void keyedref_dealloc(mp_object *o)
{
    mp_gc_untrack(o);
    mp_weakref_clear((mp_weakref *)o);
    MP_CLEAR(((keyedref *)o)->key);
    mp_gc_del(o);
}

static int keyedref_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    keyedref *r = (keyedref *)o;
    if (r->base.wr_callback_arg && visit(r->base.wr_callback_arg, arg))
        return 1;
    return r->key ? visit(r->key, arg) : 0;
}

static int keyedref_clear(mp_object *o)
{
    mp_weakref_clear((mp_weakref *)o);
    MP_CLEAR(((keyedref *)o)->key);
    return 0;
}

mp_type mp_type_keyedref = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "KeyedRef",
    .tp_basicsize = sizeof(keyedref),
    .tp_flags = MP_TPFLAGS_HAVE_GC | MP_TPFLAGS_WEAKREF,
    .tp_dealloc = keyedref_dealloc,
    .tp_traverse = keyedref_traverse,
    .tp_clear = keyedref_clear,
};

/* The callback of every KeyedRef (Lib/weakref.py's remove): deletes the
 * dead value's entry, unless the dictionary died first or the key has been
 * given a new value since (_remove_dead_weakref checks that). */
static void remove_dead(mp_object *ref, mp_object *selfref)
{
    mp_object *self = mp_weakref_get_object(selfref);
    if (!self)
        return;
    mp_object *data = as_wvd(self)->data, *key = ((keyedref *)ref)->key;
    if (data && key && mp_dict_getitem(data, key) == ref)
        mp_dict_delitem(data, key);
}

/* ---- the dictionary --------------------------------------------------------------- */

mp_object *mp_weakvaluedict_new(void)
{
    wvdict *d = (wvdict *)mp_gc_new(&mp_type_weakvaluedict);
    if (!d)
        return NULL;
    d->data = d->selfref = NULL;
    d->weaklist = NULL;
    mp_gc_track(MP_OBJ(d));
    if (!(d->data = mp_dict_new()) || !(d->selfref = mp_weakref_new(MP_OBJ(d), NULL, NULL))) {
        MP_DECREF(d);
        return NULL;
    }
    return MP_OBJ(d);
}

int mp_weakvaluedict_setitem(mp_object *o, mp_object *key, mp_object *value)
{
    wvdict *d = as_wvd(o);
    mp_object *r = mp_weakref_new_subtype(&mp_type_keyedref, value, remove_dead, d->selfref);
    if (!r)
        return -1;
    ((keyedref *)r)->key = mp_newref(key);
    int status = mp_dict_setitem(d->data, key, r);
    MP_DECREF(r);
    return status;
}

mp_object *mp_weakvaluedict_get(mp_object *o, mp_object *key)
{
    mp_object *r = mp_dict_getitem(as_wvd(o)->data, key);
    mp_object *value = r ? mp_weakref_get_object(r) : NULL;
    return value ? mp_newref(value) : NULL;
}

int mp_weakvaluedict_delitem(mp_object *o, mp_object *key)
{
    return mp_dict_delitem(as_wvd(o)->data, key);
}

mp_ssize_t mp_weakvaluedict_size(mp_object *o) { return mp_dict_size(as_wvd(o)->data); }

/* The weak references to the dictionary go first, selfref among them, so
 * no callback finds it while its entries die. */
static void wvd_dealloc(mp_object *o)
{
    wvdict *d = as_wvd(o);
    mp_gc_untrack(o);
    mp_object_clear_weakrefs(o);
    MP_CLEAR(d->data);
    MP_CLEAR(d->selfref);
    mp_gc_del(o);
}

static int wvd_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    wvdict *d = as_wvd(o);
    if (d->data && visit(d->data, arg))
        return 1;
    return d->selfref ? visit(d->selfref, arg) : 0;
}

static int wvd_clear(mp_object *o)
{
    MP_CLEAR(as_wvd(o)->data);
    MP_CLEAR(as_wvd(o)->selfref);
    return 0;
}

static mp_ssize_t wvd_len(mp_object *o) { return mp_weakvaluedict_size(o); }

mp_type mp_type_weakvaluedict = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "WeakValueDictionary",
    .tp_basicsize = sizeof(wvdict),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = wvd_dealloc,
    .tp_traverse = wvd_traverse,
    .tp_clear = wvd_clear,
    .tp_len = wvd_len,
    .tp_weaklistoffset = offsetof(wvdict, weaklist),
};
