/* gc.h — the cyclic garbage collector: the GC header in front of every
 * container, three generations, and the gc module's API.
 *
 * Models CPython 3.11's Modules/gcmodule.c. A container (a type with
 * MP_TPFLAGS_HAVE_GC) is allocated with 16 bytes in front of its object
 * header: two words that link it into a generation list while it is
 * tracked. Its address, as seen by everyone else, is the object header.
 *
 *     block: [ gc_next | gc_prev ][ ob_refcnt | ob_type | ... ]
 *                                 ^ mp_object *
 *
 * A type's constructor tracks the object once its fields are valid
 * (mp_gc_track); its dealloc untracks it first (mp_gc_untrack), so the
 * collector never sees an object half built or half destroyed.
 */
#ifndef MP_GC_H
#define MP_GC_H

#include <stdbool.h>

#include "object.h"
#include "site.h"

typedef struct mp_gc_head {
    uintptr_t gc_next; /* 0 while untracked */
    uintptr_t gc_prev;
} mp_gc_head;

_Static_assert(sizeof(mp_gc_head) == 16, "CPython 3.11's PyGC_Head is 16 bytes");

/* The low bits of gc_prev that hold the collector's flags (finalized,
 * collecting, frozen); the bits above hold a pointer or gc_refs. */
#define MP_GC_PREV_FLAG_BITS ((uintptr_t)7)

#define MP_AS_GC(o) ((mp_gc_head *)(o) - 1)
#define MP_FROM_GC(g) ((mp_object *)((mp_gc_head *)(g) + 1))

#define MP_GC_GENERATIONS 3

/* _PyObject_GC_New / _PyObject_GC_NewVar: an untracked container with a
 * count of 1. Counts as an allocation for generation 0, and may start an
 * automatic collection first. A type with a managed __dict__ gets its two
 * words before the GC header too, NULL. */
mp_object *mp_gc_new(mp_type *t);
mp_varobject *mp_gc_new_var(mp_type *t, mp_ssize_t nitems);
/* PyObject_GC_Del: releases a container's memory, GC header included. */
void mp_gc_del(mp_object *o);

/* PyObject_GC_Track / PyObject_GC_UnTrack. Tracking an object twice, or
 * untracking an untracked one, is harmless. */
void mp_gc_track(mp_object *o);
void mp_gc_untrack(mp_object *o);
bool mp_gc_is_tracked(mp_object *o); /* gc.is_tracked */

/* gc.collect(generation): 0, 1, 2, or -1 for 2 (a full collection).
 * Returns the number of unreachable objects found, as gc.collect does;
 * -1 with ValueError for another generation. */
mp_ssize_t mp_gc_collect(int generation);

void mp_gc_enable(void);    /* gc.enable */
void mp_gc_disable(void);   /* gc.disable */
bool mp_gc_isenabled(void); /* gc.isenabled */

/* gc.get_threshold / gc.set_threshold: (700, 10, 10) at start. A threshold
 * of 0 for generation 0 turns automatic collection off, as in CPython. */
void mp_gc_get_threshold(int *t0, int *t1, int *t2);
void mp_gc_set_threshold(int t0, int t1, int t2);
/* gc.get_count: allocations minus deallocations of containers since
 * generation 0 was last collected; collections of the younger generation
 * since generations 1 and 2 were. */
void mp_gc_get_count(int *c0, int *c1, int *c2);

/* gc.get_stats, per generation. */
typedef struct mp_gc_stats {
    mp_ssize_t collections;
    mp_ssize_t collected;
    mp_ssize_t uncollectable;
} mp_gc_stats;
void mp_gc_get_stats(mp_gc_stats out[MP_GC_GENERATIONS]);

/* gc.callbacks: called with phase "start" or "stop" around every
 * collection, with what gc.callbacks' info dict holds. At most
 * MP_GC_MAX_CALLBACKS; mp_gc_callback_add returns -1 beyond. */
#define MP_GC_MAX_CALLBACKS 8
typedef struct mp_gc_info {
    int generation;
    mp_ssize_t collected;     /* "stop" only */
    mp_ssize_t uncollectable; /* "stop" only */
} mp_gc_info;
typedef void (*mp_gc_callback)(const char *phase, const mp_gc_info *info, void *arg);
int mp_gc_callback_add(mp_gc_callback fn, void *arg);
void mp_gc_callback_remove(mp_gc_callback fn, void *arg);

/* gc.get_referrers(o): a new list of the tracked objects that refer to o.
 * gc.get_referents(o): a new list of what o's traverse visits.
 * gc.get_objects(generation): a new list of the tracked objects of a
 * generation, or of all of them for -1. */
mp_object *mp_gc_get_referrers(mp_object *o);
mp_object *mp_gc_get_referents(mp_object *o);
mp_object *mp_gc_get_objects(int generation);

/* gc.freeze / gc.unfreeze / gc.get_freeze_count: move every tracked object
 * to a permanent generation the collector ignores, and back. */
void mp_gc_freeze(void);
void mp_gc_unfreeze(void);
mp_ssize_t mp_gc_get_freeze_count(void);

/* gc.set_debug / gc.get_debug flags, as CPython's. */
enum {
    MP_GC_DEBUG_STATS = 1 << 0,         /* one line per collection on stderr */
    MP_GC_DEBUG_COLLECTABLE = 1 << 1,   /* name each collectable object */
    MP_GC_DEBUG_UNCOLLECTABLE = 1 << 2, /* name each uncollectable object */
    MP_GC_DEBUG_SAVEALL = 1 << 5,       /* keep garbage in gc.garbage, free nothing */
};
void mp_gc_set_debug(int flags);
int mp_gc_get_debug(void);
/* gc.garbage: a borrowed reference to the list, made on first use. */
mp_object *mp_gc_garbage(void);

/* PEP 442, for a dealloc whose type has tp_finalize: the dealloc
 * untracks o, then calls this first. o's finalizer runs, unless it ran
 * already (in a collection); returns true if it resurrected o, and the
 * dealloc must then stop, leaving o alive and tracked. */
bool mp_object_call_finalizer_from_dealloc(mp_object *o);
/* The finalizer of o, once: the collector and the dealloc share the flag. */
void mp_object_call_finalizer(mp_object *o);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_gc_new(t) MP_AT(mp_gc_new(t))
#define mp_gc_new_var(t, n) MP_AT(mp_gc_new_var(t, n))
#define mp_gc_collect(g) MP_AT(mp_gc_collect(g))
#endif

#endif
