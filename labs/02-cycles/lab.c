/* Lab 02 — cycles and gc.collect().
 *
 * Reference counting frees an object when its last reference goes, so two
 * objects that refer to each other never get there. This lab builds such
 * cycles, reads their counts after every name is gone, counts what
 * gc.collect() finds for the articles' examples, follows __del__ through a
 * collection (and an object that refuses to die), and lets cycles pile up
 * with the collector switched off. Claims 6-10.
 *
 * In the C below, a C variable that holds a reference plays a Python name:
 * `x = Node()` is mp_instance_new and `del x` is MP_DECREF(x). A pointer
 * kept after its reference is dropped plays id(x): an address, no
 * reference, read only while the object is known to be alive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "mp.h"

static long cycles = -1, samples = -1;
static const lab_option options[] = {
    {"--cycles", "cycles of two nodes made per run in step 5 (default 10000; 2000 with --quick)",
     &cycles, 2000, 200000},
    {"--samples", "traced-memory samples per run in step 5 (default 50; 20 with --quick)", &samples,
     2, 1000},
    {0},
};

/* One Node of step 5, as CPython 3.11 lays it out: the object with its
 * pre-header and GC header (sys.getsizeof(Node())), and its values array
 * once the class's keys hold the one name 'other' and have shrunk to one
 * spare slot: new_values(2) asks for round_up(2 + 2, 8) + 2 × 8 bytes. */
#define NODE_BYTES 56
#define NODE_VALUES_BYTES 24

/* The attribute names, made once before anything is traced, as CPython's
 * compiler makes them once as constants of the code that uses them. */
static mp_object *other_name, *me_name, *tag_name;

/* `class Node: pass`, made by main. */
static mp_object *node_class;

static mp_object *new_node(void) { return mp_instance_new(node_class); }

/* x.attr = value */
static void set(mp_object *x, mp_object *attr, mp_object *value)
{
    if (mp_object_setattr(x, attr, value) < 0)
        mp_err_write_unraisable("setattr");
}

/* x.other = y; y.other = x */
static void tie(mp_object *x, mp_object *y)
{
    set(x, other_name, y);
    set(y, other_name, x);
}

static long long traced_now(void)
{
    size_t current, peak;
    mp_tracemalloc_get_traced_memory(&current, &peak);
    return (long long)current;
}

/* gc.collect() before a story, so that what the next one returns counts
 * only the story's objects (the twin does the same). */
static void collect_leftovers(void) { mp_gc_collect(-1); }

/* ---- 1: counting alone ---------------------------------------------------------- */

static void step_counting_alone(void)
{
    lab_step("A cycle outlives its names");
    lab_say("Two nodes that refer to each other, each also bound to a name. Each count is "
            "2: the name and the other node. sys.getrefcount adds one for its argument.");
    lab_py("class Node: pass");
    collect_leftovers();
    lab_py("tracemalloc.start()");
    mp_tracemalloc_start();
    long long start = traced_now();
    lab_py("a = Node(); b = Node(); a.other = b; b.other = a");
    mp_object *a = new_node(), *b = new_node();
    tie(a, b);
    long long made = traced_now();
    lab_check_int(6, "sys.getrefcount(a)", mp_getrefcount(a), "rc_a", 3);
    lab_show_int("# traced bytes the two nodes hold", made - start, "made_bytes");
    lab_say("Each node is a 56-byte object and an array for its attributes' values. The "
            "first instances of a class get arrays with room for many attributes (29, "
            "then 28); step 5 shows what later ones get.");

    lab_say("Now drop both names. Each count falls by one, to 1, not 0: the other node "
            "still refers to it. The twin reads the counts from memory at the addresses "
            "id() gave before the del, as lab 01 did.");
    lab_py("id_a, id_b = id(a), id(b)\ndel a, b");
    uintptr_t id_a = mp_id(a), id_b = mp_id(b);
    MP_DECREF(a);
    MP_DECREF(b);
    long long after_del = traced_now();
    lab_check_int(6, "ctypes.c_ssize_t.from_address(id_a).value", *(const mp_ssize_t *)id_a,
                  "rc_a_after_del", 1);
    lab_check_int(6, "ctypes.c_ssize_t.from_address(id_b).value", *(const mp_ssize_t *)id_b,
                  "rc_b_after_del", 1);
    lab_check_int(6, "# traced bytes freed by del a, b", made - after_del, "freed_by_del", 0);

    lab_say("Nothing can reach the nodes any more, yet counting keeps them. Only the "
            "cycle collector finds them: it looks for objects whose every reference comes "
            "from other objects in the same heap of garbage.");
    lab_check_int(6, "gc.collect()", mp_gc_collect(-1), "collect_step1", 2);
    long long after_collect = traced_now();
    mp_tracemalloc_stop();
    lab_check_bool(6, "# gc.collect() freed every byte they took",
                   after_del - after_collect == made - start, "collect_freed_all", true);
    lab_claim(6, "holds", "after `del a, b` both counts read 1 in both runtimes and not one "
                          "traced byte came back; gc.collect() found the 2 nodes and freed all "
                          "%lld bytes.",
              made - start);
}

/* ---- 2: what gc.collect() counts ---------------------------------------------------- */

/* any(type(r) is dict for r in gc.get_referents(x)) */
static bool refers_to_a_dict(mp_object *x)
{
    mp_object *referents = mp_gc_get_referents(x);
    bool found = false;
    for (mp_ssize_t i = 0; referents && i < mp_list_size(referents); i++)
        found |= mp_dict_check(mp_list_get_item(referents, i));
    MP_XDECREF(referents);
    return found;
}

static void two_nodes(bool ask_for_dicts)
{
    lab_py("x = Node(); y = Node(); x.other = y; y.other = x");
    mp_object *x = new_node(), *y = new_node();
    tie(x, y);
    if (ask_for_dicts) {
        lab_py("x.__dict__; y.__dict__");
        MP_XDECREF(mp_instance_dict(x));
        MP_XDECREF(mp_instance_dict(y));
    }
    lab_check_bool(7, "any(type(r) is dict for r in gc.get_referents(x))", refers_to_a_dict(x),
                   ask_for_dicts ? "x_has_dict_after_asking" : "x_has_dict", ask_for_dicts);
    lab_py("del x, y");
    MP_DECREF(x);
    MP_DECREF(y);
    lab_check_int(7, "gc.collect()", mp_gc_collect(-1),
                  ask_for_dicts ? "collect_nodes_with_dicts" : "collect_nodes",
                  ask_for_dicts ? 4 : 2);
}

static void step_what_collect_counts(void)
{
    lab_step("What gc.collect() counts");
    lab_say("gc.collect() returns how many unreachable objects it found. Objects, not "
            "cycles: every container in the garbage counts once. Each story below starts "
            "after a gc.collect() of its own, so nothing else is counted.");
    collect_leftovers();
    lab_py("a = {}; b = {}; a['b'] = b; b['a'] = a");
    mp_object *a = mp_dict_new(), *b = mp_dict_new();
    mp_object *key_a = mp_str_from_utf8("a"), *key_b = mp_str_from_utf8("b");
    mp_dict_setitem(a, key_b, b);
    mp_dict_setitem(b, key_a, a);
    lab_py("del a, b");
    MP_DECREF(a);
    MP_DECREF(b);
    lab_check_int(7, "gc.collect()", mp_gc_collect(-1), "collect_dicts", 2);
    MP_DECREF(key_a);
    MP_DECREF(key_b);

    lab_say("Two nodes make 2 as well, but only since Python 3.11. An instance of a plain "
            "class keeps its attributes in a values array beside the object, indexed by "
            "names the class shares; no dict object exists, so none is garbage. "
            "gc.get_referents(x) shows what x holds: no dict.");
    collect_leftovers();
    two_nodes(false);

    lab_say("Asking for x.__dict__ makes the dict (CPython 3.11 turns the values array "
            "into one on demand), and from then on the instance uses it. Each node now "
            "brings a dict into the garbage: 4 objects, what Python 3.10 and older counted "
            "for any two nodes.");
    collect_leftovers();
    two_nodes(true);

    lab_say("An object that refers to itself is a cycle of one.");
    collect_leftovers();
    lab_py("s = Node(); s.other = s");
    mp_object *s = new_node();
    set(s, other_name, s);
    lab_py("del s");
    MP_DECREF(s);
    lab_check_int(7, "gc.collect()", mp_gc_collect(-1), "collect_self", 1);
    lab_claim(7, "holds", "2 for the dicts, 2 for the nodes, 1 for the self-reference, in both "
                          "runtimes. The count is of objects: once the nodes' __dict__ had been "
                          "asked for it was 4, what Python 3.10 returns for any two nodes.");
}

/* ---- 3: a list that contains itself -------------------------------------------------- */

static void step_list_in_itself(void)
{
    lab_step("A list that contains itself");
    lab_say("One article says a list that contains itself is collected while its name "
            "still refers to it, and prints 1. The name is a reference from outside the "
            "list, so the collector must leave it alone.");
    collect_leftovers();
    lab_py("lst = []; lst.append(lst)");
    mp_object *lst = mp_list_new(0);
    mp_list_append(lst, lst);
    lab_check_int(8, "sys.getrefcount(lst)", mp_getrefcount(lst), "rc_lst", 3);
    lab_say("3: the name, the list's own slot, and the argument.");
    lab_check_int(8, "gc.collect()", mp_gc_collect(-1), "collect_bound_list", 0);
    char text[32];
    lab_check_text(8, "repr(lst)", mp_repr(lst, text, sizeof text), "repr_lst", "[[...]]");
    lab_check_bool(8, "lst[0] is lst", mp_list_get_item(lst, 0) == lst, "lst_still_there", true);
    lab_say("Only once the name is gone is the list garbage, and then it counts 1.");
    lab_py("del lst");
    MP_DECREF(lst);
    lab_check_int(8, "gc.collect()", mp_gc_collect(-1), "collect_unbound_list", 1);
    lab_claim(8, "wrong", "while lst is bound, gc.collect() returns 0 and the list is intact "
                          "in both runtimes; the 1 comes only after `del lst`.");
}

/* ---- 4: __del__ in a cycle ---------------------------------------------------------- */

/* events, as the twin's list of them, joined by commas. */
static char events[96];
static bool every_cycle_whole = true;

static void note_event(const char *e)
{
    size_t used = strlen(events);
    snprintf(events + used, sizeof events - used, "%s%s", used ? "," : "", e);
}

static void tag_of(mp_object *o, char *buf, size_t size)
{
    mp_object *tag = o ? mp_object_getattr(o, tag_name) : NULL;
    snprintf(buf, size, "?");
    if (tag)
        mp_str_as_utf8(tag, buf, size);
    MP_XDECREF(tag);
}

/* def __del__(self):
 *     whole.append(self.other.other is self); events.append(self.tag)
 * every_cycle_whole plays all(whole). */
static void d_del(mp_object *self)
{
    char tag[16], other_tag[16];
    mp_object *other = mp_object_getattr(self, other_name);
    mp_object *back = other ? mp_object_getattr(other, other_name) : NULL;
    every_cycle_whole &= back == self;
    tag_of(self, tag, sizeof tag);
    tag_of(other, other_tag, sizeof other_tag);
    lab_event("D('%s').__del__ runs; self.other is D('%s'), %s", tag, other_tag,
              back == self ? "its cycle whole" : "its cycle broken");
    MP_XDECREF(back);
    MP_XDECREF(other);
    note_event(tag);
}

/* gc.callbacks.append(lambda phase, info: events.append(phase)) */
static void note_phase(const char *phase, const mp_gc_info *info, void *arg)
{
    (void)arg;
    if (strcmp(phase, "start") == 0)
        lab_event("gc.collect() starts");
    else
        lab_event("gc.collect() stops: %td collected", info->collected);
    note_event(phase);
}

/* `global saved` of the resurrection story, and its __del__'s calls. */
static mp_object *saved;
static int phoenix_dels;

/* def __del__(self): global saved; saved = self */
static void phoenix_del(mp_object *self)
{
    phoenix_dels++;
    lab_event("Phoenix.__del__ runs: saved = self, a new reference from outside");
    saved = mp_newref(self);
}

static mp_object *new_d(mp_object *cls, const char *text)
{
    mp_object *d = mp_instance_new(cls), *tag = mp_str_from_utf8(text);
    set(d, tag_name, tag);
    MP_DECREF(tag);
    return d;
}

static void step_del_in_cycles(void)
{
    lab_step("__del__ in a cycle");
    lab_say("Before Python 3.4 the collector would not guess an order for the __del__ "
            "methods of a cycle: it left such cycles uncollected, in gc.garbage. PEP 442 "
            "changed that. The collector now calls every finalizer of the garbage first, "
            "once each, while the objects are still whole, and frees them after.");
    lab_py("class D:\n"
           "    def __init__(self, tag): self.tag = tag\n"
           "    def __del__(self):\n"
           "        whole.append(self.other.other is self); events.append(self.tag)");
    mp_object *d_class = mp_class_new("D", NULL);
    mp_class_set_del(d_class, d_del);
    collect_leftovers();
    lab_py("x = D('x'); y = D('y'); x.other = y; y.other = x\ndel x, y");
    mp_object *x = new_d(d_class, "x"), *y = new_d(d_class, "y");
    tie(x, y);
    MP_DECREF(x);
    MP_DECREF(y);
    lab_py("gc.callbacks.append(lambda phase, info: events.append(phase))");
    mp_gc_callback_add(note_phase, NULL);
    lab_py("events.append('collect'); n = gc.collect(); events.append('done')");
    note_event("collect");
    mp_ssize_t n = mp_gc_collect(-1);
    note_event("done");
    mp_gc_callback_remove(note_phase, NULL);
    lab_check_text(9, "','.join(events)", events, "del_events", "collect,start,x,y,stop,done");
    lab_check_bool(9, "all(whole)", every_cycle_whole, "del_saw_cycle_whole", true);
    lab_check_int(9, "n", n, "collect_with_del", 2);
    lab_say("Both __del__ ran inside the collection, in the order the two were made (the "
            "order of the collector's list), each seeing its cycle whole; the two were "
            "freed after, before the collection stopped.");

    lab_say("A finalizer can resurrect its object by storing a new reference to it. The "
            "collector looks again after the finalizers: what they made reachable is left "
            "alone. The finalizer never runs a second time for the same object; when it "
            "dies again it is simply freed.");
    lab_py("class Phoenix:\n"
           "    def __del__(self):\n"
           "        global saved; saved = self");
    mp_object *phoenix_class = mp_class_new("Phoenix", NULL);
    mp_class_set_del(phoenix_class, phoenix_del);
    collect_leftovers();
    lab_py("p = Phoenix(); p.me = p; del p");
    mp_object *p = mp_instance_new(phoenix_class);
    set(p, me_name, p);
    MP_DECREF(p);
    lab_py("n = gc.collect()");
    lab_check_int(9, "n", mp_gc_collect(-1), "collect_resurrected", 0);
    mp_object *me = saved ? mp_object_getattr(saved, me_name) : NULL;
    lab_check_bool(9, "saved.me is saved", saved && me == saved, "saved_intact", true);
    MP_XDECREF(me);
    lab_check_int(9, "gc.collect()", mp_gc_collect(-1), "collect_resurrected_again", 0);
    lab_say("saved holds it now. Drop saved, and the self-cycle is garbage again:");
    lab_py("del saved");
    MP_CLEAR(saved);
    lab_check_int(9, "gc.collect()", mp_gc_collect(-1), "collect_after_del_saved", 1);
    lab_check_int(9, "# Phoenix.__del__ calls", phoenix_dels, "phoenix_dels", 1);
    lab_say("Since PEP 442 nothing ends up in gc.garbage for having a __del__: only "
            "objects of C types with the old tp_del slot can, and DEBUG_SAVEALL puts "
            "everything there on purpose.");
    lab_check_int(9, "len(gc.garbage)", mp_list_size(mp_gc_garbage()), "garbage_len", 0);
    MP_DECREF(d_class);
    MP_DECREF(phoenix_class);
    lab_claim(9, "holds", "since Python 3.4 (PEP 442): the cycle of two D's was collected, "
                          "gc.collect() returned 2 and each __del__ ran once, seeing its cycle "
                          "whole; a __del__ that resurrects keeps its object alive, and never "
                          "runs again. gc.garbage stayed empty in both runtimes.");
}

/* ---- 5: gc.disable() ------------------------------------------------------------------ */

/* What one run of step 5's loop saw: traced bytes above the start, at
 * each sample. */
typedef struct pile_run {
    long long *mem; /* samples + 1 values; mem[0] is before the loop */
    long long max;  /* of the samples */
    long long end;  /* after the loop and `del x, y` */
} pile_run;

/* Iteration at which sample k is taken. */
static long sample_at(long k, long n, long nsamples) { return (long)((long long)k * n / nsamples); }

/* for i in range(n): x = Node(); y = Node(); x.other = y; y.other = x
 * then del x, y; traced memory sampled as it goes, unless run->mem is
 * NULL. Tracing is left on. */
static void pile_cycles(long n, long nsamples, pile_run *run)
{
    mp_tracemalloc_start();
    long long start = traced_now();
    mp_object *x = NULL, *y = NULL;
    long k = run->mem ? 1 : nsamples + 1;
    run->max = 0;
    for (long i = 1; i <= n; i++) {
        mp_object *nx = new_node();
        MP_XDECREF(x);
        x = nx;
        mp_object *ny = new_node();
        MP_XDECREF(y);
        y = ny;
        tie(x, y);
        if (k <= nsamples && i == sample_at(k, n, nsamples)) {
            run->mem[k] = traced_now() - start;
            if (run->mem[k] > run->max)
                run->max = run->mem[k];
            k++;
        }
    }
    MP_DECREF(x);
    MP_DECREF(y);
    run->end = traced_now() - start;
}

static int auto_collections;
static mp_ssize_t auto_collected;

static void count_collection(const char *phase, const mp_gc_info *info, void *arg)
{
    (void)arg;
    if (strcmp(phase, "stop") != 0)
        return;
    auto_collections++;
    auto_collected += info->collected;
}

static void step_disable(void)
{
    long n = cycles > 0 ? cycles : lab_quick() ? 2000 : 10000;
    long ns = samples > 0 ? samples : lab_quick() ? 20 : 50;
    long long per_cycle = 2 * (NODE_BYTES + NODE_VALUES_BYTES);
    lab_step("gc.disable() lets cycles pile up");
    lab_say("A loop makes %ld cycles of two nodes and drops each one when the names move "
            "on to the next. The collector normally runs by itself whenever allocations "
            "of containers exceed deallocations by 700 (gc.get_threshold()[0]); "
            "gc.disable() stops that, and only gc.collect() still works.",
            n);
    lab_py("def pile():\n"
           "    for i in range(%ld):\n"
           "        x = Node(); y = Node(); x.other = y; y.other = x",
           n);

    pile_run on = {calloc((size_t)ns + 1, sizeof(long long)), 0, 0};
    pile_run off = {calloc((size_t)ns + 1, sizeof(long long)), 0, 0};
    if (!on.mem || !off.mem) {
        fprintf(stderr, "lab 02: out of memory for %ld samples\n", ns);
        exit(LAB_EXIT_USAGE);
    }

    collect_leftovers();
    mp_gc_callback_add(count_collection, NULL);
    lab_py("pile()                          # gc enabled");
    pile_cycles(n, ns, &on);
    mp_gc_callback_remove(count_collection, NULL);
    mp_gc_collect(-1);
    mp_tracemalloc_stop();
    lab_show_int("# collections that ran by themselves", auto_collections, "on_collections");
    lab_show_int("# traced bytes at most, gc enabled", on.max, "on_max");

    collect_leftovers();
    lab_py("gc.disable(); pile()");
    mp_gc_disable();
    pile_cycles(n, ns, &off);
    lab_show_int("# traced bytes after the loop, gc off", off.end, "off_end");
    long half = ns / 2, mid = sample_at(half, n, ns);
    double slope = (double)(off.mem[ns] - off.mem[half]) / (double)(n - mid);
    mp_object *one = new_node();
    lab_check_int(10, "sys.getsizeof(Node())", (long long)mp_getsizeof(one), "sizeof_node",
                  NODE_BYTES);
    MP_DECREF(one);
    lab_say("Each node is a %d-byte object (sys.getsizeof(Node())) plus a values array: "
            "CPython 3.11's new_values(size) asks for round_up(size + 2, 8) + 8 × size "
            "bytes, and once a few dozen Nodes exist, size is the one name 'other' plus "
            "one spare slot, %d bytes. So each cycle left behind should hold 2 × (%d + %d) "
            "= %lld bytes.",
            NODE_BYTES, NODE_VALUES_BYTES, NODE_BYTES, NODE_VALUES_BYTES, per_cycle);
    lab_check_int(10, "# bytes each cycle adds, gc off", (long long)(slope + 0.5),
                  "off_bytes_per_cycle", per_cycle);
    char what[96];
    snprintf(what, sizeof what, "# gc off ends above 0.9 × %ld × %lld", n, per_cycle);
    lab_check_bool(10, what, off.end > 9 * n * per_cycle / 10, "off_grew_linearly", true);
    lab_check_bool(10, "# gc on: at most 1/4 of where gc off ends", on.max * 4 < off.end,
                   "on_stayed_bounded", true);

    lab_say("One gc.collect() finds all of them: exactly 2 objects per cycle, nodes whose "
            "attributes are in values arrays.");
    lab_check_int(10, "gc.collect()", mp_gc_collect(-1), "off_collect", 2LL * n);
    long long back = traced_now();
    lab_check_bool(10, "# traced bytes back within 1% of the start", back * 100 < off.end,
                   "off_back", true);
    mp_tracemalloc_stop();

    lab_say("gc.enable() frees nothing by itself. It lets the next container allocation "
            "start a collection, since far more than 700 were allocated; that collection "
            "of generation 0, where everything piled up is, finds all of it. "
            "gc.callbacks reports what it collected.");
    collect_leftovers();
    lab_py("gc.disable(); pile()");
    mp_gc_disable();
    pile_run again = {NULL, 0, 0};
    pile_cycles(n, ns, &again);
    long long piled = traced_now();
    lab_py("gc.enable()");
    mp_gc_enable();
    lab_check_bool(10, "# traced bytes unchanged by gc.enable()", traced_now() == piled,
                   "enable_frees_nothing", true);
    auto_collections = 0;
    auto_collected = 0;
    mp_gc_callback_add(count_collection, NULL);
    lab_py("z = Node()");
    mp_object *z = new_node();
    mp_gc_callback_remove(count_collection, NULL);
    lab_check_int(10, "# collected by the collection z = Node() started", auto_collected,
                  "enable_collected", 2LL * n);
    MP_DECREF(z);
    mp_tracemalloc_stop();

    lab_csv *csv = lab_csv_open("cycles_memory.csv",
                                "iteration,ours_on,ours_off,cpython_on,cpython_off");
    for (long k = 0; k <= ns; k++) {
        long long con, coff;
        if (lab_twin_item_int("on_bytes", (size_t)k, &con) &&
            lab_twin_item_int("off_bytes", (size_t)k, &coff))
            lab_csv_row(csv, "%ld,%lld,%lld,%lld,%lld", sample_at(k, n, ns), on.mem[k], off.mem[k],
                        con, coff);
        else
            lab_csv_row(csv, "%ld,%lld,%lld,,", sample_at(k, n, ns), on.mem[k], off.mem[k]);
    }
    lab_csv_close(csv);
    lab_claim(10, "holds", "with gc off, every cycle kept its %lld bytes (%lld after %ld cycles); "
                           "with gc on, the highest of %ld samples was %lld. One gc.collect() "
                           "found %ld objects, 2 per cycle, as did the first collection after "
                           "gc.enable().",
              per_cycle, off.end, n, ns, on.max, 2 * n);
    free(on.mem);
    free(off.mem);
}

int main(int argc, char **argv)
{
    static const lab_spec spec = {"02-cycles", "cycles and gc.collect()", "6-10", options};
    lab_begin(&spec, argc, argv);
    other_name = mp_str_intern_from_utf8("other");
    me_name = mp_str_intern_from_utf8("me");
    tag_name = mp_str_intern_from_utf8("tag");
    node_class = mp_class_new("Node", NULL);

    step_counting_alone();
    step_what_collect_counts();
    step_list_in_itself();
    step_del_in_cycles();
    step_disable();

    MP_DECREF(node_class);
    MP_DECREF(other_name);
    MP_DECREF(me_name);
    MP_DECREF(tag_name);
    return lab_end();
}
