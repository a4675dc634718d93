/* abstract.h — what any object answers, whatever its type: iteration,
 * length, membership and attributes.
 *
 * Models CPython's Objects/abstract.c (PyObject_GetIter, PyIter_Next,
 * PyObject_Length, PySequence_Contains) and the attribute entry points of
 * Objects/object.c (PyObject_GetAttr, PyObject_SetAttr). Each dispatches to
 * the type's slot and raises CPython's TypeError when there is none.
 */
#ifndef MP_ABSTRACT_H
#define MP_ABSTRACT_H

#include "object.h"
#include "site.h"

/* iter(o): a new reference to an iterator; TypeError "'int' object is not
 * iterable" when o has none. An iterator's iter is itself. */
mp_object *mp_object_getiter(mp_object *o);
/* next(it): a new reference, or NULL: exhausted when no error is set
 * (mp_err_occurred() == MP_ERR_NONE), failed otherwise. */
mp_object *mp_iter_next(mp_object *it);
/* len(o), or -1 with TypeError "object of type 'int' has no len()". */
mp_ssize_t mp_object_len(mp_object *o);
/* `item in o`: 1, 0, or -1 with an error set. */
int mp_sequence_contains(mp_object *o, mp_object *item);

/* getattr(o, name) and setattr(o, name, value) for a str name; value NULL
 * deletes. AttributeError "'int' object has no attribute 'x'" without a
 * slot. The _str forms take the name as UTF-8. */
mp_object *mp_object_getattr(mp_object *o, mp_object *name);
int mp_object_setattr(mp_object *o, mp_object *name, mp_object *value);
mp_object *mp_object_getattr_str(mp_object *o, const char *name);
int mp_object_setattr_str(mp_object *o, const char *name, mp_object *value);

/* An iterator's own iter: returns a new reference to itself. */
mp_object *mp_self_iter(mp_object *self);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_object_getiter(o) MP_AT(mp_object_getiter(o))
#define mp_iter_next(it) MP_AT(mp_iter_next(it))
#define mp_object_setattr(o, n, v) MP_AT(mp_object_setattr(o, n, v))
#define mp_object_setattr_str(o, n, v) MP_AT(mp_object_setattr_str(o, n, v))
#define mp_object_getattr_str(o, n) MP_AT(mp_object_getattr_str(o, n))
#ifdef MP_DEBUG /* no allocation, but a freed object given is named with its caller */
#define mp_object_getattr(o, n) MP_AT(mp_object_getattr(o, n))
#define mp_object_len(o) MP_AT(mp_object_len(o))
#endif
#endif

#endif
