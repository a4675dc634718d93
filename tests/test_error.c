/* test_error.c — the runtime's current error (runtime/error.c). */
#include <string.h>

#include "support.h"

MP_TEST_SUITE(error);

Test(error, none_is_set_after_init)
{
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_str_eq(mp_err_message(), "");
}

Test(error, set_is_seen_by_occurred_and_message)
{
    mp_err_set(MP_ERR_KEY, "'missing'");
    cr_expect_eq(mp_err_occurred(), MP_ERR_KEY);
    cr_expect_str_eq(mp_err_message(), "'missing'");
    mp_err_clear();
}

Test(error, set_copies_the_message)
{
    char text[] = "first";
    mp_err_set(MP_ERR_VALUE, text);
    strcpy(text, "other");
    cr_expect_str_eq(mp_err_message(), "first");
    mp_err_clear();
}

Test(error, clear_forgets_kind_and_message)
{
    mp_err_set(MP_ERR_VALUE, "bad");
    mp_err_clear();
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_str_eq(mp_err_message(), "");
}

Test(error, a_second_error_replaces_the_first)
{
    mp_err_set(MP_ERR_VALUE, "first");
    mp_err_set(MP_ERR_INDEX, "second");
    cr_expect_eq(mp_err_occurred(), MP_ERR_INDEX);
    cr_expect_str_eq(mp_err_message(), "second");
    mp_err_clear();
}

/* python3 -c "print('%s index %d out of range' % ('list', 7))" -> list index 7 out of range */
Test(error, format_fills_in_its_arguments)
{
    mp_err_format(MP_ERR_INDEX, "%s index %d out of range", "list", 7);
    cr_expect_eq(mp_err_occurred(), MP_ERR_INDEX);
    cr_expect_str_eq(mp_err_message(), "list index 7 out of range");
    mp_err_clear();
}

/* The message buffer holds 255 characters and the NUL; longer text is cut. */
/* The buffer is fixed (setting an error never allocates): a message longer
 * than it is cut, keeping its start, and still holds a 200-character repr
 * as int()'s error needs. */
Test(error, a_long_message_is_cut_not_overflowed)
{
    static char text[5000];
    memset(text, 'x', sizeof text - 1);
    mp_err_set(MP_ERR_VALUE, text);
    size_t kept = strlen(mp_err_message());
    cr_expect_lt(kept, sizeof text - 1);
    cr_expect_gt(kept, 250);
    cr_expect_eq(strncmp(mp_err_message(), text, kept), 0);
    mp_err_clear();
}

/* Re-raising as another kind with the same text, as a caller does when it
 * translates an error. */
Test(error, set_with_the_current_message_keeps_the_text)
{
    mp_err_set(MP_ERR_KEY, "k");
    mp_err_set(MP_ERR_TYPE, mp_err_message());
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "k");
    mp_err_clear();
}

/* Wrapping the current message in a new one, as PyErr_Format("...: %S",
 * old) does in CPython: the argument is the buffer being written. */
Test(error, format_can_quote_the_current_message)
{
    mp_err_set(MP_ERR_VALUE, "bad digit");
    mp_err_format(MP_ERR_VALUE, "while parsing: %s", mp_err_message());
    cr_expect_str_eq(mp_err_message(), "while parsing: bad digit");
    mp_err_clear();
}

/* The names are CPython's exception classes:
 * python3 -c "import builtins; print([n for n in ('MemoryError', 'OverflowError',
 *   'ValueError', 'UnicodeDecodeError', 'TypeError', 'IndexError', 'KeyError',
 *   'AttributeError', 'ZeroDivisionError', 'SystemError')
 *   if issubclass(getattr(builtins, n), BaseException)])"  -> all ten */
Test(error, names_are_cpythons_exception_classes)
{
    cr_expect_str_eq(mp_err_name(MP_ERR_MEMORY), "MemoryError");
    cr_expect_str_eq(mp_err_name(MP_ERR_OVERFLOW), "OverflowError");
    cr_expect_str_eq(mp_err_name(MP_ERR_VALUE), "ValueError");
    cr_expect_str_eq(mp_err_name(MP_ERR_UNICODE_DECODE), "UnicodeDecodeError");
    cr_expect_str_eq(mp_err_name(MP_ERR_TYPE), "TypeError");
    cr_expect_str_eq(mp_err_name(MP_ERR_INDEX), "IndexError");
    cr_expect_str_eq(mp_err_name(MP_ERR_KEY), "KeyError");
    cr_expect_str_eq(mp_err_name(MP_ERR_ATTRIBUTE), "AttributeError");
    cr_expect_str_eq(mp_err_name(MP_ERR_ZERO_DIVISION), "ZeroDivisionError");
    cr_expect_str_eq(mp_err_name(MP_ERR_SYSTEM), "SystemError");
}

Test(error, name_of_an_unknown_kind_is_not_a_crash)
{
    cr_expect_str_eq(mp_err_name((mp_err_kind)1000), "unknown error");
    cr_expect_str_eq(mp_err_name((mp_err_kind)-1), "unknown error");
}

Test(error, nomemory_returns_null_and_sets_memory_error)
{
    cr_assert_null(mp_err_nomemory());
    cr_expect_eq(mp_err_occurred(), MP_ERR_MEMORY);
    cr_expect_neq(strlen(mp_err_message()), 0);
    mp_err_clear();
}

Test(error, setting_an_error_allocates_nothing)
{
    mp_malloc_stats before, after;
    mp_get_malloc_stats(&before);
    mp_err_format(MP_ERR_VALUE, "%d", 42);
    mp_err_nomemory();
    mp_get_malloc_stats(&after);
    cr_expect_eq(after.allocations, before.allocations);
    mp_err_clear();
}
