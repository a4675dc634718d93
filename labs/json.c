/* json.c — a recursive-descent JSON reader. See json.h. */
#include "json.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

typedef struct reader {
    const char *p;
    const char *start;
    char *err;
    size_t err_size;
    int depth;
} reader;

static bool fail(reader *r, const char *what)
{
    if (r->err[0] == '\0')
        snprintf(r->err, r->err_size, "%s at byte %td", what, r->p - r->start);
    return false;
}

static void skip_space(reader *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

static bool literal(reader *r, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(r->p, word, n) != 0)
        return fail(r, "unexpected text");
    r->p += n;
    return true;
}

static void put_utf8(char **out, uint32_t c)
{
    char *o = *out;
    if (c < 0x80) {
        *o++ = (char)c;
    } else if (c < 0x800) {
        *o++ = (char)(0xC0 | c >> 6);
        *o++ = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *o++ = (char)(0xE0 | c >> 12);
        *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    } else {
        *o++ = (char)(0xF0 | c >> 18);
        *o++ = (char)(0x80 | ((c >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    }
    *out = o;
}

static bool hex4(reader *r, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *r->p++;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return fail(r, "bad \\u escape");
    }
    *out = v;
    return true;
}

/* A string's text; escapes never make it longer than its source. */
static bool read_string(reader *r, char **out)
{
    r->p++; /* the opening quote */
    const char *end = r->p;
    while (*end && *end != '"')
        end += *end == '\\' && end[1] ? 2 : 1;
    if (*end != '"')
        return fail(r, "unterminated string");
    char *s = malloc((size_t)(end - r->p) + 1), *o = s;
    if (!s)
        return fail(r, "out of memory");
    while (r->p < end) {
        char c = *r->p++;
        if ((unsigned char)c < 0x20) {
            free(s);
            return fail(r, "control character in string");
        }
        if (c != '\\') {
            *o++ = c;
            continue;
        }
        char e = *r->p++;
        switch (e) {
        case '"': case '\\': case '/': *o++ = e; continue;
        case 'b': *o++ = '\b'; continue;
        case 'f': *o++ = '\f'; continue;
        case 'n': *o++ = '\n'; continue;
        case 'r': *o++ = '\r'; continue;
        case 't': *o++ = '\t'; continue;
        }
        uint32_t c1 = 0, c2 = 0;
        if (e != 'u' || !hex4(r, &c1)) {
            free(s);
            return fail(r, "bad escape in string");
        }
        if (c1 >= 0xD800 && c1 < 0xDC00 && r->p[0] == '\\' && r->p[1] == 'u') {
            r->p += 2;
            if (!hex4(r, &c2) || c2 < 0xDC00 || c2 >= 0xE000) {
                free(s);
                return fail(r, "bad surrogate pair");
            }
            c1 = 0x10000 + ((c1 - 0xD800) << 10) + (c2 - 0xDC00);
        }
        put_utf8(&o, c1);
    }
    *o = '\0';
    r->p = end + 1;
    *out = s;
    return true;
}

static bool read_number(reader *r, json *v)
{
    const char *start = r->p;
    if (*r->p == '-')
        r->p++;
    if (*r->p < '0' || *r->p > '9')
        return fail(r, "unexpected character");
    while (*r->p >= '0' && *r->p <= '9')
        r->p++;
    v->is_integer = *r->p != '.' && *r->p != 'e' && *r->p != 'E';
    char *end;
    errno = 0;
    v->number = strtod(start, &end);
    if (v->is_integer) {
        v->integer = strtoll(start, NULL, 10);
        v->is_integer = errno == 0;
    }
    r->p = end;
    v->kind = JSON_NUMBER;
    return true;
}

static bool read_value(reader *r, json *v);

static bool read_container(reader *r, json *v, bool is_object)
{
    char close = is_object ? '}' : ']';
    v->kind = is_object ? JSON_OBJECT : JSON_ARRAY;
    if (++r->depth > JSON_MAX_DEPTH)
        return fail(r, "nested too deeply");
    r->p++;
    skip_space(r);
    size_t cap = 0;
    while (*r->p != close) {
        if (v->count) {
            if (*r->p != ',')
                return fail(r, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
            r->p++;
            skip_space(r);
        }
        if (v->count == cap) {
            cap = cap ? cap * 2 : 8;
            json *items = realloc(v->items, cap * sizeof *items);
            char **keys = is_object ? realloc(v->keys, cap * sizeof *keys) : NULL;
            if (items)
                v->items = items;
            if (keys)
                v->keys = keys;
            if (!items || (is_object && !keys))
                return fail(r, "out of memory");
        }
        json *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        if (is_object) {
            if (*r->p != '"')
                return fail(r, "expected a key");
            v->keys[v->count] = NULL;
            bool ok = read_string(r, &v->keys[v->count]);
            v->count++;
            if (!ok)
                return false;
            skip_space(r);
            if (*r->p++ != ':')
                return fail(r, "expected ':'");
            skip_space(r);
        } else {
            v->count++;
        }
        if (!read_value(r, item))
            return false;
        skip_space(r);
    }
    r->p++;
    r->depth--;
    return true;
}

static bool read_value(reader *r, json *v)
{
    switch (*r->p) {
    case '{': return read_container(r, v, true);
    case '[': return read_container(r, v, false);
    case '"': v->kind = JSON_STRING; return read_string(r, &v->string);
    case 't': v->kind = JSON_BOOL; v->boolean = true; return literal(r, "true");
    case 'f': v->kind = JSON_BOOL; return literal(r, "false");
    case 'n': v->kind = JSON_NULL; return literal(r, "null");
    default: return read_number(r, v);
    }
}

static void free_value(json *v)
{
    for (size_t i = 0; i < v->count; i++) {
        free_value(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
}

json *json_parse(const char *text, char *err, size_t err_size)
{
    json *doc = calloc(1, sizeof *doc);
    reader r = {.p = text, .start = text, .err = err, .err_size = err_size};
    err[0] = '\0';
    if (!doc) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    skip_space(&r);
    bool ok = read_value(&r, doc);
    skip_space(&r);
    if (ok && *r.p)
        ok = fail(&r, "text after the value");
    if (!ok) {
        json_free(doc);
        return NULL;
    }
    return doc;
}

void json_free(json *doc)
{
    if (doc) {
        free_value(doc);
        free(doc);
    }
}

const json *json_get(const json *object, const char *key)
{
    if (!object || object->kind != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < object->count; i++) {
        if (strcmp(object->keys[i], key) == 0)
            return &object->items[i];
    }
    return NULL;
}
