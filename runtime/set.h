/* set.h — Python's set: an open-addressing hash table of references.
 *
 * Models CPython 3.11's Objects/setobject.c and Include/cpython/setobject.h.
 */
#ifndef MP_SET_H
#define MP_SET_H

#include "object.h"
#include "site.h"

#define MP_SET_MINSIZE 8 /* PySet_MINSIZE: slots of the table inside the object */

/* A slot: empty (key NULL, hash 0), active, or a dummy left by a deletion
 * (the shared dummy key, hash -1). */
typedef struct mp_set_entry {
    mp_object *key;
    mp_hash_t hash;
} mp_set_entry;

typedef struct mp_set {
    mp_object ob_base;
    mp_ssize_t fill;  /* active + dummy slots */
    mp_ssize_t used;  /* active slots: len() */
    mp_ssize_t mask;  /* slots - 1; the table has a power-of-two size */
    mp_set_entry *table;
    mp_hash_t hash;   /* frozenset's cached hash; always -1 for a set */
    mp_ssize_t finger; /* where set.pop() looks first */
    mp_set_entry smalltable[MP_SET_MINSIZE];
    struct mp_weakref *weakreflist; /* the weak references to this set */
} mp_set;

extern mp_type mp_type_set;
extern mp_type mp_type_set_iterator;

static inline bool mp_set_check(const mp_object *o) { return o->ob_type == &mp_type_set; }

/* PySet_New: set(iterable), or set() when iterable is NULL. */
mp_object *mp_set_new(mp_object *iterable);
/* set.add: 0, or -1 with TypeError for an unhashable key. Takes a new
 * reference to key. */
int mp_set_add(mp_object *s, mp_object *key);
/* set.discard: 1 if key was there, 0 if not, -1 on error. */
int mp_set_discard(mp_object *s, mp_object *key);
/* set.remove: 0, or -1 with KeyError (the key's repr as the message). */
int mp_set_remove(mp_object *s, mp_object *key);
/* `key in s`: 1, 0 or -1. */
int mp_set_contains(mp_object *s, mp_object *key);
/* set.pop: an arbitrary key (the reference the set held), or NULL with
 * KeyError "pop from an empty set". */
mp_object *mp_set_pop(mp_object *s);
/* set.update(iterable): 0 or -1. */
int mp_set_update(mp_object *s, mp_object *iterable);
/* set.clear(): back to the table inside the object. */
void mp_set_clear(mp_object *s);
mp_ssize_t mp_set_size(mp_object *s);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_set_new(it) MP_AT(mp_set_new(it))
#define mp_set_add(s, k) MP_AT(mp_set_add(s, k))
#define mp_set_update(s, it) MP_AT(mp_set_update(s, it))
#endif

#endif
