/* seqiter.c — iterators that walk a sequence by index.
 *
 * Models CPython's list and tuple iterators (listiterobject in
 * Objects/listobject.c, tupleiterobject in Objects/tupleobject.c): an
 * object holding the sequence and the next index, 48 bytes with its GC
 * header. Each sequence type supplies item(seq, i); see MP_SEQ_ITER_TYPE
 * in internal.h.
 *
 * Invariants:
 *   - seq holds a reference until the iterator is exhausted, then NULL: an
 *     iterator run to the end no longer keeps its sequence alive.
 */
#include "error.h"
#include "gc.h"
#include "internal.h"

mp_object *mp_seq_iter_new(mp_type *t, mp_object *seq)
{
    mp_seq_iter *it = (mp_seq_iter *)mp_gc_new(t);
    if (!it)
        return NULL;
    it->index = 0;
    it->seq = mp_newref(seq);
    mp_gc_track(MP_OBJ(it));
    return MP_OBJ(it);
}

mp_object *mp_seq_iter_step(mp_object *o, mp_object *(*item)(mp_object *seq, mp_ssize_t i))
{
    mp_seq_iter *it = (mp_seq_iter *)o;
    if (!it->seq)
        return NULL;
    mp_object *x = item(it->seq, it->index);
    if (x) {
        it->index++;
        return x;
    }
    MP_CLEAR(it->seq);
    return NULL;
}

void mp_seq_iter_dealloc(mp_object *o)
{
    mp_gc_untrack(o);
    MP_XDECREF(((mp_seq_iter *)o)->seq);
    mp_gc_del(o);
}

int mp_seq_iter_traverse(mp_object *o, mp_visitproc visit, void *arg)
{
    mp_seq_iter *it = (mp_seq_iter *)o;
    return it->seq ? visit(it->seq, arg) : 0;
}
