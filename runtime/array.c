/* array.c — arrays of one C number type, packed, grown as CPython grows
 * them.
 *
 * Models CPython 3.11's Modules/arraymodule.c. Read array_resize first: it
 * decides every capacity, and so every sys.getsizeof of an array: 80 bytes
 * (64 and the GC header) plus allocated * itemsize, where appends from
 * empty take the capacity through 0, 4, 8, 16, 25, 34, 44, 54, 65, ...
 * whatever the typecode.
 *
 * Invariants:
 *   - 0 <= ob_size <= allocated; ob_item == NULL iff allocated == 0.
 *   - Items [0, ob_size) hold values of the typecode's C type; the array
 *     holds no references, so its traverse visits nothing (CPython's
 *     visits the array's heap type, which is static here). It is tracked
 *     all the same, as gc.is_tracked(array.array('i')) is True.
 *   - A value that does not fit the typecode is refused before anything
 *     moves: a failed append or insert leaves the array as it was.
 *
 * Deliberate differences: the deprecated 'u' typecode (wchar_t items) is
 * left out, and the bad-typecode message does not list it. The buffer is
 * lent by pointer (mp_array_data) without counting exports, so nothing
 * stops a resize while C code holds the pointer; ob_exports stays 0.
 */
#include "array.h"

#include <limits.h>
#include <string.h>

#include "error.h"
#include "float.h"
#include "gc.h"
#include "int.h"
#include "internal.h"
#include "obmalloc.h"
#include "weakref.h"

_Static_assert(sizeof(mp_array) == 64, "arrayobject is 64 bytes in 3.11");

/* One item's value on its way in or out: which member holds it depends on
 * how the typecode converts (see convert). */
typedef union {
    long s;
    unsigned long u;
    double d;
} item_value;

/* How a Python number becomes an item, each with the errors CPython gives. */
typedef enum {
    FROM_LONG,       /* b B h H i l: PyLong_AsLong, then the type's range */
    FROM_ULONG,      /* I L: PyLong_AsUnsignedLong, then the type's maximum */
    FROM_LONG_LONG,  /* q: PyLong_AsLongLong's messages */
    FROM_ULONG_LONG, /* Q: PyLong_AsUnsignedLongLong's messages */
    FROM_REAL,       /* f d: an int or a float, as a double */
} convert_mode;

struct mp_array_descr {
    char typecode;
    int itemsize;
    convert_mode mode;
    /* For types narrower than a long: the name range errors give the type,
     * and its range. NULL when the conversion's own range is the type's. */
    const char *range_name;
    long min;
    unsigned long max;
    mp_object *(*getitem)(const char *p); /* the item at p, as a new object */
    item_value (*read)(const char *p);
    void (*write)(char *p, item_value v);
};

/* The readers and writers of one C type; field is the item_value member
 * its values travel in, box makes the Python object. Conversion to float
 * narrows a double as IEEE 754 does (out of range becomes inf), which C
 * leaves to Annex F and every target of this runtime provides. */
#define ITEM_ACCESS(code, ctype, field, box)                                                   \
    static item_value code##_read(const char *p)                                               \
    {                                                                                          \
        ctype x;                                                                               \
        memcpy(&x, p, sizeof x);                                                               \
        return (item_value){.field = x};                                                       \
    }                                                                                          \
    static void code##_write(char *p, item_value v)                                            \
    {                                                                                          \
        ctype x = (ctype)v.field;                                                              \
        memcpy(p, &x, sizeof x);                                                               \
    }                                                                                          \
    static mp_object *code##_getitem(const char *p) { return box(code##_read(p).field); }

ITEM_ACCESS(b, signed char, s, mp_int_from_long)
ITEM_ACCESS(B, unsigned char, s, mp_int_from_long)
ITEM_ACCESS(h, short, s, mp_int_from_long)
ITEM_ACCESS(H, unsigned short, s, mp_int_from_long)
ITEM_ACCESS(i, int, s, mp_int_from_long)
ITEM_ACCESS(I, unsigned int, u, mp_int_from_unsigned_long)
ITEM_ACCESS(l, long, s, mp_int_from_long)
ITEM_ACCESS(L, unsigned long, u, mp_int_from_unsigned_long)
ITEM_ACCESS(q, long long, s, mp_int_from_long)
ITEM_ACCESS(Q, unsigned long long, u, mp_int_from_unsigned_long)
ITEM_ACCESS(f, float, d, mp_float_from_double)
ITEM_ACCESS(d, double, d, mp_float_from_double)

#define DESCR(typecode, code, ctype, mode, ...)                                                \
    {typecode, sizeof(ctype), mode, __VA_ARGS__,                                               \
     .getitem = code##_getitem, .read = code##_read, .write = code##_write}

/* sizes as on 64-bit Linux: 1 1 2 2 4 4 8 8 8 8 4 8 */
static const mp_array_descr descriptors[] = {
    DESCR('b', b, signed char, FROM_LONG, "signed char", SCHAR_MIN, SCHAR_MAX),
    DESCR('B', B, unsigned char, FROM_LONG, "unsigned byte integer", 0, UCHAR_MAX),
    DESCR('h', h, short, FROM_LONG, "signed short integer", SHRT_MIN, SHRT_MAX),
    DESCR('H', H, unsigned short, FROM_LONG, "unsigned short", 0, USHRT_MAX),
    DESCR('i', i, int, FROM_LONG, "signed integer", INT_MIN, INT_MAX),
    DESCR('I', I, unsigned int, FROM_ULONG, "unsigned int", 0, UINT_MAX),
    DESCR('l', l, long, FROM_LONG, NULL, 0, 0),
    DESCR('L', L, unsigned long, FROM_ULONG, NULL, 0, 0),
    DESCR('q', q, long long, FROM_LONG_LONG, NULL, 0, 0),
    DESCR('Q', Q, unsigned long long, FROM_ULONG_LONG, NULL, 0, 0),
    DESCR('f', f, float, FROM_REAL, NULL, 0, 0),
    DESCR('d', d, double, FROM_REAL, NULL, 0, 0),
};

static mp_array *as_array(mp_object *o) { return (mp_array *)o; }

/* The value of an int of at most one digit (30 bits), which is most of
 * them, without the general conversion's loop: CPython's arrays take the
 * same short cut through _PyLong_IsCompact. */
static inline bool one_digit_value(mp_object *v, long *out)
{
    mp_ssize_t size = MP_SIZE(v);
    if (size < -1 || size > 1)
        return false;
    long d = (long)((mp_int *)v)->ob_digit[0];
    *out = size < 0 ? -d : size > 0 ? d : 0;
    return true;
}

/* v as an item of the array's type, or -1 with CPython's error. */
static int convert(const mp_array_descr *descr, mp_object *v, item_value *out)
{
    if (descr->mode == FROM_REAL) {
        if (mp_float_check(v)) {
            out->d = mp_float_as_double(v);
            return 0;
        }
        if (mp_int_check(v)) {
            out->d = mp_int_as_double(v);
            return out->d == -1.0 && mp_err_occurred() ? -1 : 0;
        }
        mp_err_format(MP_ERR_TYPE, "must be real number, not %s", v->ob_type->tp_name);
        return -1;
    }
    if (!mp_int_check(v)) {
        mp_err_format(MP_ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                      v->ob_type->tp_name);
        return -1;
    }
    switch (descr->mode) {
    case FROM_LONG:
    case FROM_LONG_LONG:
        if (!one_digit_value(v, &out->s))
            out->s = mp_int_as_long(v);
        if (out->s == -1 && mp_err_occurred()) {
            if (descr->mode == FROM_LONG_LONG)
                mp_err_set(MP_ERR_OVERFLOW, "int too big to convert");
            return -1;
        }
        if (descr->range_name && (out->s < descr->min || out->s > (long)descr->max)) {
            mp_err_format(MP_ERR_OVERFLOW, "%s is %s", descr->range_name,
                          out->s < descr->min ? "less than minimum" : "greater than maximum");
            return -1;
        }
        return 0;
    case FROM_ULONG:
    case FROM_ULONG_LONG:
        out->u = mp_int_as_unsigned_long(v);
        if (out->u == (unsigned long)-1 && mp_err_occurred()) {
            if (descr->mode == FROM_ULONG_LONG)
                mp_err_set(MP_ERR_OVERFLOW, MP_SIZE(v) < 0 ? "can't convert negative int to unsigned"
                                                           : "int too big to convert");
            return -1;
        }
        if (descr->range_name && out->u > descr->max) {
            mp_err_format(MP_ERR_OVERFLOW, "%s is greater than maximum", descr->range_name);
            return -1;
        }
        return 0;
    case FROM_REAL:
        break;
    }
    return 0;
}

/* Makes room for newsize items and sets the size. Within the capacity it
 * costs nothing unless the array would shrink by 16 items or more at once
 * (a pop never does: arrays do not shrink item by item, unlike lists).
 * Otherwise the new capacity is newsize + newsize/16 + 3 (while the array
 * is under 8 items) or + 7: like a list's at first, but only about 1/16
 * spare later, since arrays are chosen to save memory. */
static int array_resize(mp_array *self, mp_ssize_t newsize)
{
    if (self->allocated >= newsize && MP_SIZE(self) < newsize + 16 && self->ob_item) {
        MP_SIZE(self) = newsize;
        return 0;
    }
    if (newsize == 0) {
        mp_object_free(self->ob_item);
        self->ob_item = NULL;
        MP_SIZE(self) = 0;
        self->allocated = 0;
        return 0;
    }
    size_t new_allocated = ((size_t)newsize >> 4) + (MP_SIZE(self) < 8 ? 3 : 7) + (size_t)newsize;
    size_t itemsize = (size_t)self->ob_descr->itemsize;
    if (new_allocated > (size_t)PTRDIFF_MAX / itemsize) {
        mp_err_nomemory();
        return -1;
    }
    char *items = mp_object_realloc(self->ob_item, new_allocated * itemsize);
    if (!items)
        return -1;
    self->ob_item = items;
    MP_SIZE(self) = newsize;
    self->allocated = (mp_ssize_t)new_allocated;
    return 0;
}

static char *item_at(mp_array *a, mp_ssize_t i)
{
    return a->ob_item + i * (mp_ssize_t)a->ob_descr->itemsize;
}

mp_object *mp_array_new(char typecode)
{
    const mp_array_descr *descr = NULL;
    for (size_t k = 0; k < sizeof descriptors / sizeof descriptors[0]; k++) {
        if (descriptors[k].typecode == typecode)
            descr = &descriptors[k];
    }
    if (!descr) {
        mp_err_set(MP_ERR_VALUE, "bad typecode (must be b, B, h, H, i, I, l, L, q, Q, f or d)");
        return NULL;
    }
    mp_array *a = (mp_array *)mp_gc_new(&mp_type_array);
    if (!a)
        return NULL;
    MP_SIZE(a) = 0;
    a->ob_item = NULL;
    a->allocated = 0;
    a->ob_descr = descr;
    a->weakreflist = NULL;
    a->ob_exports = 0;
    mp_gc_track(MP_OBJ(a));
    return MP_OBJ(a);
}

int mp_array_append(mp_object *o, mp_object *v)
{
    mp_array *a = as_array(o);
    item_value x;
    if (convert(a->ob_descr, v, &x) < 0)
        return -1;
    mp_ssize_t n = MP_SIZE(a);
    if (n < a->allocated) /* array_resize would only set the size */
        MP_SIZE(a) = n + 1;
    else if (array_resize(a, n + 1) < 0)
        return -1;
    a->ob_descr->write(item_at(a, n), x);
    return 0;
}

int mp_array_insert(mp_object *o, mp_ssize_t where, mp_object *v)
{
    mp_array *a = as_array(o);
    item_value x;
    if (convert(a->ob_descr, v, &x) < 0)
        return -1;
    mp_ssize_t n = MP_SIZE(a);
    if (array_resize(a, n + 1) < 0)
        return -1;
    if (where < 0) {
        where += n;
        if (where < 0)
            where = 0;
    }
    if (where > n)
        where = n;
    size_t itemsize = (size_t)a->ob_descr->itemsize;
    memmove(item_at(a, where + 1), item_at(a, where), (size_t)(n - where) * itemsize);
    a->ob_descr->write(item_at(a, where), x);
    return 0;
}

mp_object *mp_array_pop(mp_object *o, mp_ssize_t i)
{
    mp_array *a = as_array(o);
    mp_ssize_t n = MP_SIZE(a);
    if (n == 0) {
        mp_err_set(MP_ERR_INDEX, "pop from empty array");
        return NULL;
    }
    if (i < 0)
        i += n;
    if (i < 0 || i >= n) {
        mp_err_set(MP_ERR_INDEX, "pop index out of range");
        return NULL;
    }
    mp_object *item = a->ob_descr->getitem(item_at(a, i));
    if (!item)
        return NULL;
    size_t itemsize = (size_t)a->ob_descr->itemsize;
    memmove(item_at(a, i), item_at(a, i + 1), (size_t)(n - 1 - i) * itemsize);
    /* Within the capacity by one item: array_resize only sets the size. */
    array_resize(a, n - 1);
    return item;
}

/* i, counted from the end when negative, if it indexes a; else -1 with
 * IndexError and CPython's message for the operation. */
static mp_ssize_t checked_index(mp_array *a, mp_ssize_t i, const char *message)
{
    if (i < 0)
        i += MP_SIZE(a);
    if (i >= 0 && i < MP_SIZE(a))
        return i;
    mp_err_set(MP_ERR_INDEX, message);
    return -1;
}

mp_object *mp_array_getitem(mp_object *o, mp_ssize_t i)
{
    mp_array *a = as_array(o);
    i = checked_index(a, i, "array index out of range");
    return i < 0 ? NULL : a->ob_descr->getitem(item_at(a, i));
}

int mp_array_setitem(mp_object *o, mp_ssize_t i, mp_object *v)
{
    mp_array *a = as_array(o);
    i = checked_index(a, i, "array assignment index out of range");
    item_value x;
    if (i < 0 || convert(a->ob_descr, v, &x) < 0)
        return -1;
    a->ob_descr->write(item_at(a, i), x);
    return 0;
}

mp_ssize_t mp_array_size(mp_object *a) { return MP_SIZE(a); }

mp_ssize_t mp_array_allocated(mp_object *a) { return as_array(a)->allocated; }

char mp_array_typecode(mp_object *a) { return as_array(a)->ob_descr->typecode; }

int mp_array_itemsize(mp_object *a) { return as_array(a)->ob_descr->itemsize; }

void *mp_array_data(mp_object *a) { return as_array(a)->ob_item; }

/* ---- the type's slots ---------------------------------------------------- */

static void array_dealloc(mp_object *o)
{
    mp_gc_untrack(o);
    if (as_array(o)->weakreflist)
        mp_object_clear_weakrefs(o);
    mp_object_free(as_array(o)->ob_item);
    mp_gc_del(o);
}

static int array_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    (void)o, (void)visit, (void)arg;
    return 0;
}

static size_t array_sizeof(mp_object *o)
{
    mp_array *a = as_array(o);
    return sizeof(mp_array) + (size_t)a->allocated * (size_t)a->ob_descr->itemsize;
}

/* array('i', [1, 2]), or array('i') when empty; written straight from the
 * packed values, so it allocates nothing. */
static void array_repr(mp_object *o, mp_strbuf *out)
{
    mp_array *a = as_array(o);
    const mp_array_descr *descr = a->ob_descr;
    mp_strbuf_printf(out, "array('%c'", descr->typecode);
    if (MP_SIZE(a) > 0) {
        mp_strbuf_puts(out, ", [");
        for (mp_ssize_t i = 0; i < MP_SIZE(a) && !out->truncated; i++) {
            if (i)
                mp_strbuf_puts(out, ", ");
            item_value v = descr->read(item_at(a, i));
            switch (descr->mode) {
            case FROM_LONG:
            case FROM_LONG_LONG: mp_strbuf_printf(out, "%ld", v.s); break;
            case FROM_ULONG:
            case FROM_ULONG_LONG: mp_strbuf_printf(out, "%lu", v.u); break;
            case FROM_REAL: mp_float_repr_double(v.d, out); break;
            }
        }
        mp_strbuf_puts(out, "]");
    }
    mp_strbuf_puts(out, ")");
}

static mp_ssize_t array_len(mp_object *o) { return MP_SIZE(o); }

/* arrayiterobject: the array, the next index, and the typecode's reader,
 * kept so each step skips the lookup (56 bytes with the GC header). */
typedef struct {
    mp_seq_iter base;
    mp_object *(*getitem)(const char *p);
} array_iter;

static mp_object *array_iter_new(mp_object *o)
{
    array_iter *it = (array_iter *)mp_seq_iter_new(&mp_type_array_iterator, o);
    if (it)
        it->getitem = as_array(o)->ob_descr->getitem;
    return MP_OBJ(it);
}

/* Reads the array as it is at each step, as CPython's does. */
static mp_object *array_iter_next(mp_object *o)
{
    array_iter *it = (array_iter *)o;
    mp_array *a = (mp_array *)it->base.seq;
    if (!a)
        return NULL;
    if (it->base.index < MP_SIZE(a))
        return it->getitem(item_at(a, it->base.index++));
    MP_CLEAR(it->base.seq);
    return NULL;
}

mp_type mp_type_array = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "array.array",
    .tp_basicsize = sizeof(mp_array),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = array_dealloc,
    .tp_traverse = array_traverse,
    .tp_sizeof = array_sizeof,
    .tp_repr = array_repr,
    .tp_iter = array_iter_new,
    .tp_len = array_len,
    .tp_weaklistoffset = offsetof(mp_array, weakreflist),
};

mp_type mp_type_array_iterator = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "array.arrayiterator",
    .tp_basicsize = sizeof(array_iter),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = mp_seq_iter_dealloc,
    .tp_traverse = mp_seq_iter_traverse,
    .tp_iter = mp_self_iter,
    .tp_iternext = array_iter_next,
};
