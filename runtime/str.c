/* str.c — compact strings (PEP 393), the shared one-character strings, and
 * the intern table.
 *
 * Models CPython 3.11's Objects/unicodeobject.c: a string is stored at the
 * narrowest width that holds its largest code point (1, 2 or 4 bytes), right
 * after its header, so sys.getsizeof('a' * 10) == 59 and
 * sys.getsizeof('é' * 10) == 83, as on CPython 3.11.
 *
 * Invariants:
 *   - kind is the smallest of 1, 2, 4 that holds every code point; ascii is
 *     set exactly when every code point is below 128. Equal strings
 *     therefore have equal kinds and equal bytes.
 *   - The data is NUL-terminated (one more code point of zeros).
 *   - "" and the strings of one code point below U+0100 are the static
 *     singletons below whenever the runtime creates them.
 *   - The intern table holds a string iff its state.interned is set; the
 *     table's reference is not counted, so str_dealloc removes the entry.
 */
#include "str.h"

#include <string.h>

#include "error.h"
#include "internal.h"
#include "obmalloc.h"
#include "unicode_printable.h"

#define ASCII_HEADER_BYTES sizeof(mp_str)           /* 48 */
#define COMPACT_HEADER_BYTES sizeof(mp_compact_str) /* 72 */

_Static_assert(sizeof(mp_str) == 48, "PyASCIIObject is 48 bytes in 3.11");
_Static_assert(sizeof(mp_compact_str) == 72, "PyCompactUnicodeObject is 72 bytes in 3.11");

static void *str_data(mp_object *o)
{
    mp_str *s = (mp_str *)o;
    return s->state.ascii ? (void *)(s + 1) : (void *)((mp_compact_str *)o + 1);
}

static uint32_t read_at(int kind, const void *data, mp_ssize_t i)
{
    switch (kind) {
    case 1: return ((const uint8_t *)data)[i];
    case 2: return ((const uint16_t *)data)[i];
    default: return ((const uint32_t *)data)[i];
    }
}

static void write_at(int kind, void *data, mp_ssize_t i, uint32_t c)
{
    switch (kind) {
    case 1: ((uint8_t *)data)[i] = (uint8_t)c; break;
    case 2: ((uint16_t *)data)[i] = (uint16_t)c; break;
    default: ((uint32_t *)data)[i] = c; break;
    }
}

static int kind_for(uint32_t max_char) { return max_char < 0x100 ? 1 : max_char < 0x10000 ? 2 : 4; }

/* ---- the shared singletons --------------------------------------------------
 * Static, as CPython 3.11 keeps them in _PyRuntime: each struct is a header
 * with room for one code point and the terminator right after it. */

static struct {
    mp_str s;
    uint8_t data[1];
} empty_str;
static struct {
    mp_str s;
    uint8_t data[2];
} ascii_chars[128];
static struct {
    mp_compact_str s;
    uint8_t data[2];
} latin1_chars[128];

static void init_static(mp_str *s, mp_ssize_t length, uint32_t c)
{
    memset(s, 0, sizeof *s);
    s->ob_base = (mp_object){MP_IMMORTAL_REFCNT, &mp_type_str};
    s->length = length;
    s->hash = -1;
    s->state.kind = 1;
    s->state.ascii = c < 128;
    uint8_t *data = str_data(MP_OBJ(s));
    data[0] = (uint8_t)c;
    data[length] = 0;
}

static mp_str *latin1_char(uint32_t c)
{
    return c < 128 ? &ascii_chars[c].s : &latin1_chars[c - 128].s.base;
}

/* New string of the given length and largest code point, data unset but
 * terminated. */
static mp_str *str_alloc(mp_ssize_t length, uint32_t max_char)
{
    int kind = kind_for(max_char);
    bool ascii = max_char < 128;
    size_t header = ascii ? ASCII_HEADER_BYTES : COMPACT_HEADER_BYTES;
    if (length < 0 || (size_t)length >= (SIZE_MAX / 2 - header) / (size_t)kind)
        return mp_err_nomemory();
    mp_str *s = mp_object_malloc(header + (size_t)(length + 1) * (size_t)kind);
    if (!s)
        return NULL;
    mp_object_init(MP_OBJ(s), &mp_type_str);
    s->length = length;
    s->hash = -1;
    s->state.interned = 0;
    s->state.kind = (uint32_t)kind;
    s->state.ascii = ascii;
    s->wstr = NULL;
    if (!ascii) {
        mp_compact_str *c = (mp_compact_str *)s;
        c->utf8_length = 0;
        c->utf8 = NULL;
        c->wstr_length = 0;
    }
    write_at(kind, str_data(MP_OBJ(s)), length, 0);
    return s;
}

/* ---- UTF-8 ------------------------------------------------------------------ */

/* Why bytes failed to decode, in CPython's words. */
typedef enum { UTF8_OK, UTF8_BAD_START, UTF8_BAD_CONTINUATION, UTF8_TRUNCATED } utf8_status;

static const char *const utf8_reasons[] = {
    [UTF8_BAD_START] = "invalid start byte",
    [UTF8_BAD_CONTINUATION] = "invalid continuation byte",
    [UTF8_TRUNCATED] = "unexpected end of data",
};

/* Decodes the code point at s[*i] (n bytes in all) into *c, advancing *i.
 * Overlong forms, surrogates and values past U+10FFFF are refused by the
 * range allowed for the second byte, which depends on the first, as in
 * CPython's decoder. On failure, *i is left at the first byte and *bad is
 * the number of bytes the error covers. */
static utf8_status utf8_next(const uint8_t *s, mp_ssize_t n, mp_ssize_t *i, uint32_t *c,
                             mp_ssize_t *bad)
{
    uint8_t b = s[*i];
    *bad = 1;
    if (b < 0x80) {
        *c = b;
        (*i)++;
        return UTF8_OK;
    }
    int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
    if (b < 0xC2 || b > 0xF4)
        return UTF8_BAD_START;
    uint8_t lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
    uint8_t hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
    uint32_t value = b & (0x3F >> extra);
    for (int k = 1; k <= extra; k++) {
        if (*i + k >= n) {
            *bad = k;
            return UTF8_TRUNCATED;
        }
        uint8_t cont = s[*i + k];
        if (cont < (k == 1 ? lo : 0x80) || cont > (k == 1 ? hi : 0xBF)) {
            *bad = k;
            return UTF8_BAD_CONTINUATION;
        }
        value = (value << 6) | (cont & 0x3F);
    }
    *c = value;
    *i += extra + 1;
    return UTF8_OK;
}

static mp_object *decode_error(const uint8_t *s, mp_ssize_t at, mp_ssize_t bad, utf8_status why)
{
    if (bad == 1)
        mp_err_format(MP_ERR_UNICODE_DECODE,
                      "'utf-8' codec can't decode byte 0x%02x in position %td: %s", s[at], at,
                      utf8_reasons[why]);
    else
        mp_err_format(MP_ERR_UNICODE_DECODE,
                      "'utf-8' codec can't decode bytes in position %td-%td: %s", at,
                      at + bad - 1, utf8_reasons[why]);
    return NULL;
}

mp_object *mp_str_from_utf8_size(const char *text, mp_ssize_t n)
{
    const uint8_t *s = (const uint8_t *)text;
    mp_ssize_t length = 0;
    uint32_t max_char = 0;
    for (mp_ssize_t i = 0; i < n; length++) {
        uint32_t c;
        mp_ssize_t bad;
        utf8_status why = utf8_next(s, n, &i, &c, &bad);
        if (why != UTF8_OK)
            return decode_error(s, i, bad, why);
        if (c > max_char)
            max_char = c;
    }
    if (length == 0)
        return mp_newref(&empty_str.s);
    if (length == 1 && max_char < 0x100)
        return mp_newref(latin1_char(max_char));

    mp_str *r = str_alloc(length, max_char);
    if (!r)
        return NULL;
    void *data = str_data(MP_OBJ(r));
    if (r->state.ascii) {
        memcpy(data, s, (size_t)n);
    } else {
        mp_ssize_t i = 0, bad;
        for (mp_ssize_t k = 0; k < length; k++) {
            uint32_t c;
            utf8_next(s, n, &i, &c, &bad);
            write_at((int)r->state.kind, data, k, c);
        }
    }
    return MP_OBJ(r);
}

mp_object *mp_str_from_utf8(const char *s) { return mp_str_from_utf8_size(s, (mp_ssize_t)strlen(s)); }

static size_t utf8_encode(uint32_t c, char out[4])
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

size_t mp_str_as_utf8(mp_object *o, char *buf, size_t cap)
{
    mp_str *s = (mp_str *)o;
    const void *data = str_data(o);
    size_t need = 0, written = 0;
    for (mp_ssize_t i = 0; i < s->length; i++) {
        char enc[4];
        size_t k = utf8_encode(read_at((int)s->state.kind, data, i), enc);
        if (written == need && need + k < cap) {
            memcpy(buf + need, enc, k);
            written += k;
        }
        need += k;
    }
    if (cap > 0)
        buf[written] = '\0';
    return need;
}

/* ---- queries and concatenation ----------------------------------------------- */

mp_ssize_t mp_str_length(mp_object *o) { return ((mp_str *)o)->length; }

uint32_t mp_str_read(mp_object *o, mp_ssize_t i)
{
    return read_at((int)((mp_str *)o)->state.kind, str_data(o), i);
}

static uint32_t max_char_of(const mp_str *s)
{
    if (s->state.ascii)
        return 0x7F;
    return s->state.kind == 1 ? 0xFF : s->state.kind == 2 ? 0xFFFF : 0x10FFFF;
}

mp_object *mp_str_concat(mp_object *a, mp_object *b)
{
    mp_str *x = (mp_str *)a, *y = (mp_str *)b;
    if (y->length == 0)
        return mp_newref(a);
    if (x->length == 0)
        return mp_newref(b);
    if (x->length > PTRDIFF_MAX - y->length) {
        mp_err_set(MP_ERR_OVERFLOW, "strings are too large to concat");
        return NULL;
    }
    /* The widest kind of the two holds every code point; a 2-byte string
     * whose characters all fit one byte cannot exist, so this is exact. */
    uint32_t xmax = max_char_of(x), ymax = max_char_of(y);
    mp_str *r = str_alloc(x->length + y->length, xmax > ymax ? xmax : ymax);
    if (!r)
        return NULL;
    int kind = (int)r->state.kind;
    void *data = str_data(MP_OBJ(r));
    for (mp_ssize_t i = 0; i < x->length; i++)
        write_at(kind, data, i, mp_str_read(a, i));
    for (mp_ssize_t i = 0; i < y->length; i++)
        write_at(kind, data, x->length + i, mp_str_read(b, i));
    return MP_OBJ(r);
}

/* ---- the type's slots -------------------------------------------------------- */

/* hash.c's hash of the stored bytes, so a str and a bytes holding the
 * same bytes hash alike, as in CPython (see mp_hash_bytes for how it
 * differs from CPython's SipHash). */
static mp_hash_t str_hash(mp_object *o)
{
    mp_str *s = (mp_str *)o;
    if (s->hash == -1)
        s->hash = mp_hash_bytes(str_data(o), (size_t)s->length * s->state.kind);
    return s->hash;
}

static bool str_equal(const mp_str *a, const mp_str *b)
{
    if (a == b)
        return true;
    if (a->length != b->length || a->state.kind != b->state.kind)
        return false;
    if (a->hash != -1 && b->hash != -1 && a->hash != b->hash)
        return false;
    return memcmp(str_data(MP_OBJ(a)), str_data(MP_OBJ(b)), (size_t)a->length * a->state.kind) == 0;
}

static int str_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    if (op == MP_EQ || op == MP_NE)
        return str_equal((mp_str *)a, (mp_str *)b) == (op == MP_EQ);
    mp_ssize_t na = mp_str_length(a), nb = mp_str_length(b);
    int c = 0;
    for (mp_ssize_t i = 0; c == 0 && i < na && i < nb; i++) {
        uint32_t x = mp_str_read(a, i), y = mp_str_read(b, i);
        c = (x > y) - (x < y);
    }
    if (c == 0)
        c = (na > nb) - (na < nb);
    return mp_compare_result(c, op);
}

/* str.isprintable() for one code point, by binary search of the table
 * generated from CPython 3.11's Unicode database. */
static bool is_printable(uint32_t c)
{
    size_t lo = 0, hi = sizeof unicode_nonprintable / sizeof unicode_nonprintable[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < unicode_nonprintable[mid][0])
            hi = mid;
        else if (c > unicode_nonprintable[mid][1])
            lo = mid + 1;
        else
            return false;
    }
    return true;
}

/* repr(s): quoted as Python quotes it, with escapes for the unprintable. */
static void str_repr(mp_object *o, mp_strbuf *out)
{
    mp_ssize_t n = mp_str_length(o);
    bool has_single = false, has_double = false;
    for (mp_ssize_t i = 0; i < n; i++) {
        uint32_t c = mp_str_read(o, i);
        has_single |= c == '\'';
        has_double |= c == '"';
    }
    char quote = has_single && !has_double ? '"' : '\'';
    mp_strbuf_printf(out, "%c", quote);
    for (mp_ssize_t i = 0; i < n; i++) {
        uint32_t c = mp_str_read(o, i);
        if (c == (uint32_t)quote || c == '\\')
            mp_strbuf_printf(out, "\\%c", (char)c);
        else if (c == '\n')
            mp_strbuf_puts(out, "\\n");
        else if (c == '\t')
            mp_strbuf_puts(out, "\\t");
        else if (c == '\r')
            mp_strbuf_puts(out, "\\r");
        else if (is_printable(c)) {
            char enc[5] = {0};
            utf8_encode(c, enc);
            mp_strbuf_puts(out, enc);
        } else if (c < 0x100)
            mp_strbuf_printf(out, "\\x%02x", c);
        else if (c < 0x10000)
            mp_strbuf_printf(out, "\\u%04x", c);
        else
            mp_strbuf_printf(out, "\\U%08x", c);
    }
    mp_strbuf_printf(out, "%c", quote);
}

static size_t str_sizeof(mp_object *o)
{
    mp_str *s = (mp_str *)o;
    size_t header = s->state.ascii ? ASCII_HEADER_BYTES : COMPACT_HEADER_BYTES;
    return header + (size_t)(s->length + 1) * s->state.kind;
}

static void intern_remove(mp_str *s);

static void str_dealloc(mp_object *o)
{
    mp_str *s = (mp_str *)o;
    if (s->state.interned)
        intern_remove(s);
    mp_object_del(o);
}

mp_type mp_type_str = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "str",
    .tp_basicsize = ASCII_HEADER_BYTES,
    .tp_itemsize = 1,
    .tp_dealloc = str_dealloc,
    .tp_sizeof = str_sizeof,
    .tp_hash = str_hash,
    .tp_richcompare = str_richcompare,
    .tp_repr = str_repr,
};

/* ---- the intern table ---------------------------------------------------------
 * Open addressing over a power-of-two array, probed linearly; a removed
 * entry leaves a tombstone so later probes still find what lies past it. */

#define INTERN_MIN_CAPACITY 64
static mp_str intern_tombstone;

static struct {
    mp_str **slots;
    size_t capacity; /* a power of two, or 0 before the first intern */
    size_t used;     /* live entries */
    size_t filled;   /* live entries and tombstones */
} interned;

/* The slot holding a string equal to s, or else the first free slot on its
 * probe path (a tombstone if one came first). */
static mp_str **intern_find(mp_str *s)
{
    size_t mask = interned.capacity - 1;
    mp_str **first_tombstone = NULL;
    for (size_t i = (size_t)str_hash(MP_OBJ(s)) & mask;; i = (i + 1) & mask) {
        mp_str **slot = &interned.slots[i];
        if (!*slot)
            return first_tombstone ? first_tombstone : slot;
        if (*slot == &intern_tombstone) {
            if (!first_tombstone)
                first_tombstone = slot;
        } else if (str_equal(*slot, s)) {
            return slot;
        }
    }
}

static int intern_grow(void)
{
    size_t capacity = interned.capacity ? interned.capacity : INTERN_MIN_CAPACITY;
    while (interned.used * 3 >= capacity)
        capacity *= 2;
    mp_str **slots = mp_object_malloc(capacity * sizeof *slots);
    if (!slots)
        return -1;
    memset(slots, 0, capacity * sizeof *slots);
    mp_str **old = interned.slots;
    size_t old_capacity = interned.capacity;
    interned.slots = slots;
    interned.capacity = capacity;
    interned.filled = interned.used;
    for (size_t i = 0; i < old_capacity; i++) {
        if (old[i] && old[i] != &intern_tombstone)
            *intern_find(old[i]) = old[i];
    }
    mp_object_free(old);
    return 0;
}

static void intern_remove(mp_str *s)
{
    mp_str **slot = intern_find(s);
    *slot = &intern_tombstone;
    interned.used--;
}

void mp_str_intern(mp_object **p)
{
    mp_str *s = (mp_str *)*p;
    if (s->state.interned)
        return;
    if ((interned.filled + 1) * 3 >= interned.capacity * 2 && intern_grow() < 0) {
        mp_err_clear(); /* as in CPython, a string that cannot be interned stays as it is */
        return;
    }
    mp_str **slot = intern_find(s);
    if (*slot && *slot != &intern_tombstone) {
        mp_object *found = mp_newref(*slot);
        MP_DECREF(s);
        *p = found;
        return;
    }
    if (!*slot)
        interned.filled++;
    *slot = s;
    interned.used++;
    s->state.interned = 1;
}

mp_object *mp_str_intern_from_utf8(const char *text)
{
    mp_object *s = mp_str_from_utf8(text);
    if (s)
        mp_str_intern(&s);
    return s;
}

bool mp_str_is_interned(mp_object *o) { return ((mp_str *)o)->state.interned; }

mp_ssize_t mp_str_interned_count(void) { return (mp_ssize_t)interned.used; }

int mp_str_init(void)
{
    init_static(&empty_str.s, 0, 0);
    for (uint32_t c = 0; c < 128; c++)
        init_static(&ascii_chars[c].s, 1, c);
    for (uint32_t c = 128; c < 256; c++) {
        mp_compact_str *s = &latin1_chars[c - 128].s;
        memset(s, 0, sizeof *s);
        init_static(&s->base, 1, c);
    }
    return 0;
}

void mp_str_fini(void)
{
    mp_check_released(MP_OBJ(&empty_str.s));
    for (uint32_t c = 0; c < 256; c++)
        mp_check_released(MP_OBJ(latin1_char(c)));
    /* Interned strings still alive here were leaked by their owners; the
     * table forgets them (their memory is the owners' to release). */
    for (size_t i = 0; i < interned.capacity; i++) {
        if (interned.slots[i] && interned.slots[i] != &intern_tombstone)
            interned.slots[i]->state.interned = 0;
    }
    mp_object_free(interned.slots);
    memset(&interned, 0, sizeof interned);
}
