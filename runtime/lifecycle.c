/* lifecycle.c — bringing the runtime up and tearing it down.
 *
 * Models CPython's Python/pylifecycle.c (Py_Initialize, Py_FinalizeEx):
 * mp_init makes the shared objects every module relies on; mp_fini releases
 * them, leaving no memory behind, so a whole session under valgrind ends
 * with nothing lost and nothing still reachable.
 *
 * Invariants:
 *   - mp_init and mp_fini alternate; a session may run them any number of
 *     times (each test does).
 *   - After mp_fini, the allocator has no block in use, unless the program
 *     leaked a reference; a debug build aborts on such a leak, naming it.
 */
#include "mp.h"

#include <errno.h>
#include <stdlib.h>

#include "internal.h"

static bool initialized;

/* MP_FAIL_ALLOC=N: the Nth allocation request from here on fails (see
 * obmalloc.c). 0, or -1 with ValueError when N is not a positive number. */
static int fail_alloc_from_env(void)
{
    const char *text = getenv("MP_FAIL_ALLOC");
    if (!text || !*text)
        return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end || errno || n == 0) {
        mp_err_format(MP_ERR_VALUE, "MP_FAIL_ALLOC=%.40s: not a positive whole number", text);
        return -1;
    }
    return mp_set_nomemory(n - 1, n);
}

int mp_init(void)
{
    if (initialized) {
        mp_err_set(MP_ERR_SYSTEM, "mp_init called twice without mp_fini");
        return -1;
    }
    mp_err_clear();
    if (fail_alloc_from_env() < 0)
        return -1;
    mp_malloc_init();
    mp_gc_init();
    if (mp_int_init() < 0 || mp_str_init() < 0 || mp_tuple_init() < 0 || mp_bytes_init() < 0)
        return -1;
    initialized = true;
    return 0;
}

void mp_fini(void)
{
    if (!initialized)
        return;
    mp_gc_fini();
    mp_bytes_fini();
    mp_tuple_fini();
    mp_str_fini();
    mp_int_fini();
    mp_tracemalloc_fini();
#ifdef MP_DEBUG
    mp_malloc_stats s;
    mp_get_malloc_stats(&s);
    if (s.blocks_in_use)
        mp_fatal("mp_fini: %zu block(s), %zu bytes, still allocated: a reference was leaked",
                 s.blocks_in_use, s.bytes_in_use);
#endif
    mp_malloc_fini();
    mp_err_clear();
    initialized = false;
}

bool mp_is_initialized(void) { return initialized; }
