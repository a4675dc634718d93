/* gen.c — generators as C state machines: a struct of locals and a resume
 * point instead of a frame and an instruction pointer.
 *
 * Models CPython 3.11's Objects/genobject.c. Read gen_iternext first.
 *
 * A CPython generator keeps its frame inside the generator object: the
 * function's locals, its value stack and prev_instr, the bytecode offset
 * it stopped at. next() pushes that frame on the thread's frame stack and
 * the interpreter carries on from prev_instr; YIELD_VALUE stores the
 * offset and pops the frame again, with everything the function was doing
 * still in it. Between two next() calls a generator costs that one object,
 * however long the sequence it produces: that is why a generator pipeline
 * runs in O(1) memory where a list comprehension holds every item.
 *
 * There is no interpreter here, so a generator function is a C function
 * that can be entered in the middle: its step. What CPython's frame holds
 * lives in two places. The locals go in a struct inside the generator
 * object (gi_locals), so a step keeps nothing it needs later in C
 * variables: those vanish when it returns. The instruction pointer becomes
 * gi_resume, a number the step switches on when it is entered: 0 at the
 * start, then the line of the yield it returned from. MP_GEN_YIELD stores
 * its own line there, returns the value, and puts a case label with that
 * line right after the return, so the next call jumps back in just past
 * the yield, inside whatever loops enclose it (C allows a case label inside
 * a loop that sits inside the switch; the trick is Duff's device, used for
 * coroutines by Simon Tatham and by protothreads). A generator with a
 * single yield at the top of its loop may skip the switch: each call is
 * one turn of the loop.
 *
 * The generator must also know which of its locals are references, to
 * release them when it is dropped half-way and to show them to the cycle
 * collector. CPython's frame knows because every local is an object; here
 * the locals struct opens with its references, co_nrefs of them, each
 * NULL or owning one reference, and plain C values follow. Nothing else
 * may own resources: memory a generator needs must be an object.
 *
 * Invariants:
 *   - gi_frame_state goes CREATED -> (EXECUTING <-> SUSPENDED)* ->
 *     COMPLETED and never back; the step runs only in EXECUTING, and a
 *     generator is never resumed from inside its own step (ValueError).
 *   - A COMPLETED generator holds no references: its locals are released
 *     the moment it finishes (CPython clears the frame then), so an
 *     exhausted generator no longer keeps its input alive.
 *   - sys.getsizeof is 64 + 8 * (slots of locals), all counted, fixed at
 *     creation: O(1) in the length of what it produces.
 *
 * Where it differs from CPython: a CPython generator measures 168 + 8 *
 * (locals + value-stack slots): sys.getsizeof((x*x for x in range(10))) is
 * 208 in 3.11, this model's mp_gen_squares 72. The difference is
 * the interpreter's: CPython's generator carries its code object, name,
 * qualified name, exception state and origin, and its frame header (the
 * function, globals, builtins, locals dict, code, frame object, previous
 * frame, instruction pointer, stack top), 112 bytes this model has no use
 * for, and a value stack whose contents live in C variables here. Closing
 * a suspended CPython generator raises GeneratorExit inside it, to run its
 * finally blocks; a step function has none, so closing only releases.
 */
#include "gen.h"

#include <string.h>

#include "abstract.h"
#include "error.h"
#include "gc.h"
#include "int.h"
#include "internal.h"
#include "list.h"
#include "str.h"
#include "tuple.h"
#include "weakref.h"

_Static_assert(sizeof(mp_gen) == 48, "the generator's fixed part: 64 bytes with the GC header");

static mp_gen *as_gen(mp_object *o) { return (mp_gen *)o; }

static mp_object **gen_refs(mp_gen *g) { return (mp_object **)g->gi_locals; }

mp_object *mp_gen_new(const mp_gen_code *code)
{
    if (code->co_nrefs * sizeof(mp_object *) > code->co_localsize) {
        mp_err_format(MP_ERR_SYSTEM, "generator %s: more references than locals", code->co_name);
        return NULL;
    }
    mp_ssize_t slots = (mp_ssize_t)((code->co_localsize + sizeof(mp_gen_slot) - 1) /
                                    sizeof(mp_gen_slot));
    mp_gen *g = (mp_gen *)mp_gc_new_var(&mp_type_generator, slots);
    if (!g)
        return NULL;
    g->gi_code = code;
    g->gi_weakreflist = NULL;
    g->gi_resume = 0;
    g->gi_frame_state = MP_FRAME_CREATED;
    memset(g->gi_locals, 0, (size_t)slots * sizeof(mp_gen_slot));
    mp_gc_track(MP_OBJ(g));
    return MP_OBJ(g);
}

/* The locals' references are emptied before any is released, so code run
 * by a release finds the generator already finished and holding nothing. */
static void release_locals(mp_gen *g)
{
    g->gi_frame_state = MP_FRAME_COMPLETED;
    mp_object **refs = gen_refs(g);
    for (size_t i = 0; i < g->gi_code->co_nrefs; i++)
        MP_CLEAR(refs[i]);
}

/* next(gen), CPython's gen_send_ex2 for a send of None: enter the step,
 * and on the way out either stay suspended with a value, or finish. */
static mp_object *gen_iternext(mp_object *o)
{
    mp_gen *g = as_gen(o);
    if (g->gi_frame_state == MP_FRAME_EXECUTING) {
        mp_err_set(MP_ERR_VALUE, "generator already executing");
        return NULL;
    }
    if (g->gi_frame_state == MP_FRAME_COMPLETED)
        return NULL;
    g->gi_frame_state = MP_FRAME_EXECUTING;
    mp_object *value = g->gi_code->co_step(o);
    if (value) {
        g->gi_frame_state = MP_FRAME_SUSPENDED;
        return value;
    }
    release_locals(g);
    return NULL;
}

int mp_gen_close(mp_object *o)
{
    mp_gen *g = as_gen(o);
    if (g->gi_frame_state == MP_FRAME_EXECUTING) {
        mp_err_set(MP_ERR_VALUE, "generator already executing");
        return -1;
    }
    release_locals(g);
    return 0;
}

/* ---- the type's slots ---------------------------------------------------- */

static void gen_dealloc(mp_object *o)
{
    mp_gen *g = as_gen(o);
    mp_gc_untrack(o);
    mp_object_clear_weakrefs(o);
    mp_object **refs = gen_refs(g);
    for (size_t i = 0; i < g->gi_code->co_nrefs; i++)
        MP_XDECREF(refs[i]);
    mp_gc_del(o);
}

static int gen_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_gen *g = as_gen(o);
    mp_object **refs = gen_refs(g);
    for (size_t i = 0; i < g->gi_code->co_nrefs; i++) {
        if (refs[i]) {
            int r = visit(refs[i], arg);
            if (r)
                return r;
        }
    }
    return 0;
}

static int gen_clear(mp_object *o)
{
    release_locals(as_gen(o));
    return 0;
}

static void gen_repr(mp_object *o, mp_strbuf *out)
{
    mp_strbuf_printf(out, "<generator object %s at %p>", as_gen(o)->gi_code->co_name, (void *)o);
}

mp_type mp_type_generator = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "generator",
    .tp_basicsize = sizeof(mp_gen),
    .tp_itemsize = sizeof(mp_gen_slot),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = gen_dealloc,
    .tp_traverse = gen_traverse,
    .tp_clear = gen_clear,
    .tp_repr = gen_repr,
    .tp_iter = mp_self_iter,
    .tp_iternext = gen_iternext,
    .tp_weaklistoffset = offsetof(mp_gen, gi_weakreflist),
};

/* ---- (x*x for x in iterable) ----------------------------------------------------
 * CPython compiles a generator expression into a generator function of one
 * argument, the iterator (named .0), which the expression's code calls at
 * once: iter(range(n)) is taken when the expression is evaluated, and x
 * lives only between taking an item and yielding its square. */

typedef struct squares_locals {
    mp_object *it; /* .0 */
} squares_locals;

/* x*x for an x that is not an int: CPython's TypeError, which for the
 * sequences (whose * repeats them) complains about the count. */
static mp_object *square_error(mp_object *x)
{
    const char *name = x->ob_type->tp_name;
    if (mp_str_check(x) || mp_list_check(x) || mp_tuple_check(x))
        mp_err_format(MP_ERR_TYPE, "can't multiply sequence by non-int of type '%s'", name);
    else
        mp_err_format(MP_ERR_TYPE, "unsupported operand type(s) for *: '%s' and '%s'", name, name);
    return NULL;
}

static mp_object *squares_step(mp_object *g)
{
    squares_locals *f = mp_gen_locals(g);
    mp_object *x;
    MP_GEN_BEGIN(g);
    while ((x = mp_iter_next(f->it)) != NULL) {
        mp_object *square = mp_int_check(x) ? mp_int_mul(x, x) : square_error(x);
        MP_DECREF(x);
        MP_GEN_YIELD(g, square);
    }
    MP_GEN_END(g);
}

static const mp_gen_code squares_code = {"<genexpr>", squares_step, 1, sizeof(squares_locals)};

mp_object *mp_gen_squares(mp_object *iterable)
{
    mp_object *it = mp_object_getiter(iterable);
    if (!it)
        return NULL;
    mp_object *g = mp_gen_new(&squares_code);
    if (!g) {
        MP_DECREF(it);
        return NULL;
    }
    ((squares_locals *)mp_gen_locals(g))->it = it;
    return g;
}
