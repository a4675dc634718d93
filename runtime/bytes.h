/* bytes.h — Python's bytes: an immutable run of bytes stored inline.
 *
 * Models CPython 3.11's Objects/bytesobject.c and Include/cpython/bytesobject.h.
 */
#ifndef MP_BYTES_H
#define MP_BYTES_H

#include "object.h"
#include "site.h"

/* PyBytesObject: the bytes follow the header, NUL-terminated, so
 * sys.getsizeof(b'') == 33 and each byte adds one. */
typedef struct mp_bytes {
    mp_varobject ob_base; /* ob_size: the length */
    mp_hash_t ob_shash;   /* -1 until first computed */
    char ob_sval[1];      /* ob_size bytes, then a NUL */
} mp_bytes;

extern mp_type mp_type_bytes;
extern mp_type mp_type_bytes_iterator;

static inline bool mp_bytes_check(const mp_object *o) { return o->ob_type == &mp_type_bytes; }

/* PyBytes_FromStringAndSize: a new bytes holding s[0..n). b'' and the 256
 * one-byte values are shared singletons, as in CPython 3.11. With s NULL,
 * n bytes (never a singleton) for the caller to fill through
 * mp_bytes_as_string before anyone else sees them. */
mp_object *mp_bytes_from_string_and_size(const char *s, mp_ssize_t n);
/* PyBytes_FromString: the bytes of a NUL-terminated string. */
mp_object *mp_bytes_from_string(const char *s);
/* PyBytes_AS_STRING: the bytes, NUL-terminated; they may hold NULs too. */
char *mp_bytes_as_string(mp_object *o);
mp_ssize_t mp_bytes_size(mp_object *o); /* len(b) */
/* b[i], negative i counting from the end: an int in 0..255 (a new
 * reference), or NULL with IndexError. */
mp_object *mp_bytes_getitem(mp_object *o, mp_ssize_t i);

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_bytes_from_string_and_size(s, n) MP_AT(mp_bytes_from_string_and_size(s, n))
#define mp_bytes_from_string(s) MP_AT(mp_bytes_from_string(s))
#endif

#endif
