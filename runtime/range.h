/* range.h — Python's range: an arithmetic progression that stores three
 * numbers, not its items.
 *
 * Models CPython 3.11's Objects/rangeobject.c, for start, stop and step
 * that are C longs.
 */
#ifndef MP_RANGE_H
#define MP_RANGE_H

#include "object.h"
#include "site.h"

typedef struct mp_range {
    mp_object ob_base;
    long start, stop, step;
    unsigned long length; /* items; a range of longs can have up to 2**64 - 1 */
} mp_range;

extern mp_type mp_type_range;
extern mp_type mp_type_range_iterator;
extern mp_type mp_type_longrange_iterator;

static inline bool mp_range_check(const mp_object *o) { return o->ob_type == &mp_type_range; }

/* range(start, stop, step): a new reference, or NULL with ValueError
 * "range() arg 3 must not be zero". */
mp_object *mp_range_new(long start, long stop, long step);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_range_new(a, b, c) MP_AT(mp_range_new(a, b, c))
#endif

#endif
