/* list.c — lists and CPython 3.11's over-allocation.
 *
 * Models CPython 3.11's Objects/listobject.c. Read list_resize first: it
 * decides every capacity, and so every sys.getsizeof of a list, which for
 * appends from empty steps 0, 4, 8, 16, 24, 32, 40, 52, 64, 76, ...
 *
 * Invariants:
 *   - 0 <= ob_size <= allocated; ob_item == NULL iff allocated == 0.
 *   - Slots [0, ob_size) hold references (NULL only while a list made by
 *     mp_list_new is being filled); slots past ob_size are garbage.
 *   - CPython keeps a free list of 80 list objects; this model does not, so
 *     each list is one allocation the statistics can see.
 */
#include "list.h"

#include <string.h>

#include "error.h"
#include "gc.h"
#include "internal.h"
#include "obmalloc.h"

static mp_list *as_list(mp_object *o) { return (mp_list *)o; }

/* Makes room for newsize items and sets the size. Shrinking or growing
 * within the capacity costs nothing unless the list would drop below half
 * of it; otherwise the new capacity is about newsize * 9/8 + 6, rounded down
 * to a multiple of 4, or exactly newsize rounded up to 4 when the jump is so
 * big that over-allocating would waste more than it could save. */
static int list_resize(mp_list *self, mp_ssize_t newsize)
{
    mp_ssize_t allocated = self->allocated;
    if (allocated >= newsize && newsize >= (allocated >> 1)) {
        MP_SIZE(self) = newsize;
        return 0;
    }
    size_t new_allocated = ((size_t)newsize + ((size_t)newsize >> 3) + 6) & ~(size_t)3;
    if (newsize - MP_SIZE(self) > (mp_ssize_t)(new_allocated - (size_t)newsize))
        new_allocated = ((size_t)newsize + 3) & ~(size_t)3;
    if (newsize == 0)
        new_allocated = 0;
    if (new_allocated > (size_t)PTRDIFF_MAX / sizeof(mp_object *)) {
        mp_err_nomemory();
        return -1;
    }
    mp_object **items;
    if (new_allocated == 0) {
        mp_object_free(self->ob_item);
        items = NULL;
    } else {
        items = mp_object_realloc(self->ob_item, new_allocated * sizeof *items);
        if (!items)
            return -1;
    }
    self->ob_item = items;
    MP_SIZE(self) = newsize;
    self->allocated = (mp_ssize_t)new_allocated;
    return 0;
}

mp_object *mp_list_new(mp_ssize_t n)
{
    if (n < 0) {
        mp_err_set(MP_ERR_SYSTEM, "negative list size");
        return NULL;
    }
    if ((size_t)n > (size_t)PTRDIFF_MAX / sizeof(mp_object *))
        return mp_err_nomemory();
    mp_list *l = (mp_list *)mp_gc_new(&mp_type_list);
    if (!l)
        return NULL;
    l->ob_item = NULL;
    if (n > 0) {
        l->ob_item = mp_object_malloc((size_t)n * sizeof(mp_object *));
        if (!l->ob_item) {
            mp_gc_del(MP_OBJ(l));
            return NULL;
        }
        memset(l->ob_item, 0, (size_t)n * sizeof(mp_object *));
    }
    MP_SIZE(l) = n;
    l->allocated = n;
    mp_gc_track(MP_OBJ(l));
    return MP_OBJ(l);
}

int mp_list_append_full(mp_object *o, mp_object *item, const char *file, int line)
{
    mp_site_set(file, line);
    mp_list *l = as_list(o);
    mp_ssize_t n = MP_SIZE(l);
    if (list_resize(l, n + 1) < 0)
        return -1;
    l->ob_item[n] = mp_newref(item);
    return 0;
}

int mp_list_insert(mp_object *o, mp_ssize_t where, mp_object *item)
{
    MP_CHECK_LIVE(o, "list.insert");
    MP_CHECK_LIVE(item, "list.insert");
    mp_list *l = as_list(o);
    mp_ssize_t n = MP_SIZE(l);
    if (where < 0) {
        where += n;
        if (where < 0)
            where = 0;
    }
    if (where > n)
        where = n;
    if (list_resize(l, n + 1) < 0)
        return -1;
    memmove(&l->ob_item[where + 1], &l->ob_item[where], (size_t)(n - where) * sizeof(mp_object *));
    l->ob_item[where] = mp_newref(item);
    return 0;
}

mp_object *mp_list_pop(mp_object *o, mp_ssize_t i)
{
    mp_list *l = as_list(o);
    mp_ssize_t n = MP_SIZE(l);
    if (n == 0) {
        mp_err_set(MP_ERR_INDEX, "pop from empty list");
        return NULL;
    }
    if (i < 0)
        i += n;
    if (i < 0 || i >= n) {
        mp_err_set(MP_ERR_INDEX, "pop index out of range");
        return NULL;
    }
    mp_object *item = l->ob_item[i];
    memmove(&l->ob_item[i], &l->ob_item[i + 1], (size_t)(n - 1 - i) * sizeof(mp_object *));
    /* Shrinking never needs memory, but a failed realloc still leaves the
     * old, larger array: only the size has to change. */
    if (list_resize(l, n - 1) < 0) {
        mp_err_clear();
        MP_SIZE(l) = n - 1;
    }
    return item;
}

/* True if i indexes l; else IndexError with CPython's message for the
 * operation ("list index out of range", "list assignment index ..."). */
static bool valid_index(mp_list *l, mp_ssize_t i, const char *message)
{
    if (i >= 0 && i < MP_SIZE(l))
        return true;
    mp_err_set(MP_ERR_INDEX, message);
    return false;
}

mp_object *mp_list_get_item(mp_object *o, mp_ssize_t i)
{
    return valid_index(as_list(o), i, "list index out of range") ? as_list(o)->ob_item[i] : NULL;
}

int mp_list_set_item(mp_object *o, mp_ssize_t i, mp_object *item)
{
    mp_list *l = as_list(o);
    if (!valid_index(l, i, "list assignment index out of range")) {
        MP_XDECREF(item);
        return -1;
    }
    mp_object *old = l->ob_item[i];
    l->ob_item[i] = item;
    MP_XDECREF(old);
    return 0;
}

mp_ssize_t mp_list_size(mp_object *l) { return MP_SIZE(l); }

mp_ssize_t mp_list_allocated(mp_object *l) { return as_list(l)->allocated; }

/* ---- the type's slots ---------------------------------------------------- */

/* Items go last to first, as in CPython, so a list's contents die in
 * reverse order. */
static void list_dealloc(mp_object *o)
{
    mp_list *l = as_list(o);
    mp_gc_untrack(o);
    if (!mp_trashcan_begin(o))
        return;
    for (mp_ssize_t i = MP_SIZE(l) - 1; i >= 0; i--)
        MP_XDECREF(l->ob_item[i]);
    mp_object_free(l->ob_item);
    mp_gc_del(o);
    mp_trashcan_end();
}

static int list_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_list *l = as_list(o);
    for (mp_ssize_t i = MP_SIZE(l) - 1; i >= 0; i--) {
        if (l->ob_item[i]) {
            int r = visit(l->ob_item[i], arg);
            if (r)
                return r;
        }
    }
    return 0;
}

/* list.clear(): the list is emptied before any item is released, so code
 * run by a release sees an empty list, never a half-cleared one. */
static int list_clear(mp_object *o)
{
    mp_list *l = as_list(o);
    mp_object **items = l->ob_item;
    mp_ssize_t n = MP_SIZE(l);
    l->ob_item = NULL;
    MP_SIZE(l) = 0;
    l->allocated = 0;
    while (--n >= 0)
        MP_XDECREF(items[n]);
    mp_object_free(items);
    return 0;
}

static size_t list_sizeof(mp_object *o)
{
    return sizeof(mp_list) + (size_t)as_list(o)->allocated * sizeof(mp_object *);
}

static int list_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    return mp_sequence_richcompare(as_list(a)->ob_item, MP_SIZE(a), as_list(b)->ob_item, MP_SIZE(b),
                                   op);
}

static void list_repr(mp_object *o, mp_strbuf *out)
{
    mp_repr_sequence(o, as_list(o)->ob_item, MP_SIZE(o), "[", "]", false, out);
}

static mp_ssize_t list_len(mp_object *o) { return MP_SIZE(o); }

static int list_contains(mp_object *o, mp_object *item)
{
    return mp_items_contain(as_list(o)->ob_item, MP_SIZE(o), item);
}

static mp_object *list_iter(mp_object *o) { return mp_seq_iter_new(&mp_type_list_iterator, o); }

mp_type mp_type_list = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "list",
    .tp_basicsize = sizeof(mp_list), /* 40 */
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = list_dealloc,
    .tp_traverse = list_traverse,
    .tp_clear = list_clear,
    .tp_sizeof = list_sizeof,
    .tp_richcompare = list_richcompare,
    .tp_repr = list_repr,
    .tp_iter = list_iter,
    .tp_len = list_len,
    .tp_contains = list_contains,
};

/* A list iterator reads the list as it is at each step (appends made while
 * iterating are seen), as CPython's listiterator does. */
static mp_object *list_iter_item(mp_object *seq, mp_ssize_t i)
{
    return i < MP_SIZE(seq) ? mp_newref(as_list(seq)->ob_item[i]) : NULL;
}

MP_SEQ_ITER_TYPE(mp_type_list_iterator, "list_iterator", list_iter_item);
