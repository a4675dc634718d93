/* int.h — Python's int: arbitrary precision, 30-bit digits, a cache of the
 * small values.
 *
 * Models CPython 3.11's Objects/longobject.c and Include/cpython/longintrepr.h.
 */
#ifndef MP_INT_H
#define MP_INT_H

#include "object.h"
#include "site.h"

#define MP_LONG_SHIFT 30 /* PyLong_SHIFT: bits per digit */
#define MP_LONG_MASK ((mp_digit)((1u << MP_LONG_SHIFT) - 1))
#define MP_NSMALLNEGINTS 5   /* _PY_NSMALLNEGINTS: the cache starts at -5 */
#define MP_NSMALLPOSINTS 257 /* _PY_NSMALLPOSINTS: ... and ends at 256 */

typedef uint32_t mp_digit;

/* ob_size is the number of digits, negative for a negative number, 0 for 0.
 * Digits are little-endian: value = sum(ob_digit[i] * 2**(30*i)). */
typedef struct mp_int {
    mp_varobject ob_base;
    mp_digit ob_digit[1];
} mp_int;

extern mp_type mp_type_int;

static inline bool mp_int_check(const mp_object *o) { return o->ob_type == &mp_type_int; }

/* PyLong_FromLong: a new reference; values in [-5, 256] are the cached
 * objects, others are allocated. */
mp_object *mp_int_from_long(long v);
/* int(s) for a decimal string: optional sign, surrounding spaces and single
 * underscores between digits, any length. ValueError on anything else. */
mp_object *mp_int_from_string(const char *s);
/* PyLong_AsLong: -1 with OverflowError set when the value does not fit. */
long mp_int_as_long(mp_object *o);
/* PyLong_FromUnsignedLong: a new reference. */
mp_object *mp_int_from_unsigned_long(unsigned long v);
/* PyLong_AsUnsignedLong: (unsigned long)-1 with OverflowError set for a
 * negative value or one that does not fit, in CPython's words. */
unsigned long mp_int_as_unsigned_long(mp_object *o);
/* PyLong_AsDouble, correctly rounded: -1.0 with OverflowError set when the
 * value is beyond the largest double. */
double mp_int_as_double(mp_object *o);

/* a + b, a - b, a * b, each a new reference (NULL on MemoryError). */
mp_object *mp_int_add(mp_object *a, mp_object *b);
mp_object *mp_int_sub(mp_object *a, mp_object *b);
mp_object *mp_int_mul(mp_object *a, mp_object *b);

/* -1, 0 or 1 as a is less than, equal to or greater than b. */
int mp_int_compare(mp_object *a, mp_object *b);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_int_from_long(v) MP_AT(mp_int_from_long(v))
#define mp_int_from_string(s) MP_AT(mp_int_from_string(s))
#define mp_int_from_unsigned_long(v) MP_AT(mp_int_from_unsigned_long(v))
#define mp_int_add(a, b) MP_AT(mp_int_add(a, b))
#define mp_int_sub(a, b) MP_AT(mp_int_sub(a, b))
#define mp_int_mul(a, b) MP_AT(mp_int_mul(a, b))
#endif

#endif
