/* test_weakvaluedict.c — weakref.WeakValueDictionary (runtime/weakvaluedict.c).
 * Expected values from python3 3.11, with the one-liner above each test;
 * class A: pass stands for our node. */
#include "node.h"

MP_TEST_SUITE(weakvaluedict);

static mp_object *key(const char *s) { return mp_str_from_utf8(s); }

/* python3 -c "import sys, weakref; print(sys.getsizeof(weakref.WeakValueDictionary()))"
 *   -> 56 */
Test(weakvaluedict, is_56_bytes_and_starts_empty)
{
    mp_object *d = mp_weakvaluedict_new();
    cr_assert_not_null(d);
    cr_expect_eq(mp_getsizeof(d), 56);
    cr_expect_eq(mp_weakvaluedict_size(d), 0);
    cr_expect_eq(mp_object_len(d), 0);
    MP_DECREF(d);
}

Test(weakvaluedict, an_entry_lives_as_long_as_its_value)
{
    mp_object *d = mp_weakvaluedict_new(), *k = key("k"), *a = node_new();
    cr_assert_eq(mp_weakvaluedict_setitem(d, k, a), 0);
    cr_expect_eq(MP_REFCNT(a), 1, "the dictionary holds no strong reference");
    mp_object *got = mp_weakvaluedict_get(d, k);
    cr_expect_eq(got, a);
    MP_DECREF(got);
    MP_DECREF(a);
    cr_expect_null(mp_weakvaluedict_get(d, k));
    cr_expect_not(mp_err_occurred());
    cr_expect_eq(mp_weakvaluedict_size(d), 0);
    MP_DECREF(k);
    MP_DECREF(d);
}

/* python3: d = WeakValueDictionary(); a = A(); a.s = a; d['k'] = a; del a;
 *   gc.collect() -> 2 (a and its KeyedRef, freed by the callback); len(d) -> 0 */
Test(weakvaluedict, a_value_in_a_garbage_cycle_takes_its_entry_with_it)
{
    mp_object *d = mp_weakvaluedict_new(), *k = key("k"), *a = node_new();
    node_set_a(a, a);
    mp_weakvaluedict_setitem(d, k, a);
    MP_DECREF(a);
    cr_expect_eq(mp_weakvaluedict_size(d), 1);
    cr_expect_eq(mp_gc_collect(-1), 2);
    cr_expect_eq(mp_weakvaluedict_size(d), 0);
    MP_DECREF(k);
    MP_DECREF(d);
}

/* python3: d['k'] = a; d['k'] = b; del a -> len(d) 1, d.get('k') is b;
 *   del b -> 0 */
Test(weakvaluedict, a_replaced_value_dying_leaves_the_new_entry)
{
    mp_object *d = mp_weakvaluedict_new(), *k = key("k"), *a = node_new(), *b = node_new();
    mp_weakvaluedict_setitem(d, k, a);
    mp_weakvaluedict_setitem(d, k, b);
    MP_DECREF(a);
    cr_expect_eq(mp_weakvaluedict_size(d), 1);
    mp_object *got = mp_weakvaluedict_get(d, k);
    cr_expect_eq(got, b);
    MP_DECREF(got);
    MP_DECREF(b);
    cr_expect_eq(mp_weakvaluedict_size(d), 0);
    MP_DECREF(k);
    MP_DECREF(d);
}

/* python3: d['k'] = a; del d; del a -> nothing happens */
Test(weakvaluedict, values_may_outlive_the_dictionary)
{
    mp_object *d = mp_weakvaluedict_new(), *k = key("k"), *a = node_new();
    mp_weakvaluedict_setitem(d, k, a);
    MP_DECREF(d);
    cr_expect_eq(mp_weakref_getweakrefcount(a), 0, "its KeyedRef died with the dictionary");
    MP_DECREF(a);
    MP_DECREF(k);
}

/* python3: WeakValueDictionary()['x'] = [] -> TypeError: cannot create weak
 *   reference to 'list' object */
Test(weakvaluedict, values_must_accept_weak_references)
{
    mp_object *d = mp_weakvaluedict_new(), *k = key("x"), *l = mp_list_new(0);
    cr_expect_eq(mp_weakvaluedict_setitem(d, k, l), -1);
    cr_expect_str_eq(mp_err_message(), "cannot create weak reference to 'list' object");
    mp_err_clear();
    cr_expect_eq(mp_weakvaluedict_size(d), 0);
    MP_DECREF(d);
    MP_DECREF(k);
    MP_DECREF(l);
}

Test(weakvaluedict, delitem_and_its_key_error)
{
    mp_object *d = mp_weakvaluedict_new(), *k = key("k"), *a = node_new();
    mp_weakvaluedict_setitem(d, k, a);
    cr_expect_eq(mp_weakvaluedict_delitem(d, k), 0);
    cr_expect_eq(mp_weakref_getweakrefcount(a), 0);
    cr_expect_eq(mp_weakvaluedict_delitem(d, k), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_KEY);
    cr_expect_str_eq(mp_err_message(), "'k'");
    mp_err_clear();
    MP_DECREF(a);
    MP_DECREF(k);
    MP_DECREF(d);
}

/* A dictionary in a cycle with one of its own values: the collector frees
 * both, and no callback touches the half-cleared dictionary. Five objects:
 * a, the dictionary, its data dict, its selfref and the KeyedRef. */
Test(weakvaluedict, a_dictionary_in_a_cycle_with_a_value_is_collected)
{
    mp_object *d = mp_weakvaluedict_new(), *k = key("k"), *a = node_new();
    node_set_a(a, d);
    mp_weakvaluedict_setitem(d, k, a);
    ((node *)a)->b = mp_newref(a);
    MP_DECREF(a);
    MP_DECREF(d);
    cr_expect_eq(mp_gc_collect(-1), 5);
    cr_expect_eq(node_freed, 1);
    MP_DECREF(k);
}
