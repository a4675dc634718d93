/* instance.h — classes made at run time, and their instances, with a
 * __dict__ or with __slots__.
 *
 * Models CPython 3.11's Objects/typeobject.c (type_new's slot layout,
 * subtype_dealloc, subtype_traverse) and the instance half of
 * Objects/dictobject.c (values arrays over keys shared by the class, and
 * the dict made from them on demand). The memory model is in instance.c's
 * opening comment.
 */
#ifndef MP_INSTANCE_H
#define MP_INSTANCE_H

#include "object.h"
#include "site.h"

/* class name: ... with slots NULL, `class A: pass`: instances have a
 * __dict__ and a __weakref__ slot. Otherwise `__slots__ = (...)`: slots is
 * a NULL-terminated list of attribute names, where "__dict__" and
 * "__weakref__" add a dict and a weak reference slot. A new reference to
 * the class (a type object); NULL with TypeError for a name that is not an
 * identifier or a second "__dict__" or "__weakref__", as CPython says it.
 * Names are not mangled: `__x` stays `__x`. */
mp_object *mp_class_new(const char *name, const char *const *slots);
/* True for a class made by mp_class_new. */
bool mp_class_check(const mp_object *o);

/* class A: def __del__(self): ... -- del(self) runs once before an
 * instance dies, by its count reaching zero or by the cycle collector
 * (PEP 442); it may resurrect self by storing a new reference to it.
 * Errors it leaves are printed as unraisable. TypeError for anything but
 * a class made by mp_class_new. */
int mp_class_set_del(mp_object *cls, void (*del)(mp_object *self));

/* cls(): a new instance, holding a reference to its class; TypeError
 * "cannot create 'int' instances" for anything but such a class. */
mp_object *mp_instance_new(mp_object *cls);
/* o.__dict__: a new reference to the instance's dict, made from its values
 * on the first request (CPython 3.11's materialization); AttributeError for
 * an instance without one. */
mp_object *mp_instance_dict(mp_object *o);
/* True while the instance keeps its attributes in a values array, no dict
 * made (memlab's own, to show materialization). */
bool mp_instance_has_values(mp_object *o);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_class_new(n, s) MP_AT(mp_class_new(n, s))
#define mp_instance_new(c) MP_AT(mp_instance_new(c))
#define mp_instance_dict(o) MP_AT(mp_instance_dict(o))
#endif

#endif
