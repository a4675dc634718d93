/* trashcan.c — deallocs that would nest too deeply wait their turn.
 *
 * Models CPython 3.11's Py_TRASHCAN_BEGIN / Py_TRASHCAN_END
 * (_PyTrash_begin, _PyTrash_end and _PyTrash_thread_destroy_chain in
 * Objects/object.c). Freeing a container releases its items, and an item
 * that dies frees its own items from inside that call: a list nested a
 * million deep would need a million C frames. So a container's dealloc,
 * once MP_TRASHCAN_DEPTH deallocs are already under way, does not run: the
 * container goes on a chain, linked through its GC header, and the
 * outermost dealloc runs the chain when it is about to return.
 *
 * Invariants:
 *   - An object on the chain has a count of 0 and is untracked (its
 *     dealloc untracked it before asking), so the collector never sees it;
 *     its gc_prev holds the next one on the chain, above the flag bits.
 *   - nesting counts the trashcan deallocs running now; the chain is
 *     empty whenever nesting is 0.
 */
#include "gc.h"
#include "internal.h"

#define MP_TRASHCAN_DEPTH 50 /* CPython's _PyTrash_UNWIND_LEVEL */
#define FLAG_BITS MP_GC_PREV_FLAG_BITS

static int nesting;
static mp_object *delete_later;

bool mp_trashcan_begin(mp_object *o)
{
    if (nesting >= MP_TRASHCAN_DEPTH) {
        mp_gc_head *g = MP_AS_GC(o);
        g->gc_prev = (g->gc_prev & FLAG_BITS) | (uintptr_t)delete_later;
        delete_later = o;
        return false;
    }
    nesting++;
    return true;
}

/* The chain runs at the outermost level, one dealloc at a time; each may
 * put more on it, which this same loop then runs. */
void mp_trashcan_end(void)
{
    nesting--;
    if (nesting > 0)
        return;
    nesting++;
    while (delete_later) {
        mp_object *o = delete_later;
        delete_later = (mp_object *)(MP_AS_GC(o)->gc_prev & ~FLAG_BITS);
        o->ob_type->tp_dealloc(o);
    }
    nesting--;
}
