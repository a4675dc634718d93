/* weakvaluedict.h — weakref.WeakValueDictionary: a mapping whose entries
 * vanish when their values die.
 *
 * Models CPython 3.11's Lib/weakref.py (WeakValueDictionary, KeyedRef),
 * written there in Python over a dict. Each value is held by a KeyedRef, a
 * weak reference that also knows its key, with a callback that deletes
 * that key when the value dies. The callback reaches the dictionary
 * through a weak reference too, so neither keeps the other alive.
 *
 * Differences from CPython, whose class is written in Python: the
 * dictionary is a C object of 56 bytes with its GC header, as CPython's
 * instance is, but with no values array for its attributes beside it; and
 * nothing defers removals during iteration, since there is no iterator
 * over it here. A KeyedRef is CPython's 88 bytes.
 */
#ifndef MP_WEAKVALUEDICT_H
#define MP_WEAKVALUEDICT_H

#include "object.h"
#include "site.h"

extern mp_type mp_type_weakvaluedict;
extern mp_type mp_type_keyedref;

/* weakref.WeakValueDictionary(): a new, empty one. */
mp_object *mp_weakvaluedict_new(void);
/* d[key] = value: value must accept weak references (TypeError
 * otherwise); key is held strongly. 0, or -1 with the error set. */
int mp_weakvaluedict_setitem(mp_object *d, mp_object *key, mp_object *value);
/* d.get(key): a new reference to the value, or NULL (no error set) when
 * the key is absent or its value has died. */
mp_object *mp_weakvaluedict_get(mp_object *d, mp_object *key);
/* del d[key]: 0, or -1 with KeyError. */
int mp_weakvaluedict_delitem(mp_object *d, mp_object *key);
/* len(d): the entries whose values are still alive. */
mp_ssize_t mp_weakvaluedict_size(mp_object *d);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_weakvaluedict_new() MP_AT(mp_weakvaluedict_new())
#define mp_weakvaluedict_setitem(d, k, v) MP_AT(mp_weakvaluedict_setitem(d, k, v))
#endif

#endif
