/* test_debug.c — what a debug build (MP_DEBUG) catches, and what it says.
 *
 * CPython's debug build checks every refcount and poisons freed memory;
 * ours aborts on a misuse with a message naming the object's type and the
 * line of the caller. Each misuse runs in a forked child (child.h); the
 * test checks that the child aborted and what its message names:
 *
 *   - a refcount driven below zero, through MP_DECREF;
 *   - a decref of a freed object (a container, an instance);
 *   - a buffer overrun past an object's end, seen when it is freed;
 *   - a freed object passed to the runtime's API: list.append, dict
 *     setitem, getattr, set.add, deque.append, len() (runtime/object.h's
 *     MP_CHECK_LIVE at the entry points).
 *
 * test_object.c and test_obmalloc.c check the same for an int, a bare
 * block and a type whose dealloc does nothing; these are the containers
 * and instances that programs misuse in practice. Without MP_DEBUG the
 * file holds no test.
 */
#define _POSIX_C_SOURCE 200809L

#include "child.h"
#include "mp.h"
#include "support.h"

#ifdef MP_DEBUG

MP_TEST_SUITE(debug);

/* ---- refcounts ------------------------------------------------------------------ */

Test(debug, one_decref_too_many_of_a_list_item_is_caught_on_the_next)
{
    mp_object *l = mp_list_new(0);
    mp_object *item = mp_int_from_long(12345);
    mp_list_append(l, item);
    /* One decref too many of the item, while the list still holds it. */
    MP_DECREF(item);
    child_result r;
    RUN_IN_CHILD(&r, (MP_DECREF(item), MP_DECREF(item)));
    expect_aborted_here(&r, "int object");
    MP_DECREF(l);
}

Test(debug, a_decref_of_a_freed_dict_names_it)
{
    mp_object *d = mp_dict_new();
    MP_DECREF(d);
    child_result r;
    RUN_IN_CHILD(&r, MP_DECREF(d));
    expect_aborted_here(&r, "freed dict object");
}

Test(debug, a_decref_of_a_freed_instance_names_its_class)
{
    mp_object *cls = mp_class_new("Point", NULL);
    mp_object *p = mp_instance_new(cls);
    MP_DECREF(p);
    child_result r;
    RUN_IN_CHILD(&r, MP_DECREF(p));
    expect_aborted_here(&r, "freed Point object");
    MP_DECREF(cls);
}

/* ---- buffer overruns --------------------------------------------------------------- */

/* A C extension that writes one item past a tuple's end: the guard after
 * the block catches it when the tuple is freed, naming the line that made
 * the tuple. */
Test(debug, an_overrun_past_a_tuple_is_caught_when_it_is_freed)
{
    mp_object *t = mp_tuple_new(2); const int line = __LINE__;
    mp_tuple_set_item(t, 0, mp_int_from_long(1));
    mp_tuple_set_item(t, 1, mp_int_from_long(2));
    child_result r;
    RUN_IN_CHILD(&r, (((mp_tuple *)t)->ob_item[2] = NULL, MP_DECREF(t)));
    expect_aborted_saying(&r, "buffer overrun");
    cr_expect(strstr(r.err, "tuple"), "stderr does not name the tuple: %s", r.err);
    expect_names_site(&r, line);
    MP_DECREF(t);
}

/* ---- a freed object given to the API --------------------------------------------------- */

Test(debug, append_to_a_freed_list_aborts_naming_it)
{
    mp_object *l = mp_list_new(0);
    mp_object *x = mp_int_from_long(7);
    MP_DECREF(l);
    child_result r;
    RUN_IN_CHILD(&r, mp_list_append(l, x));
    expect_aborted_here(&r, "freed list object");
    MP_DECREF(x);
}

Test(debug, setitem_on_a_freed_dict_aborts_naming_it)
{
    mp_object *d = mp_dict_new();
    mp_object *k = mp_int_from_long(1);
    MP_DECREF(d);
    child_result r;
    RUN_IN_CHILD(&r, mp_dict_setitem(d, k, k));
    expect_aborted_here(&r, "freed dict object");
    MP_DECREF(k);
}

Test(debug, storing_a_freed_object_in_a_dict_aborts_naming_it)
{
    mp_object *d = mp_dict_new();
    mp_object *v = mp_list_new(0);
    mp_object *k = mp_int_from_long(1);
    MP_DECREF(v);
    child_result r;
    RUN_IN_CHILD(&r, mp_dict_setitem(d, k, v));
    expect_aborted_here(&r, "freed list object");
    MP_DECREF(k);
    MP_DECREF(d);
}

Test(debug, getattr_of_a_freed_instance_aborts_naming_its_class)
{
    mp_object *cls = mp_class_new("Point", NULL);
    mp_object *p = mp_instance_new(cls);
    mp_object *one = mp_int_from_long(1);
    cr_assert_eq(mp_object_setattr_str(p, "x", one), 0);
    MP_DECREF(p);
    child_result r;
    RUN_IN_CHILD(&r, mp_object_getattr_str(p, "x"));
    expect_aborted_here(&r, "freed Point object");
    MP_DECREF(one);
    MP_DECREF(cls);
}

Test(debug, getattr_by_str_object_of_a_freed_slotted_instance_aborts_naming_its_class)
{
    static const char *const slots[] = {"x", NULL};
    mp_object *cls = mp_class_new("Pair", slots);
    mp_object *p = mp_instance_new(cls);
    mp_object *name = mp_str_from_utf8("x");
    MP_DECREF(p);
    child_result r;
    RUN_IN_CHILD(&r, mp_object_getattr(p, name));
    expect_aborted_here(&r, "freed Pair object");
    MP_DECREF(name);
    MP_DECREF(cls);
}

Test(debug, len_of_a_freed_list_aborts_naming_it)
{
    mp_object *l = mp_list_new(0);
    MP_DECREF(l);
    child_result r;
    RUN_IN_CHILD(&r, mp_object_len(l));
    expect_aborted_here(&r, "freed list object");
}

Test(debug, add_to_a_freed_set_aborts_naming_it)
{
    mp_object *s = mp_set_new(NULL);
    mp_object *k = mp_int_from_long(3);
    MP_DECREF(s);
    child_result r;
    RUN_IN_CHILD(&r, mp_set_add(s, k));
    expect_aborted_here(&r, "freed set object");
    MP_DECREF(k);
}

Test(debug, append_of_a_freed_instance_to_a_deque_aborts_naming_its_class)
{
    mp_object *cls = mp_class_new("Point", NULL);
    mp_object *p = mp_instance_new(cls);
    mp_object *d = mp_deque_new(MP_DEQUE_UNBOUNDED);
    MP_DECREF(p);
    child_result r;
    RUN_IN_CHILD(&r, mp_deque_append(d, p));
    expect_aborted_here(&r, "freed Point object");
    MP_DECREF(d);
    MP_DECREF(cls);
}

#endif
