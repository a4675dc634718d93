/* CPython's own allocator, PyObject_Malloc from the libpython3 on this
 * machine, embedded and started once, in the patterns of alloc_patterns.h.
 * Without libpython3 (no MP_HAVE_LIBPYTHON) the benchmarks still exist,
 * under the same names, and report why they did not run. */
#ifdef MP_HAVE_LIBPYTHON
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#endif

#include "shim.h"

#ifdef MP_HAVE_LIBPYTHON
/* Started on first use and left running: its allocator is measured warm,
 * as in a running program. The main thread holds the GIL from here on. */
static int cpython_ready(void)
{
    if (!Py_IsInitialized())
        Py_InitializeEx(0);
    return 1;
}
#define READY(st) cpython_ready()
#define ALLOC(n) PyObject_Malloc(n)
#define FREE(p) PyObject_Free(p)
#else
static int cpython_missing(mp_bench_state *st)
{
    mp_bench_skip_with_error(st, "built without libpython3 (scripts/deps.sh installs it)");
    return 0;
}
#define READY(st) cpython_missing(st)
#define ALLOC(n) ((void)(n), (void *)0)
#define FREE(p) ((void)(p))
#endif

#define ALLOCATOR cpython
#include "alloc_patterns.h"

MP_BENCH_SUITE(register_cpython_allocator) { register_patterns_cpython(); }
