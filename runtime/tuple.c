/* tuple.c — tuples: items inline after the header, and the empty tuple.
 *
 * Models CPython 3.11's Objects/tupleobject.c: sys.getsizeof(()) == 40
 * (24 bytes of header, 16 of GC header) and each item adds 8.
 *
 * Invariants:
 *   - A tuple's slots are all set before anyone else sees it; after that it
 *     never changes.
 *   - There is one empty tuple, static, at an immortal count.
 *   - CPython keeps free lists of small tuples to skip the allocator; this
 *     model does not, so every tuple is one allocation that the allocator's
 *     statistics (and later tracemalloc) can see.
 */
#include "tuple.h"

#include <stdarg.h>

#include "error.h"
#include "gc.h"
#include "internal.h"

static struct {
    mp_gc_head gc;
    mp_tuple t;
} empty_tuple;

mp_object *mp_tuple_new(mp_ssize_t n)
{
    if (n == 0)
        return mp_newref(&empty_tuple.t);
    if (n < 0) {
        mp_err_set(MP_ERR_SYSTEM, "negative tuple size");
        return NULL;
    }
    mp_varobject *t = mp_gc_new_var(&mp_type_tuple, n);
    if (!t)
        return NULL;
    for (mp_ssize_t i = 0; i < n; i++)
        ((mp_tuple *)t)->ob_item[i] = NULL;
    mp_gc_track(MP_OBJ(t));
    return MP_OBJ(t);
}

mp_object *mp_tuple_pack(mp_ssize_t n, ...)
{
    mp_object *t = mp_tuple_new(n);
    if (!t)
        return NULL;
    va_list ap;
    va_start(ap, n);
    for (mp_ssize_t i = 0; i < n; i++)
        mp_tuple_set_item(t, i, mp_newref(va_arg(ap, mp_object *)));
    va_end(ap);
    return t;
}

void mp_tuple_set_item(mp_object *t, mp_ssize_t i, mp_object *o) { ((mp_tuple *)t)->ob_item[i] = o; }

mp_object *mp_tuple_get_item(mp_object *t, mp_ssize_t i) { return ((mp_tuple *)t)->ob_item[i]; }

mp_ssize_t mp_tuple_size(mp_object *t) { return MP_SIZE(t); }

static void tuple_dealloc(mp_object *o)
{
    mp_tuple *t = (mp_tuple *)o;
    mp_gc_untrack(o);
    if (!mp_trashcan_begin(o))
        return;
    for (mp_ssize_t i = MP_SIZE(t) - 1; i >= 0; i--)
        MP_XDECREF(t->ob_item[i]);
    mp_gc_del(o);
    mp_trashcan_end();
}

static int tuple_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_tuple *t = (mp_tuple *)o;
    for (mp_ssize_t i = MP_SIZE(t) - 1; i >= 0; i--) {
        if (t->ob_item[i]) {
            int r = visit(t->ob_item[i], arg);
            if (r)
                return r;
        }
    }
    return 0;
}

/* CPython 3.8+'s tuple hash, a variant of xxHash (tuplehash). */
#define XXPRIME_1 11400714785074694791ull
#define XXPRIME_2 14029467366897019727ull
#define XXPRIME_5 2870177450012600261ull

static mp_hash_t tuple_hash(mp_object *o)
{
    mp_tuple *t = (mp_tuple *)o;
    uint64_t acc = XXPRIME_5;
    for (mp_ssize_t i = 0; i < MP_SIZE(t); i++) {
        mp_hash_t lane = mp_object_hash(t->ob_item[i]);
        if (lane == -1)
            return -1;
        acc += (uint64_t)lane * XXPRIME_2;
        acc = (acc << 31) | (acc >> 33);
        acc *= XXPRIME_1;
    }
    acc += (uint64_t)MP_SIZE(t) ^ (XXPRIME_5 ^ 3527539ull);
    return acc == (uint64_t)-1 ? 1546275796 : (mp_hash_t)acc;
}

static int tuple_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    return mp_sequence_richcompare(((mp_tuple *)a)->ob_item, MP_SIZE(a), ((mp_tuple *)b)->ob_item,
                                   MP_SIZE(b), op);
}

static void tuple_repr(mp_object *o, mp_strbuf *out)
{
    mp_repr_sequence(o, ((mp_tuple *)o)->ob_item, MP_SIZE(o), "(", ")", true, out);
}

static mp_ssize_t tuple_len(mp_object *o) { return MP_SIZE(o); }

static int tuple_contains(mp_object *o, mp_object *item)
{
    return mp_items_contain(((mp_tuple *)o)->ob_item, MP_SIZE(o), item);
}

static mp_object *tuple_iter(mp_object *o) { return mp_seq_iter_new(&mp_type_tuple_iterator, o); }

static mp_object *tuple_iter_item(mp_object *seq, mp_ssize_t i)
{
    return i < MP_SIZE(seq) ? mp_newref(((mp_tuple *)seq)->ob_item[i]) : NULL;
}

MP_SEQ_ITER_TYPE(mp_type_tuple_iterator, "tuple_iterator", tuple_iter_item);

mp_type mp_type_tuple = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "tuple",
    .tp_basicsize = offsetof(mp_tuple, ob_item), /* 24 */
    .tp_itemsize = sizeof(mp_object *),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = tuple_dealloc,
    .tp_traverse = tuple_traverse,
    .tp_hash = tuple_hash,
    .tp_richcompare = tuple_richcompare,
    .tp_repr = tuple_repr,
    .tp_iter = tuple_iter,
    .tp_len = tuple_len,
    .tp_contains = tuple_contains,
};

int mp_tuple_init(void)
{
    empty_tuple.t.ob_base.ob_base = (mp_object){MP_IMMORTAL_REFCNT, &mp_type_tuple};
    empty_tuple.t.ob_base.ob_size = 0;
    return 0;
}

void mp_tuple_fini(void) { mp_check_released(MP_OBJ(&empty_tuple.t)); }
