/* str.h — Python's str: immutable text in PEP 393's compact forms, and the
 * intern table.
 *
 * Models CPython 3.11's Objects/unicodeobject.c and Include/cpython/unicodeobject.h.
 */
#ifndef MP_STR_H
#define MP_STR_H

#include "object.h"
#include "site.h"

/* PyASCIIObject: the header of every str; an all-ASCII str keeps its
 * characters right after it, one byte each, NUL-terminated (48 + n + 1). */
typedef struct mp_str {
    mp_object ob_base;
    mp_ssize_t length; /* in code points */
    mp_hash_t hash;    /* -1 until first computed */
    struct {
        uint32_t interned : 1;
        uint32_t kind : 3; /* bytes per code point: 1, 2 or 4 */
        uint32_t ascii : 1;
    } state;
    /* CPython 3.11 still carries the wstr pointer of the old Py_UNICODE API;
     * it is never used here, but its 8 bytes make the header 48, as there. */
    void *wstr;
} mp_str;

/* PyCompactUnicodeObject: the header of a str with any non-ASCII code
 * point; its characters follow at kind bytes each (72 + (n + 1) * kind).
 * The UTF-8 cache and wstr length are kept, unused, for the same reason. */
typedef struct mp_compact_str {
    mp_str base;
    mp_ssize_t utf8_length;
    char *utf8;
    mp_ssize_t wstr_length;
} mp_compact_str;

extern mp_type mp_type_str;

static inline bool mp_str_check(const mp_object *o) { return o->ob_type == &mp_type_str; }

/* PyUnicode_FromString / PyUnicode_DecodeUTF8: a new str from UTF-8;
 * UnicodeDecodeError for invalid input. "" and one-character strings below
 * U+0100 are shared singletons, as in CPython. */
mp_object *mp_str_from_utf8(const char *s);
mp_object *mp_str_from_utf8_size(const char *s, mp_ssize_t n);

mp_ssize_t mp_str_length(mp_object *o);      /* len(s) */
uint32_t mp_str_read(mp_object *o, mp_ssize_t i); /* ord(s[i]) */
/* The text as UTF-8 into buf (NUL-terminated, cut to fit); returns the
 * length the whole text needs. */
size_t mp_str_as_utf8(mp_object *o, char *buf, size_t cap);
/* a + b, a new reference. */
mp_object *mp_str_concat(mp_object *a, mp_object *b);

/* PyUnicode_InternInPlace: replaces *p with the interned string equal to
 * it, interning *p itself if there is none. The table's references are not
 * counted (as in 3.11), so an interned string still dies at count zero. */
void mp_str_intern(mp_object **p);
/* PyUnicode_InternFromString. */
mp_object *mp_str_intern_from_utf8(const char *s);
bool mp_str_is_interned(mp_object *o);
/* How many strings are interned now. */
mp_ssize_t mp_str_interned_count(void);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_str_from_utf8(s) MP_AT(mp_str_from_utf8(s))
#define mp_str_from_utf8_size(s, n) MP_AT(mp_str_from_utf8_size(s, n))
#define mp_str_concat(a, b) MP_AT(mp_str_concat(a, b))
#define mp_str_intern(p) MP_AT(mp_str_intern(p))
#define mp_str_intern_from_utf8(s) MP_AT(mp_str_intern_from_utf8(s))
#endif

#endif
