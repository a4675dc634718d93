/* gc.c — container allocation. See gc.h.
 *
 * Models the allocation half of CPython's Modules/gcmodule.c
 * (_PyObject_GC_New, PyObject_GC_Del): the header goes in front of the
 * object so that collector bookkeeping never changes an object's layout.
 */
#include "gc.h"

#include "error.h"
#include "internal.h"
#include "obmalloc.h"

static mp_object *gc_alloc(mp_type *t, size_t object_bytes)
{
    mp_gc_head *g = mp_object_malloc(sizeof *g + object_bytes);
    if (!g)
        return NULL;
    g->gc_next = g->gc_prev = 0;
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
#ifdef MP_DEBUG
    mp_object_free_named(MP_AS_GC(o), o->ob_type->tp_name);
#else
    mp_object_free(MP_AS_GC(o));
#endif
}
