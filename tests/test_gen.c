/* test_gen.c — generators: resume points, exhaustion, dropping half-way,
 * gi_running, close, errors, sizes, references (runtime/gen.c). Each
 * generator function below gives the Python it models. */
#include <string.h>

#include "support.h"

MP_TEST_SUITE(gen);

/* ---- generator functions used by the tests ----------------------------------- */

/* def countdown(n):
 *     while n > 0:
 *         yield n
 *         n -= 1 */
typedef struct countdown_locals {
    long n;
} countdown_locals;

static mp_object *countdown_step(mp_object *g)
{
    countdown_locals *f = mp_gen_locals(g);
    MP_GEN_BEGIN(g);
    for (; f->n > 0; f->n--)
        MP_GEN_YIELD(g, mp_int_from_long(f->n));
    MP_GEN_END(g);
}

static const mp_gen_code countdown_code = {"countdown", countdown_step, 0,
                                           sizeof(countdown_locals)};

static mp_object *countdown(long n)
{
    mp_object *g = mp_gen_new(&countdown_code);
    cr_assert_not_null(g);
    ((countdown_locals *)mp_gen_locals(g))->n = n;
    return g;
}

/* def updown(n):
 *     i = 0
 *     while i < n:
 *         yield i
 *         i += 1
 *     yield 1000
 *     while i > 0:
 *         yield i
 *         i -= 1
 * list(updown(3)) == [0, 1, 2, 1000, 3, 2, 1]: three resume points. */
typedef struct updown_locals {
    long n, i;
} updown_locals;

static mp_object *updown_step(mp_object *g)
{
    updown_locals *f = mp_gen_locals(g);
    MP_GEN_BEGIN(g);
    for (f->i = 0; f->i < f->n; f->i++)
        MP_GEN_YIELD(g, mp_int_from_long(f->i));
    MP_GEN_YIELD(g, mp_int_from_long(1000));
    for (; f->i > 0; f->i--)
        MP_GEN_YIELD(g, mp_int_from_long(f->i));
    MP_GEN_END(g);
}

static const mp_gen_code updown_code = {"updown", updown_step, 0, sizeof(updown_locals)};

/* def holding(keep, iterable):
 *     for x in iterable:
 *         yield x
 * Two references in its locals (the iterator and keep), and a count. */
typedef struct holding_locals {
    mp_object *it, *keep;
    long yielded;
} holding_locals;

static mp_object *holding_step(mp_object *g)
{
    holding_locals *f = mp_gen_locals(g);
    mp_object *x = mp_iter_next(f->it);
    if (x)
        f->yielded++;
    return x;
}

static const mp_gen_code holding_code = {"holding", holding_step, 2, sizeof(holding_locals)};

static mp_object *holding(mp_object *keep, mp_object *iterable)
{
    mp_object *g = mp_gen_new(&holding_code);
    cr_assert_not_null(g);
    holding_locals *f = mp_gen_locals(g);
    f->it = mp_object_getiter(iterable);
    f->keep = mp_newref(keep);
    return g;
}

/* def reenter():
 *     yield next(me)          (me is this very generator)
 * `me` is a plain pointer after the references: not owned. */
typedef struct self_locals {
    mp_object *me;
    bool was_running;
} self_locals;

static mp_object *reenter_step(mp_object *g)
{
    self_locals *f = mp_gen_locals(g);
    f->was_running = mp_gen_running(f->me);
    return mp_iter_next(f->me);
}

/* def closer():
 *     me.close()
 *     yield 1 */
static mp_object *closer_step(mp_object *g)
{
    self_locals *f = mp_gen_locals(g);
    if (mp_gen_close(f->me) < 0)
        return NULL;
    return mp_int_from_long(1);
}

static const mp_gen_code reenter_code = {"reenter", reenter_step, 0, sizeof(self_locals)};
static const mp_gen_code closer_code = {"closer", closer_step, 0, sizeof(self_locals)};

static mp_object *self_gen(const mp_gen_code *code)
{
    mp_object *g = mp_gen_new(code);
    cr_assert_not_null(g);
    ((self_locals *)mp_gen_locals(g))->me = g;
    return g;
}

/* def bad():
 *     yield 1
 *     raise KeyError('x') */
static mp_object *bad_step(mp_object *g)
{
    MP_GEN_BEGIN(g);
    MP_GEN_YIELD(g, mp_int_from_long(1));
    mp_err_set(MP_ERR_KEY, "'x'");
    MP_GEN_END(g);
}

static const mp_gen_code bad_code = {"bad", bad_step, 0, 0};

/* ---- helpers ------------------------------------------------------------------ */

static void expect_values(mp_object *g, const long *expected, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mp_object *x = mp_iter_next(g);
        cr_assert_not_null(x, "value %zu missing: %s", i, mp_err_message());
        cr_expect_eq(mp_int_as_long(x), expected[i], "value %zu", i);
        MP_DECREF(x);
    }
}

#define VALUES(g, ...)                                                                             \
    expect_values(g, (const long[]){__VA_ARGS__},                                                  \
                  sizeof((const long[]){__VA_ARGS__}) / sizeof(long))

static void expect_exhausted(mp_object *g)
{
    cr_expect_null(mp_iter_next(g));
    cr_expect_eq(mp_err_occurred(), MP_ERR_NONE, "exhaustion is not an error: %s",
                 mp_err_message());
}

static mp_object *ints(long n, long first)
{
    mp_object *l = mp_list_new(0);
    for (long i = 0; i < n; i++) {
        mp_object *v = mp_int_from_long(first + i);
        mp_list_append(l, v);
        MP_DECREF(v);
    }
    return l;
}

/* ---- resuming ----------------------------------------------------------------- */

/* python3 -c "def countdown(n):
 *     while n > 0: yield n; n -= 1
 * print(list(countdown(3)))"  -> [3, 2, 1] */
Test(gen, a_generator_resumes_where_it_yielded_until_it_returns)
{
    mp_object *g = countdown(3);
    VALUES(g, 3, 2, 1);
    expect_exhausted(g);
    expect_exhausted(g);
    MP_DECREF(g);
}

Test(gen, nothing_runs_before_the_first_next)
{
    mp_object *g = countdown(3);
    cr_expect_eq(((mp_gen *)g)->gi_frame_state, MP_FRAME_CREATED);
    cr_expect_eq(((countdown_locals *)mp_gen_locals(g))->n, 3);
    MP_DECREF(g);
}

Test(gen, several_yields_resume_at_the_right_one)
{
    mp_object *g = mp_gen_new(&updown_code);
    ((updown_locals *)mp_gen_locals(g))->n = 3;
    VALUES(g, 0, 1, 2, 1000, 3, 2, 1);
    expect_exhausted(g);
    MP_DECREF(g);
}

Test(gen, two_generators_of_one_function_keep_separate_state)
{
    mp_object *a = countdown(5), *b = countdown(2);
    VALUES(a, 5, 4);
    VALUES(b, 2);
    VALUES(a, 3);
    VALUES(b, 1);
    expect_exhausted(b);
    VALUES(a, 2, 1);
    MP_DECREF(a);
    MP_DECREF(b);
}

Test(gen, a_generator_is_its_own_iterator)
{
    mp_object *g = countdown(1), *it = mp_object_getiter(g);
    cr_expect_eq(it, g);
    MP_DECREF(it);
    MP_DECREF(g);
}

/* python3 -c "print(list(x*x for x in range(5)), list(x*x for x in [10**6, -3]))"
 * -> [0, 1, 4, 9, 16] [1000000000000, 9] */
Test(gen, squares_yields_the_square_of_each_item)
{
    mp_object *r = mp_range_new(0, 5, 1), *g = mp_gen_squares(r);
    VALUES(g, 0, 1, 4, 9, 16);
    expect_exhausted(g);
    MP_DECREF(g);
    MP_DECREF(r);
    mp_object *l = mp_list_new(0), *big = mp_int_from_long(1000000), *m3 = mp_int_from_long(-3);
    mp_list_append(l, big);
    mp_list_append(l, m3);
    g = mp_gen_squares(l);
    VALUES(g, 1000000000000, 9);
    expect_exhausted(g);
    MP_DECREF(g);
    MP_DECREF(big);
    MP_DECREF(m3);
    MP_DECREF(l);
}

/* python3 -c "(x*x for x in 5)"  -> TypeError: 'int' object is not iterable
 * python3 -c "list(x*x for x in ['a'])"
 *   -> TypeError: can't multiply sequence by non-int of type 'str' */
Test(gen, squares_raises_cpythons_type_errors)
{
    mp_object *five = mp_int_from_long(5);
    cr_expect_null(mp_gen_squares(five));
    cr_expect_str_eq(mp_err_message(), "'int' object is not iterable");
    mp_err_clear();
    mp_object *l = mp_list_new(0), *a = mp_str_from_utf8("a");
    mp_list_append(l, a);
    mp_object *g = mp_gen_squares(l);
    cr_expect_null(mp_iter_next(g));
    cr_expect_eq(mp_err_occurred(), MP_ERR_TYPE);
    cr_expect_str_eq(mp_err_message(), "can't multiply sequence by non-int of type 'str'");
    mp_err_clear();
    expect_exhausted(g);
    MP_DECREF(g);
    MP_DECREF(a);
    MP_DECREF(l);
    MP_DECREF(five);
}

/* ---- sizes -------------------------------------------------------------------------- */

/* 64 bytes and 8 per slot of locals, fixed at creation. CPython's are
 * 168 + 8 * (locals + stack slots), see gen.c:
 * python3 -c "import sys; print(sys.getsizeof(x*x for x in range(10)),
 *   sys.getsizeof(x*x for x in range(10**9)))"  -> 208 208 */
Test(gen, getsizeof_is_64_plus_the_locals_whatever_the_length)
{
    mp_object *small = mp_range_new(0, 10, 1), *huge = mp_range_new(0, 1000000000, 1);
    mp_object *a = mp_gen_squares(small), *b = mp_gen_squares(huge);
    cr_expect_eq(mp_getsizeof(a), 72);
    cr_expect_eq(mp_getsizeof(b), 72);
    mp_object *c = countdown(1), *u = mp_gen_new(&updown_code), *h = holding(small, small);
    mp_object *e = mp_gen_new(&bad_code);
    cr_expect_eq(mp_getsizeof(c), 72);
    cr_expect_eq(mp_getsizeof(u), 80);
    cr_expect_eq(mp_getsizeof(h), 88);
    cr_expect_eq(mp_getsizeof(e), 64);
    mp_object *all[] = {a, b, c, u, h, e, small, huge};
    for (size_t i = 0; i < 8; i++)
        MP_DECREF(all[i]);
}

/* ---- references ------------------------------------------------------------------- */

Test(gen, dropped_half_way_a_generator_releases_what_its_locals_hold)
{
    mp_object *keep = mp_object_new(&counted_type), *l = ints(5, 1000);
    counted_deallocs = 0;
    mp_object *g = holding(keep, l);
    MP_DECREF(keep);
    cr_expect_eq(mp_getrefcount(l), 3, "the list, through the generator's iterator");
    VALUES(g, 1000, 1001);
    size_t before = blocks_in_use();
    MP_DECREF(g);
    cr_expect_eq(counted_deallocs, 1, "keep died with the generator");
    cr_expect_eq(mp_getrefcount(l), 2);
    cr_expect_eq(blocks_in_use(), before - 3, "the generator, its iterator and keep");
    MP_DECREF(l);
}

/* python3 -c "import sys; l = [1, 2]; g = (x for x in l); print(sys.getrefcount(l));
 *   next(g); print(sys.getrefcount(l)); list(g); print(sys.getrefcount(l))"  -> 3 3 2 */
Test(gen, an_exhausted_generator_has_already_released_its_locals)
{
    mp_object *l = ints(2, 1), *g = mp_gen_squares(l);
    cr_expect_eq(mp_getrefcount(l), 3);
    VALUES(g, 1);
    cr_expect_eq(mp_getrefcount(l), 3);
    VALUES(g, 4);
    expect_exhausted(g);
    cr_expect_eq(mp_getrefcount(l), 2);
    MP_DECREF(g);
    MP_DECREF(l);
}

static int count_visit(mp_object *o, void *arg)
{
    (void)o;
    ++*(int *)arg;
    return 0;
}

Test(gen, traverse_visits_the_references_and_clear_drops_them)
{
    mp_object *keep = mp_int_from_long(5000), *l = ints(3, 0), *g = holding(keep, l);
    int visited = 0;
    cr_expect_eq(mp_type_generator.tp_traverse(g, count_visit, &visited), 0);
    cr_expect_eq(visited, 2);
    cr_expect_eq(mp_type_generator.tp_clear(g), 0);
    cr_expect_eq(mp_getrefcount(keep), 2);
    cr_expect_eq(mp_getrefcount(l), 2);
    visited = 0;
    mp_type_generator.tp_traverse(g, count_visit, &visited);
    cr_expect_eq(visited, 0);
    expect_exhausted(g);
    MP_DECREF(g);
    MP_DECREF(keep);
    MP_DECREF(l);
}

Test(gen, close_finishes_and_releases_and_a_second_close_is_harmless)
{
    mp_object *keep = mp_int_from_long(5000), *l = ints(3, 0), *g = holding(keep, l);
    VALUES(g, 0);
    cr_expect_eq(mp_gen_close(g), 0);
    cr_expect_eq(mp_getrefcount(keep), 2);
    expect_exhausted(g);
    cr_expect_eq(mp_gen_close(g), 0);
    MP_DECREF(g);
    MP_DECREF(keep);
    MP_DECREF(l);
}

/* ---- running, re-entrance, errors ---------------------------------------------- */

/* python3 -c "def reenter(): yield next(me)
 * me = reenter(); next(me)"  -> ValueError: generator already executing
 * and a next(me) after that -> StopIteration */
Test(gen, resuming_a_running_generator_is_a_value_error)
{
    mp_object *g = self_gen(&reenter_code);
    cr_expect(!mp_gen_running(g));
    cr_expect_null(mp_iter_next(g));
    cr_expect(((self_locals *)mp_gen_locals(g))->was_running, "gi_running inside the step");
    cr_expect_eq(mp_err_occurred(), MP_ERR_VALUE);
    cr_expect_str_eq(mp_err_message(), "generator already executing");
    mp_err_clear();
    cr_expect(!mp_gen_running(g));
    expect_exhausted(g);
    MP_DECREF(g);
}

/* python3 -c "def closer(): me.close(); yield 1
 * me = closer(); next(me)"  -> ValueError: generator already executing */
Test(gen, closing_a_running_generator_is_a_value_error)
{
    mp_object *g = self_gen(&closer_code);
    cr_expect_null(mp_iter_next(g));
    cr_expect_eq(mp_err_occurred(), MP_ERR_VALUE);
    cr_expect_str_eq(mp_err_message(), "generator already executing");
    mp_err_clear();
    MP_DECREF(g);
}

/* python3 -c "def bad(): yield 1; raise KeyError('x')
 * g = bad(); next(g); next(g)"  -> KeyError: 'x', and then StopIteration */
Test(gen, an_error_inside_finishes_the_generator)
{
    mp_object *g = mp_gen_new(&bad_code);
    VALUES(g, 1);
    cr_expect_null(mp_iter_next(g));
    cr_expect_eq(mp_err_occurred(), MP_ERR_KEY);
    cr_expect_str_eq(mp_err_message(), "'x'");
    mp_err_clear();
    expect_exhausted(g);
    MP_DECREF(g);
}

Test(gen, locals_too_small_for_their_references_are_refused)
{
    static const mp_gen_code wrong = {"wrong", bad_step, 2, sizeof(mp_object *)};
    cr_expect_null(mp_gen_new(&wrong));
    cr_expect_eq(mp_err_occurred(), MP_ERR_SYSTEM);
    mp_err_clear();
}

/* python3 -c "print(repr(x for x in [])[:30])"  -> <generator object <genexpr> at */
Test(gen, repr_names_the_generator_function)
{
    mp_object *l = mp_list_new(0), *g = mp_gen_squares(l), *c = countdown(1);
    char buf[128];
    mp_repr(g, buf, sizeof buf);
    cr_expect(strncmp(buf, "<generator object <genexpr> at 0x", 33) == 0, "%s", buf);
    mp_repr(c, buf, sizeof buf);
    cr_expect(strncmp(buf, "<generator object countdown at 0x", 33) == 0, "%s", buf);
    MP_DECREF(c);
    MP_DECREF(g);
    MP_DECREF(l);
}
