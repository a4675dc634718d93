/* error.h — the runtime's current error: a kind and a message.
 *
 * Models CPython's Python/errors.c (PyErr_SetString, PyErr_Occurred,
 * PyErr_Clear). A function that fails returns NULL or -1 and leaves the
 * error set; its caller either handles it (mp_err_clear) or returns failure
 * in turn. Nothing in the runtime prints or exits on an ordinary error.
 *
 * Invariants:
 *   - At most one error is set at a time; setting another replaces it.
 *   - Setting an error never allocates (the message lives in a fixed
 *     buffer), so a MemoryError can always be reported.
 */
#ifndef MP_ERROR_H
#define MP_ERROR_H

typedef enum mp_err_kind {
    MP_ERR_NONE = 0,
    MP_ERR_MEMORY,         /* MemoryError */
    MP_ERR_OVERFLOW,       /* OverflowError */
    MP_ERR_VALUE,          /* ValueError */
    MP_ERR_UNICODE_DECODE, /* UnicodeDecodeError */
    MP_ERR_TYPE,           /* TypeError */
    MP_ERR_INDEX,          /* IndexError */
    MP_ERR_KEY,            /* KeyError */
    MP_ERR_ATTRIBUTE,      /* AttributeError */
    MP_ERR_ZERO_DIVISION,  /* ZeroDivisionError */
    MP_ERR_RUNTIME,        /* RuntimeError */
    MP_ERR_SYSTEM,         /* SystemError: the runtime was misused */
} mp_err_kind;

void mp_err_set(mp_err_kind kind, const char *message); /* PyErr_SetString */
void mp_err_format(mp_err_kind kind, const char *fmt, ...) /* PyErr_Format */
    __attribute__((format(printf, 2, 3)));
void *mp_err_nomemory(void); /* PyErr_NoMemory: sets MemoryError, returns NULL */

mp_err_kind mp_err_occurred(void); /* PyErr_Occurred: MP_ERR_NONE if none */
const char *mp_err_message(void);  /* "" if none */
const char *mp_err_name(mp_err_kind kind); /* "MemoryError" ... */
void mp_err_clear(void);

/* PyErr_Fetch / PyErr_Restore: code that runs while an error is pending
 * (a weakref callback, a finalizer) runs with a clean state, and the
 * pending error comes back afterwards. */
#define MP_ERR_MESSAGE_BYTES 1024 /* room for a 200-character repr in UTF-8 */
typedef struct mp_err_state {
    mp_err_kind kind;
    char message[MP_ERR_MESSAGE_BYTES];
} mp_err_state;
void mp_err_fetch(mp_err_state *saved); /* clears the current error */
void mp_err_restore(const mp_err_state *saved);

/* PyErr_WriteUnraisable: an error that has nowhere to go (raised by a
 * callback or a finalizer) is printed to stderr as CPython prints it,
 * "Exception ignored in: <where>", and cleared. */
void mp_err_write_unraisable(const char *where);

#endif
