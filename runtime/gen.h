/* gen.h — generators: computations that stop at each value they produce
 * and resume where they stopped, holding only a small struct of locals.
 *
 * Models CPython 3.11's Objects/genobject.c; see gen.c for how a C
 * function becomes resumable. Defining a generator function in C:
 *
 *     typedef struct countdown_locals {
 *         long n;                   (no object references: co_nrefs 0)
 *     } countdown_locals;
 *
 *     static mp_object *countdown_step(mp_object *g)
 *     {
 *         countdown_locals *f = mp_gen_locals(g);
 *         MP_GEN_BEGIN(g);
 *         for (; f->n > 0; f->n--)
 *             MP_GEN_YIELD(g, mp_int_from_long(f->n));
 *         MP_GEN_END(g);
 *     }
 *
 *     static const mp_gen_code countdown_code = {
 *         "countdown", countdown_step, 0, sizeof(countdown_locals)};
 *
 *     mp_object *countdown(long n)    (def countdown(n): while n > 0: yield n; n -= 1)
 *     {
 *         mp_object *g = mp_gen_new(&countdown_code);
 *         if (g)
 *             ((countdown_locals *)mp_gen_locals(g))->n = n;
 *         return g;
 *     }
 *
 * Rules for a step function: whatever must survive a yield lives in the
 * locals struct, never in a C local (the C stack is gone between
 * resumptions); the struct opens with its object references, co_nrefs of
 * them, each NULL or owning a reference (the generator releases them); no
 * two MP_GEN_YIELDs on one line; no `switch` around a yield.
 */
#ifndef MP_GEN_H
#define MP_GEN_H

#include "object.h"
#include "site.h"

/* Resumes the generator g: returns its next value (a new reference), or
 * NULL when it is finished, having returned (no error set) or raised (an
 * error set). */
typedef mp_object *(*mp_gen_step)(mp_object *g);

/* What a generator runs, shared by all its instances: CPython's code
 * object, reduced to what a C state machine needs. */
typedef struct mp_gen_code {
    const char *co_name; /* shown by repr: <generator object NAME at 0x...> */
    mp_gen_step co_step;
    size_t co_nrefs;     /* object references at the start of the locals */
    size_t co_localsize; /* sizeof the locals struct */
} mp_gen_code;

/* gi_frame_state: CPython 3.11's frame states, in order. */
enum {
    MP_FRAME_CREATED,   /* not started */
    MP_FRAME_SUSPENDED, /* stopped at a yield */
    MP_FRAME_EXECUTING, /* inside its step: gi_running */
    MP_FRAME_COMPLETED, /* returned, raised or closed; the locals are released */
};

/* A slot of the locals: what a struct of pointers, integers and doubles
 * needs for alignment. */
typedef union mp_gen_slot {
    void *p;
    long long ll;
    double d;
} mp_gen_slot;

typedef struct mp_gen {
    mp_varobject ob_base; /* ob_size: slots of locals */
    const mp_gen_code *gi_code;
    struct mp_weakref *gi_weakreflist; /* the weak references to this generator */
    int gi_resume;             /* where the step goes on: 0 at the start, then a yield's line */
    signed char gi_frame_state;
    mp_gen_slot gi_locals[]; /* the locals struct */
} mp_gen;

extern mp_type mp_type_generator;

static inline bool mp_gen_check(const mp_object *o) { return o->ob_type == &mp_type_generator; }

/* Calling a generator function: a new generator of code, not started, its
 * locals zeroed (the references NULL) for the caller to fill in. */
mp_object *mp_gen_new(const mp_gen_code *code);
/* The generator's locals struct. */
static inline void *mp_gen_locals(mp_object *g) { return ((mp_gen *)g)->gi_locals; }
/* gen.gi_running */
static inline bool mp_gen_running(mp_object *g)
{
    return ((mp_gen *)g)->gi_frame_state == MP_FRAME_EXECUTING;
}
/* gen.close(): finishes the generator and releases its locals; 0, or -1
 * with ValueError "generator already executing" from inside its step. */
int mp_gen_close(mp_object *g);

/* (x*x for x in iterable): the generator expression of lab 07. iter() is
 * taken at once, as a generator expression does; TypeError if iterable
 * has none; an item that is not an int finishes it with TypeError. */
mp_object *mp_gen_squares(mp_object *iterable);

/* ---- writing step functions ---------------------------------------------------
 * MP_GEN_BEGIN(g) ... MP_GEN_END(g) bracket the body; MP_GEN_YIELD(g, v)
 * returns v (a new reference; NULL with an error set finishes the
 * generator with that error) and is where the next resumption continues. */
#define MP_GEN_BEGIN(g)                                                                        \
    switch (((mp_gen *)(g))->gi_resume) {                                                      \
    case 0:
#define MP_GEN_YIELD(g, value)                                                                 \
    do {                                                                                       \
        ((mp_gen *)(g))->gi_resume = __LINE__;                                                 \
        return (value);                                                                        \
    case __LINE__:;                                                                            \
    } while (0)
#define MP_GEN_END(g)                                                                          \
    }                                                                                          \
    return NULL

/* ---- call sites (see site.h) ---------------------------------------------- */
#ifndef MP_RUNTIME_INTERNAL
#define mp_gen_new(code) MP_AT(mp_gen_new(code))
#define mp_gen_squares(it) MP_AT(mp_gen_squares(it))
#endif

#endif
