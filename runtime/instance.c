/* instance.c — classes made at run time and their instances: attributes in
 * a values array over keys the class shares, or in __slots__.
 *
 * Models CPython 3.11's Objects/typeobject.c (type_new_slots and the
 * layout it computes, subtype_dealloc, subtype_traverse, subtype_clear),
 * Objects/object.c (PyObject_GenericGetAttr/SetAttr) and the instance half
 * of Objects/dictobject.c. Read instance_setattro first.
 *
 * An instance of `class A: pass` is one 56-byte block:
 *
 *     [ values | dict ][ gc_next | gc_prev ][ ob_refcnt | ob_type | weaklist ]
 *       pre-header      GC header            the object: tp_basicsize 24
 *                                           ^ mp_object *
 *
 * The two words before the GC header are 3.11's managed dict
 * (Py_TPFLAGS_MANAGED_DICT): sys.getsizeof counts them, so A() is 56 with
 * or without attributes. Attribute values live apart, in a values array
 * indexed like the class's shared keys (CPython's ht_cached_keys, 64 slots
 * with room for 30 names): setting a.x adds "x" to the class's keys once,
 * for every instance, and the value to this instance's array. No dict
 * exists until someone asks for __dict__; then one is made around the
 * values (a split dict, 64 bytes plus 8 per value slot in getsizeof) and
 * the instance uses it from then on. An instance setting a name the
 * class's keys have no room left for gets a dict the same way.
 *
 * The values array is the prefix of round_up(size + 2, 8) bytes (the
 * insertion order, a count, the prefix size) and size pointers, where size
 * is the class keys' names plus their remaining room when the instance is
 * made. That room starts at 30 and shrinks by one with every instance made
 * (down to 1) and every new name, so the first instance of a class gets 29
 * slots (264 bytes) and, once a few dozen exist, an instance that sets k
 * attributes gets k + 1 (k = 2: 32 bytes, so 88 bytes per instance in all,
 * as tracemalloc shows for CPython 3.11).
 *
 * A slotted class (`__slots__ = ('x', 'y')`) puts each slot in the object at
 * a fixed offset after the header, in sorted name order, then the weak
 * reference list if '__weakref__' is listed: S() is 16 + 8 per slot (+ 8)
 * plus the 16-byte GC header, with no pre-header unless '__dict__' is
 * listed, which makes the class a managed-dict one as above.
 *
 * Invariants:
 *   - A managed-dict instance has at most one of values and dict; it has
 *     neither only after `del o.__dict__` or tp_clear of one with a dict,
 *     and gets a dict on its next attribute store.
 *   - Every instance holds a reference to its class; the class holds the
 *     shared keys, which the values arrays are indexed by; a class dies
 *     when its last instance (and the last other reference) does.
 *   - An instance is tracked by the collector from birth to its dealloc,
 *     and again while its __del__ runs there (PEP 442's resurrection).
 *
 * Where the model differs from CPython: a class has no attributes of its
 * own (no methods but a __del__ written in C, no class variables, no base
 * but object), so looking up
 * an attribute consults only the slots, then the instance's values or
 * dict; class objects are not GC containers (holding no objects but
 * strings, they cannot be in a cycle). CPython reuses freed dicts from a
 * free list, which tracemalloc does not see; this model allocates each.
 * CPython 3.11's specializing interpreter remembers, at each line of
 * bytecode, where an attribute was found, so reading one from the values
 * costs about what reading a slot does; with no bytecode here, each read
 * hashes its way into the class's keys, and slots come out well ahead
 * (bench/micro/05-slots.c).
 */
#include "instance.h"

#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "error.h"
#include "gc.h"
#include "internal.h"
#include "obmalloc.h"
#include "str.h"
#include "weakref.h"

/* A slot's member descriptor: where the attribute of that name lives. */
typedef struct member {
    mp_object *name; /* interned */
    mp_ssize_t offset;
} member;

typedef struct mp_class {
    mp_type type;
    mp_ssize_t nslots;         /* object slots after the header, weak list excluded */
    mp_dict_keys *cached_keys; /* ht_cached_keys; NULL without a __dict__ */
    mp_ssize_t nmembers;       /* distinct slot names */
    member members[];          /* then the name, which tp_name points at */
} mp_class;

/* The pre-header of a managed-dict instance: values at -32, dict at -24
 * from the object, as _PyObject_ValuesPointer and _PyObject_ManagedDictPointer. */
typedef struct managed_dict {
    mp_object **values;
    mp_object *dict;
} managed_dict;

static mp_class *class_of(mp_object *o) { return (mp_class *)MP_TYPE(o); }
static bool has_dict(const mp_class *c) { return c->type.tp_flags & MP_TPFLAGS_MANAGED_DICT; }
static managed_dict *managed(mp_object *o) { return (managed_dict *)MP_AS_GC(o) - 1; }
static mp_object **slot_at(mp_object *o, mp_ssize_t offset) { return (mp_object **)((char *)o + offset); }

static void *no_attribute(mp_object *o, mp_object *name)
{
    char text[128];
    mp_str_as_utf8(name, text, sizeof text);
    mp_err_format(MP_ERR_ATTRIBUTE, "'%s' object has no attribute '%s'", MP_TYPE(o)->tp_name, text);
    return NULL;
}

static bool is_name(mp_object *name)
{
    if (mp_str_check(name))
        return true;
    mp_err_format(MP_ERR_TYPE, "attribute name must be string, not '%s'", MP_TYPE(name)->tp_name);
    return false;
}

static bool is_dunder_dict(mp_object *name)
{
    char text[9];
    return mp_str_length(name) == 8 && mp_str_as_utf8(name, text, sizeof text) == 8 &&
           strcmp(text, "__dict__") == 0;
}

/* The byte offset of slot `name`, or 0 when the class has no such slot.
 * CPython finds a slot's descriptor on the type through a cache keyed by
 * the name's address; here the few names are scanned by address, which is
 * exact for an interned name, and compared as text only for another. */
static mp_ssize_t slot_offset(const mp_class *c, mp_object *name)
{
    for (mp_ssize_t i = 0; i < c->nmembers; i++) {
        if (c->members[i].name == name)
            return c->members[i].offset;
    }
    if (((mp_str *)name)->state.interned)
        return 0;
    for (mp_ssize_t i = 0; i < c->nmembers; i++) {
        if (mp_type_str.tp_richcompare(c->members[i].name, name, MP_EQ) == 1)
            return c->members[i].offset;
    }
    return 0;
}

/* _PyObject_GetDictPtr's materialization: the values become a dict's. */
static int materialize(mp_object *o)
{
    managed_dict *m = managed(o);
    mp_object *d = mp_dict_from_values(class_of(o)->cached_keys, m->values);
    if (!d)
        return -1;
    m->dict = d;
    m->values = NULL;
    return 0;
}

mp_object *mp_instance_dict(mp_object *o)
{
    if (!mp_class_check(MP_OBJ(MP_TYPE(o))) || !has_dict(class_of(o))) {
        mp_err_format(MP_ERR_ATTRIBUTE, "'%s' object has no attribute '__dict__'",
                      MP_TYPE(o)->tp_name);
        return NULL;
    }
    managed_dict *m = managed(o);
    if (m->values && materialize(o) < 0)
        return NULL;
    if (!m->dict && !(m->dict = mp_dict_new()))
        return NULL;
    return mp_newref(m->dict);
}

bool mp_instance_has_values(mp_object *o)
{
    return mp_class_check(MP_OBJ(MP_TYPE(o))) && has_dict(class_of(o)) && managed(o)->values;
}

/* subtype_setdict: o.__dict__ = d (a dict), or del o.__dict__. */
static int set_dict(mp_object *o, mp_object *value)
{
    if (value && !mp_dict_check(value)) {
        mp_err_format(MP_ERR_TYPE, "__dict__ must be set to a dictionary, not a '%s'",
                      MP_TYPE(value)->tp_name);
        return -1;
    }
    managed_dict *m = managed(o);
    if (m->values && materialize(o) < 0)
        return -1;
    mp_object *old = m->dict;
    m->dict = value ? mp_newref(value) : NULL;
    MP_XDECREF(old);
    return 0;
}

/* ---- attribute access -------------------------------------------------------
 * Slots first (CPython finds their descriptors on the type, which win over
 * the instance), then __dict__ itself, then the instance's attributes. */

static mp_object *instance_getattro(mp_object *o, mp_object *name)
{
    if (!is_name(name))
        return NULL;
    mp_class *c = class_of(o);
    mp_ssize_t offset = slot_offset(c, name);
    if (offset) {
        mp_object *v = *slot_at(o, offset);
        return v ? mp_newref(v) : no_attribute(o, name);
    }
    if (has_dict(c)) {
        if (is_dunder_dict(name))
            return mp_instance_dict(o);
        managed_dict *m = managed(o);
        mp_object *v = m->values ? mp_dict_values_get(c->cached_keys, m->values, name)
                       : m->dict ? mp_dict_getitem(m->dict, name)
                                 : NULL;
        if (v)
            return mp_newref(v);
    }
    return no_attribute(o, name);
}

/* A slot: deleting one not set is an AttributeError naming just the slot,
 * as 3.11's PyMember_SetOne says it. */
static int set_slot(mp_object *o, mp_ssize_t offset, mp_object *name, mp_object *value)
{
    mp_object **slot = slot_at(o, offset);
    if (!value && !*slot) {
        char text[128];
        mp_str_as_utf8(name, text, sizeof text);
        mp_err_set(MP_ERR_ATTRIBUTE, text);
        return -1;
    }
    mp_object *old = *slot;
    *slot = value ? mp_newref(value) : NULL;
    MP_XDECREF(old);
    return 0;
}

/* _PyObject_StoreInstanceAttribute, then _PyObjectDict_SetItem: into the
 * values while there are values and the class's keys have room for the
 * name, else into a dict (made now if need be). */
static int set_instance_attribute(mp_object *o, mp_object *name, mp_object *value)
{
    mp_class *c = class_of(o);
    managed_dict *m = managed(o);
    if (m->values) {
        mp_ssize_t ix = mp_dict_keys_insert_str(c->cached_keys, name);
        if (ix >= 0) {
            if (mp_dict_values_set(m->values, ix, value) == 0)
                return 0;
            no_attribute(o, name);
            return -1;
        }
        if (materialize(o) < 0)
            return -1;
    } else if (!m->dict && !(m->dict = mp_dict_new_split(c->cached_keys))) {
        return -1;
    }
    int r = value ? mp_dict_setitem(m->dict, name, value) : mp_dict_delitem(m->dict, name);
    if (r < 0 && mp_err_occurred() == MP_ERR_KEY)
        no_attribute(o, name);
    return r;
}

static int instance_setattro(mp_object *o, mp_object *name, mp_object *value)
{
    if (!is_name(name))
        return -1;
    mp_class *c = class_of(o);
    mp_ssize_t offset = slot_offset(c, name);
    if (offset)
        return set_slot(o, offset, name, value);
    if (has_dict(c))
        return is_dunder_dict(name) ? set_dict(o, value) : set_instance_attribute(o, name, value);
    no_attribute(o, name);
    return -1;
}

/* ---- instances ----------------------------------------------------------- */

mp_object *mp_instance_new(mp_object *cls)
{
    if (!mp_class_check(cls)) {
        mp_err_format(MP_ERR_TYPE, "cannot create '%s' instances", MP_TYPE(cls)->tp_name);
        return NULL;
    }
    mp_class *c = (mp_class *)cls;
    mp_object *o = mp_gc_new(&c->type);
    if (!o)
        return NULL;
    memset(o + 1, 0, (size_t)c->type.tp_basicsize - sizeof *o);
    if (has_dict(c) && !(managed(o)->values = mp_dict_values_new_for_instance(c->cached_keys))) {
        mp_gc_del(o);
        return NULL;
    }
    MP_INCREF(cls);
    mp_gc_track(o);
    return o;
}

static mp_object **first_slot(mp_object *o) { return (mp_object **)(o + 1); }

/* subtype_dealloc: __del__ first, which may resurrect the instance; then
 * the weak references are cleared (so __del__ still saw them alive), then
 * the slots, the attributes (in key order), the memory, and only then the
 * class, which may die with its last instance. */
static void instance_dealloc(mp_object *o)
{
    mp_class *c = class_of(o);
    mp_gc_untrack(o);
    if (!mp_trashcan_begin(o))
        return;
    if (c->type.tp_finalize && mp_object_call_finalizer_from_dealloc(o)) {
        mp_trashcan_end();
        return;
    }
    mp_object_clear_weakrefs(o);
    for (mp_ssize_t i = 0; i < c->nslots; i++)
        MP_CLEAR(first_slot(o)[i]);
    if (has_dict(c)) {
        managed_dict *m = managed(o);
        if (m->values)
            mp_dict_values_free(c->cached_keys, m->values);
        else
            MP_XDECREF(m->dict);
    }
    mp_gc_del(o);
    MP_DECREF(c);
    mp_trashcan_end();
}

static int instance_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_class *c = class_of(o);
    for (mp_ssize_t i = 0; i < c->nslots; i++) {
        mp_object *v = first_slot(o)[i];
        int r = v ? visit(v, arg) : 0;
        if (r)
            return r;
    }
    if (has_dict(c)) {
        managed_dict *m = managed(o);
        int r = m->values ? mp_dict_values_traverse(c->cached_keys, m->values, visit, arg)
                : m->dict ? visit(m->dict, arg)
                          : 0;
        if (r)
            return r;
    }
    return visit(MP_OBJ(c), arg);
}

static int instance_clear(mp_object *o)
{
    mp_class *c = class_of(o);
    for (mp_ssize_t i = 0; i < c->nslots; i++)
        MP_CLEAR(first_slot(o)[i]);
    if (has_dict(c)) {
        managed_dict *m = managed(o);
        if (m->values)
            mp_dict_values_clear(c->cached_keys, m->values);
        MP_CLEAR(m->dict);
    }
    return 0;
}

/* object.__hash__: _Py_HashPointer of the address (hash.c). */
static mp_hash_t instance_hash(mp_object *o) { return mp_hash_pointer(o); }

/* object.__repr__, for a class defined in a script. */
static void instance_repr(mp_object *o, mp_strbuf *out)
{
    mp_strbuf_printf(out, "<__main__.%s object at %p>", MP_TYPE(o)->tp_name, (void *)o);
}

/* ---- classes --------------------------------------------------------------- */

bool mp_class_check(const mp_object *o)
{
    return o->ob_type == &mp_type_type && (((const mp_type *)o)->tp_flags & MP_TPFLAGS_HEAPTYPE);
}

/* What str.isidentifier says of ASCII names; any non-ASCII letter passes. */
static bool is_identifier(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (!(ch == '_' || ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9')))
            return false;
    }
    return true;
}

static int compare_names(const void *a, const void *b)
{
    /* UTF-8 byte order is code point order, which is how CPython sorts. */
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The member table: slot i (in sorted order) at offset 16 + 8 * i. A name
 * listed twice gets two slots; the later one answers to the name, as the
 * later member descriptor replaces the earlier in CPython's type dict.
 * Returns the number of distinct names, or -1 with an error set. */
static mp_ssize_t make_members(const char **names, mp_ssize_t n, member *out)
{
    qsort(names, (size_t)n, sizeof *names, compare_names);
    mp_ssize_t distinct = 0;
    for (mp_ssize_t i = 0; i < n; i++) {
        mp_object *name = mp_str_intern_from_utf8(names[i]);
        if (!name) {
            while (distinct > 0)
                MP_DECREF(out[--distinct].name);
            return -1;
        }
        mp_ssize_t offset = (mp_ssize_t)(sizeof(mp_object) + (size_t)i * sizeof(mp_object *));
        if (distinct > 0 && out[distinct - 1].name == name) {
            out[distinct - 1].offset = offset; /* sorted: a repeat follows its first */
            MP_DECREF(name);
        } else {
            out[distinct++] = (member){name, offset};
        }
    }
    return distinct;
}

/* type_new_slots: what the __slots__ list asks for. *names gets the plain
 * slot names (an array for the caller to free); 0, or -1 with TypeError. */
static int read_slots(const char *const *slots, const char ***names, mp_ssize_t *n, bool *add_dict,
                      bool *add_weak)
{
    mp_ssize_t count = 0;
    while (slots[count])
        count++;
    *names = mp_object_malloc((size_t)(count ? count : 1) * sizeof **names);
    if (!*names)
        return -1;
    *n = 0;
    for (mp_ssize_t i = 0; i < count; i++) {
        const char *s = slots[i];
        if (!is_identifier(s)) {
            mp_err_set(MP_ERR_TYPE, "__slots__ must be identifiers");
        } else if (strcmp(s, "__dict__") == 0) {
            if (!*add_dict) {
                *add_dict = true;
                continue;
            }
            mp_err_set(MP_ERR_TYPE, "__dict__ slot disallowed: we already got one");
        } else if (strcmp(s, "__weakref__") == 0) {
            if (!*add_weak) {
                *add_weak = true;
                continue;
            }
            mp_err_set(MP_ERR_TYPE,
                       "__weakref__ slot disallowed: either we already got one, or __itemsize__ != 0");
        } else {
            (*names)[(*n)++] = s;
            continue;
        }
        mp_object_free(*names);
        return -1;
    }
    return 0;
}

mp_object *mp_class_new(const char *name, const char *const *slots)
{
    const char **names = NULL;
    mp_ssize_t nslots = 0;
    bool add_dict = slots == NULL, add_weak = slots == NULL;
    if (slots && read_slots(slots, &names, &nslots, &add_dict, &add_weak) < 0)
        return NULL;
    size_t name_bytes = strlen(name) + 1;
    mp_class *c = mp_object_malloc(sizeof *c + (size_t)nslots * sizeof(member) + name_bytes);
    if (!c) {
        mp_object_free(names);
        return NULL;
    }
    memset(c, 0, sizeof *c);
    mp_ssize_t nmembers = nslots ? make_members(names, nslots, c->members) : 0;
    mp_object_free(names);
    if (nmembers < 0) {
        mp_object_free(c);
        return NULL;
    }
    char *type_name = (char *)&c->members[nslots];
    memcpy(type_name, name, name_bytes);
    c->type.ob_base = (mp_object){1, &mp_type_type};
    c->type.tp_name = type_name;
    c->type.tp_flags = MP_TPFLAGS_HEAPTYPE | MP_TPFLAGS_HAVE_GC |
                       (add_dict ? MP_TPFLAGS_MANAGED_DICT : 0);
    mp_ssize_t size = (mp_ssize_t)(sizeof(mp_object) + (size_t)nslots * sizeof(mp_object *));
    if (add_weak) {
        c->type.tp_weaklistoffset = size;
        size += (mp_ssize_t)sizeof(mp_object *);
    }
    c->type.tp_basicsize = size;
    c->type.tp_dealloc = instance_dealloc;
    c->type.tp_traverse = instance_traverse;
    c->type.tp_clear = instance_clear;
    c->type.tp_hash = instance_hash;
    c->type.tp_repr = instance_repr;
    c->type.tp_getattro = instance_getattro;
    c->type.tp_setattro = instance_setattro;
    c->nslots = nslots;
    c->nmembers = nmembers;
    if (add_dict && !(c->cached_keys = mp_dict_keys_new_for_class())) {
        MP_DECREF(c);
        return NULL;
    }
    return MP_OBJ(c);
}

int mp_class_set_del(mp_object *cls, void (*del)(mp_object *self))
{
    if (!mp_class_check(cls)) {
        mp_err_format(MP_ERR_TYPE, "can't set attributes of built-in/extension type '%s'",
                      ((mp_type *)cls)->tp_name);
        return -1;
    }
    ((mp_type *)cls)->tp_finalize = del;
    return 0;
}

void mp_class_dealloc(mp_object *o)
{
    mp_class *c = (mp_class *)o;
    if (!mp_class_check(o))
        mp_fatal("the static type %s was released more often than referenced", c->type.tp_name);
    for (mp_ssize_t i = 0; i < c->nmembers; i++)
        MP_DECREF(c->members[i].name);
    if (c->cached_keys)
        mp_dict_keys_decref(c->cached_keys);
#ifdef MP_DEBUG
    mp_object_free_named(c, "type");
#else
    mp_object_free(c);
#endif
}
