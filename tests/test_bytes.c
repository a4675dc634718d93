/* test_bytes.c — bytes: sizes, the shared empty and one-byte values, items,
 * iteration, hash, comparison, repr and membership (runtime/bytes.c). */
#include <string.h>

#include "support.h"

MP_TEST_SUITE(bytes);

static mp_object *bytes_of(const char *s, mp_ssize_t n)
{
    mp_object *b = mp_bytes_from_string_and_size(s, n);
    cr_assert_not_null(b, "%s", mp_err_message());
    return b;
}

static void expect_error(mp_err_kind kind, const char *message)
{
    cr_expect_eq(mp_err_occurred(), kind, "got %s: %s", mp_err_name(mp_err_occurred()),
                 mp_err_message());
    cr_expect_str_eq(mp_err_message(), message);
    mp_err_clear();
}

/* ---- sizes and the singletons ----------------------------------------------------------- */

/* python3 -c "import sys; print(sys.getsizeof(b''), sys.getsizeof(b'abc'), sys.getsizeof(b'a'),
 *             sys.getsizeof(bytes(range(256))))"  -> 33 36 34 289 */
Test(bytes, getsizeof_is_33_plus_the_length)
{
    char all[256];
    for (int c = 0; c < 256; c++)
        all[c] = (char)c;
    mp_object *e = mp_bytes_from_string(""), *abc = mp_bytes_from_string("abc");
    mp_object *a = bytes_of("a", 1), *b256 = bytes_of(all, 256);
    cr_expect_eq(mp_getsizeof(e), 33);
    cr_expect_eq(mp_getsizeof(abc), 36);
    cr_expect_eq(mp_getsizeof(a), 34);
    cr_expect_eq(mp_getsizeof(b256), 289);
    cr_expect_eq(mp_bytes_size(b256), 256);
    cr_expect_eq(memcmp(mp_bytes_as_string(b256), all, 256), 0);
    cr_expect_eq(mp_bytes_as_string(b256)[256], '\0', "the data is NUL-terminated");
    MP_DECREF(e);
    MP_DECREF(abc);
    MP_DECREF(a);
    MP_DECREF(b256);
}

Test(bytes, a_new_bytes_is_one_block_of_33_plus_n_bytes)
{
    mp_malloc_stats before = stats();
    mp_object *b = mp_bytes_from_string("hello, world"); /* 12 bytes: 45, in a 48-byte block */
    mp_malloc_stats after = stats();
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use + 1);
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use + 48);
    MP_DECREF(b);
}

/* python3 -c "
 * import sys; a = bytes([65]); b = bytes([65])
 * print(a is b, bytes(0) is b'', bytes([200]) is bytes([200]), bytes([1, 2]) is bytes([1, 2]))"
 * -> True True True False; and sys.getrefcount(b'') is about a billion (immortal) */
Test(bytes, empty_and_one_byte_values_are_shared)
{
    mp_object *e1 = mp_bytes_from_string(""), *e2 = bytes_of(NULL, 0);
    cr_expect_eq(e1, e2);
    cr_expect_gt(mp_getrefcount(e1), 100000000);
    for (int c = 0; c < 256; c++) {
        char ch = (char)c;
        mp_object *x = bytes_of(&ch, 1), *y = bytes_of(&ch, 1);
        cr_expect_eq(x, y, "bytes([%d])", c);
        MP_DECREF(x);
        MP_DECREF(y);
    }
    mp_object *p = bytes_of("\x01\x02", 2), *q = bytes_of("\x01\x02", 2);
    cr_expect_neq(p, q);
    MP_DECREF(p);
    MP_DECREF(q);
    MP_DECREF(e1);
    MP_DECREF(e2);
}

Test(bytes, a_bytes_made_to_be_filled_is_never_a_singleton)
{
    mp_object *b = bytes_of(NULL, 1);
    mp_bytes_as_string(b)[0] = 'z';
    mp_object *z = bytes_of("z", 1);
    cr_expect_neq(b, z);
    cr_expect_eq(mp_object_richcompare(b, z, MP_EQ), 1);
    MP_DECREF(b);
    MP_DECREF(z);
}

Test(bytes, a_negative_size_is_an_error)
{
    cr_expect_null(mp_bytes_from_string_and_size("x", -1));
    cr_expect_eq(mp_err_occurred(), MP_ERR_SYSTEM);
    mp_err_clear();
}

/* ---- items and iteration ------------------------------------------------------------------- */

/* python3 -c "
 * b = b'a\x00\xff'; print(b[0], b[1], b[2], b[-1], len(b))
 * b[3]"  -> 97 0 255 255 3, then IndexError: index out of range */
Test(bytes, items_are_ints_from_0_to_255)
{
    mp_object *b = bytes_of("a\0\xff", 3);
    long expected[] = {97, 0, 255};
    for (mp_ssize_t i = 0; i < 3; i++) {
        mp_object *x = mp_bytes_getitem(b, i);
        cr_expect_eq(mp_int_as_long(x), expected[i]);
        MP_DECREF(x);
    }
    mp_object *last = mp_bytes_getitem(b, -1);
    cr_expect_eq(mp_int_as_long(last), 255);
    MP_DECREF(last);
    cr_expect_eq(mp_object_len(b), 3);
    cr_expect_null(mp_bytes_getitem(b, 3));
    expect_error(MP_ERR_INDEX, "index out of range");
    cr_expect_null(mp_bytes_getitem(b, -4));
    expect_error(MP_ERR_INDEX, "index out of range");
    MP_DECREF(b);
}

/* python3 -c "import sys; print(list(b'ab'), sys.getsizeof(iter(b'')), type(iter(b'')).__name__)"
 * -> [97, 98] 48 bytes_iterator */
Test(bytes, an_iterator_yields_the_bytes_as_ints)
{
    mp_object *b = mp_bytes_from_string("ab"), *it = mp_object_getiter(b);
    cr_assert_not_null(it);
    cr_expect_eq(mp_getsizeof(it), 48);
    cr_expect_str_eq(MP_TYPE(it)->tp_name, "bytes_iterator");
    mp_object *x = mp_iter_next(it), *y = mp_iter_next(it);
    cr_expect_eq(mp_int_as_long(x), 97);
    cr_expect_eq(mp_int_as_long(y), 98);
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(mp_getrefcount(b), 2, "an exhausted iterator lets its bytes go");
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(it);
    MP_DECREF(b);
}

/* ---- hash and comparison ------------------------------------------------------------------- */

/* python3 -c "print(hash(b''), hash(''), hash(b'abc') == hash('abc'), hash(b'\xe9') == hash('\xe9'))"
 * -> 0 0 True True (the values of nonempty hashes change between CPython runs; see hash.c) */
Test(bytes, hash_agrees_with_str_for_the_same_stored_bytes)
{
    mp_object *e = mp_bytes_from_string(""), *es = mp_str_from_utf8("");
    cr_expect_eq(mp_object_hash(e), 0);
    cr_expect_eq(mp_object_hash(es), 0);
    mp_object *b = mp_bytes_from_string("abc"), *s = mp_str_from_utf8("abc");
    cr_expect_eq(mp_object_hash(b), mp_object_hash(s));
    mp_object *b1 = bytes_of("\xe9\xe9", 2), *s1 = mp_str_from_utf8("\xc3\xa9\xc3\xa9"); /* 'éé' */
    cr_expect_eq(mp_object_hash(b1), mp_object_hash(s1));
    mp_object *other = mp_bytes_from_string("abd");
    cr_expect_neq(mp_object_hash(b), mp_object_hash(other));
    cr_expect_eq(((mp_bytes *)b)->ob_shash, mp_object_hash(b), "the hash is cached");
    MP_DECREF(e);
    MP_DECREF(es);
    MP_DECREF(b);
    MP_DECREF(s);
    MP_DECREF(b1);
    MP_DECREF(s1);
    MP_DECREF(other);
}

/* python3 -c "print(sorted([b'b', b'abc', b'ab', b'', b'\xff', b'a\x00']))"
 * -> [b'', b'a\x00', b'ab', b'abc', b'b', b'\xff']: bytes compare as unsigned, then by length */
Test(bytes, ordering_is_by_unsigned_bytes_then_length)
{
    mp_object *sorted[] = {bytes_of("", 0),        bytes_of("a\0", 2), bytes_of("ab", 2),
                           bytes_of("abc", 3),     bytes_of("b", 1),   bytes_of("\xff", 1)};
    size_t n = sizeof sorted / sizeof sorted[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            cr_expect_eq(mp_object_richcompare(sorted[i], sorted[j], MP_LT), i < j, "%zu < %zu", i, j);
            cr_expect_eq(mp_object_richcompare(sorted[i], sorted[j], MP_EQ), i == j);
            cr_expect_eq(mp_object_richcompare(sorted[i], sorted[j], MP_GE), i >= j);
        }
    }
    mp_object *again = bytes_of("a\0", 2);
    cr_expect_eq(mp_object_richcompare(again, sorted[1], MP_EQ), 1, "equal contents, two objects");
    MP_DECREF(again);
    for (size_t i = 0; i < n; i++)
        MP_DECREF(sorted[i]);
}

/* python3 -c "b'ab' < 'ab'"  -> TypeError: '<' not supported between instances of 'bytes' and 'str' */
Test(bytes, ordering_against_a_str_is_a_type_error)
{
    mp_object *b = mp_bytes_from_string("ab"), *s = mp_str_from_utf8("ab");
    cr_expect_eq(mp_object_richcompare(b, s, MP_EQ), 0);
    cr_expect_eq(mp_object_richcompare(b, s, MP_LT), -1);
    expect_error(MP_ERR_TYPE, "'<' not supported between instances of 'bytes' and 'str'");
    MP_DECREF(b);
    MP_DECREF(s);
}

/* ---- repr and membership ------------------------------------------------------------------- */

/* python3 -c "
 * for b in [b'', b'abc', b\"it's\", b'say \"hi\"', b'both \\' and \"', b'\x00\x07\t\n\r\\\\\x7f\x80\xff ~']:
 *     print(repr(b))" */
Test(bytes, repr_quotes_and_escapes_as_cpython)
{
    struct {
        const char *data;
        mp_ssize_t n;
        const char *repr;
    } cases[] = {
        {"", 0, "b''"},
        {"abc", 3, "b'abc'"},
        {"it's", 4, "b\"it's\""},
        {"say \"hi\"", 8, "b'say \"hi\"'"},
        {"both ' and \"", 12, "b'both \\' and \"'"},
        {"\x00\x07\t\n\r\\\x7f\x80\xff ~", 11, "b'\\x00\\x07\\t\\n\\r\\\\\\x7f\\x80\\xff ~'"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mp_object *b = bytes_of(cases[k].data, cases[k].n);
        expect_repr(b, cases[k].repr);
        MP_DECREF(b);
    }
}

/* python3 -c "
 * print(97 in b'abc', 100 in b'abc', b'bc' in b'abc', b'' in b'abc', b'ac' in b'abc')
 * for x in (300, -1, 'a', 1.5):
 *     try: x in b'abc'
 *     except Exception as e: print(type(e).__name__, e)"
 * -> True False True True False; ValueError byte must be in range(0, 256) (twice);
 *    TypeError a bytes-like object is required, not 'str' (and 'float') */
Test(bytes, membership_takes_a_byte_value_or_a_run_of_bytes)
{
    mp_object *abc = mp_bytes_from_string("abc");
    mp_object *i97 = mp_int_from_long(97), *i100 = mp_int_from_long(100);
    mp_object *bc = mp_bytes_from_string("bc"), *empty = mp_bytes_from_string(""),
              *ac = mp_bytes_from_string("ac");
    cr_expect_eq(mp_sequence_contains(abc, i97), 1);
    cr_expect_eq(mp_sequence_contains(abc, i100), 0);
    cr_expect_eq(mp_sequence_contains(abc, bc), 1);
    cr_expect_eq(mp_sequence_contains(abc, empty), 1);
    cr_expect_eq(mp_sequence_contains(abc, ac), 0);
    mp_object *i300 = mp_int_from_long(300), *neg = mp_int_from_long(-1);
    mp_object *s = mp_str_from_utf8("a"), *f = mp_float_from_double(1.5);
    cr_expect_eq(mp_sequence_contains(abc, i300), -1);
    expect_error(MP_ERR_VALUE, "byte must be in range(0, 256)");
    cr_expect_eq(mp_sequence_contains(abc, neg), -1);
    expect_error(MP_ERR_VALUE, "byte must be in range(0, 256)");
    cr_expect_eq(mp_sequence_contains(abc, s), -1);
    expect_error(MP_ERR_TYPE, "a bytes-like object is required, not 'str'");
    cr_expect_eq(mp_sequence_contains(abc, f), -1);
    expect_error(MP_ERR_TYPE, "a bytes-like object is required, not 'float'");
    mp_object *objs[] = {abc, i97, i100, bc, empty, ac, i300, neg, s, f};
    for (size_t k = 0; k < sizeof objs / sizeof objs[0]; k++)
        MP_DECREF(objs[k]);
}

/* python3 -c "print(2**100 in b'a')"  -> ValueError: byte must be in range(0, 256) */
Test(bytes, membership_of_a_huge_int_is_a_value_error)
{
    mp_object *a = mp_bytes_from_string("a"), *huge = mp_int_from_string("1267650600228229401496703205376");
    cr_expect_eq(mp_sequence_contains(a, huge), -1);
    expect_error(MP_ERR_VALUE, "byte must be in range(0, 256)");
    MP_DECREF(a);
    MP_DECREF(huge);
}

Test(bytes, bytes_may_hold_nuls)
{
    mp_object *b = bytes_of("a\0b", 3);
    cr_expect_eq(mp_bytes_size(b), 3);
    cr_expect_eq(memcmp(mp_bytes_as_string(b), "a\0b", 4), 0);
    expect_repr(b, "b'a\\x00b'");
    MP_DECREF(b);
}
