/* test_array.c — array.array: sizes and CPython 3.11's growth for every
 * typecode, append, insert, pop, item access with CPython's range and type
 * errors, float items, repr, iteration and the C buffer (runtime/array.c). */
#include <math.h>
#include <string.h>

#include "support.h"

MP_TEST_SUITE(array);

static const char typecodes[] = "bBhHiIlLqQfd";

static mp_object *new_array(char typecode)
{
    mp_object *a = mp_array_new(typecode);
    cr_assert_not_null(a, "array('%c'): %s", typecode, mp_err_message());
    return a;
}

/* a.append(v) for a C long v. */
static int append_long(mp_object *a, long v)
{
    mp_object *i = mp_int_from_long(v);
    int r = mp_array_append(a, i);
    MP_DECREF(i);
    return r;
}

/* array(typecode, [0, 1, ..., n-1]) */
static mp_object *range_array(char typecode, long n)
{
    mp_object *a = new_array(typecode);
    for (long v = 0; v < n; v++)
        cr_assert_eq(append_long(a, v), 0);
    return a;
}

/* 2**k, by doubling. */
static mp_object *pow2(int k)
{
    mp_object *r = mp_int_from_long(1), *two = mp_int_from_long(2);
    for (int i = 0; i < k; i++) {
        mp_object *next = mp_int_mul(r, two);
        MP_DECREF(r);
        r = next;
    }
    MP_DECREF(two);
    return r;
}

static void expect_error(mp_err_kind kind, const char *message)
{
    cr_expect_eq(mp_err_occurred(), kind, "got %s: %s", mp_err_name(mp_err_occurred()),
                 mp_err_message());
    cr_expect_str_eq(mp_err_message(), message);
    mp_err_clear();
}

/* ---- sizes and growth ------------------------------------------------------------------ */

/* python3 -c "import array, sys; print([(array.array(t).itemsize, sys.getsizeof(array.array(t)))
 *             for t in 'bBhHiIlLqQfd'])"
 * -> 80 bytes each; itemsizes 1 1 2 2 4 4 8 8 8 8 4 8 */
Test(array, empty_arrays_are_80_bytes_with_cpythons_itemsizes)
{
    static const int itemsizes[] = {1, 1, 2, 2, 4, 4, 8, 8, 8, 8, 4, 8};
    for (int k = 0; typecodes[k]; k++) {
        mp_object *a = new_array(typecodes[k]);
        cr_expect_eq(mp_getsizeof(a), 80, "array('%c')", typecodes[k]);
        cr_expect_eq(mp_array_itemsize(a), itemsizes[k], "array('%c').itemsize", typecodes[k]);
        cr_expect_eq(mp_array_typecode(a), typecodes[k]);
        cr_expect_eq(mp_array_allocated(a), 0);
        MP_DECREF(a);
    }
}

/* Where the capacity changes while appending to an empty array, as
 * (length, capacity) pairs: the same for every typecode, and
 * sys.getsizeof == 80 + capacity * itemsize throughout.
 * python3 -c "
 * import array, sys
 * caps = set()
 * for tc in 'bBhHiIlLqQfd':
 *     a = array.array(tc); pts = [(0, 0)]
 *     for i in range(10000):
 *         a.append(0); c = (sys.getsizeof(a) - 80) / a.itemsize
 *         if c != pts[-1][1]: pts.append((len(a), int(c)))
 *     caps.add(tuple(pts))
 * assert len(caps) == 1; print(caps.pop())" */
static const struct {
    mp_ssize_t length, capacity;
} append_capacities[] = {
    {0, 0}, {1, 4}, {5, 8}, {9, 16}, {17, 25}, {26, 34}, {35, 44}, {45, 54}, {55, 65}, {66, 77},
    {78, 89}, {90, 102}, {103, 116}, {117, 131}, {132, 147}, {148, 164}, {165, 182}, {183, 201},
    {202, 221}, {222, 242}, {243, 265}, {266, 289}, {290, 315}, {316, 342}, {343, 371}, {372, 402},
    {403, 435}, {436, 470}, {471, 507}, {508, 546}, {547, 588}, {589, 632}, {633, 679}, {680, 729},
    {730, 782}, {783, 838}, {839, 898}, {899, 962}, {963, 1030}, {1031, 1102}, {1103, 1178},
    {1179, 1259}, {1260, 1345}, {1346, 1437}, {1438, 1534}, {1535, 1637}, {1638, 1747},
    {1748, 1864}, {1865, 1988}, {1989, 2120}, {2121, 2260}, {2261, 2409}, {2410, 2567},
    {2568, 2735}, {2736, 2914}, {2915, 3104}, {3105, 3306}, {3307, 3520}, {3521, 3748},
    {3749, 3990}, {3991, 4247}, {4248, 4520}, {4521, 4810}, {4811, 5118}, {5119, 5445},
    {5446, 5793}, {5794, 6163}, {6164, 6556}, {6557, 6973}, {6974, 7416}, {7417, 7887},
    {7888, 8388}, {8389, 8920}, {8921, 9485}, {9486, 10085},
};

static mp_ssize_t expected_capacity(mp_ssize_t length)
{
    mp_ssize_t capacity = 0;
    for (size_t i = 0; i < sizeof append_capacities / sizeof append_capacities[0]; i++) {
        if (append_capacities[i].length <= length)
            capacity = append_capacities[i].capacity;
    }
    return capacity;
}

Test(array, getsizeof_while_appending_matches_cpython_for_every_typecode)
{
    for (int k = 0; typecodes[k]; k++) {
        mp_object *a = new_array(typecodes[k]);
        mp_object *zero = mp_int_from_long(0);
        size_t itemsize = (size_t)mp_array_itemsize(a);
        for (mp_ssize_t n = 1; n <= 10000; n++) {
            cr_assert_eq(mp_array_append(a, zero), 0);
            mp_ssize_t cap = expected_capacity(n);
            if (mp_getsizeof(a) != 80 + (size_t)cap * itemsize) {
                cr_expect_eq(mp_getsizeof(a), 80 + (size_t)cap * itemsize,
                             "array('%c') after %td appends", typecodes[k], n);
                break;
            }
        }
        cr_expect_eq(mp_array_size(a), 10000);
        MP_DECREF(zero);
        MP_DECREF(a);
    }
}

/* python3 -c "
 * import array, sys; a = array.array('i')
 * for i in range(100): a.append(i)
 * print(sys.getsizeof(a)); pts = set()
 * while a: a.pop(); pts.add(sys.getsizeof(a))
 * print(pts)"  -> 488 {488}: pops never shrink an array */
Test(array, popping_never_shrinks_the_capacity)
{
    for (int front = 0; front <= 1; front++) {
        mp_object *a = range_array('i', 100);
        cr_expect_eq(mp_getsizeof(a), 488);
        while (mp_array_size(a) > 0) {
            mp_object *item = mp_array_pop(a, front ? 0 : -1);
            cr_assert_not_null(item);
            MP_DECREF(item);
            cr_expect_eq(mp_getsizeof(a), 488, "at length %td", mp_array_size(a));
        }
        MP_DECREF(a);
    }
}

/* python3 -c "
 * import array, sys; a = array.array('d'); pts = [(0, sys.getsizeof(a))]
 * for i in range(200):
 *     a.insert(0, i); s = sys.getsizeof(a)
 *     if s != pts[-1][1]: pts.append((len(a), s))
 * print(pts)"  -> the append pattern at 8 bytes an item: (1, 112), (5, 144), ... (183, 1688) */
Test(array, inserting_at_the_front_grows_as_appending_does)
{
    mp_object *a = new_array('d');
    for (long v = 0; v < 200; v++) {
        mp_object *x = mp_int_from_long(v);
        cr_assert_eq(mp_array_insert(a, 0, x), 0);
        MP_DECREF(x);
        cr_expect_eq(mp_getsizeof(a), 80 + 8 * (size_t)expected_capacity(v + 1), "at length %ld",
                     v + 1);
    }
    mp_object *first = mp_array_getitem(a, 0), *last = mp_array_getitem(a, -1);
    expect_repr(first, "199.0");
    expect_repr(last, "0.0");
    MP_DECREF(first);
    MP_DECREF(last);
    MP_DECREF(a);
}

Test(array, an_array_is_a_gc_container_holding_no_references)
{
    mp_object *a = range_array('i', 3);
    cr_expect(mp_type_is_gc(MP_TYPE(a)));
    cr_expect_not_null(MP_TYPE(a)->tp_traverse);
    MP_DECREF(a);
}

/* ---- pop, insert and items ----------------------------------------------------------------- */

/* python3 -c "
 * import array; a = array.array('i', [1, 2, 3]); print(a.pop(-1), a.pop(0), a)
 * a.insert(-10, 9); a.insert(100, 8); print(a)"
 * -> 3 1 array('i', [2]) / array('i', [9, 2, 8]) */
Test(array, pop_and_insert_take_any_index_as_list_does)
{
    mp_object *a = range_array('i', 0);
    for (long v = 1; v <= 3; v++)
        append_long(a, v);
    mp_object *x = mp_array_pop(a, -1), *y = mp_array_pop(a, 0);
    cr_expect_eq(mp_int_as_long(x), 3);
    cr_expect_eq(mp_int_as_long(y), 1);
    expect_repr(a, "array('i', [2])");
    MP_DECREF(x);
    MP_DECREF(y);
    mp_object *nine = mp_int_from_long(9), *eight = mp_int_from_long(8);
    cr_expect_eq(mp_array_insert(a, -10, nine), 0);
    cr_expect_eq(mp_array_insert(a, 100, eight), 0);
    expect_repr(a, "array('i', [9, 2, 8])");
    MP_DECREF(nine);
    MP_DECREF(eight);
    MP_DECREF(a);
}

/* python3 -c "
 * import array; a = array.array('i')
 * for f in (a.pop, lambda: array.array('i', [1]).pop(5), lambda: array.array('i', [1]).pop(-2)):
 *     try: f()
 *     except IndexError as e: print(e)"
 * -> pop from empty array / pop index out of range / pop index out of range */
Test(array, pop_errors_are_cpythons)
{
    mp_object *a = new_array('i');
    cr_expect_null(mp_array_pop(a, -1));
    expect_error(MP_ERR_INDEX, "pop from empty array");
    append_long(a, 1);
    cr_expect_null(mp_array_pop(a, 5));
    expect_error(MP_ERR_INDEX, "pop index out of range");
    cr_expect_null(mp_array_pop(a, -2));
    expect_error(MP_ERR_INDEX, "pop index out of range");
    cr_expect_eq(mp_array_size(a), 1);
    MP_DECREF(a);
}

/* python3 -c "
 * import array; a = array.array('h', [5, 6, 7]); print(a[0], a[-1]); a[1] = -40; a[-3] = 1; print(a)
 * for f in (lambda: a[3], lambda: a.__setitem__(-4, 0)):
 *     try: f()
 *     except IndexError as e: print(e)"
 * -> 5 7 / array('h', [1, -40, 7]) / array index out of range / array assignment index out of range */
Test(array, items_are_read_and_written_by_index)
{
    mp_object *a = new_array('h');
    for (long v = 5; v <= 7; v++)
        append_long(a, v);
    mp_object *first = mp_array_getitem(a, 0), *last = mp_array_getitem(a, -1);
    cr_expect_eq(mp_int_as_long(first), 5);
    cr_expect_eq(mp_int_as_long(last), 7);
    MP_DECREF(first);
    MP_DECREF(last);
    mp_object *v = mp_int_from_long(-40), *one = mp_int_from_long(1);
    cr_expect_eq(mp_array_setitem(a, 1, v), 0);
    cr_expect_eq(mp_array_setitem(a, -3, one), 0);
    expect_repr(a, "array('h', [1, -40, 7])");
    cr_expect_null(mp_array_getitem(a, 3));
    expect_error(MP_ERR_INDEX, "array index out of range");
    cr_expect_eq(mp_array_setitem(a, -4, one), -1);
    expect_error(MP_ERR_INDEX, "array assignment index out of range");
    MP_DECREF(v);
    MP_DECREF(one);
    MP_DECREF(a);
}

Test(array, setitem_does_not_keep_the_object)
{
    mp_object *a = range_array('l', 2), *v = mp_int_from_long(123456789);
    mp_ssize_t before = mp_getrefcount(v);
    cr_expect_eq(mp_array_setitem(a, 0, v), 0);
    cr_expect_eq(mp_array_append(a, v), 0);
    cr_expect_eq(mp_getrefcount(v), before);
    MP_DECREF(v);
    MP_DECREF(a);
}

/* ---- what fits each typecode ----------------------------------------------------------------- */

/* python3 -c "
 * import array
 * for tc, v in [('b', 128), ('b', -129), ('B', 256), ('B', -1), ('h', 32768), ('h', -32769),
 *               ('H', 65536), ('H', -1), ('i', 2**31), ('i', -2**31 - 1), ('I', 2**32),
 *               ('I', -1), ('l', 2**63), ('L', 2**64), ('L', -1), ('q', 2**63), ('q', -2**63 - 1),
 *               ('Q', 2**64), ('Q', -1)]:
 *     try: array.array(tc, [v])
 *     except OverflowError as e: print(tc, v, e)" */
static const struct {
    char typecode;
    int shift; /* the value is sign * 2**shift + offset */
    int sign;
    long offset;
    const char *message;
} out_of_range[] = {
    {'b', 7, 1, 0, "signed char is greater than maximum"},
    {'b', 7, -1, -1, "signed char is less than minimum"},
    {'B', 8, 1, 0, "unsigned byte integer is greater than maximum"},
    {'B', 0, 0, -1, "unsigned byte integer is less than minimum"},
    {'h', 15, 1, 0, "signed short integer is greater than maximum"},
    {'h', 15, -1, -1, "signed short integer is less than minimum"},
    {'H', 16, 1, 0, "unsigned short is greater than maximum"},
    {'H', 0, 0, -1, "unsigned short is less than minimum"},
    {'i', 31, 1, 0, "signed integer is greater than maximum"},
    {'i', 31, -1, -1, "signed integer is less than minimum"},
    {'I', 32, 1, 0, "unsigned int is greater than maximum"},
    {'I', 0, 0, -1, "can't convert negative value to unsigned int"},
    {'l', 63, 1, 0, "Python int too large to convert to C long"},
    {'L', 64, 1, 0, "Python int too large to convert to C unsigned long"},
    {'L', 0, 0, -1, "can't convert negative value to unsigned int"},
    {'q', 63, 1, 0, "int too big to convert"},
    {'q', 63, -1, -1, "int too big to convert"},
    {'Q', 64, 1, 0, "int too big to convert"},
    {'Q', 0, 0, -1, "can't convert negative int to unsigned"},
};

static mp_object *signed_power(int sign, int shift, long offset)
{
    mp_object *p = pow2(shift), *s = mp_int_from_long(sign), *off = mp_int_from_long(offset);
    mp_object *scaled = mp_int_mul(p, s), *r = mp_int_add(scaled, off);
    MP_DECREF(p);
    MP_DECREF(s);
    MP_DECREF(off);
    MP_DECREF(scaled);
    return r;
}

Test(array, values_out_of_range_raise_cpythons_overflow_errors_and_change_nothing)
{
    for (size_t k = 0; k < sizeof out_of_range / sizeof out_of_range[0]; k++) {
        mp_object *a = range_array(out_of_range[k].typecode, 1);
        mp_object *v = signed_power(out_of_range[k].sign, out_of_range[k].shift, out_of_range[k].offset);
        cr_expect_eq(mp_array_append(a, v), -1, "array('%c').append", out_of_range[k].typecode);
        expect_error(MP_ERR_OVERFLOW, out_of_range[k].message);
        cr_expect_eq(mp_array_insert(a, 0, v), -1);
        expect_error(MP_ERR_OVERFLOW, out_of_range[k].message);
        cr_expect_eq(mp_array_setitem(a, 0, v), -1);
        expect_error(MP_ERR_OVERFLOW, out_of_range[k].message);
        cr_expect_eq(mp_array_size(a), 1);
        cr_expect_eq(mp_array_allocated(a), 4);
        MP_DECREF(v);
        MP_DECREF(a);
    }
}

/* python3 -c "
 * import array
 * for tc in 'bhiq':
 *     try: array.array(tc, [2**200])
 *     except OverflowError as e: print(tc, e)"
 * -> Python int too large to convert to C long (b h i), int too big to convert (q) */
Test(array, values_beyond_a_c_long_raise_the_conversions_error)
{
    mp_object *huge = pow2(200);
    const char *codes = "bhiq";
    for (int k = 0; codes[k]; k++) {
        mp_object *a = new_array(codes[k]);
        cr_expect_eq(mp_array_append(a, huge), -1);
        expect_error(MP_ERR_OVERFLOW, codes[k] == 'q' ? "int too big to convert"
                                                      : "Python int too large to convert to C long");
        MP_DECREF(a);
    }
    MP_DECREF(huge);
}

/* python3 -c "
 * import array
 * print(array.array('bBhHiIlLqQ'[0], [-128, 127]), array.array('B', [0, 255]),
 *       array.array('I', [2**32 - 1]), array.array('Q', [2**64 - 1]), array.array('q', [-2**63]),
 *       array.array('L', [2**63]))"  */
Test(array, the_limits_of_each_type_round_trip)
{
    struct {
        char typecode;
        int sign, shift;
        long offset;
        const char *repr;
    } cases[] = {
        {'b', -1, 7, 0, "array('b', [-128])"},
        {'b', 1, 7, -1, "array('b', [127])"},
        {'B', 1, 8, -1, "array('B', [255])"},
        {'h', -1, 15, 0, "array('h', [-32768])"},
        {'H', 1, 16, -1, "array('H', [65535])"},
        {'i', -1, 31, 0, "array('i', [-2147483648])"},
        {'I', 1, 32, -1, "array('I', [4294967295])"},
        {'l', -1, 63, 0, "array('l', [-9223372036854775808])"},
        {'L', 1, 63, 0, "array('L', [9223372036854775808])"},
        {'q', -1, 63, 0, "array('q', [-9223372036854775808])"},
        {'Q', 1, 64, -1, "array('Q', [18446744073709551615])"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mp_object *a = new_array(cases[k].typecode);
        mp_object *v = signed_power(cases[k].sign, cases[k].shift, cases[k].offset);
        cr_expect_eq(mp_array_append(a, v), 0, "%s: %s", cases[k].repr, mp_err_message());
        expect_repr(a, cases[k].repr);
        mp_object *back = mp_array_getitem(a, 0);
        cr_expect_eq(mp_object_richcompare(back, v, MP_EQ), 1, "%s", cases[k].repr);
        MP_DECREF(back);
        MP_DECREF(v);
        MP_DECREF(a);
    }
}

/* python3 -c "
 * import array
 * for tc in 'id':
 *     for v in ('x', 1.5, None):
 *         try: array.array(tc, [v])
 *         except TypeError as e: print(tc, e)"
 * -> 'str' object cannot be interpreted as an integer ('float', 'NoneType' alike; 1.5 fits 'd')
 *    must be real number, not str */
Test(array, values_of_the_wrong_type_raise_cpythons_type_errors)
{
    mp_object *ia = new_array('i'), *da = new_array('d');
    mp_object *s = mp_str_from_utf8("x"), *f = mp_float_from_double(1.5);
    cr_expect_eq(mp_array_append(ia, s), -1);
    expect_error(MP_ERR_TYPE, "'str' object cannot be interpreted as an integer");
    cr_expect_eq(mp_array_append(ia, f), -1);
    expect_error(MP_ERR_TYPE, "'float' object cannot be interpreted as an integer");
    cr_expect_eq(mp_array_append(da, s), -1);
    expect_error(MP_ERR_TYPE, "must be real number, not str");
    cr_expect_eq(mp_array_append(da, f), 0);
    cr_expect_eq(mp_array_append(ia, ia), -1);
    expect_error(MP_ERR_TYPE, "'array.array' object cannot be interpreted as an integer");
    cr_expect_eq(mp_array_size(ia), 0);
    MP_DECREF(s);
    MP_DECREF(f);
    MP_DECREF(ia);
    MP_DECREF(da);
}

/* ---- float items ------------------------------------------------------------------------------- */

/* python3 -c "
 * import array
 * print(array.array('d', [2**53 + 1, 2**63, 2**64 - 1, -2**70 - 1, 10**20, 3]))
 * print(array.array('f', [1e300, -1e300, 16777217, 0.1, 1/3]))"
 * -> array('d', [9007199254740992.0, 9.223372036854776e+18, 1.8446744073709552e+19,
 *                -1.1805916207174113e+21, 1e+20, 3.0])
 *    array('f', [inf, -inf, 16777216.0, 0.10000000149011612, 0.3333333432674408]) */
Test(array, ints_become_correctly_rounded_doubles)
{
    mp_object *a = new_array('d');
    mp_object *vals[] = {
        signed_power(1, 53, 1),  signed_power(1, 63, 0), signed_power(1, 64, -1),
        signed_power(-1, 70, -1), mp_int_from_string("100000000000000000000"), mp_int_from_long(3),
    };
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        cr_expect_eq(mp_array_append(a, vals[k]), 0);
        MP_DECREF(vals[k]);
    }
    expect_repr(a, "array('d', [9007199254740992.0, 9.223372036854776e+18, 1.8446744073709552e+19, "
                   "-1.1805916207174113e+21, 1e+20, 3.0])");
    MP_DECREF(a);
}

Test(array, float_items_are_narrowed_to_single_precision)
{
    mp_object *a = new_array('f');
    double vals[] = {1e300, -1e300, 16777217, 0.1, 1.0 / 3};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        mp_object *f = mp_float_from_double(vals[k]);
        cr_expect_eq(mp_array_append(a, f), 0);
        MP_DECREF(f);
    }
    expect_repr(a, "array('f', [inf, -inf, 16777216.0, 0.10000000149011612, 0.3333333432674408])");
    mp_object *third = mp_array_getitem(a, 4);
    cr_expect(mp_float_check(third));
    cr_expect_eq(mp_float_as_double(third), (double)(1.0f / 3));
    MP_DECREF(third);
    MP_DECREF(a);
}

/* python3 -c "
 * import array
 * print(array.array('d', [(1 << 1024) - (1 << 970) - 1]))
 * array.array('d', [(1 << 1024) - (1 << 970)])"
 * -> array('d', [1.7976931348623157e+308]), then OverflowError: int too large to convert to float */
Test(array, ints_past_the_largest_double_overflow)
{
    mp_object *a = new_array('d');
    mp_object *top = pow2(1024), *ulp = pow2(970), *one = mp_int_from_long(1);
    mp_object *edge = mp_int_sub(top, ulp), *below = mp_int_sub(edge, one);
    cr_expect_eq(mp_array_append(a, below), 0);
    expect_repr(a, "array('d', [1.7976931348623157e+308])");
    cr_expect_eq(mp_array_append(a, edge), -1);
    expect_error(MP_ERR_OVERFLOW, "int too large to convert to float");
    mp_object *ft = new_array('f');
    cr_expect_eq(mp_array_append(ft, top), -1);
    expect_error(MP_ERR_OVERFLOW, "int too large to convert to float");
    cr_expect_eq(mp_array_size(a), 1);
    MP_DECREF(ft);
    MP_DECREF(top);
    MP_DECREF(ulp);
    MP_DECREF(one);
    MP_DECREF(edge);
    MP_DECREF(below);
    MP_DECREF(a);
}

/* ---- repr, iteration, the buffer --------------------------------------------------------------- */

/* python3 -c "import array; print(repr(array.array('i')), repr(array.array('i', [1, 2])))"
 * -> array('i') array('i', [1, 2]) */
Test(array, repr_is_cpythons)
{
    mp_object *a = new_array('i');
    expect_repr(a, "array('i')");
    append_long(a, 1);
    append_long(a, 2);
    expect_repr(a, "array('i', [1, 2])");
    MP_DECREF(a);
}

/* python3 -c "import array, sys; print(sys.getsizeof(iter(array.array('i'))))"  -> 56 */
Test(array, an_iterator_yields_every_item_and_is_56_bytes)
{
    mp_object *a = range_array('Q', 5), *it = mp_object_getiter(a);
    cr_assert_not_null(it);
    cr_expect_eq(mp_getsizeof(it), 56);
    cr_expect_str_eq(MP_TYPE(it)->tp_name, "array.arrayiterator");
    for (long v = 0; v < 5; v++) {
        mp_object *x = mp_iter_next(it);
        cr_assert_not_null(x);
        cr_expect_eq(mp_int_as_long(x), v);
        MP_DECREF(x);
    }
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE);
    MP_DECREF(it);
    MP_DECREF(a);
}

/* python3 -c "
 * import array, sys; a = array.array('i', [1]); it = iter(a); print(sys.getrefcount(a))
 * next(it); a.append(2); print(next(it)); list(it); print(sys.getrefcount(a))"  -> 3 2 2 */
Test(array, an_iterator_sees_appends_and_lets_go_when_exhausted)
{
    mp_object *a = range_array('i', 0);
    append_long(a, 1);
    mp_object *it = mp_object_getiter(a);
    cr_expect_eq(mp_getrefcount(a), 3);
    mp_object *x = mp_iter_next(it);
    MP_DECREF(x);
    append_long(a, 2);
    x = mp_iter_next(it);
    cr_assert_not_null(x);
    cr_expect_eq(mp_int_as_long(x), 2);
    MP_DECREF(x);
    cr_expect_null(mp_iter_next(it));
    cr_expect_eq(mp_getrefcount(a), 2);
    MP_DECREF(it);
    MP_DECREF(a);
}

Test(array, len_and_membership_work_through_the_generic_protocols)
{
    mp_object *a = range_array('b', 10), *seven = mp_int_from_long(7), *ten = mp_int_from_long(10);
    cr_expect_eq(mp_object_len(a), 10);
    cr_expect_eq(mp_sequence_contains(a, seven), 1);
    cr_expect_eq(mp_sequence_contains(a, ten), 0);
    MP_DECREF(seven);
    MP_DECREF(ten);
    MP_DECREF(a);
}

Test(array, the_buffer_is_the_packed_items)
{
    mp_object *a = range_array('i', 100);
    int *items = mp_array_data(a);
    for (int i = 0; i < 100; i++)
        cr_expect_eq(items[i], i);
    items[42] = -7;
    mp_object *x = mp_array_getitem(a, 42);
    cr_expect_eq(mp_int_as_long(x), -7);
    MP_DECREF(x);
    mp_object *empty = new_array('d');
    cr_expect_null(mp_array_data(empty));
    MP_DECREF(empty);
    MP_DECREF(a);
}

/* python3 -c "import array; array.array('z')"
 * -> ValueError: bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)
 * ('u' is not modelled, so our message leaves it out) */
Test(array, a_bad_typecode_is_a_value_error)
{
    cr_expect_null(mp_array_new('z'));
    expect_error(MP_ERR_VALUE, "bad typecode (must be b, B, h, H, i, I, l, L, q, Q, f or d)");
    cr_expect_null(mp_array_new('u'));
    mp_err_clear();
}

/* python3 -c "import array; hash(array.array('i'))"  -> TypeError: unhashable type: 'array.array' */
Test(array, arrays_are_unhashable)
{
    mp_object *a = new_array('i');
    cr_expect_eq(mp_object_hash(a), -1);
    expect_error(MP_ERR_TYPE, "unhashable type: 'array.array'");
    MP_DECREF(a);
}

Test(array, the_item_block_is_freed_with_the_array)
{
    size_t before = blocks_in_use();
    mp_object *a = range_array('d', 1000);
    cr_expect_eq(blocks_in_use(), before + 2, "the array and its items: two blocks");
    MP_DECREF(a);
    cr_expect_eq(blocks_in_use(), before);
}

/* ---- the collector and weak references ------------------------------------------------------------ */

/* python3 -c "import gc, array; a = array.array('i')
 *             print(gc.is_tracked(a), gc.is_tracked(iter(a)))"  -> True True */
Test(array, an_array_and_its_iterator_are_tracked)
{
    mp_object *a = new_array('i'), *it = mp_object_getiter(a);
    cr_expect(mp_gc_is_tracked(a));
    cr_expect(mp_gc_is_tracked(it));
    MP_DECREF(it);
    MP_DECREF(a);
}

/* python3 -c "import weakref, array; a = array.array('d'); r = weakref.ref(a)
 *             print(r() is a); del a; print(r())"  -> True None */
Test(array, a_weak_reference_to_an_array_is_cleared_when_it_dies)
{
    mp_object *a = new_array('d'), *r = mp_weakref_new(a, NULL, NULL);
    cr_assert_not_null(r, "%s", mp_err_message());
    cr_expect_eq(mp_weakref_get_object(r), a);
    MP_DECREF(a);
    cr_expect_null(mp_weakref_get_object(r));
    MP_DECREF(r);
}
