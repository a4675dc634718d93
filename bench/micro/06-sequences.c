/* Lab 06's costs: list, array and deque at either end, and two plain C
 * baselines for the targets.
 *
 * Three shapes of benchmark, each over n = 10**2 .. 10**5:
 *   - <type>/append, <type>/prepend: n items added to an empty container,
 *     which is then freed (growth, and the release of every item, included);
 *     prepend is list.insert(0, x), array.insert(0, x), deque.appendleft(x).
 *   - <type>/stack_right, <type>/stack_left: one add and one remove at the
 *     same end of a container holding n items, so the cost of the end
 *     itself shows (list and array move every item at the left).
 *   - <type>/queue: append at the right and take from the left, at n
 *     items: list.pop(0) and array.pop(0) against deque.popleft.
 * Times are per item (items/s is reported too). deque/stack_right at
 * n = 10**5 is a deque's worst case, not noise: 32 + 10**5 is a multiple
 * of 64, so the right end sits at the end of a block and every add links
 * a block (from the deque's cache) that the next remove unlinks.
 *
 * The baselines are what a C programmer would write without the runtime:
 *   - baseline/ring_queue: a ring buffer of object pointers with the same
 *     reference counting as deque/queue (an incref in, a decref out), for
 *     "deque append+popleft within 2x of a plain C ring buffer".
 *   - baseline/pointer_array_append: a bare pointer array grown with
 *     list_resize's formula through the same allocator, one incref per
 *     append and one decref per item when freed, for "list append within
 *     2x of a raw pointer array with the same growth and reference
 *     counting" (list/append is its counterpart).
 */
#include "mp.h"
#include "shim.h"

static const int64_t sizes[] = {100, 1000, 10000, 100000};

/* An item outside the small-int cache, so its count really changes. */
static mp_object *new_item(void) { return mp_int_from_long(100000); }

typedef enum { LIST, ARRAY, DEQUE } kind;

/* The generic loops below are inlined into each benchmark, so every
 * switch on the kind folds away and the loop holds only the runtime call. */
#define SPECIALIZED static inline __attribute__((always_inline))

SPECIALIZED mp_object *new_container(kind k)
{
    switch (k) {
    case LIST: return mp_list_new(0);
    case ARRAY: return mp_array_new('l');
    case DEQUE: return mp_deque_new(MP_DEQUE_UNBOUNDED);
    }
    return NULL;
}

SPECIALIZED void add_right(kind k, mp_object *c, mp_object *x)
{
    switch (k) {
    case LIST: mp_list_append(c, x); break;
    case ARRAY: mp_array_append(c, x); break;
    case DEQUE: mp_deque_append(c, x); break;
    }
}

SPECIALIZED void add_left(kind k, mp_object *c, mp_object *x)
{
    switch (k) {
    case LIST: mp_list_insert(c, 0, x); break;
    case ARRAY: mp_array_insert(c, 0, x); break;
    case DEQUE: mp_deque_appendleft(c, x); break;
    }
}

SPECIALIZED mp_object *take_right(kind k, mp_object *c)
{
    switch (k) {
    case LIST: return mp_list_pop(c, -1);
    case ARRAY: return mp_array_pop(c, -1);
    case DEQUE: return mp_deque_pop(c);
    }
    return NULL;
}

SPECIALIZED mp_object *take_left(kind k, mp_object *c)
{
    switch (k) {
    case LIST: return mp_list_pop(c, 0);
    case ARRAY: return mp_array_pop(c, 0);
    case DEQUE: return mp_deque_popleft(c);
    }
    return NULL;
}

/* ---- growing from empty ------------------------------------------------------ */

SPECIALIZED void grow(mp_bench_state *st, kind k, bool left)
{
    int64_t n = mp_bench_range(st, 0);
    mp_object *item = new_item();
    MP_BENCH_LOOP(st) {
        mp_object *c = new_container(k);
        for (int64_t i = 0; i < n; i++) {
            if (left)
                add_left(k, c, item);
            else
                add_right(k, c, item);
            MP_BENCH_CLOBBER_MEMORY();
        }
        MP_BENCH_DO_NOT_OPTIMIZE(c);
        MP_DECREF(c);
    }
    MP_DECREF(item);
    mp_bench_set_items_processed(st, mp_bench_iterations(st) * n);
}

static void bm_list_append(mp_bench_state *st) { grow(st, LIST, false); }
static void bm_array_append(mp_bench_state *st) { grow(st, ARRAY, false); }
static void bm_deque_append(mp_bench_state *st) { grow(st, DEQUE, false); }
static void bm_list_prepend(mp_bench_state *st) { grow(st, LIST, true); }
static void bm_array_prepend(mp_bench_state *st) { grow(st, ARRAY, true); }
static void bm_deque_prepend(mp_bench_state *st) { grow(st, DEQUE, true); }

/* ---- one add and one remove at n items ---------------------------------------- */

typedef enum { STACK_RIGHT, STACK_LEFT, QUEUE } traffic;

SPECIALIZED void steady(mp_bench_state *st, kind k, traffic t)
{
    int64_t n = mp_bench_range(st, 0);
    mp_object *item = new_item(), *c = new_container(k);
    for (int64_t i = 0; i < n; i++)
        add_right(k, c, item);
    MP_BENCH_LOOP(st) {
        if (t == STACK_LEFT)
            add_left(k, c, item);
        else
            add_right(k, c, item);
        mp_object *x = t == STACK_RIGHT ? take_right(k, c) : take_left(k, c);
        MP_DECREF(x);
        MP_BENCH_CLOBBER_MEMORY();
    }
    MP_DECREF(c);
    MP_DECREF(item);
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

static void bm_list_stack_right(mp_bench_state *st) { steady(st, LIST, STACK_RIGHT); }
static void bm_array_stack_right(mp_bench_state *st) { steady(st, ARRAY, STACK_RIGHT); }
static void bm_deque_stack_right(mp_bench_state *st) { steady(st, DEQUE, STACK_RIGHT); }
static void bm_list_stack_left(mp_bench_state *st) { steady(st, LIST, STACK_LEFT); }
static void bm_array_stack_left(mp_bench_state *st) { steady(st, ARRAY, STACK_LEFT); }
static void bm_deque_stack_left(mp_bench_state *st) { steady(st, DEQUE, STACK_LEFT); }
static void bm_list_queue(mp_bench_state *st) { steady(st, LIST, QUEUE); }
static void bm_array_queue(mp_bench_state *st) { steady(st, ARRAY, QUEUE); }
static void bm_deque_queue(mp_bench_state *st) { steady(st, DEQUE, QUEUE); }

/* ---- the plain C baselines -------------------------------------------------------- */

/* A plain C ring buffer of object pointers, the queue a C programmer
 * writes: a power-of-two array and two running counters. */
typedef struct {
    mp_object **slots;
    size_t mask, head, tail;
} ring;

static inline void ring_push(ring *r, mp_object *x)
{
    MP_INCREF(x);
    r->slots[r->tail++ & r->mask] = x;
}

static inline mp_object *ring_pop(ring *r) { return r->slots[r->head++ & r->mask]; }

/* n items in the ring; each iteration pushes one with an incref and pops
 * one with a decref, as deque/queue does. The ring lives in memory, as a
 * deque does, so each step really loads and stores its counters. */
static void bm_ring_queue(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    size_t cap = 1;
    while (cap < (size_t)n + 1)
        cap *= 2;
    ring *r = mp_object_malloc(sizeof *r);
    *r = (ring){.slots = mp_object_malloc(cap * sizeof(mp_object *)), .mask = cap - 1};
    MP_BENCH_DO_NOT_OPTIMIZE(r);
    mp_object *item = new_item();
    for (int64_t i = 0; i < n; i++)
        ring_push(r, item);
    MP_BENCH_LOOP(st) {
        ring_push(r, item);
        mp_object *x = ring_pop(r);
        MP_DECREF(x);
        MP_BENCH_CLOBBER_MEMORY();
    }
    while (r->head != r->tail)
        MP_DECREF(ring_pop(r));
    mp_object_free(r->slots);
    mp_object_free(r);
    MP_DECREF(item);
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

/* n appends to a bare pointer array grown by list_resize's formula, then
 * every item released and the array freed, as list/append does. */
static void bm_pointer_array_append(mp_bench_state *st)
{
    int64_t n = mp_bench_range(st, 0);
    mp_object *item = new_item();
    MP_BENCH_LOOP(st) {
        mp_object **items = NULL;
        size_t len = 0, cap = 0;
        for (int64_t i = 0; i < n; i++) {
            if (len == cap) {
                size_t want = len + 1;
                cap = (want + (want >> 3) + 6) & ~(size_t)3;
                items = mp_object_realloc(items, cap * sizeof *items);
            }
            MP_INCREF(item);
            items[len++] = item;
            MP_BENCH_CLOBBER_MEMORY();
        }
        MP_BENCH_DO_NOT_OPTIMIZE(items);
        while (len > 0)
            MP_DECREF(items[--len]);
        mp_object_free(items);
    }
    MP_DECREF(item);
    mp_bench_set_items_processed(st, mp_bench_iterations(st) * n);
}

static void add(const char *name, mp_bench_fn fn, int64_t max_n)
{
    mp_bench *b = mp_bench_arg_name(mp_bench_register(name, fn), "n");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && sizes[i] <= max_n; i++)
        mp_bench_arg(b, sizes[i]);
}

MP_BENCH_SUITE(register_sequences)
{
    add("06-sequences/list/append", bm_list_append, 100000);
    add("06-sequences/array/append", bm_array_append, 100000);
    add("06-sequences/deque/append", bm_deque_append, 100000);
    /* Prepending n items to a list or array moves n**2/2 of them: 10**5
     * would take seconds a run. */
    add("06-sequences/list/prepend", bm_list_prepend, 10000);
    add("06-sequences/array/prepend", bm_array_prepend, 10000);
    add("06-sequences/deque/prepend", bm_deque_prepend, 100000);
    add("06-sequences/list/stack_right", bm_list_stack_right, 100000);
    add("06-sequences/array/stack_right", bm_array_stack_right, 100000);
    add("06-sequences/deque/stack_right", bm_deque_stack_right, 100000);
    add("06-sequences/list/stack_left", bm_list_stack_left, 100000);
    add("06-sequences/array/stack_left", bm_array_stack_left, 100000);
    add("06-sequences/deque/stack_left", bm_deque_stack_left, 100000);
    add("06-sequences/list/queue", bm_list_queue, 100000);
    add("06-sequences/array/queue", bm_array_queue, 100000);
    add("06-sequences/deque/queue", bm_deque_queue, 100000);
    add("06-sequences/baseline/ring_queue", bm_ring_queue, 100000);
    add("06-sequences/baseline/pointer_array_append", bm_pointer_array_append, 100000);
}
