/* node.h — a small container for the collector's and weak references'
 * tests: two reference slots, a weak reference list, and, in a second
 * type, a finalizer (a __del__) that counts its calls and can resurrect.
 *
 * Its dealloc is written as a class instance's is in CPython
 * (subtype_dealloc): untrack, finalizer (which may resurrect), weak
 * references, then the slots.
 */
#ifndef MEMLAB_TESTS_NODE_H
#define MEMLAB_TESTS_NODE_H

#include "support.h"

typedef struct node {
    mp_object ob_base;
    mp_object *a, *b;
    mp_weakref *weaklist;
} node;

static int node_finalized; /* finalizer calls */
static int node_freed;     /* deallocs that went through */
static mp_object *node_saved; /* where a resurrecting finalizer puts its node */
static bool node_resurrect;
static void (*node_finalize_hook)(mp_object *o); /* what else __del__ does */

static void node_finalize(mp_object *o)
{
    node_finalized++;
    if (node_finalize_hook)
        node_finalize_hook(o);
    if (node_resurrect && !node_saved)
        node_saved = mp_newref(o);
}

static void node_dealloc(mp_object *o)
{
    mp_gc_untrack(o);
    if (o->ob_type->tp_finalize && mp_object_call_finalizer_from_dealloc(o))
        return;
    mp_object_clear_weakrefs(o);
    node *n = (node *)o;
    MP_CLEAR(n->a);
    MP_CLEAR(n->b);
    node_freed++;
    mp_gc_del(o);
}

static int node_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    node *n = (node *)o;
    if (n->a && visit(n->a, arg))
        return 1;
    return n->b ? visit(n->b, arg) : 0;
}

static int node_clear(mp_object *o)
{
    node *n = (node *)o;
    MP_CLEAR(n->a);
    MP_CLEAR(n->b);
    return 0;
}

/* object.__hash__: from the address. */
static mp_hash_t node_hash(mp_object *o) { return (mp_hash_t)((uintptr_t)o >> 4); }

static mp_type node_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "node",
    .tp_basicsize = sizeof(node),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = node_dealloc,
    .tp_traverse = node_traverse,
    .tp_clear = node_clear,
    .tp_hash = node_hash,
    .tp_weaklistoffset = offsetof(node, weaklist),
};

/* The same with a __del__. */
__attribute__((unused)) static mp_type fnode_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "fnode",
    .tp_basicsize = sizeof(node),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = node_dealloc,
    .tp_traverse = node_traverse,
    .tp_clear = node_clear,
    .tp_finalize = node_finalize,
    .tp_hash = node_hash,
    .tp_weaklistoffset = offsetof(node, weaklist),
};

/* A tracked node of type t (node_type by default) with no references. */
static inline mp_object *node_new_of(mp_type *t)
{
    node *n = (node *)mp_gc_new(t);
    cr_assert_not_null(n);
    n->a = n->b = NULL;
    n->weaklist = NULL;
    mp_gc_track(MP_OBJ(n));
    return MP_OBJ(n);
}

static inline mp_object *node_new(void) { return node_new_of(&node_type); }

/* x.a = y (a new reference; what was there is released). */
static inline void node_set_a(mp_object *x, mp_object *y)
{
    mp_object *old = ((node *)x)->a;
    ((node *)x)->a = mp_newref(y);
    MP_XDECREF(old);
}

#endif
