/* set.c — sets: an open-addressing hash table with CPython 3.11's probing,
 * load factor and growth, so sizes and iteration orders agree.
 *
 * Models CPython 3.11's Objects/setobject.c. Read set_add_entry first:
 * where a key goes, when the table grows, and why deleted slots stay
 * behind as dummies.
 *
 * The table has 2**k slots. A key's search starts at slot hash & mask and
 * looks at the MP_SET_LINEAR_PROBES slots after it too (neighbours share a
 * cache line), then jumps to i*5 + 1 + perturb, where perturb feeds in the
 * hash's higher bits, 5 at a time; once it is 0, the recurrence
 * i*5 + 1 mod 2**k visits every slot, so a search always ends at an empty
 * one. Deleting a key cannot empty its slot: a search for a key further
 * along the same chain would stop there. So the slot gets the dummy key,
 * which searches step over and insertions may reuse.
 *
 * Invariants:
 *   - 0 <= used <= fill < mask + 1; at least one slot is always empty.
 *   - After an insertion into an empty slot, fill * 5 < mask * 3 (a table
 *     at most 60% full, dummies included), or the table is rebuilt for
 *     used * 4 keys (used * 2 past 50000): the smallest power of two above
 *     that, so sys.getsizeof(set(range(n))) steps 216, 728, 2264, 8408 ...
 *     A rebuild drops the dummies; deletions alone never shrink the table.
 *   - table == smalltable (the 8 slots inside the object) or a separate
 *     block of (mask + 1) entries, which sys.getsizeof adds to 200 + 16.
 *   - An active slot holds a reference to its key; empty and dummy slots
 *     hold none. The hash stored beside a key is the key's hash, never -1.
 *   - CPython keeps the dummy in a static object too; this one never
 *     leaves the module.
 */
#include "set.h"

#include <string.h>

#include "abstract.h"
#include "error.h"
#include "gc.h"
#include "internal.h"
#include "obmalloc.h"
#include "weakref.h"

#define MP_SET_LINEAR_PROBES 9 /* slots looked at after the first, before a jump */
#define MP_SET_PERTURB_SHIFT 5 /* bits of the hash fed into each jump */

_Static_assert(sizeof(mp_set) == 200, "PySetObject is 200 bytes (216 with the GC header)");

static mp_type dummy_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "dummy",
    .tp_basicsize = sizeof(mp_object),
};

static mp_object dummy_key = {MP_IMMORTAL_REFCNT, &dummy_type};
#define dummy (&dummy_key)

static mp_set *as_set(mp_object *o) { return (mp_set *)o; }

static bool is_empty(const mp_set_entry *e) { return e->key == NULL && e->hash == 0; }

static bool is_active(const mp_set_entry *e) { return e->key != NULL && e->key != dummy; }

/* How many neighbours to look at from slot i before jumping: none when the
 * run would pass the end of the table. */
static int linear_probes(size_t i, size_t mask)
{
    return i + MP_SET_LINEAR_PROBES <= mask ? MP_SET_LINEAR_PROBES : 0;
}

/* The next probe after a run of neighbours. */
static size_t next_probe(size_t i, size_t *perturb, size_t mask)
{
    *perturb >>= MP_SET_PERTURB_SHIFT;
    return (i * 5 + 1 + *perturb) & mask;
}

/* Compares the key in an active slot with key. Comparison may run code
 * that changes the set; *moved is then set, and the search must start
 * over, since the slot it stood on may be gone. 1, 0 or -1. */
static int same_key(mp_set *so, mp_set_entry *entry, mp_object *key, bool *moved)
{
    mp_object *start = entry->key;
    if (start == key)
        return 1;
    mp_set_entry *table = so->table;
    MP_INCREF(start);
    int eq = mp_object_richcompare(start, key, MP_EQ);
    MP_DECREF(start);
    *moved = eq >= 0 && (table != so->table || entry->key != start);
    return eq;
}

/* The slot holding key, or the empty slot where its search ended; NULL
 * when a comparison failed. Dummies never match: their hash is -1, which
 * no key has. */
static mp_set_entry *set_lookkey(mp_set *so, mp_object *key, mp_hash_t hash)
{
restart:;
    size_t mask = (size_t)so->mask, perturb = (size_t)hash, i = (size_t)hash & mask;
    for (;;) {
        mp_set_entry *entry = &so->table[i];
        int probes = linear_probes(i, mask);
        do {
            if (is_empty(entry))
                return entry;
            if (entry->hash == hash) {
                bool moved = false;
                int eq = same_key(so, entry, key, &moved);
                if (eq < 0)
                    return NULL;
                if (moved)
                    goto restart;
                if (eq)
                    return entry;
                mask = (size_t)so->mask;
            }
            entry++;
        } while (probes--);
        i = next_probe(i, &perturb, mask);
    }
}

/* Puts a key known to be absent into a table without dummies: the first
 * empty slot of its search. Counts and references are the caller's. */
static void set_insert_clean(mp_set_entry *table, size_t mask, mp_object *key, mp_hash_t hash)
{
    size_t perturb = (size_t)hash, i = (size_t)hash & mask;
    for (;;) {
        mp_set_entry *entry = &table[i];
        int probes = linear_probes(i, mask);
        do {
            if (entry->key == NULL) {
                entry->key = key;
                entry->hash = hash;
                return;
            }
            entry++;
        } while (probes--);
        i = next_probe(i, &perturb, mask);
    }
}

/* Rebuilds the table with the smallest power-of-two size above minused
 * (at least 8), leaving the dummies behind. The small table inside the
 * object is used whenever 8 slots are enough. */
static int set_table_resize(mp_set *so, mp_ssize_t minused)
{
    size_t newsize = MP_SET_MINSIZE;
    while (newsize <= (size_t)minused)
        newsize <<= 1;
    if (newsize > (size_t)PTRDIFF_MAX / sizeof(mp_set_entry)) {
        mp_err_nomemory();
        return -1;
    }
    mp_set_entry *oldtable = so->table;
    size_t oldmask = (size_t)so->mask;
    bool old_is_separate = oldtable != so->smalltable;
    mp_set_entry small_copy[MP_SET_MINSIZE];
    mp_set_entry *newtable;
    if (newsize == MP_SET_MINSIZE) {
        newtable = so->smalltable;
        if (newtable == oldtable) {
            if (so->fill == so->used)
                return 0; /* nothing to purge */
            memcpy(small_copy, oldtable, sizeof small_copy);
            oldtable = small_copy;
        }
    } else {
        newtable = mp_object_malloc(newsize * sizeof(mp_set_entry));
        if (!newtable)
            return -1;
    }
    memset(newtable, 0, newsize * sizeof(mp_set_entry));
    so->table = newtable;
    so->mask = (mp_ssize_t)newsize - 1;
    so->fill = so->used;
    for (size_t i = 0; i <= oldmask; i++) {
        if (is_active(&oldtable[i]))
            set_insert_clean(newtable, newsize - 1, oldtable[i].key, oldtable[i].hash);
    }
    if (old_is_separate)
        mp_object_free(oldtable);
    return 0;
}

/* Adds key, with its hash known. The search remembers the last dummy it
 * passed and, when the key turns out to be absent, reuses that slot:
 * then fill does not grow and the table cannot need to. A key put into an
 * empty slot may push fill past 60%, and the table is rebuilt. */
static int set_add_entry(mp_set *so, mp_object *key, mp_hash_t hash)
{
    /* Held across the comparisons, which could drop the caller's reference. */
    MP_INCREF(key);
restart:;
    size_t mask = (size_t)so->mask, perturb = (size_t)hash, i = (size_t)hash & mask;
    mp_set_entry *freeslot = NULL, *entry;
    for (;;) {
        entry = &so->table[i];
        int probes = linear_probes(i, mask);
        do {
            if (is_empty(entry))
                goto absent;
            if (entry->hash == hash) {
                bool moved = false;
                int eq = same_key(so, entry, key, &moved);
                if (eq < 0) {
                    MP_DECREF(key);
                    return -1;
                }
                if (eq) {
                    MP_DECREF(key);
                    return 0;
                }
                if (moved)
                    goto restart;
                mask = (size_t)so->mask;
            } else if (entry->hash == -1) {
                freeslot = entry;
            }
            entry++;
        } while (probes--);
        i = next_probe(i, &perturb, mask);
    }
absent:
    so->used++;
    if (freeslot) {
        freeslot->key = key;
        freeslot->hash = hash;
        return 0;
    }
    so->fill++;
    entry->key = key;
    entry->hash = hash;
    if ((size_t)so->fill * 5 < mask * 3)
        return 0;
    return set_table_resize(so, so->used > 50000 ? so->used * 2 : so->used * 4);
}

static int set_add_key(mp_set *so, mp_object *key)
{
    mp_hash_t hash = mp_object_hash(key);
    if (hash == -1)
        return -1;
    return set_add_entry(so, key, hash);
}

/* Looks key up: 1 and its slot in *found, 0 when absent, -1 on error. */
static int find_key(mp_set *so, mp_object *key, mp_set_entry **found)
{
    mp_hash_t hash = mp_object_hash(key);
    if (hash == -1)
        return -1;
    mp_set_entry *entry = set_lookkey(so, key, hash);
    if (!entry)
        return -1;
    *found = entry;
    return entry->key != NULL;
}

/* Marks an active slot deleted; fill stays, used drops. */
static void discard_entry(mp_set *so, mp_set_entry *entry)
{
    mp_object *old = entry->key;
    entry->key = dummy;
    entry->hash = -1;
    so->used--;
    MP_DECREF(old);
}

/* Adds every key of another set. With an empty table of the same size
 * and no dummies, the slots are copied as they are; into an empty table,
 * keys go in without comparisons; otherwise one by one. Either way the
 * table is first made big enough for both sets, in one rebuild. */
static int set_merge(mp_set *so, mp_set *other)
{
    if (other == so || other->used == 0)
        return 0;
    if ((so->fill + other->used) * 5 >= so->mask * 3 &&
        set_table_resize(so, (so->used + other->used) * 2) < 0)
        return -1;
    if (so->fill == 0 && so->mask == other->mask && other->fill == other->used) {
        for (mp_ssize_t i = 0; i <= other->mask; i++) {
            if (other->table[i].key) {
                so->table[i].key = mp_newref(other->table[i].key);
                so->table[i].hash = other->table[i].hash;
            }
        }
        so->fill = so->used = other->used;
        return 0;
    }
    if (so->fill == 0) {
        so->fill = so->used = other->used;
        for (mp_ssize_t i = 0; i <= other->mask; i++) {
            mp_set_entry *e = &other->table[i];
            if (is_active(e))
                set_insert_clean(so->table, (size_t)so->mask, mp_newref(e->key), e->hash);
        }
        return 0;
    }
    for (mp_ssize_t i = 0; i <= other->mask; i++) {
        mp_set_entry *e = &other->table[i];
        if (is_active(e) && set_add_entry(so, e->key, e->hash) < 0)
            return -1;
    }
    return 0;
}

/* The next active slot at or after *pos, advancing *pos past it. */
static mp_set_entry *set_next(mp_set *so, mp_ssize_t *pos)
{
    for (mp_ssize_t i = *pos; i <= so->mask; i++) {
        if (is_active(&so->table[i])) {
            *pos = i + 1;
            return &so->table[i];
        }
    }
    *pos = so->mask + 1;
    return NULL;
}

static void empty_to_minsize(mp_set *so)
{
    memset(so->smalltable, 0, sizeof so->smalltable);
    so->fill = so->used = 0;
    so->mask = MP_SET_MINSIZE - 1;
    so->table = so->smalltable;
    so->hash = -1;
}

/* ---- the public functions ---------------------------------------------------- */

int mp_set_update(mp_object *s, mp_object *iterable)
{
    if (mp_set_check(iterable))
        return set_merge(as_set(s), as_set(iterable));
    mp_object *it = mp_object_getiter(iterable);
    if (!it)
        return -1;
    mp_object *key;
    while ((key = mp_iter_next(it)) != NULL) {
        int r = set_add_key(as_set(s), key);
        MP_DECREF(key);
        if (r < 0) {
            MP_DECREF(it);
            return -1;
        }
    }
    MP_DECREF(it);
    return mp_err_occurred() ? -1 : 0;
}

mp_object *mp_set_new(mp_object *iterable)
{
    mp_set *so = (mp_set *)mp_gc_new(&mp_type_set);
    if (!so)
        return NULL;
    empty_to_minsize(so);
    so->finger = 0;
    so->weakreflist = NULL;
    mp_gc_track(MP_OBJ(so));
    if (iterable && mp_set_update(MP_OBJ(so), iterable) < 0) {
        MP_DECREF(so);
        return NULL;
    }
    return MP_OBJ(so);
}

int mp_set_add(mp_object *s, mp_object *key)
{
    MP_CHECK_LIVE(s, "set.add");
    MP_CHECK_LIVE(key, "set.add");
    return set_add_key(as_set(s), key);
}

int mp_set_discard(mp_object *s, mp_object *key)
{
    mp_set_entry *entry;
    int r = find_key(as_set(s), key, &entry);
    if (r > 0)
        discard_entry(as_set(s), entry);
    return r;
}

/* KeyError's message is str(KeyError(key)), which is repr(key). */
int mp_set_remove(mp_object *s, mp_object *key)
{
    int r = mp_set_discard(s, key);
    if (r == 0) {
        char text[256];
        mp_err_set(MP_ERR_KEY, mp_repr(key, text, sizeof text));
    }
    return r > 0 ? 0 : -1;
}

int mp_set_contains(mp_object *s, mp_object *key)
{
    mp_set_entry *entry;
    return find_key(as_set(s), key, &entry);
}

/* The finger makes repeated pops walk the table once instead of scanning
 * the emptied front again each time. */
mp_object *mp_set_pop(mp_object *s)
{
    mp_set *so = as_set(s);
    if (so->used == 0) {
        mp_err_set(MP_ERR_KEY, "pop from an empty set");
        return NULL;
    }
    mp_ssize_t i = so->finger & so->mask;
    while (!is_active(&so->table[i]))
        i = i == so->mask ? 0 : i + 1;
    mp_object *key = so->table[i].key;
    so->table[i].key = dummy;
    so->table[i].hash = -1;
    so->used--;
    so->finger = i + 1;
    return key;
}

/* The set is emptied before any key is released: a key's dealloc could
 * run code that looks at the set. A small table is copied aside first,
 * since emptying it overwrites the slots. */
void mp_set_clear(mp_object *s)
{
    mp_set *so = as_set(s);
    mp_set_entry *table = so->table, small_copy[MP_SET_MINSIZE];
    mp_ssize_t used = so->used;
    bool separate = table != so->smalltable;
    if (!separate && so->fill == 0)
        return;
    if (!separate) {
        memcpy(small_copy, table, sizeof small_copy);
        table = small_copy;
    }
    empty_to_minsize(so);
    for (mp_set_entry *e = table; used > 0; e++) {
        if (is_active(e)) {
            used--;
            MP_DECREF(e->key);
        }
    }
    if (separate)
        mp_object_free(table);
}

mp_ssize_t mp_set_size(mp_object *s) { return as_set(s)->used; }

/* ---- the type's slots ---------------------------------------------------- */

static void set_dealloc(mp_object *o)
{
    mp_set *so = as_set(o);
    mp_gc_untrack(o);
    if (!mp_trashcan_begin(o))
        return;
    mp_object_clear_weakrefs(o);
    mp_ssize_t used = so->used;
    for (mp_set_entry *e = so->table; used > 0; e++) {
        if (is_active(e)) {
            used--;
            MP_DECREF(e->key);
        }
    }
    if (so->table != so->smalltable)
        mp_object_free(so->table);
    mp_gc_del(o);
    mp_trashcan_end();
}

static int set_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_set *so = as_set(o);
    mp_ssize_t pos = 0;
    mp_set_entry *e;
    while ((e = set_next(so, &pos)) != NULL) {
        int r = visit(e->key, arg);
        if (r)
            return r;
    }
    return 0;
}

static int set_tp_clear(mp_object *o)
{
    mp_set_clear(o);
    return 0;
}

static size_t set_sizeof(mp_object *o)
{
    mp_set *so = as_set(o);
    size_t n = sizeof(mp_set);
    if (so->table != so->smalltable)
        n += (size_t)(so->mask + 1) * sizeof(mp_set_entry);
    return n;
}

/* a <= b: every key of a is in b. */
static int set_issubset(mp_set *a, mp_set *b)
{
    if (a->used > b->used)
        return 0;
    mp_ssize_t pos = 0;
    mp_set_entry *e;
    while ((e = set_next(a, &pos)) != NULL) {
        mp_object *key = mp_newref(e->key);
        mp_set_entry *found = set_lookkey(b, key, e->hash);
        MP_DECREF(key);
        if (!found)
            return -1;
        if (!found->key)
            return 0;
    }
    return 1;
}

/* Equality and the subset orders: a < b is a proper subset. */
static int set_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    mp_set *x = as_set(a), *y = as_set(b);
    int r;
    switch (op) {
    case MP_EQ:
    case MP_NE:
        r = x->used == y->used ? set_issubset(x, y) : 0;
        return r < 0 ? -1 : op == MP_EQ ? r : !r;
    case MP_LE: return set_issubset(x, y);
    case MP_GE: return set_issubset(y, x);
    case MP_LT: return x->used < y->used ? set_issubset(x, y) : 0;
    case MP_GT: return y->used < x->used ? set_issubset(y, x) : 0;
    }
    return -1;
}

/* {1, 2} in table order; set() when empty; set(...) for a set met again
 * inside its own repr. */
static void set_repr(mp_object *o, mp_strbuf *out)
{
    mp_set *so = as_set(o);
    if (!mp_repr_enter(o)) {
        mp_strbuf_puts(out, "set(...)");
        return;
    }
    if (so->used == 0) {
        mp_strbuf_puts(out, "set()");
    } else {
        mp_strbuf_puts(out, "{");
        mp_ssize_t pos = 0;
        mp_set_entry *e;
        bool first = true;
        while ((e = set_next(so, &pos)) != NULL && !out->truncated) {
            if (!first)
                mp_strbuf_puts(out, ", ");
            mp_repr_into(e->key, out);
            first = false;
        }
        mp_strbuf_puts(out, "}");
    }
    mp_repr_leave();
}

static mp_ssize_t set_len(mp_object *o) { return as_set(o)->used; }

/* ---- the iterator ------------------------------------------------------------
 * CPython's setiterobject: the set, its size when iteration began, the next
 * slot and the keys left, 64 bytes with the GC header. A set whose size
 * changed under it raises RuntimeError, and keeps raising it. */

typedef struct set_iter {
    mp_object ob_base;
    mp_set *si_set; /* NULL once exhausted */
    mp_ssize_t si_used;
    mp_ssize_t si_pos;
    mp_ssize_t len;
} set_iter;

static mp_object *set_iter_new(mp_object *o)
{
    set_iter *it = (set_iter *)mp_gc_new(&mp_type_set_iterator);
    if (!it)
        return NULL;
    it->si_set = (mp_set *)mp_newref(o);
    it->si_used = as_set(o)->used;
    it->si_pos = 0;
    it->len = as_set(o)->used;
    mp_gc_track(MP_OBJ(it));
    return MP_OBJ(it);
}

static mp_object *set_iter_next(mp_object *o)
{
    set_iter *it = (set_iter *)o;
    mp_set *so = it->si_set;
    if (!so)
        return NULL;
    if (it->si_used != so->used) {
        mp_err_set(MP_ERR_RUNTIME, "Set changed size during iteration");
        it->si_used = -1;
        return NULL;
    }
    mp_set_entry *e = set_next(so, &it->si_pos);
    if (!e) {
        MP_CLEAR(it->si_set);
        return NULL;
    }
    it->len--;
    return mp_newref(e->key);
}

static void set_iter_dealloc(mp_object *o)
{
    mp_gc_untrack(o);
    MP_XDECREF(((set_iter *)o)->si_set);
    mp_gc_del(o);
}

static int set_iter_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    set_iter *it = (set_iter *)o;
    return it->si_set ? visit(MP_OBJ(it->si_set), arg) : 0;
}

mp_type mp_type_set_iterator = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "set_iterator",
    .tp_basicsize = sizeof(set_iter), /* 48 */
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = set_iter_dealloc,
    .tp_traverse = set_iter_traverse,
    .tp_iter = mp_self_iter,
    .tp_iternext = set_iter_next,
};

mp_type mp_type_set = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "set",
    .tp_basicsize = sizeof(mp_set), /* 200 */
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = set_dealloc,
    .tp_traverse = set_traverse,
    .tp_clear = set_tp_clear,
    .tp_sizeof = set_sizeof,
    .tp_richcompare = set_richcompare,
    .tp_repr = set_repr,
    .tp_iter = set_iter_new,
    .tp_len = set_len,
    .tp_contains = mp_set_contains,
    .tp_weaklistoffset = offsetof(mp_set, weakreflist),
};
