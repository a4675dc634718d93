/* bytes.c — immutable bytes: the data inline after a 32-byte header, and
 * the shared empty and one-byte values.
 *
 * Models CPython 3.11's Objects/bytesobject.c: sys.getsizeof(b'') == 33,
 * sys.getsizeof(b'abc') == 36, and b'' and bytes([c]) for every c are the
 * same objects wherever they are made (_Py_SINGLETON(bytes_empty) and
 * bytes_characters in 3.11).
 *
 * Invariants:
 *   - ob_sval holds ob_size bytes and then a NUL, which is not counted.
 *   - A bytes never changes once another reference to it exists; its hash,
 *     computed on first use, is cached in ob_shash.
 *   - hash(b) == hash(s) for a str s whose stored bytes are b's (hash.c),
 *     as hash(b'abc') == hash('abc') in CPython.
 *   - The singletons are static, at an immortal count.
 *
 * Deliberate differences: `x in b` takes an int or a bytes; CPython also
 * takes any object with the buffer protocol (an array, a memoryview).
 */
#include "bytes.h"

#include <string.h>

#include "error.h"
#include "int.h"
#include "internal.h"
#include "obmalloc.h"

#define BYTES_HEADER_BYTES offsetof(mp_bytes, ob_sval) /* 32 */
_Static_assert(BYTES_HEADER_BYTES == 32, "PyBytesObject's header is 32 bytes");

static mp_bytes *as_bytes(mp_object *o) { return (mp_bytes *)o; }

/* ---- the shared singletons --------------------------------------------------- */

typedef struct {
    mp_bytes b;
    char nul; /* room for the terminator after a one-byte value */
} small_bytes;

static small_bytes empty_bytes;
static small_bytes characters[256];

static void init_static(mp_bytes *b, mp_ssize_t n, unsigned char c)
{
    memset(b, 0, sizeof(small_bytes));
    b->ob_base.ob_base = (mp_object){MP_IMMORTAL_REFCNT, &mp_type_bytes};
    b->ob_base.ob_size = n;
    b->ob_shash = -1;
    b->ob_sval[0] = (char)c;
}

int mp_bytes_init(void)
{
    init_static(&empty_bytes.b, 0, 0);
    for (int c = 0; c < 256; c++)
        init_static(&characters[c].b, 1, (unsigned char)c);
    return 0;
}

void mp_bytes_fini(void)
{
    mp_check_released(MP_OBJ(&empty_bytes.b));
    for (int c = 0; c < 256; c++)
        mp_check_released(MP_OBJ(&characters[c].b));
}

/* ---- construction and access ------------------------------------------------ */

mp_object *mp_bytes_from_string_and_size(const char *s, mp_ssize_t n)
{
    if (n < 0) {
        mp_err_set(MP_ERR_SYSTEM, "Negative size passed to PyBytes_FromStringAndSize");
        return NULL;
    }
    if (n == 0)
        return mp_newref(&empty_bytes.b);
    if (n == 1 && s)
        return mp_newref(&characters[(unsigned char)s[0]].b);
    if ((size_t)n > PTRDIFF_MAX - BYTES_HEADER_BYTES - 1) {
        mp_err_set(MP_ERR_OVERFLOW, "byte string is too large");
        return NULL;
    }
    mp_bytes *b = mp_object_malloc(BYTES_HEADER_BYTES + (size_t)n + 1);
    if (!b)
        return NULL;
    mp_object_init(MP_OBJ(b), &mp_type_bytes);
    MP_SIZE(b) = n;
    b->ob_shash = -1;
    if (s)
        memcpy(b->ob_sval, s, (size_t)n);
    b->ob_sval[n] = '\0';
    return MP_OBJ(b);
}

mp_object *mp_bytes_from_string(const char *s)
{
    return mp_bytes_from_string_and_size(s, (mp_ssize_t)strlen(s));
}

char *mp_bytes_as_string(mp_object *o) { return as_bytes(o)->ob_sval; }

mp_ssize_t mp_bytes_size(mp_object *o) { return MP_SIZE(o); }

mp_object *mp_bytes_getitem(mp_object *o, mp_ssize_t i)
{
    if (i < 0)
        i += MP_SIZE(o);
    if (i < 0 || i >= MP_SIZE(o)) {
        mp_err_set(MP_ERR_INDEX, "index out of range");
        return NULL;
    }
    return mp_int_from_long((unsigned char)as_bytes(o)->ob_sval[i]);
}

/* ---- the type's slots ---------------------------------------------------------- */

static mp_hash_t bytes_hash(mp_object *o)
{
    mp_bytes *b = as_bytes(o);
    if (b->ob_shash == -1)
        b->ob_shash = mp_hash_bytes(b->ob_sval, (size_t)MP_SIZE(b));
    return b->ob_shash;
}

/* Byte by byte as unsigned values, then by length (bytes_richcompare). */
static int bytes_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    mp_ssize_t na = MP_SIZE(a), nb = MP_SIZE(b);
    if ((op == MP_EQ || op == MP_NE) && na != nb)
        return op == MP_NE;
    int c = memcmp(as_bytes(a)->ob_sval, as_bytes(b)->ob_sval, (size_t)(na < nb ? na : nb));
    if (c == 0)
        c = (na > nb) - (na < nb);
    return mp_compare_result(c, op);
}

/* repr(b) as PyBytes_Repr writes it: single quotes unless the bytes hold a
 * ' and no ", the quote and backslash escaped, \t \n \r by name, and every
 * other byte outside the printable ASCII range as \xhh. */
static void bytes_repr(mp_object *o, mp_strbuf *out)
{
    const unsigned char *p = (const unsigned char *)as_bytes(o)->ob_sval;
    mp_ssize_t n = MP_SIZE(o);
    char quote = memchr(p, '\'', (size_t)n) && !memchr(p, '"', (size_t)n) ? '"' : '\'';
    mp_strbuf_printf(out, "b%c", quote);
    for (mp_ssize_t i = 0; i < n && !out->truncated; i++) {
        unsigned char c = p[i];
        if (c == quote || c == '\\')
            mp_strbuf_printf(out, "\\%c", c);
        else if (c == '\t')
            mp_strbuf_puts(out, "\\t");
        else if (c == '\n')
            mp_strbuf_puts(out, "\\n");
        else if (c == '\r')
            mp_strbuf_puts(out, "\\r");
        else if (c < ' ' || c >= 0x7f)
            mp_strbuf_printf(out, "\\x%02x", c);
        else
            mp_strbuf_printf(out, "%c", c);
    }
    mp_strbuf_printf(out, "%c", quote);
}

static mp_ssize_t bytes_len(mp_object *o) { return MP_SIZE(o); }

/* Whether needle[0..m) occurs in hay[0..n). */
static bool find_run(const char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++) {
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    }
    return false;
}

/* `x in b`: an int is looked for as one byte, a bytes as a run of them. */
static int bytes_contains(mp_object *o, mp_object *x)
{
    const char *p = as_bytes(o)->ob_sval;
    size_t n = (size_t)MP_SIZE(o);
    if (mp_int_check(x)) {
        long v = mp_int_as_long(x);
        if (v < 0 || v > 255) {
            mp_err_clear();
            mp_err_set(MP_ERR_VALUE, "byte must be in range(0, 256)");
            return -1;
        }
        return memchr(p, (int)v, n) != NULL;
    }
    if (mp_bytes_check(x))
        return find_run(p, n, as_bytes(x)->ob_sval, (size_t)MP_SIZE(x));
    mp_err_format(MP_ERR_TYPE, "a bytes-like object is required, not '%s'", x->ob_type->tp_name);
    return -1;
}

static mp_object *bytes_iter(mp_object *o) { return mp_seq_iter_new(&mp_type_bytes_iterator, o); }

mp_type mp_type_bytes = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "bytes",
    .tp_basicsize = BYTES_HEADER_BYTES + 1, /* PyBytesObject_SIZE: the NUL counts */
    .tp_itemsize = 1,
    .tp_dealloc = mp_object_del,
    .tp_hash = bytes_hash,
    .tp_richcompare = bytes_richcompare,
    .tp_repr = bytes_repr,
    .tp_iter = bytes_iter,
    .tp_len = bytes_len,
    .tp_contains = bytes_contains,
};

/* Iterating a bytes yields ints, as b[i] does (striterobject). */
static mp_object *bytes_iter_item(mp_object *seq, mp_ssize_t i)
{
    return i < MP_SIZE(seq) ? mp_int_from_long((unsigned char)as_bytes(seq)->ob_sval[i]) : NULL;
}

MP_SEQ_ITER_TYPE(mp_type_bytes_iterator, "bytes_iterator", bytes_iter_item);
