/* tuple.h — Python's tuple: a fixed-size array of references.
 *
 * Models CPython 3.11's Objects/tupleobject.c.
 */
#ifndef MP_TUPLE_H
#define MP_TUPLE_H

#include "object.h"
#include "site.h"

typedef struct mp_tuple {
    mp_varobject ob_base;
    mp_object *ob_item[1]; /* ob_size slots, stored inline */
} mp_tuple;

extern mp_type mp_type_tuple;
extern mp_type mp_type_tuple_iterator;

static inline bool mp_tuple_check(const mp_object *o) { return o->ob_type == &mp_type_tuple; }

/* PyTuple_New: n empty slots, to be filled with mp_tuple_set_item before
 * the tuple is used. mp_tuple_new(0) is the shared empty tuple. */
mp_object *mp_tuple_new(mp_ssize_t n);
/* PyTuple_Pack: a tuple of the n objects given, each with a new reference. */
mp_object *mp_tuple_pack(mp_ssize_t n, ...);
/* PyTuple_SET_ITEM: stores o in slot i of a tuple being filled. Steals the
 * reference to o. */
void mp_tuple_set_item(mp_object *t, mp_ssize_t i, mp_object *o);
/* PyTuple_GET_ITEM: a borrowed reference. */
mp_object *mp_tuple_get_item(mp_object *t, mp_ssize_t i);
mp_ssize_t mp_tuple_size(mp_object *t);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_tuple_new(n) MP_AT(mp_tuple_new(n))
#define mp_tuple_pack(...) MP_AT(mp_tuple_pack(__VA_ARGS__))
#endif

#endif
