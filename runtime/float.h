/* float.h — Python's float: one C double in an object.
 *
 * Models CPython 3.11's Objects/floatobject.c, as much of it as the arrays
 * of 'f' and 'd' items need: make one, read it back, hash, compare, repr.
 */
#ifndef MP_FLOAT_H
#define MP_FLOAT_H

#include "object.h"
#include "site.h"

/* PyFloatObject: sys.getsizeof(1.5) == 24. */
typedef struct mp_float {
    mp_object ob_base;
    double ob_fval;
} mp_float;

extern mp_type mp_type_float;

static inline bool mp_float_check(const mp_object *o) { return o->ob_type == &mp_type_float; }

/* PyFloat_FromDouble: a new float, or NULL with MemoryError. */
mp_object *mp_float_from_double(double v);
/* PyFloat_AS_DOUBLE: the value of a float. */
double mp_float_as_double(mp_object *o);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_float_from_double(v) MP_AT(mp_float_from_double(v))
#endif

#endif
