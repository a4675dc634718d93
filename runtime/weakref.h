/* weakref.h — weak references: refer to an object without keeping it alive.
 *
 * Models CPython 3.11's Objects/weakrefobject.c and
 * Include/cpython/weakrefobject.h. An object that accepts weak references
 * (its type has a tp_weaklistoffset) keeps the head of a doubly linked list
 * of the weak references to it. When it dies, by its count reaching zero or
 * by the cycle collector, each of them is cleared (it then refers to
 * nothing: Python's None) and their callbacks run, newest first.
 *
 * CPython's callback is any callable; here it is a C function and an
 * argument object the weak reference holds strongly, which is what a
 * Python closure amounts to. The 64 bytes of the object match CPython's
 * (80 with the GC header, as sys.getsizeof(weakref.ref(o)) reports).
 */
#ifndef MP_WEAKREF_H
#define MP_WEAKREF_H

#include <stdbool.h>

#include "object.h"
#include "site.h"

/* Called once the referent has died, with the (now cleared) weak reference
 * and the argument given when it was made. */
typedef void (*mp_weakref_callback)(mp_object *ref, mp_object *arg);

typedef struct mp_weakref {
    mp_object ob_base;
    mp_object *wr_object; /* the referent; NULL once cleared */
    mp_weakref_callback wr_callback;
    mp_object *wr_callback_arg; /* a strong reference, or NULL */
    mp_hash_t hash;             /* the referent's hash, -1 until asked */
    /* The referent's list; the first is the basic ref without a callback,
     * when there is one. */
    struct mp_weakref *wr_prev, *wr_next;
} mp_weakref;

extern mp_type mp_type_weakref;

/* Subtypes of weakref.ref (WeakValueDictionary's KeyedRef) set this flag. */
static inline bool mp_weakref_check(const mp_object *o)
{
    return o->ob_type->tp_flags & MP_TPFLAGS_WEAKREF;
}

/* weakref.ref(o) or weakref.ref(o, callback): a new reference to a weak
 * reference. Without a callback, an existing basic reference to o is
 * returned again, as CPython does. TypeError ("cannot create weak
 * reference to 'list' object") for an object whose type refuses them. */
mp_object *mp_weakref_new(mp_object *o, mp_weakref_callback callback, mp_object *arg);
/* The same, as an instance of t: a subtype of weakref.ref whose instances
 * start with an mp_weakref; it is always a new object. */
mp_object *mp_weakref_new_subtype(mp_type *t, mp_object *o, mp_weakref_callback callback,
                                  mp_object *arg);

/* ref(): a borrowed reference to the referent, or NULL (Python's None)
 * once it has died. PyWeakref_GetObject. */
mp_object *mp_weakref_get_object(mp_object *ref);

/* weakref.getweakrefcount(o): how many weak references o has. */
mp_ssize_t mp_weakref_getweakrefcount(mp_object *o);

/* PyObject_ClearWeakRefs: the dealloc of every type that accepts weak
 * references calls this before it releases anything, while o's count is 0.
 * Every weak reference to o is cleared first; then the callbacks run. */
void mp_object_clear_weakrefs(mp_object *o);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_weakref_new(o, cb, arg) MP_AT(mp_weakref_new(o, cb, arg))
#define mp_weakref_new_subtype(t, o, cb, arg) MP_AT(mp_weakref_new_subtype(t, o, cb, arg))
#endif

#endif
