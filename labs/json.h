/* json.h — a small JSON reader for what the twins print.
 *
 * Enough of RFC 8259 for machine-written input: objects, arrays, strings
 * (with \u escapes, surrogate pairs included), numbers, true, false, null.
 * Memory comes from malloc, not the runtime, so reading a twin's answer
 * never shows up in the runtime's own counts.
 */
#ifndef LAB_JSON_H
#define LAB_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_kind;

typedef struct json {
    json_kind kind;
    bool boolean;
    double number;
    bool is_integer; /* the number was written without fraction or exponent */
    long long integer;
    char *string;        /* JSON_STRING, NUL-terminated UTF-8 */
    struct json *items;  /* JSON_ARRAY and JSON_OBJECT values */
    char **keys;         /* JSON_OBJECT keys, parallel to items */
    size_t count;
} json;

/* The parsed document, or NULL with a one-line reason in err. */
json *json_parse(const char *text, char *err, size_t err_size);
void json_free(json *doc);
/* The value of key in an object, or NULL. */
const json *json_get(const json *object, const char *key);

#endif
