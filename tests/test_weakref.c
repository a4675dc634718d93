/* test_weakref.c — weak references, their callbacks, and how the collector
 * clears them (runtime/weakref.c, handle_weakrefs in runtime/gc.c).
 * Expected values come from python3 3.11, with the one-liner above each
 * test, a class N: pass standing for our node. */
#include <string.h>

#include "node.h"

#include <criterion/redirect.h>

MP_TEST_SUITE(weakref);

/* python3 -c "import sys, weakref; class N: pass
 *   n = N(); print(sys.getsizeof(weakref.ref(n)))" -> 80 */
Test(weakref, a_weak_reference_is_80_bytes_with_its_gc_header)
{
    mp_object *n = node_new();
    mp_object *r = mp_weakref_new(n, NULL, NULL);
    cr_assert_not_null(r);
    cr_expect_eq(mp_getsizeof(r), 80);
    cr_expect(mp_gc_is_tracked(r));
    MP_DECREF(r);
    MP_DECREF(n);
}

Test(weakref, it_gives_the_object_while_alive_and_none_after)
{
    mp_object *n = node_new();
    mp_object *r = mp_weakref_new(n, NULL, NULL);
    cr_expect_eq(mp_weakref_get_object(r), n);
    cr_expect_eq(MP_REFCNT(n), 1, "a weak reference adds nothing to the count");
    MP_DECREF(n);
    cr_expect_eq(node_freed, 1);
    cr_expect_null(mp_weakref_get_object(r));
    char buf[64];
    cr_expect(strstr(mp_repr(r, buf, sizeof buf), "; dead>"));
    MP_DECREF(r);
}

/* python3: weakref.ref([]) -> TypeError: cannot create weak reference to
 * 'list' object */
Test(weakref, types_without_a_weak_list_refuse)
{
    mp_object *l = mp_list_new(0);
    cr_expect_null(mp_weakref_new(l, NULL, NULL));
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "cannot create weak reference to 'list' object");
    mp_err_clear();
    MP_DECREF(l);
}

static int calls;
static mp_object *seen_refs[4];
static bool all_dead_when_called = true;
static mp_object *watched[4];

static void record_call(mp_object *ref, mp_object *arg)
{
    (void)arg;
    seen_refs[calls++ % 4] = ref;
    for (int i = 0; i < 4; i++)
        if (watched[i] && mp_weakref_get_object(watched[i]))
            all_dead_when_called = false;
}

/* python3: n = N(); r0 = weakref.ref(n); r1 = weakref.ref(n, f);
 *   r0 is weakref.ref(n) -> True, r1 is weakref.ref(n, f) -> False,
 *   weakref.getweakrefcount(n) -> 2 (then 3) */
Test(weakref, the_basic_reference_is_shared_and_callbacks_get_their_own)
{
    mp_object *n = node_new();
    mp_object *r0 = mp_weakref_new(n, NULL, NULL);
    mp_object *r1 = mp_weakref_new(n, record_call, NULL);
    mp_object *r2 = mp_weakref_new(n, record_call, NULL);
    mp_object *again = mp_weakref_new(n, NULL, NULL);
    cr_expect_eq(again, r0, "the basic reference stays first in the list");
    cr_expect_neq(r1, r0);
    cr_expect_neq(r2, r1);
    cr_expect_eq(mp_weakref_getweakrefcount(n), 3);
    MP_DECREF(again);
    MP_DECREF(r0);
    cr_expect_eq(mp_weakref_getweakrefcount(n), 2);
    MP_DECREF(n);
    MP_DECREF(r1);
    MP_DECREF(r2);
}

/* python3: n = N(); r1 = weakref.ref(n, lambda r: print(1));
 *   r2 = weakref.ref(n, lambda r: print(2)); del n -> prints 2 then 1 */
Test(weakref, callbacks_run_newest_first_once_every_reference_is_dead)
{
    mp_object *n = node_new();
    mp_object *r0 = mp_weakref_new(n, NULL, NULL);
    mp_object *r1 = mp_weakref_new(n, record_call, NULL);
    mp_object *r2 = mp_weakref_new(n, record_call, NULL);
    watched[0] = r0;
    watched[1] = r1;
    watched[2] = r2;
    MP_DECREF(n);
    cr_expect_eq(calls, 2);
    cr_expect_eq(seen_refs[0], r2);
    cr_expect_eq(seen_refs[1], r1);
    cr_expect(all_dead_when_called);
    MP_DECREF(r0);
    MP_DECREF(r1);
    MP_DECREF(r2);
}

Test(weakref, a_callback_runs_once_and_releases_its_argument)
{
    mp_object *n = node_new(), *arg = mp_list_new(0);
    mp_object *r = mp_weakref_new(n, record_call, arg);
    cr_expect_eq(MP_REFCNT(arg), 2);
    MP_DECREF(n);
    cr_expect_eq(calls, 1);
    cr_expect_eq(MP_REFCNT(arg), 1);
    MP_DECREF(r);
    cr_expect_eq(calls, 1);
    MP_DECREF(arg);
}

Test(weakref, a_reference_that_dies_first_never_calls_back)
{
    mp_object *n = node_new();
    mp_object *r = mp_weakref_new(n, record_call, NULL);
    MP_DECREF(r);
    cr_expect_eq(mp_weakref_getweakrefcount(n), 0);
    MP_DECREF(n);
    cr_expect_eq(calls, 0);
}

/* python3: c = N(); c.s = c; w = weakref.ref(c, f); del c; gc.collect()
 *   -> f(w) is called with w() None, and collect returns 1 */
Test(weakref, the_collector_calls_back_for_a_reachable_reference)
{
    mp_object *c = node_new();
    node_set_a(c, c);
    mp_object *w = mp_weakref_new(c, record_call, NULL);
    watched[0] = w;
    MP_DECREF(c);
    cr_expect_eq(calls, 0);
    cr_expect_eq(mp_gc_collect(-1), 1);
    cr_expect_eq(calls, 1);
    cr_expect_eq(seen_refs[0], w);
    cr_expect(all_dead_when_called);
    MP_DECREF(w);
}

/* python3: c = N(); c.s = c; c.w = weakref.ref(c, lambda r: print("cb"));
 *   del c; gc.collect() -> 3 (c, the weakref, the lambda), no "cb" */
Test(weakref, a_reference_inside_the_garbage_is_cleared_without_its_callback)
{
    mp_object *c = node_new(), *closure = mp_list_new(0);
    node_set_a(c, c);
    mp_object *w = mp_weakref_new(c, record_call, closure);
    ((node *)c)->b = w;
    MP_DECREF(closure);
    MP_DECREF(c);
    cr_expect_eq(mp_gc_collect(-1), 3);
    cr_expect_eq(calls, 0);
}

/* The garbage's own weak references are cleared first, so one whose
 * referent dies during the clearing (here an untracked object the garbage
 * alone kept alive) never calls back into the half-cleared garbage. */
Test(weakref, a_reference_in_the_garbage_never_calls_back_during_clearing)
{
    mp_object *alive = node_new(), *c = node_new(), *l = mp_list_new(0);
    mp_gc_untrack(alive);
    mp_list_append(l, c);
    mp_list_append(l, alive);
    node_set_a(c, l);
    ((node *)c)->b = mp_weakref_new(alive, record_call, NULL);
    MP_DECREF(l);
    MP_DECREF(alive);
    MP_DECREF(c);
    cr_expect_eq(mp_gc_collect(-1), 3, "c, the list and the weak reference");
    cr_expect_eq(node_freed, 2, "c, and alive by its count");
    cr_expect_eq(calls, 0);
}

static void drop_holder(mp_object *ref, mp_object *holder)
{
    (void)ref;
    MP_DECREF(mp_list_pop(holder, 0));
}

/* A callback that frees its own weak reference: the reference counts among
 * what the collection freed.
 * python3: c = N(); c.s = c; holder = [weakref.ref(c, lambda r: holder.clear())];
 *   del c; gc.collect() -> 2 */
Test(weakref, references_freed_by_callbacks_count_in_collect)
{
    mp_object *c = node_new(), *holder = mp_list_new(0);
    node_set_a(c, c);
    mp_object *w = mp_weakref_new(c, drop_holder, holder);
    mp_list_append(holder, w);
    MP_DECREF(w);
    MP_DECREF(c);
    cr_expect_eq(mp_gc_collect(-1), 2);
    cr_expect_eq(mp_list_size(holder), 0);
    MP_DECREF(holder);
}

static mp_object *watched_ref;
static bool ref_alive_in_finalizer;

static void look_at_ref(mp_object *o)
{
    (void)o;
    ref_alive_in_finalizer = mp_weakref_get_object(watched_ref) != NULL;
}

/* python3: class D: def __del__(self): print(wr())
 *   d = D(); d.s = d; wr = weakref.ref(d); del d; gc.collect() -> None */
Test(weakref, the_collector_clears_references_before_finalizers_run)
{
    node_finalize_hook = look_at_ref;
    mp_object *d = node_new_of(&fnode_type);
    node_set_a(d, d);
    watched_ref = mp_weakref_new(d, NULL, NULL);
    MP_DECREF(d);
    ref_alive_in_finalizer = true;
    cr_expect_eq(mp_gc_collect(-1), 1);
    cr_expect_eq(node_finalized, 1);
    cr_expect_not(ref_alive_in_finalizer);
    MP_DECREF(watched_ref);
}

/* python3: class B: def __del__(self): print(wr() is self)
 *   b = B(); wr = weakref.ref(b); del b -> True: by count, __del__ runs
 *   before the weak references are cleared. */
Test(weakref, by_refcount_the_finalizer_still_sees_its_references)
{
    node_finalize_hook = look_at_ref;
    mp_object *b = node_new_of(&fnode_type);
    watched_ref = mp_weakref_new(b, NULL, NULL);
    MP_DECREF(b);
    cr_expect(ref_alive_in_finalizer);
    cr_expect_null(mp_weakref_get_object(watched_ref));
    MP_DECREF(watched_ref);
}

/* python3: n = N(); r = weakref.ref(n); hash(r) == hash(n) -> True; after
 * del n, hash(r) is unchanged; a dead one never hashed raises TypeError:
 * weak object has gone away */
Test(weakref, hash_follows_the_referent_and_outlives_it)
{
    mp_object *n = node_new();
    mp_object *r = mp_weakref_new(n, NULL, NULL);
    mp_hash_t h = mp_object_hash(n);
    cr_expect_eq(mp_object_hash(r), h);
    MP_DECREF(n);
    cr_expect_eq(mp_object_hash(r), h);
    mp_object *m = node_new();
    mp_object *never = mp_weakref_new(m, NULL, NULL);
    MP_DECREF(m);
    cr_expect_eq(mp_object_hash(never), -1);
    cr_expect_str_eq(mp_err_message(), "weak object has gone away");
    mp_err_clear();
    MP_DECREF(r);
    MP_DECREF(never);
}

static void raise_in_callback(mp_object *ref, mp_object *arg)
{
    (void)ref;
    (void)arg;
    mp_err_set(MP_ERR_VALUE, "from the callback");
}

/* A callback's error goes to stderr, and an error pending when the
 * referent died is still there afterwards. */
Test(weakref, a_callback_error_is_unraisable_and_the_pending_one_survives)
{
    cr_redirect_stderr();
    mp_object *n = node_new();
    mp_object *r = mp_weakref_new(n, raise_in_callback, NULL);
    mp_err_set(MP_ERR_KEY, "pending");
    MP_DECREF(n);
    cr_expect_eq(mp_err_occurred(), MP_ERR_KEY);
    cr_expect_str_eq(mp_err_message(), "pending");
    mp_err_clear();
    MP_DECREF(r);
    fflush(stderr);
    cr_expect_stderr_eq_str("Exception ignored in: weakref callback\nValueError: from the callback\n");
}

/* ---- the runtime's types -------------------------------------------------------- */

/* python3: class S: __slots__ = ('x',); weakref.ref(S()) -> TypeError:
 *   cannot create weak reference to 'S' object; with '__weakref__' listed,
 *   and for class A: pass, it works */
Test(weakref, instances_accept_them_unless_slots_leave_no_room)
{
    mp_object *plain = mp_class_new("A", NULL);
    static const char *const x_only[] = {"x", NULL}, *const x_and_weak[] = {"x", "__weakref__", NULL};
    mp_object *slotted = mp_class_new("S", x_only);
    mp_object *weak = mp_class_new("W", x_and_weak);
    mp_object *a = mp_instance_new(plain), *s = mp_instance_new(slotted), *w = mp_instance_new(weak);
    mp_object *ra = mp_weakref_new(a, NULL, NULL), *rw = mp_weakref_new(w, NULL, NULL);
    cr_expect_not_null(ra);
    cr_expect_not_null(rw);
    cr_expect_null(mp_weakref_new(s, NULL, NULL));
    cr_expect_str_eq(mp_err_message(), "cannot create weak reference to 'S' object");
    mp_err_clear();
    MP_DECREF(a);
    MP_DECREF(w);
    cr_expect_null(mp_weakref_get_object(ra));
    cr_expect_null(mp_weakref_get_object(rw));
    MP_DECREF(ra);
    MP_DECREF(rw);
    MP_DECREF(s);
    MP_DECREF(plain);
    MP_DECREF(slotted);
    MP_DECREF(weak);
}

/* python3: s = set(); r = weakref.ref(s, f); del s -> f runs; the same for
 *   a generator */
Test(weakref, sets_and_generators_call_back_when_they_die)
{
    mp_object *s = mp_set_new(NULL);
    mp_object *range = mp_range_new(0, 3, 1);
    mp_object *g = mp_gen_squares(range);
    mp_object *rs = mp_weakref_new(s, record_call, NULL);
    mp_object *rg = mp_weakref_new(g, record_call, NULL);
    MP_DECREF(s);
    cr_expect_eq(calls, 1);
    cr_expect_eq(seen_refs[0], rs);
    MP_DECREF(g);
    cr_expect_eq(calls, 2);
    cr_expect_eq(seen_refs[1], rg);
    MP_DECREF(rs);
    MP_DECREF(rg);
    MP_DECREF(range);
}

/* python3: class A: pass; a = A(); r = weakref.ref(a); a.r = r; del a;
 *   gc.collect() -> 0: nothing but a's count keeps it, and a weak
 *   reference from itself is no cycle */
Test(weakref, an_instance_holding_its_own_weak_reference_dies_by_count)
{
    mp_object *cls = mp_class_new("A", NULL);
    mp_object *a = mp_instance_new(cls);
    mp_object *r = mp_weakref_new(a, NULL, NULL);
    mp_object_setattr_str(a, "r", r);
    MP_DECREF(r);
    MP_DECREF(a);
    cr_expect_eq(mp_gc_collect(-1), 0);
    MP_DECREF(cls);
}
