/* site.h — which line of the program a runtime call came from.
 *
 * tracemalloc groups memory by the line that asked for it. In CPython that
 * is a line of Python; here it is the line of C, in a lab, a test or a
 * benchmark, that called into the runtime. Each public function that can
 * allocate is wrapped, outside the runtime, in a macro that stores the
 * caller's __FILE__ and __LINE__ before the call: two stores of constants,
 * whether tracing runs or not. Inside the runtime (the Makefile defines
 * MP_RUNTIME_INTERNAL for the files in runtime/) the macros are off, so a nested call
 * keeps the outermost caller's line, as tracemalloc keeps the Python line
 * however deep in C the allocation happens.
 *
 * Built with MP_NO_TRACEMALLOC, the stores and the tracing hook vanish: the
 * benchmarks compare that build with the normal one.
 */
#ifndef MP_SITE_H
#define MP_SITE_H

extern const char *mp_site_file;
extern int mp_site_line;

#ifdef MP_NO_TRACEMALLOC
#define MP_AT(call) (call)
#else
#define MP_AT(call) (mp_site_file = __FILE__, mp_site_line = __LINE__, (call))
#endif

#endif
