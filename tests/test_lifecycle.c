/* test_lifecycle.c — mp_init and mp_fini (runtime/lifecycle.c).
 *
 * The fixture starts a session for each test; a test that ends one starts
 * another before it returns, so the fixture's mp_fini always has one. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "support.h"

#ifdef MP_DEBUG
#include "child.h"
#endif

MP_TEST_SUITE(lifecycle);

/* Makes and drops a little of everything: ints in and out of the cache,
 * strings (one interned), a tuple and a list holding them. */
static void use_the_runtime(void)
{
    mp_object *small = mp_int_from_long(7), *big = mp_int_from_long(1000000);
    mp_object *s = mp_str_intern_from_utf8("session");
    mp_object *t = mp_tuple_pack(3, small, big, s);
    mp_object *l = mp_list_new(0);
    for (int i = 0; i < 20; i++)
        cr_expect_eq(mp_list_append(l, t), 0);
    MP_DECREF(l);
    MP_DECREF(t);
    MP_DECREF(s);
    MP_DECREF(big);
    MP_DECREF(small);
}

Test(lifecycle, init_is_seen_by_is_initialized)
{
    cr_expect(mp_is_initialized());
}

Test(lifecycle, init_twice_without_fini_is_a_system_error)
{
    cr_assert_eq(mp_init(), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_SYSTEM);
    cr_expect_str_eq(mp_err_message(), "mp_init called twice without mp_fini");
    cr_expect(mp_is_initialized(), "the first session must survive the second mp_init");
    mp_err_clear();
}

Test(lifecycle, the_session_still_works_after_a_second_init_fails)
{
    mp_object *a = mp_int_from_long(1000);
    cr_assert_eq(mp_init(), -1);
    mp_err_clear();
    mp_object *l = mp_list_new(0);
    cr_expect_eq(mp_list_append(l, a), 0);
    MP_DECREF(l);
    MP_DECREF(a);
}

Test(lifecycle, fini_ends_the_session)
{
    mp_fini();
    cr_expect_not(mp_is_initialized());
    cr_assert_eq(mp_init(), 0);
}

Test(lifecycle, after_fini_no_block_is_in_use)
{
    use_the_runtime();
    mp_fini();
    mp_malloc_stats s = stats();
    cr_expect_eq(s.blocks_in_use, 0);
    cr_expect_eq(s.bytes_in_use, 0);
    cr_assert_eq(mp_init(), 0);
}

Test(lifecycle, init_fini_cycles_repeat)
{
    for (int i = 0; i < 50; i++) {
        use_the_runtime();
        mp_fini();
        cr_expect_eq(stats().blocks_in_use, 0, "cycle %d", i);
        cr_assert_eq(mp_init(), 0, "cycle %d: %s", i, mp_err_message());
    }
}

Test(lifecycle, fini_twice_is_harmless)
{
    mp_fini();
    mp_fini();
    cr_expect_not(mp_is_initialized());
    cr_assert_eq(mp_init(), 0);
}

Test(lifecycle, a_new_session_starts_with_no_error)
{
    mp_err_set(MP_ERR_VALUE, "left over");
    mp_fini();
    cr_assert_eq(mp_init(), 0);
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
}

Test(lifecycle, a_new_session_starts_with_fresh_statistics)
{
    use_the_runtime();
    mp_fini();
    cr_assert_eq(mp_init(), 0);
    mp_malloc_stats s = stats();
    cr_expect_eq(s.allocations, 0);
    cr_expect_eq(s.frees, 0);
    cr_expect_eq(s.bytes_in_use, 0);
}

Test(lifecycle, interned_strings_do_not_outlive_their_session)
{
    mp_object *s = mp_str_intern_from_utf8("kept");
    MP_DECREF(s);
    mp_fini();
    cr_assert_eq(mp_init(), 0);
    cr_expect_eq(mp_str_interned_count(), 0);
    mp_object *t = mp_str_from_utf8("kept");
    cr_expect_not(mp_str_is_interned(t));
    MP_DECREF(t);
}

/* python3 -c "import sys; print(sys.getrefcount(7) > 10**8)"  -> True: the
 * shared objects are immortal, and so they are again in every new session. */
Test(lifecycle, shared_objects_are_immortal_in_every_session)
{
    for (int i = 0; i < 3; i++) {
        mp_object *seven = mp_int_from_long(7), *empty = mp_tuple_new(0), *a = mp_str_from_utf8("a");
        cr_expect_eq(mp_getrefcount(seven), MP_IMMORTAL_REFCNT + 2);
        cr_expect_eq(mp_getrefcount(empty), MP_IMMORTAL_REFCNT + 2);
        cr_expect_eq(mp_getrefcount(a), MP_IMMORTAL_REFCNT + 2);
        MP_DECREF(seven);
        MP_DECREF(empty);
        MP_DECREF(a);
        mp_fini();
        cr_assert_eq(mp_init(), 0);
    }
}

#ifdef MP_DEBUG

/* The leak is made before the fork and mp_fini runs in the child, so the
 * parent still holds what it needs to release. */
Test(lifecycle, debug_fini_aborts_on_a_leaked_block)
{
    mp_object *leaked = mp_list_new(0);
    child_result r;
    RUN_IN_CHILD(&r, mp_fini());
    /* An empty list: 56 bytes, served from the 64-byte size class. */
    expect_aborted_saying(&r, "1 block(s), 64 bytes, still allocated");
    MP_DECREF(leaked);
}

Test(lifecycle, debug_fini_aborts_naming_a_leaked_shared_object)
{
    mp_object *five = mp_int_from_long(5);
    child_result r;
    RUN_IN_CHILD(&r, mp_fini());
    expect_aborted_saying(&r, "1 reference(s) to the shared int 5 never released");
    MP_DECREF(five);
}

Test(lifecycle, debug_fini_aborts_on_a_shared_object_released_too_often)
{
    mp_object *empty = mp_tuple_new(0);
    MP_DECREF(empty);
    child_result r;
    RUN_IN_CHILD(&r, (MP_DECREF(empty), mp_fini()));
    expect_aborted_saying(&r, "the shared tuple () was released 1 more time(s) than taken");
}

#endif
