/* list.h — Python's list: a growable array of references.
 *
 * Models CPython 3.11's Objects/listobject.c.
 */
#ifndef MP_LIST_H
#define MP_LIST_H

#include "object.h"
#include "site.h"

typedef struct mp_list {
    mp_varobject ob_base; /* ob_size: the length */
    mp_object **ob_item;  /* allocated slots, the first ob_size in use */
    mp_ssize_t allocated;
} mp_list;

extern mp_type mp_type_list;
extern mp_type mp_type_list_iterator;

static inline bool mp_list_check(const mp_object *o) { return o->ob_type == &mp_type_list; }

/* PyList_New: a list of n empty slots, to be filled with mp_list_set_item
 * before use; its capacity is exactly n. */
mp_object *mp_list_new(mp_ssize_t n);
/* list.append: 0, or -1 with MemoryError. Takes a new reference to o.
 * (Inline, below.) */
static inline int mp_list_append(mp_object *l, mp_object *o);
/* list.insert(i, o) with Python's clamping of i. Takes a new reference. */
int mp_list_insert(mp_object *l, mp_ssize_t i, mp_object *o);
/* list.pop(i), negative i counting from the end: the item (a new reference),
 * or NULL with IndexError. */
mp_object *mp_list_pop(mp_object *l, mp_ssize_t i);
/* PyList_GetItem: a borrowed reference, or NULL with IndexError. */
mp_object *mp_list_get_item(mp_object *l, mp_ssize_t i);
/* PyList_SetItem: steals o, releases the old item; -1 with IndexError. */
int mp_list_set_item(mp_object *l, mp_ssize_t i, mp_object *o);
mp_ssize_t mp_list_size(mp_object *l);
/* Slots allocated: what sys.getsizeof sees beyond the 56-byte list. */
mp_ssize_t mp_list_allocated(mp_object *l);

/* ---- the fast path, inlined where it is called ---------------------------------
 * An append into spare capacity is an incref and two stores, which a call
 * would double; a full list goes out of line to mp_list_append_full
 * (list.c), which resizes. CPython splits LIST_APPEND the same way
 * (_PyList_AppendTakeRef in pycore_list.h). */
int mp_list_append_full(mp_object *l, mp_object *o, const char *file, int line);

/* file and line: the caller's site, for the out-of-line half (site.h). */
static inline int mp_list_append_at(mp_object *o, mp_object *item, const char *file, int line)
{
    mp_site_set_debug(file, line);
    MP_CHECK_LIVE(o, "list.append");
    MP_CHECK_LIVE(item, "list.append");
    mp_list *l = (mp_list *)o;
    mp_ssize_t n = MP_SIZE(l);
    if (n < l->allocated) {
        l->ob_item[n] = mp_newref(item);
        MP_SIZE(l) = n + 1;
        return 0;
    }
    return mp_list_append_full(o, item, file, line);
}

static inline int mp_list_append(mp_object *o, mp_object *item)
{
    return mp_list_append_at(o, item, NULL, 0);
}

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_list_new(n) MP_AT(mp_list_new(n))
#define mp_list_append(l, o) mp_list_append_at(l, o, __FILE__, __LINE__)
#define mp_list_insert(l, i, o) MP_AT(mp_list_insert(l, i, o))
#endif

#endif
