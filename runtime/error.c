/* error.c — the current error. See error.h. Models Python/errors.c. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static mp_err_kind current_kind;
static char current_message[MP_ERR_MESSAGE_BYTES];

void mp_err_set(mp_err_kind kind, const char *message) { mp_err_format(kind, "%s", message); }

/* Formats into a scratch buffer first: the arguments may quote the current
 * message itself. */
void mp_err_format(mp_err_kind kind, const char *fmt, ...)
{
    char scratch[MP_ERR_MESSAGE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(scratch, sizeof scratch, fmt, ap);
    va_end(ap);
    memcpy(current_message, scratch, sizeof scratch);
    current_kind = kind;
}

void *mp_err_nomemory(void)
{
    mp_err_set(MP_ERR_MEMORY, "out of memory");
    return NULL;
}

mp_err_kind mp_err_occurred(void) { return current_kind; }

const char *mp_err_message(void) { return current_kind ? current_message : ""; }

const char *mp_err_name(mp_err_kind kind)
{
    static const char *const names[] = {
        [MP_ERR_NONE] = "no error",
        [MP_ERR_MEMORY] = "MemoryError",
        [MP_ERR_OVERFLOW] = "OverflowError",
        [MP_ERR_VALUE] = "ValueError",
        [MP_ERR_UNICODE_DECODE] = "UnicodeDecodeError",
        [MP_ERR_TYPE] = "TypeError",
        [MP_ERR_INDEX] = "IndexError",
        [MP_ERR_KEY] = "KeyError",
        [MP_ERR_ATTRIBUTE] = "AttributeError",
        [MP_ERR_ZERO_DIVISION] = "ZeroDivisionError",
        [MP_ERR_RUNTIME] = "RuntimeError",
        [MP_ERR_SYSTEM] = "SystemError",
    };
    if ((unsigned)kind < sizeof names / sizeof names[0])
        return names[kind];
    return "unknown error";
}

void mp_err_clear(void)
{
    current_kind = MP_ERR_NONE;
    current_message[0] = '\0';
}

void mp_err_fetch(mp_err_state *saved)
{
    saved->kind = current_kind;
    memcpy(saved->message, current_message, sizeof current_message);
    mp_err_clear();
}

void mp_err_restore(const mp_err_state *saved)
{
    current_kind = saved->kind;
    memcpy(current_message, saved->message, sizeof current_message);
}

void mp_err_write_unraisable(const char *where)
{
    if (!current_kind)
        return;
    fflush(stdout);
    fprintf(stderr, "Exception ignored in: %s\n%s: %s\n", where, mp_err_name(current_kind),
            current_message);
    mp_err_clear();
}
