/* int.c — arbitrary-precision integers with CPython 3.11's layout, and the
 * small-int cache.
 *
 * Models CPython 3.11's Objects/longobject.c. Start with mp_int_from_long
 * and the cache; the arithmetic below it is schoolbook, enough for the labs.
 *
 * Invariants:
 *   - Normalized: the top digit of a nonzero int is nonzero; 0 has
 *     ob_size == 0. Every digit is < 2**30.
 *   - Every int in [-5, 256] that the runtime hands out is the cached
 *     object (maybe_small_long in CPython): constructors and arithmetic
 *     results both go through int_normalize.
 *   - sys.getsizeof of an int of n digits is 24 + 4 * max(n, 1):
 *     sys.getsizeof(0) == 28 in 3.11. Its request to the allocator is the
 *     same, except for one-digit ints made from a machine integer, which
 *     ask for 32 (see int_from_medium).
 *   - The cached ints live in static storage for the whole session, as in
 *     CPython 3.11 (_PyRuntime's small_ints), at an immortal count.
 */
#include "int.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "internal.h"
#include "obmalloc.h"
#include "str.h"

#define MP_INT_HEADER_BYTES offsetof(mp_int, ob_digit) /* 24 */
_Static_assert(sizeof(mp_int) == 32, "PyLongObject with its one digit is 32 bytes");
#define MP_DECIMAL_BASE 1000000000u                     /* 10**9 < 2**30 */
#define MP_DECIMAL_BASE_DIGITS 9

static mp_int small_ints[MP_NSMALLNEGINTS + MP_NSMALLPOSINTS];

static bool is_small(long v) { return v >= -MP_NSMALLNEGINTS && v < MP_NSMALLPOSINTS; }

static mp_object *get_small(long v) { return mp_newref(&small_ints[v + MP_NSMALLNEGINTS]); }

static mp_ssize_t ndigits(const mp_int *v)
{
    mp_ssize_t n = MP_SIZE(v);
    return n < 0 ? -n : n;
}

/* _PyLong_New: an int of n digits (values unset, sign positive). */
static mp_int *int_alloc(mp_ssize_t n)
{
    if (n > (mp_ssize_t)((SIZE_MAX / 2 - MP_INT_HEADER_BYTES) / sizeof(mp_digit))) {
        mp_err_set(MP_ERR_OVERFLOW, "too many digits in integer");
        return NULL;
    }
    size_t bytes = MP_INT_HEADER_BYTES + sizeof(mp_digit) * (size_t)(n ? n : 1);
    mp_int *v = mp_object_malloc(bytes);
    if (!v)
        return NULL;
    mp_object_init(MP_OBJ(v), &mp_type_int);
    MP_SIZE(v) = n;
    v->ob_digit[0] = 0;
    return v;
}

/* Strips leading zero digits (the sign is kept in ob_size) and swaps a
 * small result for the cached object. Steals v. */
static mp_object *int_normalize(mp_int *v, bool negative)
{
    mp_ssize_t n = ndigits(v);
    while (n > 0 && v->ob_digit[n - 1] == 0)
        n--;
    MP_SIZE(v) = negative ? -n : n;
    if (n <= 1) {
        long value = n ? (long)v->ob_digit[0] : 0;
        if (negative)
            value = -value;
        if (is_small(value)) {
            MP_DECREF(v);
            return get_small(value);
        }
    }
    return MP_OBJ(v);
}

/* An int of one digit, as CPython 3.11's _PyLong_FromMedium makes it: it
 * asks for sizeof(PyLongObject), 32 bytes (the struct's one digit, padded),
 * where the general _PyLong_New(1) asks for 28. Both land in a 32-byte
 * block, but tracemalloc reports the request, so the figures differ. */
static mp_object *int_from_medium(long v)
{
    mp_int *r = mp_object_malloc(sizeof(mp_int));
    if (!r)
        return NULL;
    mp_object_init(MP_OBJ(r), &mp_type_int);
    MP_SIZE(r) = v < 0 ? -1 : 1;
    r->ob_digit[0] = (mp_digit)(v < 0 ? -v : v);
    return MP_OBJ(r);
}

static bool is_medium(long v) { return v > -(long)MP_LONG_MASK - 1 && v <= (long)MP_LONG_MASK; }

mp_object *mp_int_from_long(long v)
{
    if (is_small(v))
        return get_small(v);
    if (is_medium(v))
        return int_from_medium(v);
    unsigned long magnitude = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
    mp_ssize_t n = 0;
    for (unsigned long t = magnitude; t; t >>= MP_LONG_SHIFT)
        n++;
    mp_int *r = int_alloc(n);
    if (!r)
        return NULL;
    for (mp_ssize_t i = 0; i < n; i++, magnitude >>= MP_LONG_SHIFT)
        r->ob_digit[i] = (mp_digit)(magnitude & MP_LONG_MASK);
    MP_SIZE(r) = v < 0 ? -n : n;
    return MP_OBJ(r);
}

long mp_int_as_long(mp_object *o)
{
    const mp_int *v = (const mp_int *)o;
    unsigned long x = 0;
    for (mp_ssize_t i = ndigits(v) - 1; i >= 0; i--) {
        if (x > (ULONG_MAX >> MP_LONG_SHIFT))
            goto overflow;
        x = (x << MP_LONG_SHIFT) | v->ob_digit[i];
    }
    if (MP_SIZE(v) >= 0) {
        if (x > (unsigned long)LONG_MAX)
            goto overflow;
        return (long)x;
    }
    if (x > (unsigned long)LONG_MAX + 1)
        goto overflow;
    return x == (unsigned long)LONG_MAX + 1 ? LONG_MIN : -(long)x;
overflow:
    mp_err_set(MP_ERR_OVERFLOW, "Python int too large to convert to C long");
    return -1;
}

/* Values past the small ints get exactly as many digits as they need,
 * as CPython's PyLong_FromUnsignedLong gives them (so a one-digit value
 * asks for 28 bytes here, where mp_int_from_long asks for 32). */
mp_object *mp_int_from_unsigned_long(unsigned long v)
{
    if (v < MP_NSMALLPOSINTS)
        return get_small((long)v);
    mp_ssize_t n = 0;
    for (unsigned long t = v; t; t >>= MP_LONG_SHIFT)
        n++;
    mp_int *r = int_alloc(n);
    if (!r)
        return NULL;
    for (mp_ssize_t i = 0; i < n; i++, v >>= MP_LONG_SHIFT)
        r->ob_digit[i] = (mp_digit)(v & MP_LONG_MASK);
    return MP_OBJ(r);
}

unsigned long mp_int_as_unsigned_long(mp_object *o)
{
    const mp_int *v = (const mp_int *)o;
    if (MP_SIZE(v) < 0) {
        mp_err_set(MP_ERR_OVERFLOW, "can't convert negative value to unsigned int");
        return (unsigned long)-1;
    }
    unsigned long x = 0;
    for (mp_ssize_t i = ndigits(v) - 1; i >= 0; i--) {
        if (x > (ULONG_MAX >> MP_LONG_SHIFT)) {
            mp_err_set(MP_ERR_OVERFLOW, "Python int too large to convert to C unsigned long");
            return (unsigned long)-1;
        }
        x = (x << MP_LONG_SHIFT) | v->ob_digit[i];
    }
    return x;
}

static int bit_length(mp_digit d) { return d ? 32 - __builtin_clz(d) : 0; }

/* Correctly rounded, as CPython's PyLong_AsDouble: the leading 64 bits of
 * the magnitude go to the hardware's conversion with a sticky bit standing
 * for every set bit below them, which is all round-half-even needs. */
double mp_int_as_double(mp_object *o)
{
    const mp_int *v = (const mp_int *)o;
    mp_ssize_t n = ndigits(v);
    uint64_t top = 0;    /* the leading bits, at most 64 */
    int room = 64;       /* bits still free in top */
    long below = 0;      /* how many bits lie below top */
    bool sticky = false; /* whether any of those is set */
    for (mp_ssize_t i = n - 1; i >= 0; i--) {
        mp_digit d = v->ob_digit[i];
        int width = i == n - 1 ? bit_length(d) : MP_LONG_SHIFT;
        int keep = width < room ? width : room;
        top = (top << keep) | (d >> (width - keep));
        room -= keep;
        below += width - keep;
        sticky |= (d & ((1u << (width - keep)) - 1)) != 0;
    }
    /* Past 2**1024 the result is infinite anyway: cap the exponent so it
     * fits an int. */
    double x = ldexp((double)(top | sticky), below < 4096 ? (int)below : 4096);
    if (isinf(x)) {
        mp_err_set(MP_ERR_OVERFLOW, "int too large to convert to float");
        return -1.0;
    }
    return MP_SIZE(v) < 0 ? -x : x;
}

/* ---- int(str) ------------------------------------------------------------ */

/* digits[0..*n) = digits * mult + add, growing *n by at most one digit. */
static void muladd_in_place(mp_digit *digits, mp_ssize_t *n, mp_digit mult, mp_digit add)
{
    uint64_t carry = add;
    for (mp_ssize_t i = 0; i < *n; i++) {
        carry += (uint64_t)digits[i] * mult;
        digits[i] = (mp_digit)(carry & MP_LONG_MASK);
        carry >>= MP_LONG_SHIFT;
    }
    if (carry)
        digits[(*n)++] = (mp_digit)carry;
}

/* ValueError with CPython's message, which shows repr(text) cut to 200
 * characters (the %.200R of long_from_string's error path). */
static mp_object *invalid_literal(const char *s)
{
    char shown[1024];
    mp_object *text = mp_str_from_utf8(s);
    if (text) {
        mp_repr(text, shown, sizeof shown);
        MP_DECREF(text);
        size_t chars = 0, i = 0;
        for (; shown[i]; i++) {
            bool starts_char = ((unsigned char)shown[i] & 0xC0) != 0x80;
            if (starts_char && chars++ == 200)
                break;
        }
        shown[i] = '\0';
    } else {
        mp_err_clear();
        snprintf(shown, sizeof shown, "'%.200s'", s);
    }
    mp_err_format(MP_ERR_VALUE, "invalid literal for int() with base 10: %s", shown);
    return NULL;
}

mp_object *mp_int_from_string(const char *s)
{
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    const char *first = p;
    size_t decimals = 0;
    for (; isdigit((unsigned char)*p) || *p == '_'; p++) {
        if (*p == '_' && (p == first || p[-1] == '_' || !isdigit((unsigned char)p[1])))
            return invalid_literal(s);
        decimals += *p != '_';
    }
    const char *end = p;
    while (isspace((unsigned char)*p))
        p++;
    if (decimals == 0 || *p)
        return invalid_literal(s);

    /* Room for the digits, estimated as CPython estimates it, so that the
     * block (and tracemalloc's figure for it) is the same size: 28 bytes
     * for int("257"), 32 for int("1000000000"), though both need one digit. */
    mp_int *v = int_alloc((mp_ssize_t)((double)decimals * (log(10.0) / log((double)(1ul << MP_LONG_SHIFT)))) + 1);
    if (!v)
        return NULL;
    mp_ssize_t n = 0;
    mp_digit group = 0, scale = 1;
    for (const char *q = first; q < end; q++) {
        if (*q == '_')
            continue;
        group = group * 10 + (mp_digit)(*q - '0');
        scale *= 10;
        if (scale == MP_DECIMAL_BASE) {
            muladd_in_place(v->ob_digit, &n, scale, group);
            group = 0, scale = 1;
        }
    }
    if (scale > 1)
        muladd_in_place(v->ob_digit, &n, scale, group);
    MP_SIZE(v) = n;
    return int_normalize(v, negative);
}

/* ---- arithmetic on magnitudes ---------------------------------------------- */

/* |a| + |b|, with the given sign. */
static mp_object *x_add(const mp_int *a, const mp_int *b, bool negative)
{
    mp_ssize_t na = ndigits(a), nb = ndigits(b);
    if (na < nb) {
        const mp_int *t = a;
        a = b, b = t;
        mp_ssize_t tn = na;
        na = nb, nb = tn;
    }
    mp_int *z = int_alloc(na + 1);
    if (!z)
        return NULL;
    mp_digit carry = 0;
    mp_ssize_t i = 0;
    for (; i < nb; i++) {
        carry += a->ob_digit[i] + b->ob_digit[i];
        z->ob_digit[i] = carry & MP_LONG_MASK;
        carry >>= MP_LONG_SHIFT;
    }
    for (; i < na; i++) {
        carry += a->ob_digit[i];
        z->ob_digit[i] = carry & MP_LONG_MASK;
        carry >>= MP_LONG_SHIFT;
    }
    z->ob_digit[i] = carry;
    return int_normalize(z, negative);
}

static int compare_magnitude(const mp_int *a, const mp_int *b)
{
    mp_ssize_t na = ndigits(a), nb = ndigits(b);
    if (na != nb)
        return na < nb ? -1 : 1;
    for (mp_ssize_t i = na - 1; i >= 0; i--) {
        if (a->ob_digit[i] != b->ob_digit[i])
            return a->ob_digit[i] < b->ob_digit[i] ? -1 : 1;
    }
    return 0;
}

/* |a| - |b|; the result is negated when negative is set. */
static mp_object *x_sub(const mp_int *a, const mp_int *b, bool negative)
{
    if (compare_magnitude(a, b) < 0) {
        const mp_int *t = a;
        a = b, b = t;
        negative = !negative;
    }
    mp_ssize_t na = ndigits(a), nb = ndigits(b);
    mp_int *z = int_alloc(na);
    if (!z)
        return NULL;
    mp_digit borrow = 0;
    mp_ssize_t i = 0;
    for (; i < nb; i++) {
        borrow = a->ob_digit[i] - b->ob_digit[i] - borrow;
        z->ob_digit[i] = borrow & MP_LONG_MASK;
        borrow = (borrow >> MP_LONG_SHIFT) & 1;
    }
    for (; i < na; i++) {
        borrow = a->ob_digit[i] - borrow;
        z->ob_digit[i] = borrow & MP_LONG_MASK;
        borrow = (borrow >> MP_LONG_SHIFT) & 1;
    }
    return int_normalize(z, negative);
}

/* An int of at most one digit: its value. */
static bool medium_value(const mp_int *v, long *out)
{
    if (ndigits(v) > 1)
        return false;
    *out = MP_SIZE(v) ? (MP_SIZE(v) < 0 ? -(long)v->ob_digit[0] : (long)v->ob_digit[0]) : 0;
    return true;
}

/* Operands of at most one digit take CPython 3.11's short cut: the result
 * is computed in a machine word and made by mp_int_from_long (whose
 * allocation sizes match _PyLong_FromSTwoDigits'). */
mp_object *mp_int_add(mp_object *a, mp_object *b)
{
    const mp_int *x = (const mp_int *)a, *y = (const mp_int *)b;
    long vx, vy;
    if (medium_value(x, &vx) && medium_value(y, &vy))
        return mp_int_from_long(vx + vy);
    bool xneg = MP_SIZE(x) < 0, yneg = MP_SIZE(y) < 0;
    if (xneg == yneg)
        return x_add(x, y, xneg);
    return xneg ? x_sub(y, x, false) : x_sub(x, y, false);
}

mp_object *mp_int_sub(mp_object *a, mp_object *b)
{
    const mp_int *x = (const mp_int *)a, *y = (const mp_int *)b;
    long vx, vy;
    if (medium_value(x, &vx) && medium_value(y, &vy))
        return mp_int_from_long(vx - vy);
    bool xneg = MP_SIZE(x) < 0, yneg = MP_SIZE(y) < 0;
    if (xneg != yneg)
        return x_add(x, y, xneg);
    return x_sub(x, y, xneg);
}

mp_object *mp_int_mul(mp_object *a, mp_object *b)
{
    const mp_int *x = (const mp_int *)a, *y = (const mp_int *)b;
    long vx, vy;
    if (medium_value(x, &vx) && medium_value(y, &vy))
        return mp_int_from_long(vx * vy);
    mp_ssize_t na = ndigits(x), nb = ndigits(y);
    mp_int *z = int_alloc(na + nb);
    if (!z)
        return NULL;
    memset(z->ob_digit, 0, sizeof(mp_digit) * (size_t)(na + nb));
    for (mp_ssize_t i = 0; i < na; i++) {
        uint64_t carry = 0, xi = x->ob_digit[i];
        for (mp_ssize_t j = 0; j < nb; j++) {
            carry += z->ob_digit[i + j] + xi * y->ob_digit[j];
            z->ob_digit[i + j] = (mp_digit)(carry & MP_LONG_MASK);
            carry >>= MP_LONG_SHIFT;
        }
        for (mp_ssize_t k = i + nb; carry; k++) {
            carry += z->ob_digit[k];
            z->ob_digit[k] = (mp_digit)(carry & MP_LONG_MASK);
            carry >>= MP_LONG_SHIFT;
        }
    }
    return int_normalize(z, (MP_SIZE(x) < 0) != (MP_SIZE(y) < 0));
}

int mp_int_compare(mp_object *a, mp_object *b)
{
    mp_ssize_t sa = MP_SIZE(a), sb = MP_SIZE(b);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    int c = compare_magnitude((const mp_int *)a, (const mp_int *)b);
    return sa < 0 ? -c : c;
}

/* ---- the type's slots ---------------------------------------------------- */

/* CPython's numeric hash: the value modulo the Mersenne prime 2**61 - 1,
 * so that equal numbers of any type hash alike. */
#define MP_HASH_BITS 61
#define MP_HASH_MODULUS (((uint64_t)1 << MP_HASH_BITS) - 1)

static mp_hash_t int_hash(mp_object *o)
{
    const mp_int *v = (const mp_int *)o;
    uint64_t x = 0;
    for (mp_ssize_t i = ndigits(v) - 1; i >= 0; i--) {
        /* x * 2**30 mod (2**61 - 1) is a 61-bit rotation by 30. */
        x = ((x << MP_LONG_SHIFT) & MP_HASH_MODULUS) | (x >> (MP_HASH_BITS - MP_LONG_SHIFT));
        x += v->ob_digit[i];
        if (x >= MP_HASH_MODULUS)
            x -= MP_HASH_MODULUS;
    }
    mp_hash_t h = MP_SIZE(v) < 0 ? -(mp_hash_t)x : (mp_hash_t)x;
    return h == -1 ? -2 : h;
}

static int int_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    return mp_compare_result(mp_int_compare(a, b), op);
}

/* Decimal output goes through base 10**9, as CPython's long_to_decimal_string:
 * each 30-bit digit, from the top, is shifted into the base-10**9 number. */
static void int_repr(mp_object *o, mp_strbuf *out)
{
    const mp_int *v = (const mp_int *)o;
    mp_ssize_t n = ndigits(v);
    if (n <= 2) {
        mp_strbuf_printf(out, "%ld", mp_int_as_long(o));
        return;
    }
    mp_ssize_t cap = n + n / 32 + 2; /* 30 * log10(2) / 9 < 1 + 1/32 */
    uint32_t *groups = mp_object_malloc(sizeof *groups * (size_t)cap);
    if (!groups) {
        mp_err_clear();
        mp_strbuf_printf(out, "<int of %td digits>", n);
        return;
    }
    mp_ssize_t ngroups = 0;
    for (mp_ssize_t i = n - 1; i >= 0; i--) {
        uint64_t carry = v->ob_digit[i];
        for (mp_ssize_t j = 0; j < ngroups; j++) {
            uint64_t z = ((uint64_t)groups[j] << MP_LONG_SHIFT) | carry;
            carry = z / MP_DECIMAL_BASE;
            groups[j] = (uint32_t)(z - carry * MP_DECIMAL_BASE);
        }
        while (carry) {
            groups[ngroups++] = (uint32_t)(carry % MP_DECIMAL_BASE);
            carry /= MP_DECIMAL_BASE;
        }
    }
    mp_strbuf_printf(out, "%s%u", MP_SIZE(v) < 0 ? "-" : "", groups[ngroups - 1]);
    for (mp_ssize_t j = ngroups - 2; j >= 0; j--)
        mp_strbuf_printf(out, "%09u", groups[j]);
    mp_object_free(groups);
}

static size_t int_sizeof(mp_object *o)
{
    mp_ssize_t n = ndigits((const mp_int *)o);
    return MP_INT_HEADER_BYTES + sizeof(mp_digit) * (size_t)(n ? n : 1);
}

mp_type mp_type_int = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "int",
    .tp_basicsize = MP_INT_HEADER_BYTES,
    .tp_itemsize = sizeof(mp_digit),
    .tp_dealloc = mp_object_del,
    .tp_sizeof = int_sizeof,
    .tp_hash = int_hash,
    .tp_richcompare = int_richcompare,
    .tp_repr = int_repr,
};

int mp_int_init(void)
{
    for (long v = -MP_NSMALLNEGINTS; v < MP_NSMALLPOSINTS; v++) {
        mp_int *s = &small_ints[v + MP_NSMALLNEGINTS];
        s->ob_base.ob_base.ob_refcnt = MP_IMMORTAL_REFCNT;
        s->ob_base.ob_base.ob_type = &mp_type_int;
        s->ob_base.ob_size = v < 0 ? -1 : v > 0;
        s->ob_digit[0] = (mp_digit)(v < 0 ? -v : v);
    }
    return 0;
}

void mp_int_fini(void)
{
    for (size_t i = 0; i < sizeof small_ints / sizeof small_ints[0]; i++)
        mp_check_released(MP_OBJ(&small_ints[i]));
}
