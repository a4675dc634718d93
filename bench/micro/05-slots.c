/* Lab 05's costs: reading and writing an attribute of an instance whose
 * attributes live in a values array over the class's keys (dict), in a
 * dict made from them (materialized), or in __slots__; and making and
 * freeing such instances. */
#include "mp.h"
#include "shim.h"

typedef enum { KIND_DICT, KIND_MATERIALIZED, KIND_SLOTS } kind;

static const char *const xy_slots[] = {"x", "y", NULL};

/* An instance with x and y set, as `class A: pass` or
 * `class S: __slots__ = ('x', 'y')` would have after o.x = o.y = 1000.
 * *cls gets the class. NULL (and the run marked failed) on error. */
static mp_object *make_instance(mp_bench_state *st, kind k, mp_object **cls)
{
    *cls = mp_class_new(k == KIND_SLOTS ? "S" : "A", k == KIND_SLOTS ? xy_slots : NULL);
    mp_object *o = *cls ? mp_instance_new(*cls) : NULL;
    mp_object *v = mp_int_from_long(1000);
    if (!o || !v || mp_object_setattr_str(o, "x", v) < 0 || mp_object_setattr_str(o, "y", v) < 0) {
        mp_bench_skip_with_error(st, mp_err_message());
        MP_XDECREF(v);
        MP_XDECREF(o);
        MP_XDECREF(*cls);
        return NULL;
    }
    MP_DECREF(v);
    if (k == KIND_MATERIALIZED) {
        mp_object *d = mp_instance_dict(o);
        MP_XDECREF(d);
    }
    return o;
}

/* `o.x`: the lookup and the new reference it returns. */
static void getattr_loop(mp_bench_state *st, kind k)
{
    mp_object *cls, *o = make_instance(st, k, &cls);
    if (!o)
        return;
    mp_object *name = mp_str_intern_from_utf8("x");
    MP_BENCH_LOOP(st) {
        mp_object *v = mp_object_getattr(o, name);
        MP_BENCH_DO_NOT_OPTIMIZE(v);
        MP_DECREF(v);
    }
    MP_DECREF(name);
    MP_DECREF(o);
    MP_DECREF(cls);
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

/* `o.x = v` over an existing value: the lookup, the store, the old value
 * released. */
static void setattr_loop(mp_bench_state *st, kind k)
{
    mp_object *cls, *o = make_instance(st, k, &cls);
    if (!o)
        return;
    mp_object *name = mp_str_intern_from_utf8("x"), *v = mp_int_from_long(2000);
    MP_BENCH_LOOP(st) {
        mp_object_setattr(o, name, v);
        MP_BENCH_CLOBBER_MEMORY();
    }
    MP_DECREF(v);
    MP_DECREF(name);
    MP_DECREF(o);
    MP_DECREF(cls);
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

/* `o = C(); o.x = o.y = v; del o`: what an instance costs to make, fill
 * and free. */
static void new_loop(mp_bench_state *st, kind k)
{
    mp_object *cls = mp_class_new(k == KIND_SLOTS ? "S" : "A", k == KIND_SLOTS ? xy_slots : NULL);
    mp_object *x = mp_str_intern_from_utf8("x"), *y = mp_str_intern_from_utf8("y");
    mp_object *v = mp_int_from_long(1000);
    MP_BENCH_LOOP(st) {
        mp_object *o = mp_instance_new(cls);
        mp_object_setattr(o, x, v);
        mp_object_setattr(o, y, v);
        MP_BENCH_DO_NOT_OPTIMIZE(o);
        MP_DECREF(o);
    }
    MP_DECREF(v);
    MP_DECREF(x);
    MP_DECREF(y);
    MP_DECREF(cls);
    mp_bench_set_items_processed(st, mp_bench_iterations(st));
}

static void bm_getattr_dict(mp_bench_state *st) { getattr_loop(st, KIND_DICT); }
static void bm_getattr_materialized(mp_bench_state *st) { getattr_loop(st, KIND_MATERIALIZED); }
static void bm_getattr_slots(mp_bench_state *st) { getattr_loop(st, KIND_SLOTS); }
static void bm_setattr_dict(mp_bench_state *st) { setattr_loop(st, KIND_DICT); }
static void bm_setattr_materialized(mp_bench_state *st) { setattr_loop(st, KIND_MATERIALIZED); }
static void bm_setattr_slots(mp_bench_state *st) { setattr_loop(st, KIND_SLOTS); }
static void bm_new_dict(mp_bench_state *st) { new_loop(st, KIND_DICT); }
static void bm_new_slots(mp_bench_state *st) { new_loop(st, KIND_SLOTS); }

MP_BENCH_SUITE(register_slots)
{
    mp_bench_register("05-slots/getattr/dict", bm_getattr_dict);
    mp_bench_register("05-slots/getattr/materialized", bm_getattr_materialized);
    mp_bench_register("05-slots/getattr/slots", bm_getattr_slots);
    mp_bench_register("05-slots/setattr/dict", bm_setattr_dict);
    mp_bench_register("05-slots/setattr/materialized", bm_setattr_materialized);
    mp_bench_register("05-slots/setattr/slots", bm_setattr_slots);
    mp_bench_register("05-slots/new/dict", bm_new_dict);
    mp_bench_register("05-slots/new/slots", bm_new_slots);
}
