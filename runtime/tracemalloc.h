/* tracemalloc.h — tracing every allocation back to the line that asked.
 *
 * Models CPython's Modules/_tracemalloc.c and Lib/tracemalloc.py: while
 * tracing, each block the runtime hands out is recorded with its requested
 * size (what tracemalloc reports, not the size class) and its site, the
 * line of the lab, test or benchmark that called into the runtime (see
 * site.h). A site is a traceback of one frame, as tracemalloc's default.
 * Stopped, tracing costs one well-predicted branch per allocation.
 */
#ifndef MP_TRACEMALLOC_H
#define MP_TRACEMALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "object.h"

/* tracemalloc.start(): 0, or -1 with MemoryError. Starting twice is fine. */
int mp_tracemalloc_start(void);
/* tracemalloc.stop(): stops and forgets every trace. */
void mp_tracemalloc_stop(void);
bool mp_tracemalloc_is_tracing(void);
/* tracemalloc.get_traced_memory(): bytes traced now, and the most since
 * start or the last reset_peak. */
void mp_tracemalloc_get_traced_memory(size_t *current, size_t *peak);
void mp_tracemalloc_reset_peak(void);
/* tracemalloc.clear_traces(): forgets the traces, keeps tracing. */
void mp_tracemalloc_clear_traces(void);
/* tracemalloc.get_tracemalloc_memory(): what the tracing itself uses. */
size_t mp_tracemalloc_get_tracemalloc_memory(void);

/* A traceback of one frame: the line that called into the runtime. */
typedef struct mp_trace_site {
    const char *file;
    int line;
} mp_trace_site;

/* tracemalloc.get_object_traceback(o): where o was allocated, if traced. */
bool mp_tracemalloc_get_object_traceback(mp_object *o, mp_trace_site *out);

/* ---- snapshots ------------------------------------------------------------- */

typedef struct mp_snapshot mp_snapshot;

/* tracemalloc.take_snapshot(): a copy of the traces; NULL with an error
 * set if tracing is off (RuntimeError in CPython) or memory runs out. */
mp_snapshot *mp_tracemalloc_take_snapshot(void);
void mp_snapshot_free(mp_snapshot *snap);
size_t mp_snapshot_trace_count(const mp_snapshot *snap);

typedef enum { MP_GROUP_BY_LINENO, MP_GROUP_BY_FILENAME } mp_group_by;

/* Statistic: the memory still allocated from one site (or file). */
typedef struct mp_statistic {
    mp_trace_site site; /* line 0 when grouped by file */
    size_t size;        /* bytes */
    size_t count;       /* blocks */
} mp_statistic;

/* StatisticDiff: one site, now and against an older snapshot. */
typedef struct mp_statistic_diff {
    mp_trace_site site;
    size_t size, count;
    ptrdiff_t size_diff, count_diff;
} mp_statistic_diff;

/* Snapshot.statistics(key_type): *out gets an array (release it with
 * free()) sorted as tracemalloc sorts, biggest first; returns its length,
 * or (size_t)-1 with MemoryError. */
size_t mp_snapshot_statistics(const mp_snapshot *snap, mp_group_by by, mp_statistic **out);
/* Snapshot.compare_to(old, key_type): sorted by the absolute size
 * difference, then size, count difference and count, biggest first. */
size_t mp_snapshot_compare_to(const mp_snapshot *snap, const mp_snapshot *old, mp_group_by by,
                              mp_statistic_diff **out);

#endif
