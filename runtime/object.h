/* object.h — the object header, type objects and reference counting.
 *
 * Models CPython's Include/object.h and Objects/object.c.
 *
 * Every object starts with an mp_object header: a reference count and a
 * pointer to its type. Variable-size objects (int, tuple, list, str) add a
 * size, as PyVarObject does. A type object says how big its instances are
 * and holds the slots the runtime calls: dealloc, traverse, clear, finalize,
 * sizeof, hash, richcompare, repr.
 *
 * Invariants:
 *   - A live object has ob_refcnt >= 1. The count drops to 0 exactly once;
 *     at that moment, inside MP_DECREF, tp_dealloc runs and the memory goes
 *     back to the allocator. There is no deferred freeing.
 *   - Every reference held (a C variable, a container slot) accounts for
 *     exactly one unit of ob_refcnt; MP_INCREF when a reference is made,
 *     MP_DECREF when it is dropped.
 *   - Objects made once in mp_init and shared (the small ints, the empty
 *     tuple and str, one-character strings) start at MP_IMMORTAL_REFCNT, as
 *     CPython 3.11's statically allocated objects do, so they never reach 0.
 *   - A type with MP_TPFLAGS_HAVE_GC has a 16-byte GC header just before its
 *     instances (see gc.h); sys.getsizeof counts it.
 *
 * The runtime is single-threaded, as CPython is under its GIL: counts are
 * plain integers, not atomics.
 */
#ifndef MP_OBJECT_H
#define MP_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "site.h"

typedef ptrdiff_t mp_ssize_t; /* Py_ssize_t */
typedef mp_ssize_t mp_hash_t; /* Py_hash_t: -1 is reserved for "error" */

typedef struct mp_type mp_type;

typedef struct mp_object {
    mp_ssize_t ob_refcnt;
    mp_type *ob_type;
} mp_object;

typedef struct mp_varobject {
    mp_object ob_base;
    mp_ssize_t ob_size; /* items, or digits with the sign for int */
} mp_varobject;

#define MP_OBJ(o) ((mp_object *)(o))
#define MP_VAR(o) ((mp_varobject *)(o))
#define MP_TYPE(o) (MP_OBJ(o)->ob_type)
#define MP_REFCNT(o) (MP_OBJ(o)->ob_refcnt)
#define MP_SIZE(o) (MP_VAR(o)->ob_size)

/* CPython 3.11 gives its static objects this count (_PyObject_IMMORTAL_INIT):
 * large enough never to reach zero, yet still counted, so
 * sys.getrefcount(1) prints about a billion. */
#define MP_IMMORTAL_REFCNT ((mp_ssize_t)999999999)

/* The objects a visit callback is given during traverse; see gc.h. */
typedef int (*mp_visitproc)(mp_object *o, void *arg);

/* A bounded text buffer for repr: writes never overflow, long text ends in
 * "..." and nothing is allocated, so repr works even when memory is out. */
typedef struct mp_strbuf {
    char *buf;
    size_t cap, len;
    bool truncated;
} mp_strbuf;

void mp_strbuf_puts(mp_strbuf *sb, const char *s);
void mp_strbuf_printf(mp_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Comparison operators, as Py_LT ... Py_GE. */
typedef enum { MP_LT, MP_LE, MP_EQ, MP_NE, MP_GT, MP_GE } mp_compare_op;

enum {
    MP_TPFLAGS_HAVE_GC = 1u << 0,  /* a container: has a GC header */
    MP_TPFLAGS_HEAPTYPE = 1u << 1, /* a class made at run time */
    /* Py_TPFLAGS_MANAGED_DICT: instances keep their __dict__ (or the values
     * that stand for it) in two words before the GC header; see instance.c. */
    MP_TPFLAGS_MANAGED_DICT = 1u << 2,
    MP_TPFLAGS_WEAKREF = 1u << 3,  /* weakref.ref or a subtype: see weakref.h */
};

struct mp_type {
    mp_object ob_base;
    const char *tp_name;
    mp_ssize_t tp_basicsize; /* bytes before the items */
    mp_ssize_t tp_itemsize;  /* bytes per item; 0 for fixed-size objects */
    unsigned tp_flags;

    /* Frees the object: drops what it references, then its memory. */
    void (*tp_dealloc)(mp_object *self);
    /* Calls visit on every object this one holds a reference to. */
    int (*tp_traverse)(mp_object *self, mp_visitproc visit, void *arg);
    /* Drops the references that could be part of a cycle. */
    int (*tp_clear)(mp_object *self);
    /* __del__: runs once before an unreachable object is freed (PEP 442). */
    void (*tp_finalize)(mp_object *self);
    /* __sizeof__, without the GC header; NULL means
     * tp_basicsize + tp_itemsize * |ob_size|. */
    size_t (*tp_sizeof)(mp_object *self);
    mp_hash_t (*tp_hash)(mp_object *self);
    /* 1 true, 0 false, -1 error; called only with two objects of this type. */
    int (*tp_richcompare)(mp_object *a, mp_object *b, mp_compare_op op);
    void (*tp_repr)(mp_object *self, mp_strbuf *out);

    /* iter(self): a new reference to an iterator. */
    mp_object *(*tp_iter)(mp_object *self);
    /* next(self), for an iterator: a new reference; NULL with no error set
     * when it is exhausted, NULL with an error set when it fails. */
    mp_object *(*tp_iternext)(mp_object *self);
    /* len(self), or -1 with an error set. */
    mp_ssize_t (*tp_len)(mp_object *self);
    /* `item in self`: 1, 0, or -1 with an error set. NULL: compare with ==
     * along the iteration. */
    int (*tp_contains)(mp_object *self, mp_object *item);
    /* self.name, a new reference or NULL with AttributeError; name is a
     * str. */
    mp_object *(*tp_getattro)(mp_object *self, mp_object *name);
    /* self.name = value, or del self.name when value is NULL: 0 or -1. */
    int (*tp_setattro)(mp_object *self, mp_object *name, mp_object *value);
    /* Where an instance keeps its list of weak references (a byte offset),
     * or 0 for types whose instances refuse them, as CPython's slotted
     * classes without __weakref__ do. */
    mp_ssize_t tp_weaklistoffset;
};

extern mp_type mp_type_type;

/* ---- reference counting ------------------------------------------------ */

void mp_dealloc(mp_object *o); /* _Py_Dealloc */

#ifdef MP_DEBUG
/* Checked counts: a count that is already 0 or below (a freed object, or one
 * decref'd too often) aborts, naming the type and the caller's file:line. */
void mp_incref_checked(mp_object *o, const char *file, int line);
void mp_decref_checked(mp_object *o, const char *file, int line);
#define MP_INCREF(o) mp_incref_checked(MP_OBJ(o), __FILE__, __LINE__)
#define MP_DECREF(o) mp_decref_checked(MP_OBJ(o), __FILE__, __LINE__)
/* At the API's entry points: an object given to the runtime is alive. A
 * freed one (its block poisoned in the debug allocator's quarantine) or one
 * whose count is 0 aborts, naming the call, the type and the caller's
 * file:line (the site that site.h's macros record). */
void mp_check_live(mp_object *o, const char *call);
#define MP_CHECK_LIVE(o, call) mp_check_live(MP_OBJ(o), call)
#else
#define MP_CHECK_LIVE(o, call) ((void)0)
static inline void mp_incref_(mp_object *o) { o->ob_refcnt++; }
static inline void mp_decref_(mp_object *o)
{
    if (--o->ob_refcnt == 0)
        mp_dealloc(o);
}
#define MP_INCREF(o) mp_incref_(MP_OBJ(o))
#define MP_DECREF(o) mp_decref_(MP_OBJ(o))
#endif

#define MP_XINCREF(o)                                                          \
    do {                                                                       \
        mp_object *xincref_o_ = MP_OBJ(o);                                     \
        if (xincref_o_)                                                        \
            MP_INCREF(xincref_o_);                                             \
    } while (0)
#define MP_XDECREF(o)                                                          \
    do {                                                                       \
        mp_object *xdecref_o_ = MP_OBJ(o);                                     \
        if (xdecref_o_)                                                        \
            MP_DECREF(xdecref_o_);                                             \
    } while (0)
/* Py_CLEAR: the slot is emptied before the decref, so a dealloc that runs
 * arbitrary code never sees a dangling pointer in it. */
#define MP_CLEAR(slot)                                                         \
    do {                                                                       \
        mp_object *clear_o_ = MP_OBJ(slot);                                    \
        if (clear_o_) {                                                        \
            (slot) = NULL;                                                     \
            MP_DECREF(clear_o_);                                               \
        }                                                                      \
    } while (0)

/* Py_NewRef: a new reference to o, for storing or returning. */
static inline mp_object *mp_newref_(mp_object *o)
{
    MP_INCREF(o);
    return o;
}
#define mp_newref(o) mp_newref_(MP_OBJ(o))

/* ---- what sys and builtins report ------------------------------------- */

/* sys.getrefcount: the count while the call holds its argument, so one more
 * than the references the caller can see. */
mp_ssize_t mp_getrefcount(mp_object *o);
/* sys.getsizeof: __sizeof__ plus the GC header for containers. */
size_t mp_getsizeof(mp_object *o);
/* id(): the object's address, which is what CPython returns. */
uintptr_t mp_id(mp_object *o);

static inline bool mp_type_is_gc(const mp_type *t) { return t->tp_flags & MP_TPFLAGS_HAVE_GC; }
/* _PyType_PreHeaderSize: the bytes allocated before an instance's header
 * (the GC header, and a managed dict's two words), which sys.getsizeof
 * counts. */
size_t mp_type_preheader_size(const mp_type *t);

/* hash(o); -1 with TypeError set for unhashable objects. */
mp_hash_t mp_object_hash(mp_object *o);
/* o1 op o2 as Python's comparison: 1, 0, or -1 with an error set. Objects of
 * different types are unequal; ordering them is a TypeError. */
int mp_object_richcompare(mp_object *a, mp_object *b, mp_compare_op op);
/* repr(o) into buf (always NUL-terminated); returns buf. */
const char *mp_repr(mp_object *o, char *buf, size_t size);
void mp_repr_into(mp_object *o, mp_strbuf *out);
/* Py_ReprEnter / Py_ReprLeave for a container's tp_repr: false when o is
 * already being printed further out (print "[...]" then, and do not call
 * mp_repr_leave), or when nesting is too deep to go on. */
bool mp_repr_enter(mp_object *o);
void mp_repr_leave(void);

/* ---- allocating objects -------------------------------------------------
 * Non-container objects come from mp_object_new and go back with
 * mp_object_del (PyObject_New / PyObject_Free); containers use gc.h. */
mp_object *mp_object_new(mp_type *t);
mp_varobject *mp_object_new_var(mp_type *t, mp_ssize_t nitems);
void mp_object_del(mp_object *o);

/* Sets the header of freshly allocated memory: type and a count of 1. */
static inline void mp_object_init(mp_object *o, mp_type *t)
{
    o->ob_type = t;
    o->ob_refcnt = 1;
}

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_object_new(t) MP_AT(mp_object_new(t))
#define mp_object_new_var(t, n) MP_AT(mp_object_new_var(t, n))
#endif

#endif
