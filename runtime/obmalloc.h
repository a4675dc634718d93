/* obmalloc.h — the allocation choke point every runtime object goes through.
 *
 * Models the PyObject_Malloc family of CPython's Objects/obmalloc.c.
 * Callers never use malloc directly: accounting, debug fill bytes and
 * (later) the tracing hook and the pool allocator all live behind these
 * three functions, so the inside can change without touching a caller.
 */
#ifndef MP_OBMALLOC_H
#define MP_OBMALLOC_H

#include <stddef.h>
#include <stdint.h>

/* PyObject_Malloc: n bytes, 16-byte aligned; NULL with MemoryError set on
 * failure. A request for 0 bytes returns a distinct pointer, as in CPython. */
void *mp_object_malloc(size_t n);
/* PyObject_Realloc: p may be NULL; on failure p is untouched. */
void *mp_object_realloc(void *p, size_t n);
/* PyObject_Free: p may be NULL. */
void mp_object_free(void *p);

/* What the allocator has handed out since mp_init. */
typedef struct mp_malloc_stats {
    size_t blocks_in_use;     /* allocated and not yet freed */
    size_t bytes_in_use;      /* requested bytes of those blocks */
    size_t peak_bytes_in_use; /* the most bytes_in_use has been */
    uint64_t allocations;     /* successful mallocs; a realloc of a live
                                 block is a resize, not an allocation */
    uint64_t frees;
} mp_malloc_stats;

void mp_get_malloc_stats(mp_malloc_stats *out);

#endif
