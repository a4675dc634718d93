/* range.c — ranges: three numbers and a length stand for every item, so a
 * range costs 48 bytes whatever its length, and `x in r` is arithmetic.
 *
 * Models CPython 3.11's Objects/rangeobject.c. Read range_length first:
 * the count of items is computed once, in unsigned arithmetic, because
 * range(-2**63, 2**63 - 1) has more items than a signed long can count.
 *
 * Invariants:
 *   - step != 0; length is the number of values start + i*step, 0 <= i,
 *     strictly before stop.
 *   - A range holds no references and is not a container; neither are its
 *     iterators, which copy the numbers they need.
 *
 * Where it differs from CPython: start, stop and step are C longs, where
 * CPython's are int objects of any size (which it allocates and the range
 * references: the same 48 bytes, four pointers instead of four numbers).
 * CPython picks a range_iterator when everything fits a C long, else a
 * longrange_iterator; here the second serves the ranges whose length does
 * not fit one, which are the only such ranges of longs, with the same 48
 * bytes. Ranges are unhashable here (CPython hashes (len, start, step)
 * with None for what a short range does not need; there is no None).
 */
#include "range.h"

#include <limits.h>

#include "abstract.h"
#include "error.h"
#include "int.h"
#include "internal.h"

_Static_assert(sizeof(mp_range) == 48, "rangeobject is 48 bytes");

/* The number of items, as CPython's get_len_of_range: 1 + (hi - 1 - lo) /
 * step over the span the step runs through, in unsigned arithmetic so that
 * no difference of longs can overflow. */
static unsigned long range_length(long start, long stop, long step)
{
    unsigned long lo, hi, ustep;
    if (step > 0) {
        lo = (unsigned long)start, hi = (unsigned long)stop, ustep = (unsigned long)step;
        if (start >= stop)
            return 0;
    } else {
        lo = (unsigned long)stop, hi = (unsigned long)start, ustep = 0ul - (unsigned long)step;
        if (stop >= start)
            return 0;
    }
    return (hi - lo - 1) / ustep + 1;
}

mp_object *mp_range_new(long start, long stop, long step)
{
    if (step == 0) {
        mp_err_set(MP_ERR_VALUE, "range() arg 3 must not be zero");
        return NULL;
    }
    mp_range *r = (mp_range *)mp_object_new(&mp_type_range);
    if (!r)
        return NULL;
    r->start = start;
    r->stop = stop;
    r->step = step;
    r->length = range_length(start, stop, step);
    return MP_OBJ(r);
}

static mp_range *as_range(mp_object *o) { return (mp_range *)o; }

/* Item i, for i < length: start + i*step wraps around in unsigned
 * arithmetic and lands back in a long, since every item is one. */
static long range_item(long start, long step, unsigned long i)
{
    return (long)((unsigned long)start + i * (unsigned long)step);
}

/* len(r) is a Py_ssize_t in CPython too: longer ranges exist, but have no
 * len(). */
static mp_ssize_t range_len(mp_object *o)
{
    unsigned long n = as_range(o)->length;
    if (n > (unsigned long)PTRDIFF_MAX) {
        mp_err_set(MP_ERR_OVERFLOW, "Python int too large to convert to C ssize_t");
        return -1;
    }
    return (mp_ssize_t)n;
}

/* An int is in the range when it lies between the ends and a whole number
 * of steps from start: O(1). Anything else takes the slow way, comparing
 * with each item in turn, as CPython does for any object that is not an
 * int or a bool. */
static int range_contains(mp_object *o, mp_object *item)
{
    if (!mp_int_check(item))
        return mp_sequence_iter_search(o, item);
    mp_range *r = as_range(o);
    long v = mp_int_as_long(item);
    if (v == -1 && mp_err_occurred()) {
        mp_err_clear(); /* beyond a long: beyond every range of longs */
        return 0;
    }
    unsigned long distance, ustep;
    if (r->step > 0) {
        if (v < r->start || v >= r->stop)
            return 0;
        distance = (unsigned long)v - (unsigned long)r->start;
        ustep = (unsigned long)r->step;
    } else {
        if (v > r->start || v <= r->stop)
            return 0;
        distance = (unsigned long)r->start - (unsigned long)v;
        ustep = 0ul - (unsigned long)r->step;
    }
    return distance % ustep == 0;
}

/* Ranges are equal when they are the same sequence: range(0) == range(5, 5)
 * and range(0, 3, 2) == range(0, 4, 2). */
static int range_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    mp_range *x = as_range(a), *y = as_range(b);
    if (op != MP_EQ && op != MP_NE) {
        static const char *const symbols[] = {"<", "<=", "==", "!=", ">", ">="};
        mp_err_format(MP_ERR_TYPE,
                      "'%s' not supported between instances of 'range' and 'range'", symbols[op]);
        return -1;
    }
    bool eq = x->length == y->length &&
              (x->length == 0 || (x->start == y->start && (x->length == 1 || x->step == y->step)));
    return op == MP_EQ ? eq : !eq;
}

static void range_repr(mp_object *o, mp_strbuf *out)
{
    mp_range *r = as_range(o);
    if (r->step == 1)
        mp_strbuf_printf(out, "range(%ld, %ld)", r->start, r->stop);
    else
        mp_strbuf_printf(out, "range(%ld, %ld, %ld)", r->start, r->stop, r->step);
}

/* ---- the iterator --------------------------------------------------------------
 * CPython 3.11's rangeiterobject: the next index, start, step and length,
 * 48 bytes; no reference to the range. */

typedef struct range_iter {
    mp_object ob_base;
    unsigned long index;
    long start;
    long step;
    unsigned long len;
} range_iter;

_Static_assert(sizeof(range_iter) == 48, "rangeiterobject is 48 bytes");

static mp_object *range_iter_new(mp_object *o)
{
    mp_range *r = as_range(o);
    bool long_range = r->length > (unsigned long)LONG_MAX;
    range_iter *it = (range_iter *)mp_object_new(long_range ? &mp_type_longrange_iterator
                                                            : &mp_type_range_iterator);
    if (!it)
        return NULL;
    it->index = 0;
    it->start = r->start;
    it->step = r->step;
    it->len = r->length;
    return MP_OBJ(it);
}

static mp_object *range_iter_next(mp_object *o)
{
    range_iter *it = (range_iter *)o;
    if (it->index >= it->len)
        return NULL;
    return mp_int_from_long(range_item(it->start, it->step, it->index++));
}

mp_type mp_type_range_iterator = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "range_iterator",
    .tp_basicsize = sizeof(range_iter),
    .tp_dealloc = mp_object_del,
    .tp_iter = mp_self_iter,
    .tp_iternext = range_iter_next,
};

mp_type mp_type_longrange_iterator = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "longrange_iterator",
    .tp_basicsize = sizeof(range_iter),
    .tp_dealloc = mp_object_del,
    .tp_iter = mp_self_iter,
    .tp_iternext = range_iter_next,
};

mp_type mp_type_range = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "range",
    .tp_basicsize = sizeof(mp_range),
    .tp_dealloc = mp_object_del,
    .tp_richcompare = range_richcompare,
    .tp_repr = range_repr,
    .tp_iter = range_iter_new,
    .tp_len = range_len,
    .tp_contains = range_contains,
};
