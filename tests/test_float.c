/* test_float.c — floats: size, repr as the shortest round trip, the numeric
 * hash, comparison (runtime/float.c, runtime/hash.c). */
#include <math.h>

#include "support.h"

MP_TEST_SUITE(float);

/* python3 -c "import sys; print(sys.getsizeof(1.5))"  -> 24 */
Test(float, a_float_is_24_bytes)
{
    mp_object *f = mp_float_from_double(1.5);
    cr_expect_eq(mp_getsizeof(f), 24);
    cr_expect_eq(mp_float_as_double(f), 1.5);
    cr_expect(mp_float_check(f));
    MP_DECREF(f);
}

/* python3 -c "
 * for v in [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, -2.5, 1e16, 1e15, 1e-5, 0.0001, 123456789.123,
 *           5e-324, 1.7976931348623157e308, 0.1, 1/3, 2.0**61, 2.0**62 + 2.0**10, 1e300,
 *           -1e-300, float('inf'), float('-inf'), 1e22, 1.5e-7, 100.0, 12345678901234567.0, 0.3]:
 *     print(v, hash(v), repr(v))" */
static const struct {
    double value;
    mp_hash_t hash;
    const char *repr;
} cases[] = {
    {0.0, 0, "0.0"},
    {-0.0, 0, "-0.0"},
    {1.0, 1, "1.0"},
    {-1.0, -2, "-1.0"},
    {0.5, 1152921504606846976ll, "0.5"},
    {1.5, 1152921504606846977ll, "1.5"},
    {-2.5, -1152921504606846978ll, "-2.5"},
    {1e16, 10000000000000000ll, "1e+16"},
    {1e15, 1000000000000000ll, "1000000000000000.0"},
    {1e-5, 2170758078822671208ll, "1e-05"},
    {0.0001, 936979306793984537ll, "0.0001"},
    {123456789.123, 283618680910892309ll, "123456789.123"},
    {5e-324, 16777216, "5e-324"},
    {1.7976931348623157e308, 2234066890152476671ll, "1.7976931348623157e+308"},
    {0.1, 230584300921369408ll, "0.1"},
    {1.0 / 3, 768614336404564608ll, "0.3333333333333333"},
    {0x1p61, 1, "2.305843009213694e+18"},
    {0x1p62 + 0x1p10, 1026, "4.611686018427389e+18"},
    {1e300, 1224995262755759164ll, "1e+300"},
    {-1e-300, -482449582752280463ll, "-1e-300"},
    {INFINITY, 314159, "inf"},
    {-INFINITY, -314159, "-inf"},
    {1e22, 1864712049423028464ll, "1e+22"},
    {1.5e-7, 124693760559271990ll, "1.5e-07"},
    {100.0, 100, "100.0"},
    {12345678901234567.0, 12345678901234568ll, "1.2345678901234568e+16"},
    {0.3, 691752902764108160ll, "0.3"},
};

Test(float, repr_is_the_shortest_text_that_reads_back)
{
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mp_object *f = mp_float_from_double(cases[k].value);
        expect_repr(f, cases[k].repr);
        MP_DECREF(f);
    }
}

Test(float, hash_matches_cpython)
{
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mp_object *f = mp_float_from_double(cases[k].value);
        cr_expect_eq(mp_object_hash(f), cases[k].hash, "hash(%s)", cases[k].repr);
        MP_DECREF(f);
    }
}

/* python3 -c "print(hash(2.0**70) == hash(2**70), hash(-12345.0) == hash(-12345))"  -> True True */
Test(float, a_whole_float_hashes_as_the_equal_int)
{
    mp_object *f = mp_float_from_double(0x1p70), *i = mp_int_from_string("1180591620717411303424");
    cr_expect_eq(mp_object_hash(f), mp_object_hash(i));
    mp_object *g = mp_float_from_double(-12345.0), *j = mp_int_from_long(-12345);
    cr_expect_eq(mp_object_hash(g), mp_object_hash(j));
    MP_DECREF(f);
    MP_DECREF(i);
    MP_DECREF(g);
    MP_DECREF(j);
}

/* python3 -c "
 * n = float('nan'); m = float('nan')
 * print(repr(n), n == n, n != n, n < 1.0, hash(n) == hash(n), hash(n) == hash(m))"
 * -> nan False True False True False: NaNs hash by identity since 3.10 */
Test(float, nan_is_unequal_to_itself_and_hashes_by_identity)
{
    mp_object *n = mp_float_from_double(NAN), *m = mp_float_from_double(NAN), *one = mp_float_from_double(1.0);
    expect_repr(n, "nan");
    cr_expect_eq(mp_object_richcompare(n, n, MP_EQ), 0);
    cr_expect_eq(mp_object_richcompare(n, n, MP_NE), 1);
    cr_expect_eq(mp_object_richcompare(n, one, MP_LT), 0);
    cr_expect_eq(mp_object_richcompare(n, one, MP_GE), 0);
    cr_expect_eq(mp_object_hash(n), mp_object_hash(n));
    cr_expect_neq(mp_object_hash(n), mp_object_hash(m));
    MP_DECREF(n);
    MP_DECREF(m);
    MP_DECREF(one);
}

Test(float, comparison_orders_by_value)
{
    mp_object *a = mp_float_from_double(-0.5), *b = mp_float_from_double(2.25), *c = mp_float_from_double(2.25);
    cr_expect_eq(mp_object_richcompare(a, b, MP_LT), 1);
    cr_expect_eq(mp_object_richcompare(a, b, MP_GT), 0);
    cr_expect_eq(mp_object_richcompare(b, c, MP_EQ), 1);
    cr_expect_eq(mp_object_richcompare(b, c, MP_LE), 1);
    cr_expect_eq(mp_object_richcompare(b, a, MP_GE), 1);
    MP_DECREF(a);
    MP_DECREF(b);
    MP_DECREF(c);
}

/* -0.0 == 0.0, and both hash to 0, as in CPython. */
Test(float, negative_zero_equals_zero)
{
    mp_object *z = mp_float_from_double(0.0), *nz = mp_float_from_double(-0.0);
    cr_expect_eq(mp_object_richcompare(z, nz, MP_EQ), 1);
    cr_expect_eq(mp_object_hash(nz), 0);
    MP_DECREF(z);
    MP_DECREF(nz);
}
