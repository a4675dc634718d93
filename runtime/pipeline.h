/* pipeline.h — the builtins that build iterator pipelines and drain them:
 * map, filter and sum.
 *
 * Models map, filter and sum from CPython 3.11's Python/bltinmodule.c,
 * with C functions where Python takes callables.
 */
#ifndef MP_PIPELINE_H
#define MP_PIPELINE_H

#include "object.h"
#include "site.h"

/* A function of one object: a new reference, or NULL with an error set. */
typedef mp_object *(*mp_unaryfunc)(mp_object *o);
/* A test of one object: 1 true, 0 false, -1 with an error set. */
typedef int (*mp_predicate)(mp_object *o);

extern mp_type mp_type_map;
extern mp_type mp_type_filter;

/* map(func, iterable): an iterator yielding func(x) for each x. iter() is
 * taken at once: TypeError if iterable has none. */
mp_object *mp_map_new(mp_unaryfunc func, mp_object *iterable);
/* filter(pred, iterable): an iterator yielding the x for which pred is
 * true. pred must not be NULL (Python's filter(None, ...) tests truth,
 * which this runtime does not model). */
mp_object *mp_filter_new(mp_predicate pred, mp_object *iterable);
/* sum(iterable) with start 0: a new reference. The items must be ints;
 * TypeError "unsupported operand type(s) for +: 'int' and 'str'" else. */
mp_object *mp_sum(mp_object *iterable);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_map_new(f, it) MP_AT(mp_map_new(f, it))
#define mp_filter_new(p, it) MP_AT(mp_filter_new(p, it))
#define mp_sum(it) MP_AT(mp_sum(it))
#endif

#endif
