/* test_str.c — strings: compact sizes, singletons, UTF-8, concatenation,
 * comparison, interning and repr (runtime/str.c).
 *
 * Non-ASCII text is written as UTF-8 escapes: é is \xc3\xa9, € is
 * \xe2\x82\xac, 😀 is \xf0\x9f\x98\x80. */
#include <stdio.h>
#include <string.h>

#include "support.h"

MP_TEST_SUITE(str);

#define E_ACUTE "\xc3\xa9"
#define EURO "\xe2\x82\xac"
#define GRINNING "\xf0\x9f\x98\x80"

static mp_object *str_of(const char *utf8)
{
    mp_object *s = mp_str_from_utf8(utf8);
    cr_assert_not_null(s, "decoding failed: %s", mp_err_message());
    return s;
}

static void expect_str_repr(const char *utf8, const char *expected)
{
    mp_object *s = str_of(utf8);
    expect_repr(s, expected);
    MP_DECREF(s);
}

static void expect_decode_error(const char *bytes, mp_ssize_t n)
{
    mp_object *s = mp_str_from_utf8_size(bytes, n);
    cr_expect_null(s);
    cr_expect_eq(mp_err_occurred(), MP_ERR_UNICODE_DECODE);
    MP_XDECREF(s);
    mp_err_clear();
}

static int compare(const char *a, const char *b, mp_compare_op op)
{
    mp_object *x = str_of(a), *y = str_of(b);
    int r = mp_object_richcompare(x, y, op);
    MP_DECREF(x);
    MP_DECREF(y);
    return r;
}

/* ---- sizes and lengths ------------------------------------------------------------- */

static const struct {
    const char *utf8;
    size_t size;
    mp_ssize_t length;
} samples[] = {
    {"", 49, 0},
    {"a", 50, 1},
    {"ab", 51, 2},
    {NULL, 149, 100}, /* 'a' * 100, built in the test */
    {E_ACUTE, 74, 1},
    {E_ACUTE E_ACUTE, 75, 2},
    {EURO, 76, 1},
    {GRINNING, 80, 1},
};

/* python3 -c "import sys; print([sys.getsizeof(s) for s in ('', 'a', 'ab', 'a'*100, 'é', 'éé', '€', '😀')])"
 * -> [49, 50, 51, 149, 74, 75, 76, 80] */
Test(str, getsizeof_matches_cpython)
{
    char hundred[101];
    memset(hundred, 'a', 100);
    hundred[100] = '\0';
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        mp_object *s = str_of(samples[i].utf8 ? samples[i].utf8 : hundred);
        cr_expect_eq(mp_getsizeof(s), samples[i].size, "sample %zu", i);
        MP_DECREF(s);
    }
}

/* python3 -c "print([len(s) for s in ('', 'a', 'ab', 'a'*100, 'é', 'éé', '€', '😀')])"
 * -> [0, 1, 2, 100, 1, 2, 1, 1] */
Test(str, length_counts_code_points)
{
    char hundred[101];
    memset(hundred, 'a', 100);
    hundred[100] = '\0';
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        mp_object *s = str_of(samples[i].utf8 ? samples[i].utf8 : hundred);
        cr_expect_eq(mp_str_length(s), samples[i].length, "sample %zu", i);
        MP_DECREF(s);
    }
}

/* python3 -c "import sys; s = 'a\x00b'; print(len(s), sys.getsizeof(s))"  -> 3 52 */
Test(str, an_embedded_nul_is_a_character)
{
    mp_object *s = mp_str_from_utf8_size("a\0b", 3);
    cr_assert_not_null(s);
    cr_expect_eq(mp_str_length(s), 3);
    cr_expect_eq(mp_getsizeof(s), 52);
    cr_expect_eq(mp_str_read(s, 1), 0);
    MP_DECREF(s);
}

/* python3 -c "print([ord(c) for c in 'aé€😀'])"  -> [97, 233, 8364, 128512] */
Test(str, read_returns_code_points)
{
    mp_object *s = str_of("a" E_ACUTE EURO GRINNING);
    cr_expect_eq(mp_str_read(s, 0), 97);
    cr_expect_eq(mp_str_read(s, 1), 233);
    cr_expect_eq(mp_str_read(s, 2), 8364);
    cr_expect_eq(mp_str_read(s, 3), 128512);
    MP_DECREF(s);
}

/* ---- singletons -------------------------------------------------------------------- */

/* python3 -c "print(b''.decode() is b''.decode(), b'a'.decode() is b'a'.decode(),
 *   b'\x7f'.decode() is b'\x7f'.decode(), b'\xc3\xa9'.decode() is b'\xc3\xa9'.decode(),
 *   b'\xc3\xbf'.decode() is b'\xc3\xbf'.decode())"
 * -> True True True True True */
Test(str, empty_and_latin1_characters_are_singletons)
{
    const char *texts[] = {"", "a", "\x7f", E_ACUTE, "\xc3\xbf"};
    size_t start = blocks_in_use();
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        mp_object *a = str_of(texts[i]), *b = str_of(texts[i]);
        cr_expect_eq(a, b, "text %zu is not shared", i);
        MP_DECREF(a);
        MP_DECREF(b);
    }
    cr_expect_eq(blocks_in_use(), start, "a singleton was allocated");
}

/* python3 -c "print(b'ab'.decode() is b'ab'.decode(), b'\xe2\x82\xac'.decode() is b'\xe2\x82\xac'.decode())"
 * -> False False */
Test(str, longer_and_wider_strings_are_new_objects)
{
    const char *texts[] = {"ab", EURO};
    for (size_t i = 0; i < 2; i++) {
        mp_object *a = str_of(texts[i]), *b = str_of(texts[i]);
        cr_expect_neq(a, b, "text %zu is shared", i);
        MP_DECREF(a);
        MP_DECREF(b);
    }
}

/* ---- UTF-8 --------------------------------------------------------------------------- */

/* python3 -c "print(len('héllo €😀'.encode()))"  -> 14 */
Test(str, utf8_round_trips)
{
    const char *text = "h" E_ACUTE "llo " EURO GRINNING;
    mp_object *s = str_of(text);
    char buf[32];
    cr_expect_eq(mp_str_as_utf8(s, buf, sizeof buf), 14);
    cr_expect_str_eq(buf, text);
    MP_DECREF(s);
}

/* With room for 3 bytes and the NUL, 'héllo' keeps 'hé'; with room for 2,
 * only 'h' (é does not split). The full length is always returned.
 * python3 -c "s = 'héllo'.encode(); print(len(s), s[:3], s[:1])"  -> 6 b'h\xc3\xa9' b'h' */
Test(str, utf8_is_cut_at_a_code_point_to_fit_the_buffer)
{
    mp_object *s = str_of("h" E_ACUTE "llo");
    char buf[8];
    cr_expect_eq(mp_str_as_utf8(s, buf, 4), 6);
    cr_expect_str_eq(buf, "h" E_ACUTE);
    cr_expect_eq(mp_str_as_utf8(s, buf, 3), 6);
    cr_expect_str_eq(buf, "h");
    cr_expect_eq(mp_str_as_utf8(s, buf, 1), 6);
    cr_expect_str_eq(buf, "");
    MP_DECREF(s);
}

Test(str, utf8_into_no_buffer_only_measures)
{
    mp_object *s = str_of("h" E_ACUTE "llo");
    char guard = 'x';
    cr_expect_eq(mp_str_as_utf8(s, &guard, 0), 6);
    cr_expect_eq(guard, 'x');
    MP_DECREF(s);
}

/* python3 -c "print(len(b'\xf4\x8f\xbf\xbf'.decode()), hex(ord(b'\xf4\x8f\xbf\xbf'.decode())))"
 * -> 1 0x10ffff */
Test(str, the_largest_code_point_decodes)
{
    mp_object *s = str_of("\xf4\x8f\xbf\xbf");
    cr_expect_eq(mp_str_length(s), 1);
    cr_expect_eq(mp_str_read(s, 0), 0x10FFFF);
    MP_DECREF(s);
}

/* python3 -c "
 * for b in (b'\xc0\x80', b'\xed\xa0\x80', b'ab\xe2\x82', b'\xf5', b'a\x80', b'\xf4\x90\x80\x80',
 *           b'\xe0\x80\x80', b'\xc3('):
 *     try: b.decode()
 *     except UnicodeDecodeError as e: print(e)"  -> eight UnicodeDecodeErrors */
Test(str, invalid_utf8_is_a_decode_error)
{
    expect_decode_error("\xc0\x80", 2);         /* overlong NUL */
    expect_decode_error("\xed\xa0\x80", 3);     /* lone surrogate U+D800 */
    expect_decode_error("ab\xe2\x82", 4);       /* truncated sequence */
    expect_decode_error("\xf5", 1);             /* never a UTF-8 byte */
    expect_decode_error("a\x80", 2);            /* lone continuation byte */
    expect_decode_error("\xf4\x90\x80\x80", 4); /* past U+10FFFF */
    expect_decode_error("\xe0\x80\x80", 3);     /* overlong 3-byte form */
    expect_decode_error("\xc3(", 2);            /* bad continuation byte */
}

Test(str, a_decode_error_allocates_nothing)
{
    size_t start = blocks_in_use();
    expect_decode_error("abc\xff", 4);
    cr_expect_eq(blocks_in_use(), start);
}

/* python3 -c "b'\xc0\x80'.decode()"
 * -> UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte */
Test(str, decode_error_message_matches_cpython)
{
    cr_assert_null(mp_str_from_utf8_size("\xc0\x80", 2));
    cr_expect_str_eq(mp_err_message(),
                     "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte");
    mp_err_clear();
}

/* ---- concatenation ------------------------------------------------------------------- */

/* python3 -c "import sys; print([(len(a + b), sys.getsizeof(a + b)) for a, b in
 *   (('a', 'é'), ('é', '€'), ('€', '😀'), ('ab', 'cd'), ('a', '😀'), ('é', 'é'))])"
 * -> [(2, 75), (2, 78), (2, 84), (4, 53), (2, 84), (2, 75)] */
Test(str, concat_takes_the_wider_kind)
{
    struct {
        const char *a, *b;
        size_t size;
    } cases[] = {
        {"a", E_ACUTE, 75}, {E_ACUTE, EURO, 78}, {EURO, GRINNING, 84},
        {"ab", "cd", 53},   {"a", GRINNING, 84}, {E_ACUTE, E_ACUTE, 75},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_object *a = str_of(cases[i].a), *b = str_of(cases[i].b);
        mp_object *c = mp_str_concat(a, b);
        cr_assert_not_null(c);
        cr_expect_eq(mp_getsizeof(c), cases[i].size, "case %zu", i);
        cr_expect_eq(mp_str_length(c), mp_str_length(a) + mp_str_length(b), "case %zu", i);
        MP_DECREF(c);
        MP_DECREF(a);
        MP_DECREF(b);
    }
}

Test(str, concat_keeps_the_text_in_order)
{
    mp_object *a = str_of("a" E_ACUTE), *b = str_of(EURO GRINNING "z");
    mp_object *c = mp_str_concat(a, b);
    char buf[32];
    mp_str_as_utf8(c, buf, sizeof buf);
    cr_expect_str_eq(buf, "a" E_ACUTE EURO GRINNING "z");
    MP_DECREF(c);
    MP_DECREF(a);
    MP_DECREF(b);
}

/* python3 -c "s = b'ab'.decode(); print((s + '') is s, ('' + s) is s)"  -> True True */
Test(str, concat_with_empty_returns_the_other_string)
{
    mp_object *s = str_of("ab"), *empty = str_of("");
    mp_object *right = mp_str_concat(s, empty), *left = mp_str_concat(empty, s);
    cr_expect_eq(right, s);
    cr_expect_eq(left, s);
    MP_DECREF(right);
    MP_DECREF(left);
    MP_DECREF(s);
    MP_DECREF(empty);
}

/* ---- comparison ------------------------------------------------------------------------ */

/* python3 -c "print('abc' == 'abc', 'abc' != 'abd', 'é€' == 'é€', 'a' == 'é')"
 * -> True True True False */
Test(str, equality_compares_text_not_identity)
{
    cr_expect_eq(compare("abc", "abc", MP_EQ), 1);
    cr_expect_eq(compare("abc", "abd", MP_NE), 1);
    cr_expect_eq(compare(E_ACUTE EURO, E_ACUTE EURO, MP_EQ), 1);
    cr_expect_eq(compare("a", E_ACUTE, MP_EQ), 0);
}

Test(str, a_concatenation_equals_the_same_text_decoded)
{
    mp_object *a = str_of("ab"), *b = str_of("c"), *abc = str_of("abc");
    mp_object *c = mp_str_concat(a, b);
    cr_expect_eq(mp_object_richcompare(c, abc, MP_EQ), 1);
    MP_DECREF(c);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(abc);
}

/* python3 -c "print('abc' < 'abd', 'ab' < 'abc', 'é' > 'z', '€' > 'é', '😀' > '€',
 *   'a\x00b' < 'a\x00c', 'b' >= 'abc', '' < 'a')"
 * -> True True True True True True True True */
Test(str, ordering_compares_code_points)
{
    cr_expect_eq(compare("abc", "abd", MP_LT), 1);
    cr_expect_eq(compare("ab", "abc", MP_LT), 1);
    cr_expect_eq(compare(E_ACUTE, "z", MP_GT), 1);
    cr_expect_eq(compare(EURO, E_ACUTE, MP_GT), 1);
    cr_expect_eq(compare(GRINNING, EURO, MP_GT), 1);
    cr_expect_eq(compare("b", "abc", MP_GE), 1);
    cr_expect_eq(compare("", "a", MP_LT), 1);
    mp_object *x = mp_str_from_utf8_size("a\0b", 3), *y = mp_str_from_utf8_size("a\0c", 3);
    cr_expect_eq(mp_object_richcompare(x, y, MP_LT), 1);
    MP_DECREF(x);
    MP_DECREF(y);
}

/* ---- interning ---------------------------------------------------------------------------- */

/* python3 -c "import sys; a = sys.intern(b'hello'.decode()); b = sys.intern(b'hello'.decode()); print(a is b)"
 * -> True */
Test(str, equal_strings_interned_are_one_object)
{
    mp_object *a = str_of("hello"), *b = str_of("hello");
    cr_expect_neq(a, b);
    mp_str_intern(&a);
    mp_str_intern(&b);
    cr_expect_eq(a, b);
    cr_expect(mp_str_is_interned(a));
    MP_DECREF(a);
    MP_DECREF(b);
}

Test(str, interning_an_equal_string_returns_the_existing_one_and_releases_the_argument)
{
    mp_object *first = str_of("hello");
    mp_str_intern(&first);
    mp_ssize_t count = mp_str_interned_count();
    size_t blocks = blocks_in_use();
    mp_object *second = str_of("hello");
    mp_object *p = second;
    mp_str_intern(&p);
    cr_expect_eq(p, first);
    cr_expect_eq(mp_getrefcount(first), 3, "first is held by 'first' and 'p'");
    cr_expect_eq(blocks_in_use(), blocks, "the second string was not released");
    cr_expect_eq(mp_str_interned_count(), count);
    MP_DECREF(p);
    MP_DECREF(first);
}

Test(str, an_interned_string_still_dies_at_count_zero)
{
    mp_ssize_t count = mp_str_interned_count();
    mp_object *s = str_of("transient");
    mp_str_intern(&s);
    cr_expect_eq(mp_str_interned_count(), count + 1);
    size_t blocks = blocks_in_use();
    MP_DECREF(s);
    cr_expect_eq(blocks_in_use(), blocks - 1, "the interned string was not freed");
    cr_expect_eq(mp_str_interned_count(), count);
}

Test(str, a_string_interned_again_after_dying_is_a_new_entry)
{
    mp_object *s = mp_str_intern_from_utf8("again");
    MP_DECREF(s);
    mp_object *t = mp_str_intern_from_utf8("again");
    mp_object *u = mp_str_intern_from_utf8("again");
    cr_expect_eq(t, u);
    cr_expect(mp_str_is_interned(t));
    cr_expect_eq(mp_str_interned_count(), 1);
    MP_DECREF(t);
    MP_DECREF(u);
    cr_expect_eq(mp_str_interned_count(), 0);
}

Test(str, interning_twice_is_harmless)
{
    mp_object *s = mp_str_intern_from_utf8("twice");
    mp_object *p = s;
    mp_str_intern(&p);
    cr_expect_eq(p, s);
    cr_expect_eq(mp_getrefcount(s), 2);
    cr_expect_eq(mp_str_interned_count(), 1);
    MP_DECREF(s);
}

Test(str, a_new_string_is_not_interned)
{
    mp_object *s = str_of("fresh");
    cr_expect_not(mp_str_is_interned(s));
    MP_DECREF(s);
}

/* Enough strings to grow the table several times; each is found again, by
 * identity, after the growth, and all leave the table when they die. */
Test(str, the_intern_table_finds_every_string_after_growing)
{
    enum { N = 1000 };
    static mp_object *kept[N];
    char text[16];
    for (int i = 0; i < N; i++) {
        snprintf(text, sizeof text, "s%d", i);
        kept[i] = mp_str_intern_from_utf8(text);
    }
    cr_expect_eq(mp_str_interned_count(), N);
    for (int i = 0; i < N; i++) {
        snprintf(text, sizeof text, "s%d", i);
        mp_object *again = mp_str_intern_from_utf8(text);
        cr_expect_eq(again, kept[i], "\"%s\" was interned twice", text);
        MP_DECREF(again);
    }
    for (int i = 0; i < N; i++)
        MP_DECREF(kept[i]);
    cr_expect_eq(mp_str_interned_count(), 0);
}

/* Strings that come and go leave tombstones; the table must keep working. */
Test(str, the_intern_table_survives_churn)
{
    char text[16];
    mp_object *anchor = mp_str_intern_from_utf8("anchor");
    for (int i = 0; i < 5000; i++) {
        snprintf(text, sizeof text, "t%d", i);
        MP_DECREF(mp_str_intern_from_utf8(text));
    }
    mp_object *again = mp_str_intern_from_utf8("anchor");
    cr_expect_eq(again, anchor);
    cr_expect_eq(mp_str_interned_count(), 1);
    MP_DECREF(again);
    MP_DECREF(anchor);
}

/* ---- repr ----------------------------------------------------------------------------------- */

/* python3 -c "print(repr(\"it's\"), repr('say \"hi\"'), repr('\'\"'), repr(''))"
 * -> "it's" 'say "hi"' '\'"' '' */
Test(str, repr_picks_quotes_as_python_does)
{
    expect_str_repr("it's", "\"it's\"");
    expect_str_repr("say \"hi\"", "'say \"hi\"'");
    expect_str_repr("'\"", "'\\'\"'");
    expect_str_repr("", "''");
}

/* python3 -c "print(repr('a\nb'), repr('tab\t'), repr('back\\\\slash'), repr('\x00\x7f\r'))"
 * -> 'a\nb' 'tab\t' 'back\\slash' '\x00\x7f\r' */
Test(str, repr_escapes_control_characters_and_backslash)
{
    expect_str_repr("a\nb", "'a\\nb'");
    expect_str_repr("tab\t", "'tab\\t'");
    expect_str_repr("back\\slash", "'back\\\\slash'");
    mp_object *s = mp_str_from_utf8_size("\x00\x7f\r", 3);
    char buf[32];
    cr_expect_str_eq(mp_repr(s, buf, sizeof buf), "'\\x00\\x7f\\r'");
    MP_DECREF(s);
}

/* python3 -c "print(repr('é€😀'), repr('\x80'), repr('\xa0'))"  -> 'é€😀' '\x80' '\xa0' */
Test(str, repr_keeps_printable_unicode_and_escapes_c1_controls)
{
    expect_str_repr(E_ACUTE EURO GRINNING, "'" E_ACUTE EURO GRINNING "'");
    expect_str_repr("\xc2\x80", "'\\x80'");
    expect_str_repr("\xc2\xa0", "'\\xa0'");
}

/* str.isprintable() is false for format and separator characters, which
 * repr escapes too.
 * python3 -c "print(repr('\xad'), repr('\u2028'), repr('\u200b'))"  -> '\xad' '\u2028' '\u200b' */
Test(str, repr_escapes_every_non_printable_character)
{
    expect_str_repr("\xc2\xad", "'\\xad'");
    expect_str_repr("\xe2\x80\xa8", "'\\u2028'");
    expect_str_repr("\xe2\x80\x8b", "'\\u200b'");
}
