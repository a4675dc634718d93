/* test_gc.c — the GC header in front of containers, and container
 * allocation (runtime/gc.c). */
#include <string.h>

#include "support.h"

MP_TEST_SUITE(gc);

/* A container holding one reference: 8 + 8 + 8 = 24 bytes of object. */
typedef struct {
    mp_object ob_base;
    mp_object *ref;
} node;

static void node_dealloc(mp_object *o) { mp_gc_del(o); }

static mp_type node_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "node",
    .tp_basicsize = sizeof(node),
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = node_dealloc,
};

/* A variable-size container of 8-byte items after a 24-byte var header. */
static mp_type vnode_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "vnode",
    .tp_basicsize = sizeof(mp_varobject),
    .tp_itemsize = 8,
    .tp_flags = MP_TPFLAGS_HAVE_GC,
    .tp_dealloc = node_dealloc,
};

Test(gc, new_puts_a_zeroed_16_byte_header_before_the_object)
{
    mp_object *o = mp_gc_new(&node_type);
    cr_assert_not_null(o);
    mp_gc_head *g = MP_AS_GC(o);
    cr_expect_eq((char *)o - (char *)g, 16);
    cr_expect_eq(g->gc_next, 0);
    cr_expect_eq(g->gc_prev, 0);
    MP_DECREF(o);
}

Test(gc, as_gc_and_from_gc_round_trip)
{
    mp_object *o = mp_gc_new(&node_type);
    cr_expect_eq(MP_FROM_GC(MP_AS_GC(o)), o);
    mp_gc_head *g = MP_AS_GC(o);
    cr_expect_eq(MP_AS_GC(MP_FROM_GC(g)), g);
    MP_DECREF(o);
}

Test(gc, new_sets_the_type_and_a_count_of_one)
{
    mp_object *o = mp_gc_new(&node_type);
    cr_expect_eq(MP_TYPE(o), &node_type);
    cr_expect_eq(MP_REFCNT(o), 1);
    MP_DECREF(o);
}

Test(gc, new_allocates_one_block_with_the_header)
{
    mp_malloc_stats before = stats();
    mp_object *o = mp_gc_new(&node_type);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use + 1);
    /* 16 + 24 = 40 bytes, served from the 48-byte size class. */
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use + 48);
    MP_DECREF(o);
}

Test(gc, del_releases_the_whole_block)
{
    mp_malloc_stats before = stats();
    mp_object *o = mp_gc_new(&node_type);
    MP_DECREF(o);
    mp_malloc_stats after = stats();
    cr_expect_eq(after.blocks_in_use, before.blocks_in_use);
    cr_expect_eq(after.bytes_in_use, before.bytes_in_use);
}

Test(gc, object_after_the_header_stays_16_byte_aligned)
{
    mp_object *o = mp_gc_new(&node_type);
    cr_expect_eq((uintptr_t)o % 16, 0);
    MP_DECREF(o);
}

/* 16 + 24 + 5 * 8 = 80 bytes. */
Test(gc, new_var_sets_the_size_and_allocates_the_items)
{
    mp_malloc_stats before = stats();
    mp_varobject *v = mp_gc_new_var(&vnode_type, 5);
    cr_assert_not_null(v);
    cr_expect_eq(MP_SIZE(v), 5);
    cr_expect_eq(MP_REFCNT(v), 1);
    cr_expect_eq(MP_AS_GC(v)->gc_next, 0);
    cr_expect_eq(MP_AS_GC(v)->gc_prev, 0);
    cr_expect_eq(stats().bytes_in_use, before.bytes_in_use + 80);
    MP_DECREF(v);
    cr_expect_eq(stats().blocks_in_use, before.blocks_in_use);
}

Test(gc, new_var_with_a_negative_count_fails)
{
    mp_malloc_stats before = stats();
    cr_assert_null(mp_gc_new_var(&vnode_type, -1));
    cr_expect_neq(mp_err_occurred(), MP_ERR_NONE);
    cr_expect_eq(stats().blocks_in_use, before.blocks_in_use);
    mp_err_clear();
}

/* The object part (24) plus the header (16). */
Test(gc, getsizeof_of_a_container_includes_the_header)
{
    mp_object *o = mp_gc_new(&node_type);
    cr_expect_eq(mp_getsizeof(o), 40);
    MP_DECREF(o);
}

/* python3 -c "import sys; print(sys.getsizeof([]), sys.getsizeof(()), [].__sizeof__(), ().__sizeof__())"
 * -> 56 40 40 24 */
Test(gc, getsizeof_of_list_and_tuple_includes_the_header)
{
    mp_object *l = mp_list_new(0), *t = mp_tuple_new(0);
    cr_expect_eq(mp_getsizeof(l), 56);
    cr_expect_eq(mp_getsizeof(t), 40);
    cr_expect(mp_type_is_gc(MP_TYPE(l)));
    cr_expect(mp_type_is_gc(MP_TYPE(t)));
    MP_DECREF(l);
    MP_DECREF(t);
}

/* python3 -c "import gc; print(gc.is_tracked(1), gc.is_tracked('a'), gc.is_tracked([]))"
 * -> False False True: ints and strs are not containers. */
Test(gc, ints_and_strs_are_not_containers)
{
    cr_expect_not(mp_type_is_gc(&mp_type_int));
    cr_expect_not(mp_type_is_gc(&mp_type_str));
    cr_expect(mp_type_is_gc(&mp_type_list));
}
