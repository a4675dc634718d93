/* abstract.c — the generic entry points of abstract.h: each looks up the
 * type's slot and calls it, or raises what CPython raises without one.
 *
 * Models CPython's Objects/abstract.c and the attribute part of
 * Objects/object.c.
 */
#include "abstract.h"

#include "error.h"
#include "internal.h"
#include "str.h"

mp_object *mp_self_iter(mp_object *self) { return mp_newref(self); }

mp_object *mp_object_getiter(mp_object *o)
{
    if (o->ob_type->tp_iter)
        return o->ob_type->tp_iter(o);
    mp_err_format(MP_ERR_TYPE, "'%s' object is not iterable", o->ob_type->tp_name);
    return NULL;
}

mp_object *mp_iter_next(mp_object *it)
{
    if (it->ob_type->tp_iternext)
        return it->ob_type->tp_iternext(it);
    mp_err_format(MP_ERR_TYPE, "'%s' object is not an iterator", it->ob_type->tp_name);
    return NULL;
}

mp_ssize_t mp_object_len(mp_object *o)
{
    MP_CHECK_LIVE(o, "len()");
    if (o->ob_type->tp_len)
        return o->ob_type->tp_len(o);
    mp_err_format(MP_ERR_TYPE, "object of type '%s' has no len()", o->ob_type->tp_name);
    return -1;
}

/* Without a contains slot, Python walks the iteration comparing with ==,
 * identity first (PySequence_Contains falls back on _PySequence_IterSearch). */
int mp_sequence_contains(mp_object *o, mp_object *item)
{
    if (o->ob_type->tp_contains)
        return o->ob_type->tp_contains(o, item);
    return mp_sequence_iter_search(o, item);
}

int mp_sequence_iter_search(mp_object *o, mp_object *item)
{
    mp_object *it = mp_object_getiter(o);
    if (!it)
        return -1;
    int found = 0;
    mp_object *x;
    while (!found && (x = mp_iter_next(it)) != NULL) {
        found = x == item ? 1 : mp_object_richcompare(x, item, MP_EQ);
        MP_DECREF(x);
    }
    MP_DECREF(it);
    return found != 0 ? found : mp_err_occurred() ? -1 : 0;
}

mp_object *mp_object_getattr(mp_object *o, mp_object *name)
{
    MP_CHECK_LIVE(o, "getattr");
    if (o->ob_type->tp_getattro)
        return o->ob_type->tp_getattro(o, name);
    char text[128];
    mp_str_as_utf8(name, text, sizeof text);
    mp_err_format(MP_ERR_ATTRIBUTE, "'%s' object has no attribute '%s'", o->ob_type->tp_name,
                  text);
    return NULL;
}

int mp_object_setattr(mp_object *o, mp_object *name, mp_object *value)
{
    MP_CHECK_LIVE(o, "setattr");
    if (value)
        MP_CHECK_LIVE(value, "setattr");
    if (o->ob_type->tp_setattro)
        return o->ob_type->tp_setattro(o, name, value);
    char text[128];
    mp_str_as_utf8(name, text, sizeof text);
    mp_err_format(MP_ERR_ATTRIBUTE, "'%s' object has no attribute '%s'", o->ob_type->tp_name,
                  text);
    return -1;
}

mp_object *mp_object_getattr_str(mp_object *o, const char *name)
{
    mp_object *n = mp_str_intern_from_utf8(name);
    if (!n)
        return NULL;
    mp_object *r = mp_object_getattr(o, n);
    MP_DECREF(n);
    return r;
}

int mp_object_setattr_str(mp_object *o, const char *name, mp_object *value)
{
    mp_object *n = mp_str_intern_from_utf8(name);
    if (!n)
        return -1;
    int r = mp_object_setattr(o, n, value);
    MP_DECREF(n);
    return r;
}
