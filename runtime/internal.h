/* internal.h — what the runtime's files share and labs never call.
 *
 * The counterpart of CPython's Include/internal/pycore_*.h: start-up and
 * shutdown of each type's shared objects, and debug-build helpers.
 */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include "abstract.h"
#include "object.h"

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

/* The tracing hook the allocator calls while mp_tracemalloc_tracing: a
 * block of n requested bytes made at the current site, or given back. */
void mp_tracemalloc_track(void *p, size_t n);
void mp_tracemalloc_untrack(void *p);

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

/* Prints "memlab: fatal: <message>" to stderr and aborts. */
_Noreturn void mp_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
