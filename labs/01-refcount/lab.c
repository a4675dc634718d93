/* Lab 01 — reference counts.
 *
 * Every Python name, argument and container slot that refers to an object
 * adds one to its count; the object is freed inside the statement that
 * drops the last one. This lab walks the articles' example step by step,
 * reads the count straight from the object's header, watches objects die,
 * and measures what counting costs. Claims 1-5 and 33.
 *
 * In the C below, a C variable that holds a reference plays a Python name:
 * `b = a` is mp_newref(a) and `del b` is MP_DECREF(b).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "mp.h"

static long repeat = -1;
static const lab_option options[] = {
    {"--repeat", "increment+decrement pairs timed in step 5 (default 10000000; 1000000 with "
                 "--quick)",
     &repeat, 1, 1000000000},
    {0},
};

static lab_csv *steps_csv;
static int csv_step;

/* One row of the refcount story: shows and checks getrefcount(a) after a
 * step, and records it for the figure. */
static void count_after(int claim, const char *step, mp_object *a, const char *key, long expected)
{
    mp_ssize_t ours = mp_getrefcount(a);
    lab_check_int(claim, "sys.getrefcount(a)", ours, key, expected);
    long long cpython;
    if (lab_twin_int(key, &cpython))
        lab_csv_row(steps_csv, "%d,\"%s\",%td,%lld", ++csv_step, step, ours, cpython);
    else
        lab_csv_row(steps_csv, "%d,\"%s\",%td,", ++csv_step, step, ours);
}

/* ---- Noisy: an object that says when it is freed --------------------------
 * Models a class whose __del__ does events.append(self.tag). Only its
 * dealloc matters here, so it is a plain object with a tag, not a full
 * instance with a __dict__. */

typedef struct noisy {
    mp_object ob_base;
    const char *tag;
} noisy;

static char events[128];

static void note_event(const char *e)
{
    size_t used = strlen(events);
    snprintf(events + used, sizeof events - used, "%s%s", used ? "," : "", e);
}

static void noisy_dealloc(mp_object *o)
{
    const char *tag = ((noisy *)o)->tag;
    lab_event("Noisy(%s) is freed, inside the statement that dropped it", tag);
    note_event(tag);
    mp_object_del(o);
}

static mp_type noisy_type = {
    .ob_base = {MP_IMMORTAL_REFCNT, &mp_type_type},
    .tp_name = "Noisy",
    .tp_basicsize = sizeof(noisy),
    .tp_dealloc = noisy_dealloc,
};

static mp_object *noisy_new(const char *tag)
{
    mp_object *o = mp_object_new(&noisy_type);
    if (o)
        ((noisy *)o)->tag = tag;
    return o;
}

/* `[1, 2, 3]` */
static mp_object *small_list(void)
{
    mp_object *l = mp_list_new(0);
    for (long i = 1; i <= 3; i++) {
        mp_object *v = mp_int_from_long(i);
        mp_list_append(l, v);
        MP_DECREF(v);
    }
    return l;
}

/* def f(x): return sys.getrefcount(x)
 * Calling f gives its frame a reference to the argument, held in the local
 * x until f returns, as CPython 3.11's frame holds its fast locals. */
static mp_ssize_t f(mp_object *arg)
{
    mp_object *x = mp_newref(arg);
    mp_ssize_t r = mp_getrefcount(x);
    MP_DECREF(x);
    return r;
}

static void step_names(mp_object *a)
{
    lab_step("Names are references");
    lab_say("Assignment never copies an object: it binds one more name to it, and the "
            "object's count goes up by one. sys.getrefcount shows the count, plus one for "
            "its own argument.");
    lab_py("a = [1, 2, 3]");
    count_after(3, "a = [1, 2, 3]", a, "rc_new", 2);
    lab_py("b = a");
    mp_object *b = mp_newref(a);
    count_after(3, "b = a", a, "rc_b", 3);
    lab_py("c = a");
    mp_object *c = mp_newref(a);
    count_after(3, "c = a", a, "rc_c", 4);
    lab_py("del b");
    MP_DECREF(b);
    count_after(3, "del b", a, "rc_del_b", 3);
    lab_py("del c");
    MP_DECREF(c);
    count_after(3, "del c", a, "rc_del_c", 2);
    lab_claim(3, "holds", "2, 3, 4, 3, 2 here and in CPython: each name is one reference.");
}

static void step_header(mp_object *a)
{
    lab_step("The header at id(a)");
    lab_say("id(a) is the address of the object's header. Its first word is the count, "
            "ob_refcnt, and its second the type. Reading them straight from memory (ctypes "
            "in the twin) shows the 'real' count: one reference, from the name a. "
            "getrefcount's argument is one more while the call runs.");
    lab_py("import ctypes");
    mp_ssize_t at_id = *(const mp_ssize_t *)mp_id(a);
    lab_check_int(33, "ctypes.c_ssize_t.from_address(id(a)).value", at_id, "ob_refcnt", 1);
    bool type_there = *(mp_type *const *)(mp_id(a) + 8) == MP_TYPE(a);
    lab_check_bool(33, "ctypes.c_void_p.from_address(id(a) + 8).value == id(type(a))", type_there,
                   "type_at_id_plus_8", true);
    lab_check_int(2, "sys.getrefcount(a) - ob_refcnt", mp_getrefcount(a) - at_id,
                  "getrefcount_extra", 1);
    lab_say("For a container the memory block starts 16 bytes before id(a): the GC header "
            "the cycle collector links objects through. sys.getsizeof counts it; "
            "__sizeof__ does not.");
    lab_check_int(33, "sys.getsizeof(a) - a.__sizeof__()",
                  (long long)(mp_getsizeof(a) - MP_TYPE(a)->tp_sizeof(a)), "gc_header_bytes", 16);
    lab_claim(2, "holds", "the header says 1 and sys.getrefcount says 2, in both runtimes.");
    lab_claim(33, "holds", "in CPython, id() is the address of the object's header (count "
                           "first, type next); a container's block begins 16 bytes earlier. "
                           "Other Pythons (PyPy) only promise a unique number.");
}

static void step_calls_and_containers(mp_object *a)
{
    lab_step("Calls and containers");
    lab_say("A call binds the argument to the parameter in a new frame: one more reference "
            "until the function returns and its frame goes away.");
    lab_py("def f(x): return sys.getrefcount(x)");
    lab_check_int(4, "f(a)", f(a), "rc_in_call", 3);
    count_after(4, "after f(a) returned", a, "rc_after_call", 2);

    lab_say("A container holds a reference per slot, so an object stored twice is "
            "counted twice. Deleting the container releases all of them at once.");
    lab_py("holder = [a]");
    mp_object *holder = mp_list_new(0);
    mp_list_append(holder, a);
    count_after(4, "holder = [a]", a, "rc_holder", 3);
    lab_py("holder.append(a)");
    mp_list_append(holder, a);
    count_after(4, "holder.append(a)", a, "rc_holder_twice", 4);
    lab_py("del holder");
    MP_DECREF(holder);
    count_after(4, "del holder", a, "rc_del_holder", 2);
    lab_claim(4, "holds", "a call, a list slot and a name each add one; return and del "
                          "each remove one (3, 2, 3, 4, 2 in both runtimes).");
}

static void step_freeing(void)
{
    lab_step("Freed at zero, at once");
    lab_say("When the count reaches zero the object is freed right there, inside the "
            "statement that dropped the last reference: no collector, no delay.");
    lab_py("class Noisy:\n"
           "    def __init__(self, tag): self.tag = tag\n"
           "    def __del__(self): events.append(self.tag)");
    lab_py("n = Noisy('freed')");
    mp_object *n = noisy_new("freed");
    mp_malloc_stats before, after;
    mp_get_malloc_stats(&before);
    events[0] = '\0';
    lab_py("events.append('before'); del n; events.append('after')");
    note_event("before");
    MP_DECREF(n);
    note_event("after");
    mp_get_malloc_stats(&after);
    lab_check_text(1, "','.join(events)", events, "del_order", "before,freed,after");
    lab_check_int(1, "# blocks freed by del n", (long long)(before.blocks_in_use - after.blocks_in_use),
                  NULL, 1);

    lab_say("A list's dealloc releases its items from the last to the first, so they die "
            "in reverse order, all inside the same del.");
    lab_py("lst = [Noisy(0), Noisy(1), Noisy(2)]");
    static const char *const tags[] = {"0", "1", "2"};
    mp_object *lst = mp_list_new(0);
    for (int i = 0; i < 3; i++) {
        mp_object *item = noisy_new(tags[i]);
        mp_list_append(lst, item);
        MP_DECREF(item);
    }
    events[0] = '\0';
    lab_py("events.clear(); del lst");
    MP_DECREF(lst);
    lab_check_text(1, "','.join(events)", events, "list_free_order", "2,1,0");
    lab_claim(1, "holds", "the dealloc ran inside `del n`, between the statements around it, "
                          "and its block went back to the allocator at that moment.");
}

/* The count work of one `b = a`: an increment, and a decrement when the
 * name is rebound, best of three runs of n. The empty asm statements make
 * the compiler store and reload the count each time, as real code does. */
static double ns_per_pair(mp_object *o, long n, bool atomic)
{
    double best = 0;
    for (int run = 0; run < 3; run++) {
        double t0 = lab_now();
        for (long i = 0; i < n; i++) {
            if (atomic) {
                __atomic_fetch_add(&o->ob_refcnt, 1, __ATOMIC_RELAXED);
                __atomic_fetch_sub(&o->ob_refcnt, 1, __ATOMIC_ACQ_REL);
            } else {
                MP_INCREF(o);
                __asm__ volatile("" ::: "memory");
                MP_DECREF(o);
                __asm__ volatile("" ::: "memory");
            }
        }
        double ns = (lab_now() - t0) * 1e9 / (double)n;
        if (run == 0 || ns < best)
            best = ns;
    }
    return best;
}

/* The getrefcount sequence of step 1, shortened: a, b = a, del b. */
static void counts_once(mp_ssize_t seen[3])
{
    mp_object *a = small_list();
    seen[0] = mp_getrefcount(a);
    mp_object *b = mp_newref(a);
    seen[1] = mp_getrefcount(a);
    MP_DECREF(b);
    seen[2] = mp_getrefcount(a);
    MP_DECREF(a);
}

static void step_cost(void)
{
    lab_step("What counting costs");
    lab_say("Counting is predictable: the same program gives the same counts on every run. "
            "It is not free: every `b = a` increments one count and decrements another.");
    mp_ssize_t first[3], again[3];
    bool same = true;
    counts_once(first);
    for (int run = 0; run < 3; run++) {
        counts_once(again);
        same &= memcmp(first, again, sizeof first) == 0;
    }
    lab_check_bool(5, "# the same counts on every run", same, "counts_repeatable", true);

    long n = repeat > 0 ? repeat : lab_quick() ? 1000000 : 10000000;
    mp_object *o = mp_int_from_long(1000);
    double plain = ns_per_pair(o, n, false);
    double atomic = ns_per_pair(o, n, true);
    MP_DECREF(o);
    lab_say("Timed over %ld pairs, best of three. CPython has no separate figure for the "
            "count work; its row is a whole `b = a` in a loop of %ld, less the empty loop: "
            "the two counts plus the LOAD_FAST and STORE_FAST instructions around them.",
            n, n);
    lab_show_measured("# ns per incref+decref", plain, "ns", NULL);
    lab_show_measured("# ns per atomic incref+decref", atomic, "ns", NULL);
    lab_show_measured("# ns per b = a", NAN, "ns", "ns_per_assignment");

    lab_say("Threads: CPython 3.11 takes no lock per count. The global interpreter lock "
            "lets one thread at a time run Python, so plain increments are safe. Counts "
            "shared by truly parallel threads would need atomic instructions, "
            LAB_MEASURED("%.1f") "x the cost "
            "here; free-threaded CPython 3.13 avoids most of them with biased counting.",
            plain > 0 ? atomic / plain : 0.0);

    lab_csv *cost = lab_csv_open("refcount_cost.csv", "operation,ns_per_op,runtime");
    lab_csv_row(cost, "incref+decref,%.3f,ours", plain);
    lab_csv_row(cost, "atomic incref+decref,%.3f,ours", atomic);
    double cpython;
    if (lab_twin_real("ns_per_assignment", &cpython))
        lab_csv_row(cost, "b = a,%.3f,cpython", cpython);
    lab_csv_close(cost);

    lab_claim(5, "partly", "immediate and predictable, yes (claims 1 and 3); each `b = a` "
                           "costs " LAB_MEASURED("%.2f")
                           " ns of counting here. Locking, no: CPython 3.11 relies "
                           "on the GIL instead; atomic counts would cost "
                           LAB_MEASURED("%.1f") "x.",
              plain, plain > 0 ? atomic / plain : 0.0);
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"01-refcount", "reference counts", "1-5, 33", options};
    lab_begin(&spec, argc, argv);
    steps_csv = lab_csv_open("refcount_steps.csv", "step,python,ours,cpython");

    mp_object *a = small_list();
    step_names(a);
    step_header(a);
    step_calls_and_containers(a);
    MP_DECREF(a);
    lab_csv_close(steps_csv);

    step_freeing();
    step_cost();
    return lab_end();
}
