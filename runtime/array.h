/* array.h — Python's array.array: numbers of one C type, packed.
 *
 * Models CPython 3.11's Modules/arraymodule.c.
 */
#ifndef MP_ARRAY_H
#define MP_ARRAY_H

#include "object.h"
#include "site.h"

typedef struct mp_array_descr mp_array_descr; /* one per typecode, in array.c */

/* arrayobject: 64 bytes, 80 with the GC header, as sys.getsizeof(array('i'))
 * says; the items live in a separate block of allocated * itemsize bytes. */
typedef struct mp_array {
    mp_varobject ob_base; /* ob_size: the length, in items */
    char *ob_item;        /* NULL iff allocated == 0 */
    mp_ssize_t allocated; /* items the block has room for */
    const mp_array_descr *ob_descr;
    struct mp_weakref *weakreflist; /* the weak references to it (weakref.c) */
    mp_ssize_t ob_exports;  /* kept for the layout: buffers are lent unchecked */
} mp_array;

extern mp_type mp_type_array;
extern mp_type mp_type_array_iterator;

static inline bool mp_array_check(const mp_object *o) { return o->ob_type == &mp_type_array; }

/* array.array(typecode): an empty array, or NULL with ValueError for a
 * typecode other than b B h H i I l L q Q f d. */
mp_object *mp_array_new(char typecode);
/* a.append(v), a.insert(i, v) (i clamped as Python clamps it): 0, or -1
 * with TypeError or OverflowError, in CPython's words, when v does not fit
 * the typecode (the array is then unchanged), or MemoryError. */
int mp_array_append(mp_object *a, mp_object *v);
int mp_array_insert(mp_object *a, mp_ssize_t i, mp_object *v);
/* a.pop(i), negative i counting from the end: the item as a new int or
 * float, or NULL with IndexError. */
mp_object *mp_array_pop(mp_object *a, mp_ssize_t i);
/* a[i], negative i counting from the end: a new reference, or NULL with
 * IndexError. */
mp_object *mp_array_getitem(mp_object *a, mp_ssize_t i);
/* a[i] = v: 0, or -1 with IndexError, TypeError or OverflowError. v is not
 * stolen (an array keeps its value, not the object). */
int mp_array_setitem(mp_object *a, mp_ssize_t i, mp_object *v);

mp_ssize_t mp_array_size(mp_object *a);      /* len(a) */
mp_ssize_t mp_array_allocated(mp_object *a); /* capacity, in items */
char mp_array_typecode(mp_object *a);
int mp_array_itemsize(mp_object *a); /* a.itemsize, in bytes */
/* The packed items, for C code that reads or writes them in place (the
 * buffer protocol's pointer): valid until the array next changes size. */
void *mp_array_data(mp_object *a);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_array_new(c) MP_AT(mp_array_new(c))
#define mp_array_append(a, v) MP_AT(mp_array_append(a, v))
#define mp_array_insert(a, i, v) MP_AT(mp_array_insert(a, i, v))
#define mp_array_pop(a, i) MP_AT(mp_array_pop(a, i))
#define mp_array_getitem(a, i) MP_AT(mp_array_getitem(a, i))
#endif

#endif
