/* lab.h — what every lab shares: the command line, the narration, the
 * checks against CPython's twin, the CSV files and the closing summary.
 *
 * A lab is a story in steps. Each step shows the Python it models, our
 * runtime's value, CPython's value (from the lab's twin.py, run once at the
 * start), and a ✓ or ✗ where a claim is checked. A check passes when our
 * value is the expected one and CPython's agrees; the expected value comes
 * from the claim or from arithmetic, never from our own output.
 *
 * One lab runs per process, so the lab's state is a single hidden global.
 */
#ifndef LAB_H
#define LAB_H

#include <stdbool.h>
#include <stdio.h>

/* A numeric option a lab adds to the common flags, e.g. --repeat N. */
typedef struct lab_option {
    const char *flag; /* "--repeat" */
    const char *help; /* one line for --help */
    long *value;      /* holds the default; set from the command line */
    long min, max;
} lab_option;

typedef struct lab_spec {
    const char *id;            /* "01-refcount": folder and binary name */
    const char *title;         /* "reference counts" */
    const char *claims;        /* "1-5, 33": the CLAIMS.md rows it checks */
    const lab_option *options; /* extra options, ended by {0}; may be NULL */
} lab_spec;

/* Exit codes every lab shares. LAB_EXIT_NO_MEMORY: an allocation failed
 * (for real, or made to by MP_FAIL_ALLOC=N); the lab said so in one line
 * on stderr, "lab 05: out of memory (MemoryError: ...) at step 3". */
enum { LAB_EXIT_OK = 0, LAB_EXIT_CHECK_FAILED = 1, LAB_EXIT_USAGE = 2, LAB_EXIT_NO_MEMORY = 3 };

/* Parses the command line (exiting 2 with usage on bad input), runs the
 * twin, starts the runtime and prints the lab's heading. */
void lab_begin(const lab_spec *spec, int argc, char **argv);
/* Before lab_begin: lets the twin run up to `seconds` instead of the usual
 * 60 s, for a twin that has a lot of CPython work to do. */
void lab_twin_timeout(int seconds);
/* Prints the claims and the summary line, stops the runtime, and returns
 * the process's exit code. */
int lab_end(void);

bool lab_quick(void); /* --quick: small sizes */

/* For runtime calls the story cannot go on without: o itself, or, when it
 * is NULL, the lab says what went wrong (the runtime's error and the step)
 * in one line on stderr and ends. A lab ends at the failed allocation
 * itself, whatever it called (lab_begin sets the runtime's nomemory hook),
 * so these only ever see other errors: a runtime bug. */
struct mp_object;
struct mp_object *lab_must(struct mp_object *o);
/* The same for a call that returns 0, or -1 with an error set. */
void lab_must_ok(int status);
/* '...' % args, a str of at most 63 bytes: a new reference, or NULL with
 * MemoryError. It calls the runtime by its plain name, so its allocation
 * keeps the site the caller stored (MP_AT, or a lab's own line), as
 * CPython keeps the Python line however deep in C an allocation happens. */
struct mp_object *lab_str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- narration ------------------------------------------------------------ */

/* A numbered step with its heading; steps are numbered in order. */
void lab_step(const char *title);
/* A paragraph of explanation, wrapped to the terminal's usual width. */
void lab_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The Python being modelled, shown as ">>> line"; further lines (after a
 * newline) get the "... " prompt, as at the interpreter. */
void lab_py(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An event as it happens, e.g. a dealloc running inside a del. */
void lab_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- values and checks -----------------------------------------------------
 * `what` is the Python expression whose value is shown (printed after
 * ">>> "), or a label starting with "#" for values that are not Python.
 * `key` names the twin's value for the CPython column; NULL means CPython
 * has no counterpart. `claim` is the CLAIMS.md row the check supports, or 0. */

/* Shows ours beside CPython's without checking; a NAN ours shows as "—",
 * for what only CPython has. */
void lab_show_int(const char *what, long long ours, const char *key);
void lab_show_real(const char *what, double ours, const char *unit, const char *key);
/* Shows a text beside the twin's; NULL ours shows as "—", for what only
 * CPython has (the name of a specialized instruction, say). */
void lab_show_text(const char *what, const char *ours, const char *key);
/* lab_show_real for a value measured on this run (a time, a ratio of times, a
 * resident size): both columns are marked with LAB_MEASURED. */
void lab_show_measured(const char *what, double ours, const char *unit, const char *key);
/* lab_show_int for a count that comes from a measurement (the n from which
 * one structure beats another, say) or that depends on the CPython build
 * (the count of 1): both columns marked. */
void lab_show_measured_int(const char *what, long long ours, const char *key);

/* Checks that ours == expected and CPython's == expected. */
bool lab_check_int(int claim, const char *what, long long ours, const char *key, long long expected);
bool lab_check_bool(int claim, const char *what, bool ours, const char *key, bool expected);
bool lab_check_text(int claim, const char *what, const char *ours, const char *key,
                    const char *expected);

/* The twin's value of key, when the twin ran and has it. */
bool lab_twin_int(const char *key, long long *out);
bool lab_twin_real(const char *key, double *out);
/* Item i of the twin's list under key. */
bool lab_twin_item_int(const char *key, size_t i, long long *out);

/* ---- claims ----------------------------------------------------------------- */

/* Records the verdict on a claim ("holds", "partly", "wrong") with one line
 * of evidence; printed at the end. The verdict stands only if every check
 * tagged with the claim passed. */
void lab_claim(int claim, const char *verdict, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- CPython 3.11's arithmetic, for expected values --------------------------- */

/* list_resize (Objects/listobject.c): a full list asked to hold newsize
 * items makes room for newsize + newsize/8 + 6, rounded down to a multiple
 * of 4. */
long lab_list_grown(long newsize);
/* The slots a list has after n appends from empty. */
long lab_list_capacity_after_appends(long n);

/* n as "10**k" for a power of ten from 100 up, else as a number; returns buf. */
const char *lab_power_text(long n, char *buf, size_t size);

/* ---- measurements ------------------------------------------------------------ */

/* Marks a printf conversion whose value changes from run to run or machine
 * to machine (a time, a rate, a ratio of times, a resident size), e.g.
 * lab_say("took " LAB_MEASURED("%.1f") " ns", ns). The marks are two control
 * characters that lab.c drops on output and counts as zero width, so the
 * transcript is unchanged; with MEMLAB_MARK_MEASURED=1 in the environment
 * they are printed, and scripts/refresh-handouts.py --check compares a
 * handout's expected output with a fresh run exactly except inside them.
 * Counts, sizes and checks are never marked. A marked value is one word. */
#define LAB_MARK_OPEN "\x0e"
#define LAB_MARK_CLOSE "\x0f"
#define LAB_MEASURED(conversion) LAB_MARK_OPEN conversion LAB_MARK_CLOSE

/* printf for a lab's own tables: the marks of LAB_MEASURED are handled. */
void lab_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Seconds on a monotonic clock. */
double lab_now(void);

/* A CSV file in the --csv directory, written whole or not at all: rows go
 * to a temporary file that lab_csv_close renames into place. Without --csv
 * every call is a no-op on NULL. */
typedef struct lab_csv lab_csv;
lab_csv *lab_csv_open(const char *name, const char *header);
void lab_csv_row(lab_csv *csv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lab_csv_close(lab_csv *csv);

#endif
