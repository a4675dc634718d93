/* float.c — floats: a double in a 24-byte object, hashed like the numbers
 * it equals, printed as the shortest text that reads back the same.
 *
 * Models CPython 3.11's Objects/floatobject.c (float_repr, float_hash,
 * float_richcompare) and the 'r' format of Python/pystrtod.c.
 *
 * Invariants:
 *   - sys.getsizeof(x) == 24 for every float: header and the double.
 *   - repr(x) read back by float() gives x exactly, and no shorter decimal
 *     does (the shortest round trip, as CPython's repr since 3.1).
 *   - hash(x) == hash(n) whenever x == n for an int n (see hash.c).
 *
 * Deliberate differences: CPython keeps a free list of 100 floats; this
 * model does not, so each float is one allocation the statistics see.
 * Arithmetic, float(str) and comparison with ints are left out: nothing
 * in the labs needs them yet.
 */
#include "float.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "internal.h"
#include "obmalloc.h"

_Static_assert(sizeof(mp_float) == 24, "PyFloatObject is 24 bytes");

mp_object *mp_float_from_double(double v)
{
    mp_float *f = mp_object_malloc(sizeof *f);
    if (!f)
        return NULL;
    mp_object_init(MP_OBJ(f), &mp_type_float);
    f->ob_fval = v;
    return MP_OBJ(f);
}

double mp_float_as_double(mp_object *o) { return ((mp_float *)o)->ob_fval; }

/* repr's layout, as Python's 'r' format chooses it: for digits d1 d2 ...
 * dn and a value of 0.d1...dn * 10**point, positional notation while
 * -4 < point <= 16 (with ".0" when the value is whole), scientific
 * notation beyond, with a signed exponent of at least two digits. */
void mp_float_repr_double(double v, mp_strbuf *out)
{
    if (isnan(v)) {
        mp_strbuf_puts(out, "nan");
        return;
    }
    if (isinf(v)) {
        mp_strbuf_puts(out, v > 0 ? "inf" : "-inf");
        return;
    }
    /* The fewest significant digits that read back as v: a correctly
     * rounded p-digit decimal round-trips whenever any p-digit one does. */
    char sci[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(sci, sizeof sci, "%.*e", p - 1, v);
        if (strtod(sci, NULL) == v)
            break;
    }
    /* sci is [-]d[.ddd]e(+|-)xx: split it into sign, digits and point. */
    const char *s = sci;
    bool negative = *s == '-';
    if (negative)
        s++;
    char digits[20];
    int n = 0;
    for (; *s != 'e'; s++) {
        if (*s != '.')
            digits[n++] = *s;
    }
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    int point = atoi(s + 1) + 1;

    char text[48];
    size_t k = 0;
    if (negative)
        text[k++] = '-';
    if (point > 16 || point <= -4) {
        text[k++] = digits[0];
        if (n > 1) {
            text[k++] = '.';
            memcpy(text + k, digits + 1, (size_t)n - 1);
            k += (size_t)n - 1;
        }
        snprintf(text + k, sizeof text - k, "e%c%02d", point > 0 ? '+' : '-', abs(point - 1));
    } else {
        if (point <= 0) {
            text[k++] = '0';
            text[k++] = '.';
            for (int i = point; i < 0; i++)
                text[k++] = '0';
        }
        for (int i = 0; i < n || i < point; i++) {
            if (i == point && point > 0)
                text[k++] = '.';
            text[k++] = i < n ? digits[i] : '0';
        }
        if (point >= n) {
            text[k++] = '.';
            text[k++] = '0';
        }
        text[k] = '\0';
    }
    mp_strbuf_puts(out, text);
}

/* ---- the type's slots ---------------------------------------------------- */

static mp_hash_t float_hash(mp_object *o) { return mp_hash_double(o, mp_float_as_double(o)); }

/* IEEE comparison: a NaN is unordered, so only != holds for it. */
static int float_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    double x = mp_float_as_double(a), y = mp_float_as_double(b);
    switch (op) {
    case MP_LT: return x < y;
    case MP_LE: return x <= y;
    case MP_EQ: return x == y;
    case MP_NE: return x != y;
    case MP_GT: return x > y;
    case MP_GE: return x >= y;
    }
    return -1;
}

static void float_repr(mp_object *o, mp_strbuf *out) { mp_float_repr_double(mp_float_as_double(o), out); }

mp_type mp_type_float = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "float",
    .tp_basicsize = sizeof(mp_float),
    .tp_dealloc = mp_object_del,
    .tp_hash = float_hash,
    .tp_richcompare = float_richcompare,
    .tp_repr = float_repr,
};
