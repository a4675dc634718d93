/* gc.h — the GC header in front of every container, and container allocation.
 *
 * Models PyGC_Head and _PyObject_GC_New / PyObject_GC_Del from CPython's
 * Modules/gcmodule.c. A container (a type with MP_TPFLAGS_HAVE_GC) is
 * allocated with 16 bytes in front of its object header: two words the
 * cycle collector uses to link the object into a generation list. Its
 * address, as seen by everyone else, is the object header after it.
 *
 *     block: [ gc_next | gc_prev ][ ob_refcnt | ob_type | ... ]
 *                                 ^ mp_object *
 *
 * Invariants:
 *   - MP_AS_GC(MP_FROM_GC(g)) == g; the header is exactly 16 bytes, as
 *     CPython 3.11's on 64-bit, so sys.getsizeof of containers agrees.
 *   - A freshly allocated container is untracked (both words 0).
 */
#ifndef MP_GC_H
#define MP_GC_H

#include "object.h"
#include "site.h"

typedef struct mp_gc_head {
    uintptr_t gc_next;
    uintptr_t gc_prev;
} mp_gc_head;

_Static_assert(sizeof(mp_gc_head) == 16, "CPython 3.11's PyGC_Head is 16 bytes");

#define MP_AS_GC(o) ((mp_gc_head *)(o) - 1)
#define MP_FROM_GC(g) ((mp_object *)((mp_gc_head *)(g) + 1))

/* _PyObject_GC_New / _PyObject_GC_NewVar: a container with a count of 1. */
mp_object *mp_gc_new(mp_type *t);
mp_varobject *mp_gc_new_var(mp_type *t, mp_ssize_t nitems);
/* PyObject_GC_Del: releases a container's memory, GC header included. */
void mp_gc_del(mp_object *o);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_gc_new(t) MP_AT(mp_gc_new(t))
#define mp_gc_new_var(t, n) MP_AT(mp_gc_new_var(t, n))
#endif

#endif
