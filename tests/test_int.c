/* test_int.c — ints: sizes, the small-int cache, parsing, conversion,
 * arithmetic, hashing and comparison (runtime/int.c). */
#include <limits.h>
#include <string.h>

#include "support.h"

MP_TEST_SUITE(int);

static mp_object *int_of(const char *decimal)
{
    mp_object *o = mp_int_from_string(decimal);
    cr_assert_not_null(o, "int(\"%s\") failed: %s", decimal, mp_err_message());
    return o;
}

/* Parses the string, checks its value as a C long, releases it. */
static void expect_parses_to(const char *s, long expected)
{
    mp_object *o = mp_int_from_string(s);
    cr_expect_not_null(o, "int(\"%s\") failed: %s", s, mp_err_message());
    if (!o) {
        mp_err_clear();
        return;
    }
    cr_expect_eq(mp_int_as_long(o), expected, "int(\"%s\")", s);
    MP_DECREF(o);
}

static void expect_invalid_literal(const char *s)
{
    mp_object *o = mp_int_from_string(s);
    cr_expect_null(o, "int(\"%s\") should fail", s);
    cr_expect_eq(mp_err_occurred(), MP_ERR_VALUE, "int(\"%s\")", s);
    MP_XDECREF(o);
    mp_err_clear();
}

typedef struct {
    const char *a, *b, *result;
} int_case;

static void expect_binop(mp_object *(*op)(mp_object *, mp_object *), const char *name,
                         const int_case *c)
{
    mp_object *a = int_of(c->a), *b = int_of(c->b);
    mp_object *r = op(a, b);
    cr_assert_not_null(r);
    char buf[512];
    cr_expect_str_eq(mp_repr(r, buf, sizeof buf), c->result, "%s %s %s", c->a, name, c->b);
    MP_DECREF(r);
    MP_DECREF(a);
    MP_DECREF(b);
}

/* ---- sizes -------------------------------------------------------------------- */

/* python3 -c "import sys; print([sys.getsizeof(v) for v in (0, 1, -1, 2**30-1, 2**30, 2**60, 2**90, 10**100)])"
 * -> [28, 28, 28, 28, 32, 36, 40, 72]
 * python3 -c "print(2**90)"  -> 1237940039285380274899124224 */
Test(int, getsizeof_matches_cpython)
{
    char ten_to_100[102] = "1";
    memset(ten_to_100 + 1, '0', 100);
    ten_to_100[101] = '\0';
    struct {
        mp_object *v;
        size_t size;
    } cases[] = {
        {mp_int_from_long(0), 28},
        {mp_int_from_long(1), 28},
        {mp_int_from_long(-1), 28},
        {mp_int_from_long((1L << 30) - 1), 28},
        {mp_int_from_long(1L << 30), 32},
        {mp_int_from_long(1L << 60), 36},
        {int_of("1237940039285380274899124224"), 40},
        {int_of(ten_to_100), 72},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_expect_eq(mp_getsizeof(cases[i].v), cases[i].size, "case %zu", i);
        MP_DECREF(cases[i].v);
    }
}

/* python3 -c "import sys; print(sys.getsizeof(-2**30), sys.getsizeof(-2**60))"  -> 32 36 */
Test(int, getsizeof_of_a_negative_counts_its_digits)
{
    mp_object *a = mp_int_from_long(-(1L << 30)), *b = mp_int_from_long(-(1L << 60));
    cr_expect_eq(mp_getsizeof(a), 32);
    cr_expect_eq(mp_getsizeof(b), 36);
    MP_DECREF(a);
    MP_DECREF(b);
}

/* int("1000000000") needs one 30-bit digit, whatever was reserved to parse it.
 * python3 -c "import sys; print(sys.getsizeof(int('1000000000')))"  -> 28 */
Test(int, getsizeof_of_a_parsed_int_counts_the_digits_it_needs)
{
    mp_object *v = int_of("1000000000");
    cr_expect_eq(mp_getsizeof(v), 28);
    MP_DECREF(v);
}

/* ---- the small-int cache -------------------------------------------------------- */

/* python3 -c "print(all(int(str(v)) is int(str(v)) for v in range(-5, 257)))"  -> True */
Test(int, small_values_are_cached)
{
    size_t start = blocks_in_use();
    for (long v = -5; v <= 256; v++) {
        mp_object *a = mp_int_from_long(v), *b = mp_int_from_long(v);
        cr_expect_eq(a, b, "%ld is not cached", v);
        cr_expect_eq(mp_int_as_long(a), v);
        MP_DECREF(a);
        MP_DECREF(b);
    }
    cr_expect_eq(blocks_in_use(), start, "a cached int was allocated");
}

/* python3 -c "print(int('-6') is int('-6'), int('257') is int('257'))"  -> False False */
Test(int, values_just_outside_the_cache_are_new_objects)
{
    long edges[] = {-6, 257};
    for (size_t i = 0; i < 2; i++) {
        mp_object *a = mp_int_from_long(edges[i]), *b = mp_int_from_long(edges[i]);
        cr_expect_neq(a, b, "%ld is cached", edges[i]);
        MP_DECREF(a);
        MP_DECREF(b);
    }
}

/* python3 -c "print(int('256') is 256, int('-5') is -5)"  -> True True */
Test(int, parsed_small_values_are_the_cached_objects)
{
    mp_object *a = int_of("256"), *b = mp_int_from_long(256);
    mp_object *c = int_of("-5"), *d = mp_int_from_long(-5);
    cr_expect_eq(a, b);
    cr_expect_eq(c, d);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
    MP_DECREF(d);
}

/* python3 -c "x = 10**30 + 9; y = 10**30 + 7; print((x - y) is 2)"  -> True */
Test(int, small_arithmetic_results_are_the_cached_objects)
{
    mp_object *x = int_of("1000000000000000000000000000009");
    mp_object *y = int_of("1000000000000000000000000000007");
    mp_object *d = mp_int_sub(x, y), *two = mp_int_from_long(2);
    cr_expect_eq(d, two);
    MP_DECREF(d);
    MP_DECREF(two);
    MP_DECREF(x);
    MP_DECREF(y);
}

/* ---- int(str) ---------------------------------------------------------------------- */

/* python3 -c "print(int(' 42 '), int(' \t42\n'))"  -> 42 42 */
Test(int, from_string_ignores_surrounding_whitespace)
{
    expect_parses_to(" 42 ", 42);
    expect_parses_to(" \t42\n", 42);
}

/* python3 -c "print(int('+7'), int('-7'), int('-0'))"  -> 7 -7 0 */
Test(int, from_string_takes_a_sign)
{
    expect_parses_to("+7", 7);
    expect_parses_to("-7", -7);
    expect_parses_to("-0", 0);
}

/* python3 -c "print(int('-0') is 0)"  -> True */
Test(int, minus_zero_is_the_cached_zero)
{
    mp_object *z = int_of("-0"), *zero = mp_int_from_long(0);
    cr_expect_eq(z, zero);
    MP_DECREF(z);
    MP_DECREF(zero);
}

/* python3 -c "print(int('1_000'), int('0_0'), int('00'), int('1_2_3'))"  -> 1000 0 0 123 */
Test(int, from_string_accepts_single_underscores_between_digits)
{
    expect_parses_to("1_000", 1000);
    expect_parses_to("0_0", 0);
    expect_parses_to("00", 0);
    expect_parses_to("1_2_3", 123);
}

/* python3 -c "
 * for s in ('1__0', '_1', '1_', '-_1'):
 *     try: int(s)
 *     except ValueError as e: print(e)"  -> four ValueErrors */
Test(int, from_string_rejects_misplaced_underscores)
{
    expect_invalid_literal("1__0");
    expect_invalid_literal("_1");
    expect_invalid_literal("1_");
    expect_invalid_literal("-_1");
}

/* python3 -c "
 * for s in ('', ' ', 'abc', '12a', '+', '-', '- 1', '1 2', '0x10', '1.0'):
 *     try: int(s)
 *     except ValueError as e: print(e)"  -> ten ValueErrors */
Test(int, from_string_rejects_what_is_not_a_decimal_literal)
{
    const char *bad[] = {"", " ", "abc", "12a", "+", "-", "- 1", "1 2", "0x10", "1.0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_invalid_literal(bad[i]);
}

/* python3 -c "int('abc')"
 * -> ValueError: invalid literal for int() with base 10: 'abc' */
Test(int, invalid_literal_message_matches_cpython)
{
    cr_assert_null(mp_int_from_string("abc"));
    cr_expect_eq(mp_err_occurred(), MP_ERR_VALUE);
    cr_expect_str_eq(mp_err_message(), "invalid literal for int() with base 10: 'abc'");
    mp_err_clear();
}

/* The message shows repr(s), which picks double quotes around a single one.
 * python3 -c "int(\"1'2\")"
 * -> ValueError: invalid literal for int() with base 10: "1'2" */
Test(int, invalid_literal_message_quotes_the_string_as_repr_does)
{
    cr_assert_null(mp_int_from_string("1'2"));
    cr_expect_str_eq(mp_err_message(), "invalid literal for int() with base 10: \"1'2\"");
    mp_err_clear();
}

/* python3 -c "int('1\n2')"
 * -> ValueError: invalid literal for int() with base 10: '1\n2'  (a backslash and an n) */
Test(int, invalid_literal_message_escapes_control_characters)
{
    cr_assert_null(mp_int_from_string("1\n2"));
    cr_expect_str_eq(mp_err_message(), "invalid literal for int() with base 10: '1\\n2'");
    mp_err_clear();
}

/* python3 -c "print(int('123456789012345678901234567890123456789012345678901234567890'))"
 * -> the same digits back */
Test(int, from_string_round_trips_a_long_number)
{
    const char *digits = "123456789012345678901234567890123456789012345678901234567890";
    mp_object *v = int_of(digits);
    expect_repr(v, digits);
    MP_DECREF(v);
}

/* python3 -c "import sys; print(sys.getsizeof(int('9' * 1000)))"  -> 468 */
Test(int, from_string_handles_a_thousand_digits)
{
    char nines[1001];
    memset(nines, '9', 1000);
    nines[1000] = '\0';
    mp_object *v = int_of(nines);
    cr_expect_eq(mp_getsizeof(v), 468);
    char buf[1100];
    cr_expect_str_eq(mp_repr(v, buf, sizeof buf), nines);
    MP_DECREF(v);
}

/* ---- int -> C long ------------------------------------------------------------------ */

/* python3 -c "import array; print(array.array('l', [2**63-1, -2**63]).tolist())"
 * -> [9223372036854775807, -9223372036854775808] */
Test(int, long_max_and_long_min_round_trip)
{
    mp_object *max = mp_int_from_long(LONG_MAX), *min = mp_int_from_long(LONG_MIN);
    cr_expect_eq(mp_int_as_long(max), LONG_MAX);
    cr_expect_eq(mp_int_as_long(min), LONG_MIN);
    expect_repr(max, "9223372036854775807");
    expect_repr(min, "-9223372036854775808");
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    MP_DECREF(max);
    MP_DECREF(min);
}

Test(int, long_max_and_long_min_parse_exactly)
{
    expect_parses_to("9223372036854775807", LONG_MAX);
    expect_parses_to("-9223372036854775808", LONG_MIN);
}

/* python3 -c "import array; array.array('l', [2**63])"
 * -> OverflowError: Python int too large to convert to C long */
Test(int, as_long_overflows_just_past_long_max)
{
    mp_object *v = int_of("9223372036854775808");
    cr_expect_eq(mp_int_as_long(v), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_OVERFLOW);
    cr_expect_str_eq(mp_err_message(), "Python int too large to convert to C long");
    mp_err_clear();
    MP_DECREF(v);
}

/* python3 -c "import array; array.array('l', [-2**63 - 1])"
 * -> OverflowError: Python int too large to convert to C long */
Test(int, as_long_overflows_just_past_long_min)
{
    mp_object *v = int_of("-9223372036854775809");
    cr_expect_eq(mp_int_as_long(v), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_OVERFLOW);
    cr_expect_str_eq(mp_err_message(), "Python int too large to convert to C long");
    mp_err_clear();
    MP_DECREF(v);
}

Test(int, as_long_of_minus_one_is_not_an_error)
{
    mp_object *v = mp_int_from_long(-1);
    cr_expect_eq(mp_int_as_long(v), -1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    MP_DECREF(v);
}

/* python3 -c "print(10**30, -10**30)" */
Test(int, repr_keeps_inner_zero_groups)
{
    mp_object *a = int_of("1000000000000000000000000000000");
    mp_object *b = int_of("-1000000000000000000000000000000");
    expect_repr(a, "1000000000000000000000000000000");
    expect_repr(b, "-1000000000000000000000000000000");
    MP_DECREF(a);
    MP_DECREF(b);
}

/* ---- arithmetic ------------------------------------------------------------------------ */

/* python3 -c "A = 2**100; B = 3**50; print(A, B)"
 * -> 1267650600228229401496703205376 717897987691852588770249 */
#define TWO_100 "1267650600228229401496703205376"
#define THREE_50 "717897987691852588770249"
/* python3 -c "print(2**300); print(2**300 - 1)" */
#define TWO_300 "2037035976334486086268445688409378161051468393665936250636140449354381299763336706183397376"
#define TWO_300_MINUS_1 "2037035976334486086268445688409378161051468393665936250636140449354381299763336706183397375"

/* python3 -c "A = 2**100; B = 3**50
 * print(A + B, A + -B, -A + B, -A + -B, (2**90-1) + 1, 10**30 + -(10**30 - 1),
 *       -(2**60) + (2**60 - 1), (2**64 - 1) + 1, 0 + 0, (2**300 - 1) + 1)" */
Test(int, add_matches_python)
{
    int_case cases[] = {
        {TWO_100, THREE_50, "1267651318126217093349291975625"},
        {TWO_100, "-" THREE_50, "1267649882330241709644114435127"},
        {"-" TWO_100, THREE_50, "-1267649882330241709644114435127"},
        {"-" TWO_100, "-" THREE_50, "-1267651318126217093349291975625"},
        {"1237940039285380274899124223", "1", "1237940039285380274899124224"},
        {"1000000000000000000000000000000", "-999999999999999999999999999999", "1"},
        {"-1152921504606846976", "1152921504606846975", "-1"},
        {"18446744073709551615", "1", "18446744073709551616"},
        {"0", "0", "0"},
        {TWO_300_MINUS_1, "1", TWO_300},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_binop(mp_int_add, "+", &cases[i]);
}

/* python3 -c "A = 2**100; B = 3**50
 * print(A - B, B - A, -A - B, -A - -B, (10**30+7) - (10**30+9), 0 - 2**64,
 *       -2**60 - 2**60, 2**64 - 2**64, 10**30 - -1, 2**300 - 1)" */
Test(int, sub_matches_python)
{
    int_case cases[] = {
        {TWO_100, THREE_50, "1267649882330241709644114435127"},
        {THREE_50, TWO_100, "-1267649882330241709644114435127"},
        {"-" TWO_100, THREE_50, "-1267651318126217093349291975625"},
        {"-" TWO_100, "-" THREE_50, "-1267649882330241709644114435127"},
        {"1000000000000000000000000000007", "1000000000000000000000000000009", "-2"},
        {"0", "18446744073709551616", "-18446744073709551616"},
        {"-1152921504606846976", "1152921504606846976", "-2305843009213693952"},
        {"18446744073709551616", "18446744073709551616", "0"},
        {"1000000000000000000000000000000", "-1", "1000000000000000000000000000001"},
        {TWO_300, "1", TWO_300_MINUS_1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_binop(mp_int_sub, "-", &cases[i]);
}

/* python3 -c "A = 2**100; B = 3**50
 * print(A * B, -A * B, A * -B, -A * -B, (10**50+1) * (10**50-1), 10**30 * 0,
 *       -10**30 * 0, (2**30-1) * (2**30-1), (2**60-1) * (2**60-1), (2**300-1)**2)" */
Test(int, mul_matches_python)
{
    int_case cases[] = {
        {TWO_100, THREE_50, "910043815000214977332758527534256632492715260325658624"},
        {"-" TWO_100, THREE_50, "-910043815000214977332758527534256632492715260325658624"},
        {TWO_100, "-" THREE_50, "-910043815000214977332758527534256632492715260325658624"},
        {"-" TWO_100, "-" THREE_50, "910043815000214977332758527534256632492715260325658624"},
        {"100000000000000000000000000000000000000000000000001",
         "99999999999999999999999999999999999999999999999999",
         "9999999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
         "999999999999"},
        {"1000000000000000000000000000000", "0", "0"},
        {"-1000000000000000000000000000000", "0", "0"},
        {"1073741823", "1073741823", "1152921502459363329"},
        {"1152921504606846975", "1152921504606846975", "1329227995784915870597964051066650625"},
        {TWO_300_MINUS_1, TWO_300_MINUS_1,
         "4149515568880992958512407863691161151012446232242436899995657329690652811412908146399707044873031841"
         "619225714074409412363638828972474987976014373561833064978298582276728097156890625"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_binop(mp_int_mul, "*", &cases[i]);
}

Test(int, arithmetic_leaves_no_blocks_behind)
{
    size_t start = blocks_in_use();
    mp_object *a = int_of(TWO_100), *b = int_of(THREE_50);
    mp_object *s = mp_int_add(a, b), *d = mp_int_sub(a, b), *p = mp_int_mul(a, b);
    MP_DECREF(s);
    MP_DECREF(d);
    MP_DECREF(p);
    MP_DECREF(a);
    MP_DECREF(b);
    cr_expect_eq(blocks_in_use(), start);
}

/* ---- hash ----------------------------------------------------------------------------------- */

/* python3 -c "print([hash(v) for v in (0, 1, -1, -2, 1000, 2**61-2, 2**61-1, 2**61, -2**63,
 *                                        2**63-1, 10**30, -10**30, 2**100)])"
 * -> [0, 1, -2, -2, 1000, 2305843009213693950, 0, 1, -4,
 *     3, 465258685558744706, -465258685558744706, 549755813888] */
Test(int, hash_matches_python)
{
    struct {
        const char *v;
        mp_hash_t hash;
    } cases[] = {
        {"0", 0},
        {"1", 1},
        {"-1", -2},
        {"-2", -2},
        {"1000", 1000},
        {"2305843009213693950", 2305843009213693950},
        {"2305843009213693951", 0},
        {"2305843009213693952", 1},
        {"-9223372036854775808", -4},
        {"9223372036854775807", 3},
        {"1000000000000000000000000000000", 465258685558744706},
        {"-1000000000000000000000000000000", -465258685558744706},
        {TWO_100, 549755813888},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_object *v = int_of(cases[i].v);
        cr_expect_eq(mp_object_hash(v), cases[i].hash, "hash(%s)", cases[i].v);
        MP_DECREF(v);
    }
}

/* ---- comparison ------------------------------------------------------------------------------- */

/* python3 -c "
 * cmp = lambda a, b: (a > b) - (a < b)
 * print(cmp(-2**100, -1), cmp(-1, 0), cmp(0, 0), cmp(2**64, 2**64 - 1), cmp(-2**60, -2**30),
 *       cmp(2**100, 2**100), cmp(5, -5), cmp(-2**100, 2**100))"
 * -> -1 -1 0 1 -1 0 1 -1 */
Test(int, compare_orders_by_sign_then_magnitude)
{
    struct {
        const char *a, *b;
        int c;
    } cases[] = {
        {"-" TWO_100, "-1", -1},
        {"-1", "0", -1},
        {"0", "0", 0},
        {"18446744073709551616", "18446744073709551615", 1},
        {"-1152921504606846976", "-1073741824", -1},
        {TWO_100, TWO_100, 0},
        {"5", "-5", 1},
        {"-" TWO_100, TWO_100, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_object *a = int_of(cases[i].a), *b = int_of(cases[i].b);
        cr_expect_eq(mp_int_compare(a, b), cases[i].c, "cmp(%s, %s)", cases[i].a, cases[i].b);
        cr_expect_eq(mp_int_compare(b, a), -cases[i].c, "cmp(%s, %s)", cases[i].b, cases[i].a);
        MP_DECREF(a);
        MP_DECREF(b);
    }
}

/* python3 -c "a = 2**100; b = 2**100; print(a is b, a == b, a <= b, a < b, a != b)"
 * -> False True True False False */
Test(int, richcompare_of_equal_big_ints)
{
    mp_object *a = int_of(TWO_100), *b = int_of(TWO_100);
    cr_expect_neq(a, b);
    cr_expect_eq(mp_object_richcompare(a, b, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(a, b, MP_LE), 1);
    cr_expect_eq(mp_object_richcompare(a, b, MP_LT), 0);
    cr_expect_eq(mp_object_richcompare(a, b, MP_NE), 0);
    MP_DECREF(a);
    MP_DECREF(b);
}

/* ---- unsigned longs and doubles ------------------------------------------------------------ */

/* python3 -c "import sys; print(sys.getsizeof(2**64 - 1), sys.getsizeof(2**63))"  -> 36 36 */
Test(int, from_unsigned_long_covers_the_whole_range)
{
    mp_object *max = mp_int_from_unsigned_long(ULONG_MAX), *expected = int_of("18446744073709551615");
    cr_expect_eq(mp_int_compare(max, expected), 0);
    cr_expect_eq(mp_getsizeof(max), 36);
    mp_object *five = mp_int_from_unsigned_long(5), *cached = mp_int_from_long(5);
    cr_expect_eq(five, cached, "small values are the cached ints");
    mp_object *mid = mp_int_from_unsigned_long(1000000), *m = mp_int_from_long(1000000);
    cr_expect_eq(mp_int_compare(mid, m), 0);
    MP_DECREF(max);
    MP_DECREF(expected);
    MP_DECREF(five);
    MP_DECREF(cached);
    MP_DECREF(mid);
    MP_DECREF(m);
}

/* PyLong_AsUnsignedLong's messages, as array('L') reports them:
 * python3 -c "
 * import array
 * for v in (2**64, -1):
 *     try: array.array('L', [v])
 *     except OverflowError as e: print(e)"
 * -> Python int too large to convert to C unsigned long / can't convert negative value to unsigned int */
Test(int, as_unsigned_long_refuses_negatives_and_overflow)
{
    mp_object *max = int_of("18446744073709551615"), *over = int_of("18446744073709551616");
    mp_object *neg = int_of("-1");
    cr_expect_eq(mp_int_as_unsigned_long(max), ULONG_MAX);
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(mp_int_as_unsigned_long(over), (unsigned long)-1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_OVERFLOW);
    cr_expect_str_eq(mp_err_message(), "Python int too large to convert to C unsigned long");
    mp_err_clear();
    cr_expect_eq(mp_int_as_unsigned_long(neg), (unsigned long)-1);
    cr_expect_eq(mp_err_occurred(), MP_ERR_OVERFLOW);
    cr_expect_str_eq(mp_err_message(), "can't convert negative value to unsigned int");
    mp_err_clear();
    MP_DECREF(max);
    MP_DECREF(over);
    MP_DECREF(neg);
}

/* python3 -c "print(float(2**53 + 1), float(2**53 + 3), float(2**64 - 1), float(2**100 + 2**47),
 *             float(2**100 + 2**47 + 1), float(-2**100 - 2**48))"
 * -> 9007199254740992.0 9007199254740996.0 1.8446744073709552e+19 1.2676506002282294e+30
 *    1.2676506002282297e+30 -1.2676506002282297e+30: halfway cases go to the even neighbour */
Test(int, as_double_rounds_half_to_even)
{
    struct {
        const char *v;
        double d;
    } cases[] = {
        {"9007199254740993", 0x1p53},
        {"9007199254740995", 0x1p53 + 4},
        {"18446744073709551615", 0x1p64},
        {"1267650600228229542234191560704", 0x1p100},           /* 2**100 + 2**47: a tie */
        {"1267650600228229542234191560705", 0x1p100 + 0x1p48},  /* just past it */
        {"-1267650600228229682971679916032", -(0x1p100 + 0x1p48)}, /* -(2**100 + 2**48) */
        {"0", 0.0},
        {"-7", -7.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mp_object *v = int_of(cases[i].v);
        cr_expect_eq(mp_int_as_double(v), cases[i].d, "float(%s)", cases[i].v);
        cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
        MP_DECREF(v);
    }
}

/* python3 -c "float(2**1024)"  -> OverflowError: int too large to convert to float */
Test(int, as_double_overflows_past_the_largest_double)
{
    mp_object *v = int_of("1797693134862315907729305190789024733617976978942306572734300811577326"
                          "7580550096313270847732240753602112011387987139335765878976881441662249"
                          "2847430639474124377767893424865485276302219601246094119453082952085005"
                          "7688381506823424628814739131105408272371633505106845862982399472459384"
                          "79716304835356329624224137216");
    cr_expect_eq(mp_int_as_double(v), -1.0);
    cr_expect_eq(mp_err_occurred(), MP_ERR_OVERFLOW);
    cr_expect_str_eq(mp_err_message(), "int too large to convert to float");
    mp_err_clear();
    MP_DECREF(v);
}
