/* internal.h — what the runtime's files share and labs never call.
 *
 * The counterpart of CPython's Include/internal/pycore_*.h: start-up and
 * shutdown of each type's shared objects, and debug-build helpers.
 */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include "abstract.h"
#include "gc.h"
#include "object.h"
#include "tuple.h"

/* Each module's part of mp_init / mp_fini; an init returns -1 on failure. */
int mp_int_init(void);
void mp_int_fini(void);
int mp_str_init(void);
void mp_str_fini(void);
int mp_tuple_init(void);
void mp_tuple_fini(void);
void mp_malloc_init(void);
void mp_malloc_fini(void);
void mp_tracemalloc_fini(void);
void mp_gc_init(void);
void mp_gc_fini(void);

/* The tracing hook the allocator calls while mp_tracemalloc_tracing.
 * A new block of n requested bytes is traced after it is made, as CPython's
 * tracemalloc_alloc does: track_new gives 0, or -1 with MemoryError when
 * the trace cannot be recorded, and the allocator then frees the block and
 * fails the request. A realloc cannot undo a move, so it makes room first:
 * prepare (the current site's number, into *site, and a free slot) gives
 * 0, or -1 with MemoryError and the realloc is not made; after it, track
 * records the block, which cannot fail then. untrack forgets a block given
 * back. */
int mp_tracemalloc_track_new(void *p, size_t n);
int mp_tracemalloc_prepare(uint32_t *site);
void mp_tracemalloc_track(void *p, size_t n, uint32_t site);
void mp_tracemalloc_untrack(void *p);

/* Failure injection (obmalloc.c). The allocator recomputes whether its
 * full path is needed when tracing starts or stops. */
void mp_alloc_hooks_update(void);
/* For an allocation outside the choke point (tracemalloc's tables): counts
 * one request, and true when it is to fail, MemoryError set. */
bool mp_alloc_should_fail(void);

/* Bytes for a variable-size object of nitems items, or SIZE_MAX with
 * SystemError (a negative count) or MemoryError (an absurd one) set. */
size_t mp_var_bytes(const mp_type *t, mp_ssize_t nitems);

/* The release of an object's memory, named by its type so a debug build can
 * say what a freed block used to be. */
void mp_object_free_named(void *p, const char *type_name);

/* The allocator under the accounting (obmalloc.c): pools or the system. */
void *mp_raw_malloc(size_t n);
void mp_raw_free(void *p);
void *mp_raw_realloc(void *p, size_t n);
size_t mp_raw_size(void *p); /* the size class, or a large block's size */
/* What a request of n bytes occupies without debug guards. */
size_t mp_rounded_size(size_t n);
/* Calls visit for every pool holding blocks: its address range. */
void mp_obmalloc_visit_pools(void (*visit)(uintptr_t start, size_t bytes, void *arg), void *arg);

#ifdef MP_DEBUG
/* The debug layer (memdebug.c) over the raw allocator. The free returns
 * what the block counts as in the statistics, as mp_debug_size does. */
void *mp_debug_malloc(size_t n);
size_t mp_debug_free(void *p, const char *type_name);
void *mp_debug_realloc(void *p, size_t n);
size_t mp_debug_size(void *p);
void mp_debug_fini(void);
/* If p lies inside a block freed recently (still poisoned, not reused), the
 * type name the block was freed as, or "" for a non-object block; else NULL. */
const char *mp_debug_freed_name(const void *p);
#endif

/* At mp_fini, a shared object's count must be back where mp_init set it;
 * a debug build aborts naming the object otherwise (leaked references). */
void mp_check_released(mp_object *shared);

/* The repr of a list or tuple: items between open and close, and a comma
 * after a single item where Python writes one, as in (x,). */
void mp_repr_sequence(mp_object *self, mp_object *const *items, mp_ssize_t n, const char *open,
                      const char *close, bool comma_after_one, mp_strbuf *out);
/* Compares two sequences as Python does: item by item, then by length. */
int mp_sequence_richcompare(mp_object *const *a, mp_ssize_t na, mp_object *const *b, mp_ssize_t nb,
                            mp_compare_op op);
/* The truth of "c op 0" for a three-way comparison result c. */
int mp_compare_result(int c, mp_compare_op op);
/* `item in items[0..n)`, identity first, then ==: 1, 0 or -1. */
int mp_items_contain(mp_object *const *items, mp_ssize_t n, mp_object *item);

/* ---- iterators over a sequence read by index (seqiter.c) ---------------------
 * CPython's listiterator and tupleiterator: the sequence and the next
 * index, 48 bytes with the GC header. item(seq, i) returns a new reference
 * to item i, or NULL past the end. */
typedef struct mp_seq_iter {
    mp_object ob_base;
    mp_ssize_t index;
    mp_object *seq; /* NULL once exhausted, so a dead iterator holds nothing */
} mp_seq_iter;

mp_object *mp_seq_iter_new(mp_type *t, mp_object *seq);
mp_object *mp_seq_iter_step(mp_object *it, mp_object *(*item)(mp_object *seq, mp_ssize_t i));
void mp_seq_iter_dealloc(mp_object *it);
int mp_seq_iter_traverse(mp_object *it, mp_visitproc visit, void *arg);

/* Defines `var`, the type of an iterator over a sequence read by item. */
#define MP_SEQ_ITER_TYPE(var, name, item)                                                      \
    static mp_object *var##_next(mp_object *it) { return mp_seq_iter_step(it, item); }          \
    mp_type var = {                                                                            \
        .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},                                        \
        .tp_name = name,                                                                       \
        .tp_basicsize = sizeof(mp_seq_iter),                                                   \
        .tp_flags = MP_TPFLAGS_HAVE_GC,                                                        \
        .tp_dealloc = mp_seq_iter_dealloc,                                                     \
        .tp_traverse = mp_seq_iter_traverse,                                                   \
        .tp_iter = mp_self_iter,                                                               \
        .tp_iternext = var##_next,                                                             \
    }

/* _PyObject_GC_MAY_BE_TRACKED: o is a container that is tracked or may be
 * later. A tuple untracked by a collection never is again (it cannot
 * change), so a dict holding only such things needs no tracking either. */
static inline bool mp_gc_may_be_tracked(mp_object *o)
{
    if (!mp_type_is_gc(o->ob_type))
        return false;
    return o->ob_type != &mp_type_tuple || MP_AS_GC(o)->gc_next != 0;
}

/* Whether _PyDict_MaybeUntrack would untrack d: it holds nothing that may
 * be tracked. A full collection untracks such dicts (dict.c). */
bool mp_dict_may_untrack(mp_object *d);

/* Py_TRASHCAN_BEGIN / Py_TRASHCAN_END (trashcan.c), around the body of a
 * container's dealloc, after it untracks the container:
 *
 *     if (!mp_trashcan_begin(o))
 *         return;              (deferred: the dealloc runs again later)
 *     ...release the items, free the container...
 *     mp_trashcan_end();
 */
bool mp_trashcan_begin(mp_object *o);
void mp_trashcan_end(void);

/* ---- weak references, for the collector (weakref.c) ----------------------- */
struct mp_weakref;
/* _PyWeakref_ClearRef: unlinks r from its referent, which it no longer
 * refers to; its callback stays, to be run or dropped by the caller. */
void mp_weakref_clear_ref(struct mp_weakref *r);
/* Runs r's callback if it has one, once, and drops it. */
void mp_weakref_run_callback(struct mp_weakref *r);
/* clear_weakref, for the deallocs and tp_clears of weakref.ref's subtypes:
 * clears r and drops its callback without running it. */
void mp_weakref_clear(struct mp_weakref *r);

/* Prints "memlab: fatal: <message>" to stderr and aborts. */
_Noreturn void mp_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- dicts, classes and instances (dict.c, instance.c) -------------------------
 * The half of dict.c that CPython 3.11 keeps for instances: the keys a
 * class shares with its instances' values (ht_cached_keys), the values
 * arrays, and a dict made from them when __dict__ is asked for. */
typedef struct mp_dict_keys mp_dict_keys;

/* _PyDict_NewKeysForClass; NULL with MemoryError. */
mp_dict_keys *mp_dict_keys_new_for_class(void);
void mp_dict_keys_decref(mp_dict_keys *dk);
mp_ssize_t mp_dict_keys_nentries(const mp_dict_keys *dk);
/* _PyDictKeys_StringLookup: the entry of a str name, or -1. */
mp_ssize_t mp_dict_keys_lookup_str(mp_dict_keys *dk, mp_object *name);
/* insert_into_dictkeys: the entry of a str name, added if new; -1 when the
 * shared keys are full. */
mp_ssize_t mp_dict_keys_insert_str(mp_dict_keys *dk, mp_object *name);
/* init_inline_values: a new instance's values, all NULL; NULL with
 * MemoryError. */
mp_object **mp_dict_values_new_for_instance(mp_dict_keys *dk);
/* _PyObject_GetInstanceAttribute: a borrowed value, or NULL. */
mp_object *mp_dict_values_get(mp_dict_keys *dk, mp_object **values, mp_object *name);
/* values[ix] = value (a new reference), or deletes it when value is NULL,
 * keeping the insertion order: 0, or 1 when deleting a value not there. */
int mp_dict_values_set(mp_object **values, mp_ssize_t ix, mp_object *value);
/* _PyObject_ClearInstanceAttributes: drops the values, keeps the array. */
void mp_dict_values_clear(mp_dict_keys *dk, mp_object **values);
/* _PyObject_FreeInstanceAttributes: drops the values, frees the array. */
void mp_dict_values_free(mp_dict_keys *dk, mp_object **values);
int mp_dict_values_traverse(mp_dict_keys *dk, mp_object **values, mp_visitproc visit, void *arg);
/* make_dict_from_instance_attributes: a split dict that owns values from
 * now on; NULL with MemoryError, values untouched. */
mp_object *mp_dict_from_values(mp_dict_keys *dk, mp_object **values);
/* An empty split dict over dk (new_dict_with_shared_keys). */
mp_object *mp_dict_new_split(mp_dict_keys *dk);
/* The _KnownHash variants, for callers that keep a key's hash (lru.c). */
mp_object *mp_dict_getitem_knownhash(mp_object *d, mp_object *key, mp_hash_t hash);
int mp_dict_setitem_knownhash(mp_object *d, mp_object *key, mp_hash_t hash, mp_object *value);
int mp_dict_delitem_knownhash(mp_object *d, mp_object *key, mp_hash_t hash);
/* type_dealloc for a heap class (instance.c); a static type's count never
 * reaches zero. */
void mp_class_dealloc(mp_object *cls);

/* ---- iteration and membership (abstract.c; used by range.c) ------------------
 * `item in o` the slow way, whatever o's contains slot: along o's
 * iteration, comparing with ==, identity first (_PySequence_IterSearch). */
int mp_sequence_iter_search(mp_object *o, mp_object *item);

/* ---- sequences: array, deque, bytes, float (seqtypes) --------------------------- */

/* hash.c: CPython's _Py_HashBytes, _Py_HashDouble and _Py_HashPointer.
 * mp_hash_double needs the object holding v: a NaN hashes by identity. */
mp_hash_t mp_hash_bytes(const void *data, size_t n);
mp_hash_t mp_hash_double(const void *owner, double v);
mp_hash_t mp_hash_pointer(const void *p);

/* repr(float(v)) written into out, without allocating (float.c). */
void mp_float_repr_double(double v, mp_strbuf *out);

/* The shared empty bytes and one-byte bytes (bytes.c). */
int mp_bytes_init(void);
void mp_bytes_fini(void);

#endif
