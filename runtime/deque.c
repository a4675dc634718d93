/* deque.c — double-ended queues: blocks of 64 references linked both
 * ways, O(1) at either end, and each deque's cache of emptied blocks.
 *
 * Models CPython 3.11's Modules/_collectionsmodule.c. Read push_right and
 * mp_deque_popleft_full first: every other operation is built on moving
 * the two ends (deque.h inlines their common case).
 *
 * Invariants:
 *   - There is always at least one block: leftblock and rightblock are
 *     never NULL. The chain is not circular: leftblock->leftlink and
 *     rightblock->rightlink are NULL.
 *   - 0 <= leftindex, rightindex < 64, and (leftindex + len - 1) % 64 ==
 *     rightindex; when both ends share a block, leftindex + len - 1 ==
 *     rightindex.
 *   - An empty deque has leftindex 32 and rightindex 31 (CENTER + 1 and
 *     CENTER): both ends can grow half a block before allocating, which
 *     is why sys.getsizeof(deque()) == 760 changes at 33 items appended at
 *     either end, then every 64.
 *   - state changes whenever an end moves; an iterator made at one state
 *     refuses to go on at another ("deque mutated during iteration").
 *   - sys.getsizeof counts the blocks that hold the items, not the cached
 *     ones (up to 16 per deque), which stay allocated until reused or the
 *     deque dies.
 *
 * Deliberate differences: rotate, insert, remove, reverse, count, index,
 * copy, comparison and the reverse iterator are left out; nothing in the
 * labs needs them yet.
 */
#include "deque.h"

#include "error.h"
#include "gc.h"
#include "internal.h"
#include "list.h"
#include "obmalloc.h"
#include "weakref.h"

#define BLOCKLEN MP_DEQUE_BLOCKLEN
#define CENTER ((BLOCKLEN - 1) / 2) /* 31 */

_Static_assert(sizeof(mp_deque) == 216, "dequeobject is 216 bytes in 3.11");
_Static_assert(sizeof(mp_deque_block) == 528, "a deque block is 528 bytes");

static mp_deque *as_deque(mp_object *o) { return (mp_deque *)o; }

/* A block from the deque's cache, else from the allocator (528 bytes: too
 * big for the pools, so the system allocator's, as in CPython). */
static mp_deque_block *newblock(mp_deque *d)
{
    if (d->numfreeblocks > 0)
        return d->freeblocks[--d->numfreeblocks];
    return mp_object_malloc(sizeof(mp_deque_block));
}

static void freeblock(mp_deque *d, mp_deque_block *b)
{
    if (d->numfreeblocks < MP_DEQUE_MAXFREEBLOCKS)
        d->freeblocks[d->numfreeblocks++] = b;
    else
        mp_object_free(b);
}

mp_object *mp_deque_new(mp_ssize_t maxlen)
{
    if (maxlen < MP_DEQUE_UNBOUNDED) {
        mp_err_set(MP_ERR_VALUE, "maxlen must be non-negative");
        return NULL;
    }
    mp_deque *d = (mp_deque *)mp_gc_new(&mp_type_deque);
    if (!d)
        return NULL;
    d->numfreeblocks = 0;
    mp_deque_block *b = newblock(d);
    if (!b) {
        mp_gc_del(MP_OBJ(d));
        return NULL;
    }
    b->leftlink = b->rightlink = NULL;
    MP_SIZE(d) = 0;
    d->leftblock = d->rightblock = b;
    d->leftindex = CENTER + 1;
    d->rightindex = CENTER;
    d->state = 0;
    d->maxlen = maxlen;
    d->weakreflist = NULL;
    mp_gc_track(MP_OBJ(d));
    return MP_OBJ(d);
}

/* ---- the two ends -----------------------------------------------------------
 * The _full functions handle every case; deque.h inlines the common one
 * (an end moving inside its block) and calls them for the rest. Inside
 * them too, crossing into another block or emptying the deque is left to
 * out-of-line helpers, so the path through a block saves no registers. */

#define COLD __attribute__((noinline, cold))

static COLD mp_object *pop_from_empty(void)
{
    mp_err_set(MP_ERR_INDEX, "pop from an empty deque");
    return NULL;
}

/* The last item went: centre the ends again rather than free the only
 * block. */
static void recentre(mp_deque *d)
{
    d->leftindex = CENTER + 1;
    d->rightindex = CENTER;
}

/* The right end has just left its block (rightindex is -1). */
static COLD void right_block_emptied(mp_deque *d)
{
    if (MP_SIZE(d) == 0) {
        recentre(d);
        return;
    }
    mp_deque_block *prev = d->rightblock->leftlink;
    freeblock(d, d->rightblock);
    prev->rightlink = NULL;
    d->rightblock = prev;
    d->rightindex = BLOCKLEN - 1;
}

/* The left end has just left its block (leftindex is 64). */
static COLD void left_block_emptied(mp_deque *d)
{
    if (MP_SIZE(d) == 0) {
        recentre(d);
        return;
    }
    mp_deque_block *next = d->leftblock->rightlink;
    freeblock(d, d->leftblock);
    next->leftlink = NULL;
    d->leftblock = next;
    d->leftindex = 0;
}

mp_object *mp_deque_pop_full(mp_object *o)
{
    mp_deque *d = as_deque(o);
    if (MP_SIZE(d) == 0)
        return pop_from_empty();
    mp_object *item = d->rightblock->data[d->rightindex];
    MP_SIZE(d)--;
    d->state++;
    if (--d->rightindex < 0)
        right_block_emptied(d);
    return item;
}

mp_object *mp_deque_popleft_full(mp_object *o)
{
    mp_deque *d = as_deque(o);
    if (MP_SIZE(d) == 0)
        return pop_from_empty();
    mp_object *item = d->leftblock->data[d->leftindex];
    MP_SIZE(d)--;
    d->state++;
    if (++d->leftindex == BLOCKLEN)
        left_block_emptied(d);
    return item;
}

/* The right end's block is full: link a fresh one after it. */
static COLD int new_right_block(mp_deque *d)
{
    mp_deque_block *b = newblock(d);
    if (!b)
        return -1;
    b->leftlink = d->rightblock;
    b->rightlink = NULL;
    d->rightblock->rightlink = b;
    d->rightblock = b;
    d->rightindex = -1;
    return 0;
}

static COLD int new_left_block(mp_deque *d)
{
    mp_deque_block *b = newblock(d);
    if (!b)
        return -1;
    b->rightlink = d->leftblock;
    b->leftlink = NULL;
    d->leftblock->leftlink = b;
    d->leftblock = b;
    d->leftindex = BLOCKLEN;
    return 0;
}

/* A bounded deque grown past its maxlen gives up the item at the other
 * end; the test is one unsigned compare, true only for 0 <= maxlen < len. */
static bool needs_trim(const mp_deque *d) { return (size_t)d->maxlen < (size_t)MP_SIZE(d); }

static COLD void drop_left(mp_deque *d) { MP_DECREF(mp_deque_popleft_full(MP_OBJ(d))); }

static COLD void drop_right(mp_deque *d) { MP_DECREF(mp_deque_pop_full(MP_OBJ(d))); }

/* Steals item: on failure (no memory for a block) the caller still owns
 * it. A trim moves state on by itself, through the pop. */
static inline int push_right(mp_deque *d, mp_object *item)
{
    if (d->rightindex == BLOCKLEN - 1 && new_right_block(d) < 0)
        return -1;
    MP_SIZE(d)++;
    d->rightblock->data[++d->rightindex] = item;
    if (needs_trim(d))
        drop_left(d);
    else
        d->state++;
    return 0;
}

static inline int push_left(mp_deque *d, mp_object *item)
{
    if (d->leftindex == 0 && new_left_block(d) < 0)
        return -1;
    MP_SIZE(d)++;
    d->leftblock->data[--d->leftindex] = item;
    if (needs_trim(d))
        drop_right(d);
    else
        d->state++;
    return 0;
}

/* The reference is taken only once the item has a place, so a failure
 * leaves nothing to undo. (CPython 3.11 takes it first and keeps it when
 * the block allocation fails: a leak on MemoryError.) */
int mp_deque_append_full(mp_object *o, mp_object *x, const char *file, int line)
{
    mp_site_set(file, line);
    mp_deque *d = as_deque(o);
    if (d->rightindex == BLOCKLEN - 1 && new_right_block(d) < 0)
        return -1;
    return push_right(d, mp_newref(x));
}

int mp_deque_appendleft_full(mp_object *o, mp_object *x, const char *file, int line)
{
    mp_site_set(file, line);
    mp_deque *d = as_deque(o);
    if (d->leftindex == 0 && new_left_block(d) < 0)
        return -1;
    return push_left(d, mp_newref(x));
}

/* ---- several items at once ---------------------------------------------------- */

/* Runs an iterator to its end, dropping what it yields: 0, or -1 if it
 * failed. Steals it. */
static int consume(mp_object *it)
{
    mp_object *x;
    while ((x = mp_iter_next(it)) != NULL)
        MP_DECREF(x);
    MP_DECREF(it);
    return mp_err_occurred() ? -1 : 0;
}

/* list(d), read straight from the blocks. */
static mp_object *deque_items(mp_deque *d)
{
    mp_object *l = mp_list_new(MP_SIZE(d));
    if (!l)
        return NULL;
    mp_deque_block *b = d->leftblock;
    mp_ssize_t index = d->leftindex;
    for (mp_ssize_t k = 0; k < MP_SIZE(d); k++) {
        mp_list_set_item(l, k, mp_newref(b->data[index]));
        if (++index == BLOCKLEN) {
            b = b->rightlink;
            index = 0;
        }
    }
    return l;
}

int mp_deque_extend(mp_object *o, mp_object *iterable)
{
    mp_deque *d = as_deque(o);
    if (iterable == o) {
        /* d.extend(d) would iterate d while it grows: the items are taken
         * first, as CPython takes a list of them. */
        mp_object *items = deque_items(d);
        if (!items)
            return -1;
        int r = mp_deque_extend(o, items);
        MP_DECREF(items);
        return r;
    }
    mp_object *it = mp_object_getiter(iterable);
    if (!it)
        return -1;
    if (d->maxlen == 0)
        return consume(it);
    /* Filling an empty deque from the left end of its block leaves no
     * half-block unused: deque(range(40)) has one block, not two. */
    if (MP_SIZE(d) == 0) {
        d->leftindex = 1;
        d->rightindex = 0;
    }
    mp_object *x;
    while ((x = mp_iter_next(it)) != NULL) {
        if (push_right(d, x) < 0) {
            MP_DECREF(x);
            MP_DECREF(it);
            return -1;
        }
    }
    MP_DECREF(it);
    return mp_err_occurred() ? -1 : 0;
}

/* Empties the deque before releasing anything: a fresh block becomes its
 * only one, so code that runs as an item dies sees an empty deque, and the
 * old chain is walked from the saved left end. Without memory for that
 * block, popping item by item does the same more slowly. */
static int deque_clear(mp_object *o)
{
    mp_deque *d = as_deque(o);
    if (MP_SIZE(d) == 0)
        return 0;
    mp_deque_block *fresh = newblock(d);
    if (!fresh) {
        mp_err_clear();
        while (MP_SIZE(d) > 0)
            MP_DECREF(mp_deque_pop(o));
        return 0;
    }
    mp_ssize_t n = MP_SIZE(d);
    mp_deque_block *b = d->leftblock;
    mp_ssize_t index = d->leftindex;

    fresh->leftlink = fresh->rightlink = NULL;
    MP_SIZE(d) = 0;
    d->leftblock = d->rightblock = fresh;
    d->leftindex = CENTER + 1;
    d->rightindex = CENTER;
    d->state++;

    for (;;) {
        mp_ssize_t stop = n < BLOCKLEN - index ? index + n : BLOCKLEN;
        n -= stop - index;
        for (; index < stop; index++)
            MP_DECREF(b->data[index]);
        mp_deque_block *next = b->rightlink;
        freeblock(d, b);
        if (n == 0)
            return 0;
        b = next;
        index = 0;
    }
}

void mp_deque_clear(mp_object *d) { deque_clear(d); }

/* ---- by index ------------------------------------------------------------------ */

/* The block holding item i (0 <= i < len) and its slot there, reached by
 * following links from whichever end is nearer: O(len / 64). */
static mp_deque_block *locate(mp_deque *d, mp_ssize_t i, mp_ssize_t *slot)
{
    mp_ssize_t pos = d->leftindex + i; /* counted from the left block's slot 0 */
    mp_ssize_t hops = pos / BLOCKLEN;
    *slot = pos % BLOCKLEN;
    mp_deque_block *b;
    if (i < MP_SIZE(d) / 2) {
        for (b = d->leftblock; hops > 0; hops--)
            b = b->rightlink;
    } else {
        hops = (d->leftindex + MP_SIZE(d) - 1) / BLOCKLEN - hops;
        for (b = d->rightblock; hops > 0; hops--)
            b = b->leftlink;
    }
    return b;
}

static bool checked_index(mp_deque *d, mp_ssize_t *i)
{
    if (*i < 0)
        *i += MP_SIZE(d);
    if (*i >= 0 && *i < MP_SIZE(d))
        return true;
    mp_err_set(MP_ERR_INDEX, "deque index out of range");
    return false;
}

mp_object *mp_deque_getitem(mp_object *o, mp_ssize_t i)
{
    mp_deque *d = as_deque(o);
    if (!checked_index(d, &i))
        return NULL;
    mp_ssize_t slot;
    mp_deque_block *b = locate(d, i, &slot);
    return mp_newref(b->data[slot]);
}

/* The ends stay where they are, so state does not change: iterators go on
 * and see the new item, as in CPython. */
int mp_deque_setitem(mp_object *o, mp_ssize_t i, mp_object *item)
{
    mp_deque *d = as_deque(o);
    if (!checked_index(d, &i))
        return -1;
    mp_ssize_t slot;
    mp_deque_block *b = locate(d, i, &slot);
    mp_object *old = b->data[slot];
    b->data[slot] = mp_newref(item);
    MP_DECREF(old);
    return 0;
}

mp_ssize_t mp_deque_size(mp_object *d) { return MP_SIZE(d); }

mp_ssize_t mp_deque_maxlen(mp_object *d) { return as_deque(d)->maxlen; }

/* ---- the type's slots ----------------------------------------------------------- */

/* As CPython 3.11's, without the trashcan: a chain of deques nested
 * deeply enough can exhaust the C stack as it dies. */
static void deque_dealloc(mp_object *o)
{
    mp_deque *d = as_deque(o);
    mp_gc_untrack(o);
    if (d->weakreflist)
        mp_object_clear_weakrefs(o);
    deque_clear(o);
    freeblock(d, d->leftblock);
    for (mp_ssize_t k = 0; k < d->numfreeblocks; k++)
        mp_object_free(d->freeblocks[k]);
    mp_gc_del(o);
}

static int deque_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_deque *d = as_deque(o);
    mp_deque_block *b = d->leftblock;
    mp_ssize_t index = d->leftindex;
    for (mp_ssize_t n = MP_SIZE(d); n > 0; n--) {
        int r = visit(b->data[index], arg);
        if (r)
            return r;
        if (++index == BLOCKLEN) {
            b = b->rightlink;
            index = 0;
        }
    }
    return 0;
}

/* The deque and the blocks that hold its items, whether or not they are
 * full: the half-empty end blocks count whole, the cached ones not at all. */
static size_t deque_sizeof(mp_object *o)
{
    mp_deque *d = as_deque(o);
    size_t blocks = (size_t)(d->leftindex + MP_SIZE(d) + BLOCKLEN - 1) / BLOCKLEN;
    return sizeof(mp_deque) + blocks * sizeof(mp_deque_block);
}

/* deque([1, 2]) or deque([1, 2], maxlen=3); a deque inside itself prints
 * as [...], as CPython's does. */
static void deque_repr(mp_object *o, mp_strbuf *out)
{
    mp_deque *d = as_deque(o);
    if (!mp_repr_enter(o)) {
        mp_strbuf_puts(out, "[...]");
        return;
    }
    mp_strbuf_puts(out, "deque([");
    mp_deque_block *b = d->leftblock;
    mp_ssize_t index = d->leftindex;
    for (mp_ssize_t k = 0; k < MP_SIZE(d) && !out->truncated; k++) {
        if (k)
            mp_strbuf_puts(out, ", ");
        mp_repr_into(b->data[index], out);
        if (++index == BLOCKLEN) {
            b = b->rightlink;
            index = 0;
        }
    }
    if (d->maxlen == MP_DEQUE_UNBOUNDED)
        mp_strbuf_puts(out, "])");
    else
        mp_strbuf_printf(out, "], maxlen=%td)", d->maxlen);
    mp_repr_leave();
}

static mp_ssize_t deque_len(mp_object *o) { return MP_SIZE(o); }

/* ---- iteration --------------------------------------------------------------------
 * dequeiterobject: where the next item is, how many are left, and the
 * deque's state when the iterator was made (72 bytes with the GC header).
 * It keeps its deque until it dies, exhausted or not, as CPython's does. */
typedef struct {
    mp_object ob_base;
    mp_deque_block *b;
    mp_ssize_t index;
    mp_deque *deque;
    size_t state;
    mp_ssize_t counter; /* items still to yield */
} deque_iter;

static mp_object *deque_iter_new(mp_object *o)
{
    mp_deque *d = as_deque(o);
    deque_iter *it = (deque_iter *)mp_gc_new(&mp_type_deque_iterator);
    if (!it)
        return NULL;
    it->b = d->leftblock;
    it->index = d->leftindex;
    it->deque = (mp_deque *)mp_newref(d);
    it->state = d->state;
    it->counter = MP_SIZE(d);
    mp_gc_track(MP_OBJ(it));
    return MP_OBJ(it);
}

/* Once the deque has moved an end, every later step fails too. */
static mp_object *deque_iter_next(mp_object *o)
{
    deque_iter *it = (deque_iter *)o;
    if (it->deque->state != it->state) {
        it->counter = 0;
        mp_err_set(MP_ERR_RUNTIME, "deque mutated during iteration");
        return NULL;
    }
    if (it->counter == 0)
        return NULL;
    mp_object *item = it->b->data[it->index++];
    if (--it->counter > 0 && it->index == BLOCKLEN) {
        it->b = it->b->rightlink;
        it->index = 0;
    }
    return mp_newref(item);
}

static void deque_iter_dealloc(mp_object *o)
{
    mp_gc_untrack(o);
    MP_DECREF(((deque_iter *)o)->deque);
    mp_gc_del(o);
}

static int deque_iter_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    return visit(MP_OBJ(((deque_iter *)o)->deque), arg);
}

mp_type mp_type_deque = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "collections.deque",
    .tp_basicsize = sizeof(mp_deque),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = deque_dealloc,
    .tp_traverse = deque_traverse,
    .tp_clear = deque_clear,
    .tp_sizeof = deque_sizeof,
    .tp_repr = deque_repr,
    .tp_iter = deque_iter_new,
    .tp_len = deque_len,
    .tp_weaklistoffset = offsetof(mp_deque, weakreflist),
};

mp_type mp_type_deque_iterator = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "_collections._deque_iterator",
    .tp_basicsize = sizeof(deque_iter),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = deque_iter_dealloc,
    .tp_traverse = deque_iter_traverse,
    .tp_iter = mp_self_iter,
    .tp_iternext = deque_iter_next,
};
