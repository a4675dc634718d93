/* lab.c — the lab contract, shared by every lab. See lab.h.
 *
 * Read lab_begin first: it parses the command line, runs the twin (the same
 * experiment on the real CPython, which prints JSON), and starts the
 * runtime. The checks then compare three things per row: our value, the
 * expected value (from the claim or from arithmetic) and CPython's.
 *
 * Invariants:
 *   - Every check is counted exactly once, as passed or failed, and the
 *     last line of the output is "lab NN: P checks passed, F failed".
 *   - Nothing here allocates through the runtime, so the lab's own
 *     bookkeeping never shows in the runtime's memory statistics.
 *   - A CSV file exists whole or not at all.
 */
#define _POSIX_C_SOURCE 200809L

#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "mp.h"

#ifndef MEMLAB_ROOT
#define MEMLAB_ROOT "."
#endif

#define TWIN_TIMEOUT_S 60 /* generous: a loaded classroom machine is slow, a hung twin rare */
#define TWIN_MAX_OUTPUT (1 << 20)
#define TEXT_WIDTH 76
#define INDENT "   "
#define LABEL_WIDTH 34
#define VALUE_WIDTH 12
#define MAX_CLAIMS 40

typedef struct claim_note {
    int claim;
    char verdict[16];
    char evidence[600];
} claim_note;

static struct {
    const lab_spec *spec;
    const char *program;
    bool quick, check, no_twin, color;
    bool mark_measured; /* MEMLAB_MARK_MEASURED=1: print LAB_MEASURED's marks */
    const char *csv_dir;
    char forwarded[512]; /* lab options given, passed on to the twin */

    json *twin;
    int twin_timeout_s;
    char twin_note[200]; /* why there is no twin, or which python ran */
    bool twin_is_model;  /* the twin runs CPython 3.11, the version modelled */

    int step;
    int passed, failed;
    bool io_failed;
    struct lab_csv *open_csvs; /* not yet closed: removed if the lab dies */
    claim_note claims[MAX_CLAIMS];
    int nclaims;
    int claim_failures[100];
} L;

/* Formats a variadic function's arguments into the array buf. */
#define FORMAT_ARGS(buf, fmt)                                                                  \
    do {                                                                                       \
        va_list ap_;                                                                           \
        va_start(ap_, fmt);                                                                    \
        vsnprintf(buf, sizeof buf, fmt, ap_);                                                  \
        va_end(ap_);                                                                           \
    } while (0)

/* ---- output helpers --------------------------------------------------------- */

static const char *color(const char *code) { return L.color ? code : ""; }
#define BOLD color("\033[1m")
#define DIM color("\033[2m")
#define RED color("\033[31m")
#define GREEN color("\033[32m")
#define YELLOW color("\033[33m")
#define CYAN color("\033[36m")
#define RESET color("\033[0m")

static bool is_mark(char c) { return c == LAB_MARK_OPEN[0] || c == LAB_MARK_CLOSE[0]; }

/* Columns a UTF-8 string takes: one per code point; the marks take none, so
 * marking a value never moves a column or a line break. */
static int display_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80 && !is_mark(*s);
    return w;
}

/* Every text a lab prints passes here: the marks go out only when asked. */
static void put(const char *s)
{
    for (; *s; s++)
        if (L.mark_measured || !is_mark(*s))
            putchar(*s);
}

void lab_printf(const char *fmt, ...)
{
    char text[2048];
    FORMAT_ARGS(text, fmt);
    put(text);
}

/* Pads a column to n; a value wider than its column still gets a gap. */
static void pad(int n)
{
    if (n < 2)
        n = 2;
    for (; n > 0; n--)
        putchar(' ');
}

static void print_wrapped(const char *indent, const char *text)
{
    int col = 0;
    const char *p = text;
    fputs(indent, stdout);
    while (*p) {
        if (*p == '\n') {
            printf("\n%s", indent);
            col = 0;
            p++;
            continue;
        }
        const char *end = p;
        while (*end && *end != ' ' && *end != '\n')
            end++;
        char word[256];
        size_t n = (size_t)(end - p) < sizeof word - 1 ? (size_t)(end - p) : sizeof word - 1;
        memcpy(word, p, n);
        word[n] = '\0';
        int w = display_width(word);
        if (col > 0 && col + 1 + w > TEXT_WIDTH - (int)strlen(indent)) {
            printf("\n%s", indent);
            col = 0;
        } else if (col > 0) {
            putchar(' ');
            col++;
        }
        put(word);
        col += w;
        p = end;
        while (*p == ' ')
            p++;
    }
    putchar('\n');
}

static void rule(const char *title)
{
    printf("\n%s── %s ", BOLD, title);
    for (int i = display_width(title) + 4; i < TEXT_WIDTH; i++)
        fputs("─", stdout);
    printf("%s\n", RESET);
}

/* ---- the command line ---------------------------------------------------------- */

static void usage(FILE *out)
{
    const lab_spec *s = L.spec;
    fprintf(out, "usage: %s [--quick] [--check] [--csv DIR] [--no-twin] [--no-color]", L.program);
    for (const lab_option *o = s->options; o && o->flag; o++)
        fprintf(out, " [%s N]", o->flag);
    fprintf(out, " [--help]\n\n");
    fprintf(out, "Lab %.2s: %s. Checks claims %s of CLAIMS.md against this runtime and\n", s->id,
            s->title, s->claims);
    fprintf(out, "the CPython on this machine (labs/%s/twin.py).\n\n", s->id);
    fprintf(out, "  --quick       small sizes: the whole lab in well under a second\n"
                 "  --check       exit 1 if any checked claim fails\n"
                 "  --csv DIR     write the measurements as CSV files into DIR\n"
                 "  --no-twin     do not run CPython; its column shows n/a\n"
                 "  --no-color    plain output (also when stdout is not a terminal)\n");
    for (const lab_option *o = s->options; o && o->flag; o++) {
        char flag[32];
        snprintf(flag, sizeof flag, "%s N", o->flag);
        fprintf(out, "  %-14s%s\n", flag, o->help);
    }
    fprintf(out, "  --help        this text\n\n"
                 "MP_FAIL_ALLOC=N in the environment makes the runtime's Nth allocation fail:\n"
                 "the lab stops there with one line on stderr and exit status 3.\n");
}

static _Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void usage_error(const char *fmt, ...)
{
    char text[512];
    FORMAT_ARGS(text, fmt);
    fprintf(stderr, "%s: %s\n", L.program, text);
    usage(stderr);
    exit(LAB_EXIT_USAGE);
}

static long parse_number(const lab_option *o, const char *text)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno == ERANGE)
        usage_error("%s: '%s' is not a whole number", o->flag, text);
    if (v < o->min)
        usage_error("%s must be at least %ld, not %ld", o->flag, o->min, v);
    if (v > o->max)
        usage_error("%s must be at most %ld, not %ld", o->flag, o->max, v);
    return v;
}

static int mkdir_parents(const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0777) < 0 && errno != EEXIST ? -1 : 0;
}

/* The directory must exist (it is made if missing) and take a new file:
 * found out now, not after the experiment has run. */
static void check_csv_dir(const char *dir)
{
    char probe[PATH_MAX];
    int fd = -1;
    if (mkdir_parents(dir) == 0 &&
        snprintf(probe, sizeof probe, "%s/.memlab-probe-%d", dir, (int)getpid()) < (int)sizeof probe)
        fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        usage_error("--csv: cannot write to directory '%s': %s", dir, strerror(errno));
    close(fd);
    unlink(probe);
}

static const char *option_value(int argc, char **argv, int *i, const char *flag)
{
    const char *arg = argv[*i];
    size_t n = strlen(flag);
    if (arg[n] == '=')
        return arg + n + 1;
    if (*i + 1 >= argc)
        usage_error("%s needs a value", flag);
    return argv[++*i];
}

static bool flag_matches(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static void parse_args(int argc, char **argv)
{
    bool no_color = getenv("NO_COLOR") != NULL;
    const char *mark = getenv("MEMLAB_MARK_MEASURED");
    L.mark_measured = mark && !strcmp(mark, "1");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--quick"))
            L.quick = true;
        else if (!strcmp(a, "--check"))
            L.check = true;
        else if (!strcmp(a, "--no-twin"))
            L.no_twin = true;
        else if (!strcmp(a, "--no-color"))
            no_color = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(LAB_EXIT_OK);
        } else if (flag_matches(a, "--csv")) {
            L.csv_dir = option_value(argc, argv, &i, "--csv");
            if (!*L.csv_dir)
                usage_error("--csv needs a directory");
        } else {
            const lab_option *o = L.spec->options;
            while (o && o->flag && !flag_matches(a, o->flag))
                o++;
            if (!o || !o->flag)
                usage_error(a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", a);
            *o->value = parse_number(o, option_value(argc, argv, &i, o->flag));
            size_t used = strlen(L.forwarded);
            snprintf(L.forwarded + used, sizeof L.forwarded - used, "%s%s=%ld", used ? " " : "",
                     o->flag, *o->value);
        }
    }
    if (L.csv_dir)
        check_csv_dir(L.csv_dir);
    L.color = !no_color && isatty(STDOUT_FILENO);
}

/* ---- the twin ------------------------------------------------------------------- */

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Reads the child's stdout and stderr until both close or the time is up.
 * Returns false on timeout. */
static bool collect(int out_fd, int err_fd, char *out, size_t *out_len, char *err, size_t err_cap,
                    int timeout_ms)
{
    struct pollfd fds[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = err_fd, .events = POLLIN}};
    size_t err_len = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int open_fds = 2;
    while (open_fds > 0) {
        int left = timeout_ms - (int)ms_since(&t0);
        int ready = left > 0 ? poll(fds, 2, left) : 0;
        if (ready == 0 || (ready < 0 && errno != EINTR))
            return false;
        if (ready < 0)
            continue;
        for (int k = 0; k < 2; k++) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t n = read(fds[k].fd, buf, sizeof buf);
            if (n <= 0) {
                fds[k].fd = -1;
                open_fds--;
                continue;
            }
            if (k == 0) {
                size_t take = *out_len + (size_t)n < TWIN_MAX_OUTPUT ? (size_t)n : 0;
                memcpy(out + *out_len, buf, take);
                *out_len += take;
            } else {
                size_t take = err_len + (size_t)n < err_cap - 1 ? (size_t)n : err_cap - 1 - err_len;
                memcpy(err + err_len, buf, take);
                err_len += take;
            }
        }
    }
    err[err_len] = '\0';
    return true;
}

static const char *last_line(char *text)
{
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    char *nl = strrchr(text, '\n');
    return nl ? nl + 1 : text;
}

/* Runs labs/<id>/twin.py with the same sizes and keeps its JSON, or a
 * one-line reason why there is none. */
static void run_twin(void)
{
    if (L.no_twin) {
        snprintf(L.twin_note, sizeof L.twin_note, "not run (--no-twin)");
        return;
    }
    const char *root = getenv("MEMLAB_ROOT") ? getenv("MEMLAB_ROOT") : MEMLAB_ROOT;
    const char *python = getenv("MEMLAB_PYTHON") ? getenv("MEMLAB_PYTHON") : "python3";
    char script[PATH_MAX];
    snprintf(script, sizeof script, "%s/labs/%s/twin.py", root, L.spec->id);
    if (access(script, R_OK) != 0) {
        snprintf(L.twin_note, sizeof L.twin_note, "no twin at %.150s", script);
        return;
    }

    char *argv[64] = {(char *)python, script};
    int argc = 2;
    if (L.quick)
        argv[argc++] = "--quick";
    char forwarded[sizeof L.forwarded];
    memcpy(forwarded, L.forwarded, sizeof forwarded);
    for (char *tok = strtok(forwarded, " "); tok && argc < 62; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    argv[argc] = NULL;

    int out[2], err[2];
    if (pipe(out) < 0 || pipe(err) < 0) {
        snprintf(L.twin_note, sizeof L.twin_note, "cannot start: %s", strerror(errno));
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        close(out[0]), close(out[1]), close(err[0]), close(err[1]);
        execvp(python, argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        close(out[0]), close(err[0]);
        snprintf(L.twin_note, sizeof L.twin_note, "cannot start: %s", strerror(errno));
        return;
    }
    int timeout_s = L.twin_timeout_s > 0 ? L.twin_timeout_s : TWIN_TIMEOUT_S;
    char *text = malloc(TWIN_MAX_OUTPUT + 1), errtext[2048];
    size_t len = 0;
    bool finished =
        text && collect(out[0], err[0], text, &len, errtext, sizeof errtext, timeout_s * 1000);
    close(out[0]);
    close(err[0]);
    if (!finished)
        kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);

    if (!finished) {
        snprintf(L.twin_note, sizeof L.twin_note, "twin timed out after %d s", timeout_s);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        snprintf(L.twin_note, sizeof L.twin_note, "%s not found", python);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(L.twin_note, sizeof L.twin_note, "twin failed: %.150s", last_line(errtext));
    } else {
        char why[120];
        text[len] = '\0';
        L.twin = json_parse(text, why, sizeof why);
        const json *version = json_get(L.twin, "python");
        if (!L.twin)
            snprintf(L.twin_note, sizeof L.twin_note, "twin printed no valid JSON (%s)", why);
        else if (!version || version->kind != JSON_STRING)
            snprintf(L.twin_note, sizeof L.twin_note, "twin's JSON has no \"python\" version");
        else {
            L.twin_is_model = strncmp(version->string, "3.11.", 5) == 0;
            snprintf(L.twin_note, sizeof L.twin_note, "CPython " LAB_MEASURED("%s") " (%s)",
                     version->string, python);
        }
        if (L.twin && (!version || version->kind != JSON_STRING)) {
            json_free(L.twin);
            L.twin = NULL;
        }
    }
    free(text);
}

static const json *twin_value(const char *key) { return key && L.twin ? json_get(L.twin, key) : NULL; }

static bool json_int(const json *v, long long *out)
{
    if (v && v->kind == JSON_NUMBER && v->is_integer)
        *out = v->integer;
    else if (v && v->kind == JSON_BOOL)
        *out = v->boolean;
    else
        return false;
    return true;
}

bool lab_twin_int(const char *key, long long *out) { return json_int(twin_value(key), out); }

bool lab_twin_item_int(const char *key, size_t i, long long *out)
{
    const json *v = twin_value(key);
    return v && v->kind == JSON_ARRAY && i < v->count && json_int(&v->items[i], out);
}

bool lab_twin_real(const char *key, double *out)
{
    const json *v = twin_value(key);
    if (!v || v->kind != JSON_NUMBER)
        return false;
    *out = v->number;
    return true;
}

/* ---- rows: what, ours, CPython, verdict ---------------------------------------------- */

typedef enum { TWIN_NONE, TWIN_NA, TWIN_MISSING, TWIN_AGREES, TWIN_DIFFERS } twin_state;

static void print_label(const char *what)
{
    bool python = what[0] != '#';
    printf("%s%s%s%s", INDENT, python ? CYAN : DIM, python ? ">>> " : "", RESET);
    put(what);
    int used = display_width(what) + (python ? 4 : 0);
    if (used > LABEL_WIDTH - 2) {
        printf("\n%s", INDENT);
        used = 0;
    }
    pad(LABEL_WIDTH - used);
}

static void print_row(const char *what, const char *ours, const char *cpython, twin_state ts)
{
    print_label(what);
    fputs("ours ", stdout);
    put(ours);
    pad(VALUE_WIDTH - display_width(ours));
    const char *shown = ts == TWIN_NONE ? "—" : ts == TWIN_NA || ts == TWIN_MISSING ? "n/a" : cpython;
    bool dim = ts == TWIN_NONE || ts == TWIN_NA || ts == TWIN_MISSING;
    printf("%sCPython ", dim ? DIM : "");
    put(shown);
    fputs(dim ? RESET : "", stdout);
    pad(VALUE_WIDTH - display_width(shown));
}

static void twin_text(const char *key, char *buf, size_t n, twin_state *ts)
{
    const json *v = twin_value(key);
    buf[0] = '\0';
    if (!key)
        *ts = TWIN_NONE;
    else if (!L.twin)
        *ts = TWIN_NA;
    else if (!v)
        *ts = TWIN_MISSING;
    else {
        *ts = TWIN_AGREES;
        switch (v->kind) {
        case JSON_BOOL: snprintf(buf, n, "%s", v->boolean ? "True" : "False"); break;
        case JSON_STRING: snprintf(buf, n, "%s", v->string); break;
        case JSON_NUMBER:
            if (v->is_integer)
                snprintf(buf, n, "%lld", v->integer);
            else
                snprintf(buf, n, "%.4g", v->number);
            break;
        default: snprintf(buf, n, "?"); break;
        }
    }
}

/* Prints the verdict at the end of a row and counts it. */
static bool verdict(int claim, bool ours_ok, twin_state ts, const char *expected, const char *cpython)
{
    bool twin_ok = ts != TWIN_DIFFERS && ts != TWIN_MISSING;
    bool tolerated = ts == TWIN_DIFFERS && !L.twin_is_model;
    bool ok = ours_ok && (twin_ok || tolerated);
    printf("%s%s%s", ok ? GREEN : RED, ok ? "✓" : "✗", RESET);
    if (claim)
        printf(" %sclaim %d%s", DIM, claim, RESET);
    if (!ours_ok && expected)
        printf(" %sexpected %s%s", RED, expected, RESET);
    else if (ts == TWIN_MISSING)
        printf(" %sthe twin did not report this%s", RED, RESET);
    else if (tolerated)
        printf(" %s(CPython %s here; the model is 3.11)%s", YELLOW, cpython, RESET);
    else if (ts == TWIN_DIFFERS)
        printf(" %sCPython disagrees%s", RED, RESET);
    putchar('\n');
    if (ok)
        L.passed++;
    else
        L.failed++;
    if (!ok && claim > 0 && claim < (int)(sizeof L.claim_failures / sizeof L.claim_failures[0]))
        L.claim_failures[claim]++;
    return ok;
}

static void show(const char *what, const char *ours, const char *key)
{
    char cpython[64];
    twin_state ts;
    twin_text(key, cpython, sizeof cpython, &ts);
    print_row(what, ours, cpython, ts);
    printf("%s·%s\n", DIM, RESET);
}

void lab_show_int(const char *what, long long ours, const char *key)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", ours);
    show(what, buf, key);
}

/* A real beside the twin's, formatted alike; `value` is "%.4g" or that
 * conversion marked with LAB_MEASURED. */
static void show_real(const char *what, double ours, const char *unit, const char *key,
                      const char *value)
{
    char fmt[32], buf[48];
    snprintf(fmt, sizeof fmt, "%s%s%%s", value, unit && *unit ? " " : "");
    if (isnan(ours))
        snprintf(buf, sizeof buf, "—");
    else
        snprintf(buf, sizeof buf, fmt, ours, unit ? unit : "");
    if (!key) {
        show(what, buf, NULL);
        return;
    }
    char cpython[64];
    twin_state ts;
    twin_text(key, cpython, sizeof cpython, &ts);
    double v;
    if (ts == TWIN_AGREES && lab_twin_real(key, &v))
        snprintf(cpython, sizeof cpython, fmt, v, unit ? unit : "");
    print_row(what, buf, cpython, ts);
    printf("%s·%s\n", DIM, RESET);
}

void lab_show_real(const char *what, double ours, const char *unit, const char *key)
{
    show_real(what, ours, unit, key, "%.4g");
}

void lab_show_measured(const char *what, double ours, const char *unit, const char *key)
{
    show_real(what, ours, unit, key, LAB_MEASURED("%.4g"));
}

void lab_show_measured_int(const char *what, long long ours, const char *key)
{
    char buf[32], cpython[64], shown[72];
    twin_state ts;
    snprintf(buf, sizeof buf, LAB_MEASURED("%lld"), ours);
    twin_text(key, cpython, sizeof cpython, &ts);
    if (ts == TWIN_AGREES)
        snprintf(shown, sizeof shown, LAB_MEASURED("%s"), cpython);
    else
        snprintf(shown, sizeof shown, "%s", cpython);
    print_row(what, buf, shown, ts);
    printf("%s·%s\n", DIM, RESET);
}

void lab_show_text(const char *what, const char *ours, const char *key)
{
    show(what, ours ? ours : "—", key);
}

static bool check_text_row(int claim, const char *what, const char *ours, const char *key,
                           const char *expected)
{
    char cpython[64];
    twin_state ts;
    twin_text(key, cpython, sizeof cpython, &ts);
    if (ts == TWIN_AGREES && strcmp(cpython, expected) != 0)
        ts = TWIN_DIFFERS;
    print_row(what, ours, cpython, ts);
    return verdict(claim, strcmp(ours, expected) == 0, ts, expected, cpython);
}

bool lab_check_int(int claim, const char *what, long long ours, const char *key, long long expected)
{
    char o[32], e[32];
    snprintf(o, sizeof o, "%lld", ours);
    snprintf(e, sizeof e, "%lld", expected);
    return check_text_row(claim, what, o, key, e);
}

bool lab_check_bool(int claim, const char *what, bool ours, const char *key, bool expected)
{
    return check_text_row(claim, what, ours ? "True" : "False", key, expected ? "True" : "False");
}

bool lab_check_text(int claim, const char *what, const char *ours, const char *key,
                    const char *expected)
{
    return check_text_row(claim, what, ours, key, expected);
}

/* ---- narration ----------------------------------------------------------------------- */

void lab_step(const char *title)
{
    char heading[160];
    snprintf(heading, sizeof heading, "%d · %s", ++L.step, title);
    rule(heading);
}

void lab_say(const char *fmt, ...)
{
    char text[2048];
    FORMAT_ARGS(text, fmt);
    print_wrapped(INDENT, text);
}

void lab_py(const char *fmt, ...)
{
    char text[512];
    FORMAT_ARGS(text, fmt);
    const char *prompt = ">>>";
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), prompt = "...") {
        printf("%s%s%s%s ", INDENT, CYAN, prompt, RESET);
        put(line);
        putchar('\n');
    }
}

void lab_event(const char *fmt, ...)
{
    char text[512];
    FORMAT_ARGS(text, fmt);
    printf("%s%s    ↳ ", INDENT, YELLOW);
    put(text);
    printf("%s\n", RESET);
}

void lab_claim(int claim, const char *verdict_word, const char *fmt, ...)
{
    if (L.nclaims == MAX_CLAIMS)
        return;
    claim_note *c = &L.claims[L.nclaims++];
    c->claim = claim;
    snprintf(c->verdict, sizeof c->verdict, "%s", verdict_word);
    FORMAT_ARGS(c->evidence, fmt);
}

/* ---- measurements and CSV ---------------------------------------------------------------- */

double lab_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct lab_csv {
    FILE *f;
    char path[PATH_MAX];
    char tmp[PATH_MAX];
    struct lab_csv *next; /* in L.open_csvs */
};

static void csv_forget(lab_csv *c)
{
    for (lab_csv **link = &L.open_csvs; *link; link = &(*link)->next) {
        if (*link == c) {
            *link = c->next;
            return;
        }
    }
}

lab_csv *lab_csv_open(const char *name, const char *header)
{
    if (!L.csv_dir)
        return NULL;
    lab_csv *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "%s: out of memory for %s\n", L.program, name);
        L.io_failed = true;
        return NULL;
    }
    snprintf(c->path, sizeof c->path, "%s/%s", L.csv_dir, name);
    snprintf(c->tmp, sizeof c->tmp, "%s/.%s.%d.tmp", L.csv_dir, name, (int)getpid());
    c->f = fopen(c->tmp, "w");
    if (!c->f) {
        fprintf(stderr, "%s: cannot write %s: %s\n", L.program, c->tmp, strerror(errno));
        L.io_failed = true;
        free(c);
        return NULL;
    }
    fprintf(c->f, "%s\n", header);
    c->next = L.open_csvs;
    L.open_csvs = c;
    return c;
}

void lab_csv_row(lab_csv *c, const char *fmt, ...)
{
    if (!c)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(c->f, fmt, ap);
    va_end(ap);
    fputc('\n', c->f);
}

void lab_csv_close(lab_csv *c)
{
    if (!c)
        return;
    csv_forget(c);
    bool ok = !ferror(c->f);
    ok = (fclose(c->f) == 0) && ok;
    if (ok && rename(c->tmp, c->path) == 0) {
        printf("%s%swrote %s%s\n", INDENT, DIM, c->path, RESET);
    } else {
        fprintf(stderr, "%s: cannot write %s: %s\n", L.program, c->path, strerror(errno));
        unlink(c->tmp);
        L.io_failed = true;
    }
    free(c);
}

/* ---- begin and end ------------------------------------------------------------------------- */

bool lab_quick(void) { return L.quick; }

/* The end of a lab that cannot go on: one line naming the error and the
 * step, the CSV files it was writing removed (none is left half-written),
 * and an exit status saying which kind of failure it was. */
static _Noreturn void die_of_error(void)
{
    mp_err_kind kind = mp_err_occurred();
    fflush(stdout);
    for (lab_csv *c = L.open_csvs; c; c = c->next) {
        fclose(c->f);
        unlink(c->tmp);
    }
    L.open_csvs = NULL;
    const char *what = kind == MP_ERR_MEMORY ? "out of memory" : "runtime error";
    if (L.step)
        fprintf(stderr, "lab %.2s: %s (%s: %s) at step %d\n", L.spec->id, what,
                mp_err_name(kind), mp_err_message(), L.step);
    else
        fprintf(stderr, "lab %.2s: %s (%s: %s) before step 1\n", L.spec->id, what,
                mp_err_name(kind), mp_err_message());
    /* _exit: the runtime is mid-call, and nothing may run after this line. */
    _exit(kind == MP_ERR_MEMORY ? LAB_EXIT_NO_MEMORY : LAB_EXIT_USAGE);
}

mp_object *lab_must(mp_object *o)
{
    if (!o)
        die_of_error();
    return o;
}

void lab_must_ok(int status)
{
    if (status < 0)
        die_of_error();
}

mp_object *lab_str_printf(const char *fmt, ...)
{
    char text[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return (mp_str_from_utf8)(text);
}

void lab_twin_timeout(int seconds) { L.twin_timeout_s = seconds; }

void lab_begin(const lab_spec *spec, int argc, char **argv)
{
    L.spec = spec;
    const char *slash = strrchr(argv[0], '/');
    L.program = slash ? slash + 1 : argv[0];
    parse_args(argc, argv);
    run_twin();
    if (mp_init() < 0) {
        fprintf(stderr, "%s: cannot start the runtime: %s\n", L.program, mp_err_message());
        exit(LAB_EXIT_USAGE);
    }
    mp_set_nomemory_hook(die_of_error);
    printf("%smemlab lab %.2s · %s%s\n", BOLD, spec->id, spec->title, RESET);
    printf("%sclaims %s · %s mode · CPython column: ", DIM, spec->claims,
           L.quick ? "quick" : "full");
    put(L.twin_note);
    printf("%s\n", RESET);
}

static int by_claim(const void *a, const void *b)
{
    return ((const claim_note *)a)->claim - ((const claim_note *)b)->claim;
}

int lab_end(void)
{
    if (L.nclaims) {
        rule("Claims, checked");
        qsort(L.claims, (size_t)L.nclaims, sizeof L.claims[0], by_claim);
        for (int i = 0; i < L.nclaims; i++) {
            claim_note *c = &L.claims[i];
            bool unproven = c->claim > 0 && c->claim < 100 && L.claim_failures[c->claim];
            printf("%sclaim %d: %s%s%s\n", INDENT, c->claim, unproven ? RED : BOLD,
                   unproven ? "not shown: a check behind it failed" : c->verdict, RESET);
            print_wrapped(INDENT "    ", c->evidence);
        }
    }
    mp_fini();
    json_free(L.twin);
    printf("\nlab %.2s: %d checks passed, %d failed\n", L.spec->id, L.passed, L.failed);
    if (L.io_failed)
        return LAB_EXIT_USAGE;
    return L.check && L.failed ? LAB_EXIT_CHECK_FAILED : LAB_EXIT_OK;
}

/* ---- CPython 3.11's arithmetic ------------------------------------------------------ */

long lab_list_grown(long newsize) { return (newsize + (newsize >> 3) + 6) & ~3L; }

/* Only the append that finds the list full changes its room. */
long lab_list_capacity_after_appends(long n)
{
    long allocated = 0;
    while (allocated < n)
        allocated = lab_list_grown(allocated + 1);
    return allocated;
}

const char *lab_power_text(long n, char *buf, size_t size)
{
    int k = 0;
    long m = n;
    while (m >= 10 && m % 10 == 0)
        m /= 10, k++;
    if (m == 1 && k >= 2)
        snprintf(buf, size, "10**%d", k);
    else
        snprintf(buf, size, "%ld", n);
    return buf;
}
