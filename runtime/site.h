/* site.h — which line of the program a runtime call came from.
 *
 * tracemalloc groups memory by the line that asked for it. In CPython that
 * is a line of Python; here it is the line of C, in a lab, a test or a
 * benchmark, that called into the runtime. Each public function that can
 * allocate is wrapped, outside the runtime, in a macro that stores the
 * caller's __FILE__ and __LINE__ before the call while tracing (or failure
 * injection) runs; when it does not, the cost is one well-predicted test
 * of a flag. mp_object_malloc itself does without even that: it hands the
 * site to its out-of-line path as arguments (obmalloc.h). Inside the
 * runtime (the Makefile defines MP_RUNTIME_INTERNAL for the files in
 * runtime/) the macros are off, so a nested call keeps the outermost
 * caller's line, as tracemalloc keeps the Python line however deep in C
 * the allocation happens.
 *
 * The site is not cleared after the call: an allocation reached without
 * the macros (a function pointer, a call inside the runtime from a
 * callback) is charged to the last line that went through one.
 *
 * A debug build always stores the site, for its messages about corrupted
 * blocks. Built with MP_NO_TRACEMALLOC, the test and the tracing hook
 * vanish: the benchmarks compare that build with the normal one.
 */
#ifndef MP_SITE_H
#define MP_SITE_H

#include <stdbool.h>

extern const char *mp_site_file;
extern int mp_site_line;
extern bool mp_tracemalloc_tracing;
/* Tracing or allocation-failure injection is on (obmalloc.c). */
extern bool mp_alloc_hooked;

#if defined(MP_NO_TRACEMALLOC)
#define MP_AT(call) (call)
#elif defined(MP_DEBUG) /* the debug layer names the site of a corrupted block */
#define MP_AT(call) (mp_site_file = __FILE__, mp_site_line = __LINE__, (call))
#else
#define MP_AT(call)                                                                            \
    ((mp_alloc_hooked ? (void)(mp_site_file = __FILE__, mp_site_line = __LINE__)               \
                      : (void)0),                                                              \
     (call))
#endif

/* The out-of-line half of a call whose inline half never allocates (see
 * mp_object_malloc, mp_list_append, mp_deque_append): the macro hands the
 * caller's site to the inline half as arguments, which pass it on only
 * when they leave the fast path, so the fast path stores and tests
 * nothing. file NULL (a call from inside the runtime) keeps the current
 * site. */
static inline void mp_site_set(const char *file, int line)
{
    if (file) {
        mp_site_file = file;
        mp_site_line = line;
    }
}

/* A debug build stores it on the fast path too: its checks there
 * (MP_CHECK_LIVE) name the caller. */
static inline void mp_site_set_debug(const char *file, int line)
{
#ifdef MP_DEBUG
    mp_site_set(file, line);
#else
    (void)file, (void)line;
#endif
}

#endif
