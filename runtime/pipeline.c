/* pipeline.c — map and filter, iterators over iterators, and sum, which
 * drains one.
 *
 * Models builtin map, filter and sum in CPython 3.11's
 * Python/bltinmodule.c. A pipeline such as sum(map(f, filter(p, range(n))))
 * is a chain of iterators, each holding the next one: pulling one value
 * through the chain makes its intermediate objects and drops them before
 * the next is pulled, so the chain runs in the memory of its few objects,
 * whatever n is. Read mp_sum: it is what pulls.
 *
 * Invariants:
 *   - map and filter hold a reference to their source iterator for their
 *     whole life, as CPython's do (they do not drop it when exhausted),
 *     unless the cycle collector clears them.
 *   - sum adds in a C long while every item is an int and the total fits,
 *     as CPython's sum does to avoid making an int object per step; from
 *     the first item that does not fit, it adds int objects with
 *     mp_int_add, and never goes back.
 *
 * Where it differs from CPython: the functions are C functions, not
 * Python callables; map takes one iterable (CPython's takes any number, in
 * a tuple, which is why its object holds `iters`); sum has no start
 * argument and no float path.
 */
#include "pipeline.h"

#include <limits.h>

#include "abstract.h"
#include "error.h"
#include "gc.h"
#include "int.h"
#include "internal.h"

/* ---- map and filter -------------------------------------------------------------
 * Each holds its source iterator and a function: CPython's mapobject and
 * filterobject, 48 bytes with the GC header. */

typedef struct pipe_object {
    mp_object ob_base;
    mp_object *it; /* NULL only after tp_clear */
    union {
        mp_unaryfunc map;
        mp_predicate filter;
    } func;
} pipe_object;

_Static_assert(sizeof(pipe_object) == 32, "mapobject, filterobject: 48 bytes with the GC header");

/* The object, with iter(iterable) taken at once, as map() and filter() do. */
static pipe_object *pipe_new(mp_type *t, mp_object *iterable)
{
    mp_object *it = mp_object_getiter(iterable);
    if (!it)
        return NULL;
    pipe_object *p = (pipe_object *)mp_gc_new(t);
    if (!p) {
        MP_DECREF(it);
        return NULL;
    }
    p->it = it;
    mp_gc_track(MP_OBJ(p));
    return p;
}

mp_object *mp_map_new(mp_unaryfunc func, mp_object *iterable)
{
    pipe_object *p = pipe_new(&mp_type_map, iterable);
    if (p)
        p->func.map = func;
    return MP_OBJ(p);
}

mp_object *mp_filter_new(mp_predicate pred, mp_object *iterable)
{
    pipe_object *p = pipe_new(&mp_type_filter, iterable);
    if (p)
        p->func.filter = pred;
    return MP_OBJ(p);
}

/* A cleared map or filter (the collector broke a cycle through it) is
 * exhausted. */
static mp_object *map_next(mp_object *o)
{
    pipe_object *p = (pipe_object *)o;
    mp_object *x = p->it ? mp_iter_next(p->it) : NULL;
    if (!x)
        return NULL;
    mp_object *y = p->func.map(x);
    MP_DECREF(x);
    return y;
}

static mp_object *filter_next(mp_object *o)
{
    pipe_object *p = (pipe_object *)o;
    mp_object *x;
    while (p->it && (x = mp_iter_next(p->it)) != NULL) {
        int keep = p->func.filter(x);
        if (keep > 0)
            return x;
        MP_DECREF(x);
        if (keep < 0)
            return NULL;
    }
    return NULL;
}

static void pipe_dealloc(mp_object *o)
{
    mp_gc_untrack(o);
    MP_XDECREF(((pipe_object *)o)->it);
    mp_gc_del(o);
}

static int pipe_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_object *it = ((pipe_object *)o)->it;
    return it ? visit(it, arg) : 0;
}

static int pipe_clear(mp_object *o)
{
    MP_CLEAR(((pipe_object *)o)->it);
    return 0;
}

mp_type mp_type_map = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "map",
    .tp_basicsize = sizeof(pipe_object),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = pipe_dealloc,
    .tp_traverse = pipe_traverse,
    .tp_clear = pipe_clear,
    .tp_iter = mp_self_iter,
    .tp_iternext = map_next,
};

mp_type mp_type_filter = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "filter",
    .tp_basicsize = sizeof(pipe_object),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = pipe_dealloc,
    .tp_traverse = pipe_traverse,
    .tp_clear = pipe_clear,
    .tp_iter = mp_self_iter,
    .tp_iternext = filter_next,
};

/* ---- sum ---------------------------------------------------------------------------- */

/* An int's value when it fits a long: read straight from the digit for
 * the common one-digit case, as CPython's sum does. */
static bool int_fits_long(mp_object *o, long *out)
{
    const mp_int *v = (const mp_int *)o;
    switch (MP_SIZE(v)) {
    case -1: *out = -(long)v->ob_digit[0]; return true;
    case 0: *out = 0; return true;
    case 1: *out = (long)v->ob_digit[0]; return true;
    }
    long x = mp_int_as_long(o);
    if (x == -1 && mp_err_occurred()) {
        mp_err_clear();
        return false;
    }
    *out = x;
    return true;
}

/* total + item, total an int: the TypeError CPython's + raises else. */
static mp_object *add(mp_object *total, mp_object *item)
{
    if (mp_int_check(item))
        return mp_int_add(total, item);
    mp_err_format(MP_ERR_TYPE, "unsupported operand type(s) for +: 'int' and '%s'",
                  item->ob_type->tp_name);
    return NULL;
}

mp_object *mp_sum(mp_object *iterable)
{
    mp_object *it = mp_object_getiter(iterable);
    if (!it)
        return NULL;
    long fast = 0;
    mp_object *total = NULL, *item;
    while (!total && (item = mp_iter_next(it)) != NULL) {
        long b, sum;
        if (mp_int_check(item) && int_fits_long(item, &b) &&
            !__builtin_add_overflow(fast, b, &sum)) {
            fast = sum;
            MP_DECREF(item);
            continue;
        }
        total = mp_int_from_long(fast);
        mp_object *next = total ? add(total, item) : NULL;
        MP_XDECREF(total);
        MP_DECREF(item);
        if (!next)
            goto fail;
        total = next;
    }
    if (total) {
        while ((item = mp_iter_next(it)) != NULL) {
            mp_object *next = add(total, item);
            MP_DECREF(total);
            MP_DECREF(item);
            if (!next)
                goto fail;
            total = next;
        }
    }
    if (mp_err_occurred()) {
        MP_XDECREF(total);
        goto fail;
    }
    MP_DECREF(it);
    return total ? total : mp_int_from_long(fast);
fail:
    MP_DECREF(it);
    return NULL;
}
