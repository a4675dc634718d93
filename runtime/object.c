/* object.c — reference counting, and what sys.getrefcount, sys.getsizeof,
 * id, hash, comparison and repr report for any object.
 *
 * Models CPython's Objects/object.c (_Py_Dealloc, PyObject_Hash,
 * PyObject_RichCompare, PyObject_Repr) and Python/sysmodule.c
 * (sys_getrefcount, _PySys_GetSizeOf). Invariants: see object.h.
 */
#include "object.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gc.h"
#include "internal.h"
#include "obmalloc.h"

mp_type mp_type_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "type",
    .tp_basicsize = sizeof(mp_type),
    .tp_dealloc = mp_class_dealloc, /* only classes made at run time get there */
};

_Noreturn void mp_fatal(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("memlab: fatal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void mp_dealloc(mp_object *o) { o->ob_type->tp_dealloc(o); }

#ifdef MP_DEBUG
static _Noreturn void refcount_misuse(mp_object *o, const char *what, const char *file, int line)
{
    const char *freed = mp_debug_freed_name(o);
    if (freed)
        mp_fatal("%s of a freed %s object at %s:%d", what, *freed ? freed : "(non-object)", file,
                 line);
    mp_fatal("%s of a %s object whose refcount is already %td (negative after this) at %s:%d", what,
             o->ob_type->tp_name, o->ob_refcnt, file, line);
}

void mp_check_live(mp_object *o, const char *call)
{
    if (o->ob_refcnt > 0)
        return;
    const char *file = mp_site_file ? mp_site_file : "?";
    const char *freed = mp_debug_freed_name(o);
    if (freed)
        mp_fatal("%s of a freed %s object at %s:%d", call, *freed ? freed : "(non-object)", file,
                 mp_site_line);
    mp_fatal("%s of a %s object whose refcount is %td at %s:%d", call, o->ob_type->tp_name,
             o->ob_refcnt, file, mp_site_line);
}

void mp_incref_checked(mp_object *o, const char *file, int line)
{
    if (o->ob_refcnt <= 0)
        refcount_misuse(o, "MP_INCREF", file, line);
    o->ob_refcnt++;
}

void mp_decref_checked(mp_object *o, const char *file, int line)
{
    if (o->ob_refcnt <= 0)
        refcount_misuse(o, "MP_DECREF", file, line);
    if (--o->ob_refcnt == 0)
        mp_dealloc(o);
}
#endif

void mp_check_released(mp_object *shared)
{
#ifdef MP_DEBUG
    mp_ssize_t extra = shared->ob_refcnt - MP_IMMORTAL_REFCNT;
    char buf[64];
    if (extra > 0)
        mp_fatal("mp_fini: %td reference(s) to the shared %s %s never released", extra,
                 shared->ob_type->tp_name, mp_repr(shared, buf, sizeof buf));
    if (extra < 0)
        mp_fatal("mp_fini: the shared %s %s was released %td more time(s) than taken",
                 shared->ob_type->tp_name, mp_repr(shared, buf, sizeof buf), -extra);
#else
    (void)shared;
#endif
}

mp_ssize_t mp_getrefcount(mp_object *o)
{
    /* The call's argument is a reference while the call runs, as the value
     * on CPython's evaluation stack is. */
    MP_INCREF(o);
    mp_ssize_t n = o->ob_refcnt;
    MP_DECREF(o);
    return n;
}

size_t mp_type_preheader_size(const mp_type *t)
{
    return (mp_type_is_gc(t) ? sizeof(mp_gc_head) : 0) +
           (t->tp_flags & MP_TPFLAGS_MANAGED_DICT ? 2 * sizeof(mp_object *) : 0);
}

size_t mp_getsizeof(mp_object *o)
{
    const mp_type *t = o->ob_type;
    size_t n;
    if (t->tp_sizeof) {
        n = t->tp_sizeof(o);
    } else {
        mp_ssize_t items = t->tp_itemsize ? MP_SIZE(o) : 0;
        if (items < 0)
            items = -items;
        n = (size_t)(t->tp_basicsize + t->tp_itemsize * items);
    }
    return n + mp_type_preheader_size(t);
}

uintptr_t mp_id(mp_object *o) { return (uintptr_t)o; }

mp_hash_t mp_object_hash(mp_object *o)
{
    if (!o->ob_type->tp_hash) {
        mp_err_format(MP_ERR_TYPE, "unhashable type: '%s'", o->ob_type->tp_name);
        return -1;
    }
    return o->ob_type->tp_hash(o);
}

static const char *const op_symbols[] = {"<", "<=", "==", "!=", ">", ">="};

int mp_object_richcompare(mp_object *a, mp_object *b, mp_compare_op op)
{
    if (a->ob_type == b->ob_type && a->ob_type->tp_richcompare)
        return a->ob_type->tp_richcompare(a, b, op);
    /* Without a comparison of their own, objects are equal only to
     * themselves, as object.__eq__ says. */
    if (op == MP_EQ)
        return a == b;
    if (op == MP_NE)
        return a != b;
    mp_err_format(MP_ERR_TYPE, "'%s' not supported between instances of '%s' and '%s'",
                  op_symbols[op], a->ob_type->tp_name, b->ob_type->tp_name);
    return -1;
}

/* ---- repr ---------------------------------------------------------------- */

void mp_strbuf_puts(mp_strbuf *sb, const char *s) { mp_strbuf_printf(sb, "%s", s); }

void mp_strbuf_printf(mp_strbuf *sb, const char *fmt, ...)
{
    if (sb->truncated)
        return;
    size_t room = sb->cap - sb->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n < room) {
        sb->len += (size_t)n;
        return;
    }
    sb->truncated = true;
    sb->len = sb->cap - 1;
    if (sb->cap > 4)
        memcpy(sb->buf + sb->cap - 4, "...", 4);
}

/* The containers whose repr is being written, innermost last, so that one
 * holding itself prints as [...] instead of recursing (Py_ReprEnter). */
#define MP_REPR_DEPTH 32
static mp_object *repr_stack[MP_REPR_DEPTH];
static int repr_depth;

bool mp_repr_enter(mp_object *o)
{
    for (int i = 0; i < repr_depth; i++) {
        if (repr_stack[i] == o)
            return false;
    }
    if (repr_depth == MP_REPR_DEPTH)
        return false;
    repr_stack[repr_depth++] = o;
    return true;
}

void mp_repr_leave(void) { repr_depth--; }

void mp_repr_into(mp_object *o, mp_strbuf *out)
{
    if (o->ob_type->tp_repr)
        o->ob_type->tp_repr(o, out);
    else
        mp_strbuf_printf(out, "<%s object at %p>", o->ob_type->tp_name, (void *)o);
}

const char *mp_repr(mp_object *o, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    mp_strbuf sb = {.buf = buf, .cap = size};
    buf[0] = '\0';
    mp_repr_into(o, &sb);
    return buf;
}

/* ---- allocation ------------------------------------------------------------ */

mp_object *mp_object_new(mp_type *t)
{
    mp_object *o = mp_object_malloc((size_t)t->tp_basicsize);
    if (o)
        mp_object_init(o, t);
    return o;
}

size_t mp_var_bytes(const mp_type *t, mp_ssize_t nitems)
{
    size_t item = (size_t)t->tp_itemsize;
    if (nitems < 0) {
        mp_err_format(MP_ERR_SYSTEM, "negative size for a %s", t->tp_name);
        return SIZE_MAX;
    }
    if (item && (size_t)nitems > (SIZE_MAX / 2) / item) {
        mp_err_nomemory();
        return SIZE_MAX;
    }
    return (size_t)t->tp_basicsize + item * (size_t)nitems;
}

mp_varobject *mp_object_new_var(mp_type *t, mp_ssize_t nitems)
{
    size_t bytes = mp_var_bytes(t, nitems);
    if (bytes == SIZE_MAX)
        return NULL;
    mp_varobject *v = mp_object_malloc(bytes);
    if (v) {
        mp_object_init(&v->ob_base, t);
        v->ob_size = nitems;
    }
    return v;
}

void mp_object_del(mp_object *o)
{
#ifdef MP_DEBUG
    mp_object_free_named(o, o->ob_type->tp_name);
#else
    mp_object_free(o);
#endif
}

/* ---- what list and tuple share ------------------------------------------- */

void mp_repr_sequence(mp_object *self, mp_object *const *items, mp_ssize_t n, const char *open,
                      const char *close, bool comma_after_one, mp_strbuf *out)
{
    if (!mp_repr_enter(self)) {
        mp_strbuf_printf(out, "%s...%s", open, close);
        return;
    }
    mp_strbuf_puts(out, open);
    for (mp_ssize_t i = 0; i < n && !out->truncated; i++) {
        if (i)
            mp_strbuf_puts(out, ", ");
        mp_repr_into(items[i], out);
    }
    if (n == 1 && comma_after_one)
        mp_strbuf_puts(out, ",");
    mp_strbuf_puts(out, close);
    mp_repr_leave();
}

/* Sequences compare item by item; the first difference decides, else the
 * lengths do (list_richcompare and tuplerichcompare). */
int mp_sequence_richcompare(mp_object *const *a, mp_ssize_t na, mp_object *const *b, mp_ssize_t nb,
                            mp_compare_op op)
{
    if ((op == MP_EQ || op == MP_NE) && na != nb)
        return op == MP_NE;
    mp_ssize_t i = 0;
    for (; i < na && i < nb; i++) {
        int eq = a[i] == b[i] ? 1 : mp_object_richcompare(a[i], b[i], MP_EQ);
        if (eq < 0)
            return -1;
        if (!eq)
            break;
    }
    if (i < na && i < nb) {
        if (op == MP_EQ)
            return 0;
        if (op == MP_NE)
            return 1;
        return mp_object_richcompare(a[i], b[i], op);
    }
    return mp_compare_result((na > nb) - (na < nb), op);
}

int mp_items_contain(mp_object *const *items, mp_ssize_t n, mp_object *item)
{
    for (mp_ssize_t i = 0; i < n; i++) {
        int eq = items[i] == item ? 1 : mp_object_richcompare(items[i], item, MP_EQ);
        if (eq)
            return eq;
    }
    return 0;
}

int mp_compare_result(int c, mp_compare_op op)
{
    switch (op) {
    case MP_LT: return c < 0;
    case MP_LE: return c <= 0;
    case MP_EQ: return c == 0;
    case MP_NE: return c != 0;
    case MP_GT: return c > 0;
    case MP_GE: return c >= 0;
    }
    return -1;
}
