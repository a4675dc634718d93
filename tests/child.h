/* child.h — runs one statement of a test in a forked child and keeps what
 * the child wrote to stderr, so a test can check that a debug build aborts
 * and what its message says.
 *
 * Criterion's stderr assertions do not survive an abort, and `.signal`
 * checks only the signal; forking inside an ordinary test checks both.
 * Everything the child does stays in the child: the parent's objects and
 * allocator statistics are untouched, so the parent's mp_fini still sees
 * its own session only.
 *
 * A file that includes this must define _POSIX_C_SOURCE before any header.
 */
#ifndef MEMLAB_TESTS_CHILD_H
#define MEMLAB_TESTS_CHILD_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct child_result {
    int line;       /* the source line of the RUN_IN_CHILD that ran it */
    int status;     /* the child's status, as waitpid reports it */
    char err[4096]; /* the start of what the child wrote to stderr */
} child_result;

/* Forks; in the child, stderr goes into a pipe whose read end the parent
 * gets in *read_fd. Returns 0 in the child, the child's pid in the parent. */
static inline pid_t child_start(int *read_fd)
{
    int fds[2];
    fflush(stdout);
    fflush(stderr);
    cr_assert_eq(pipe(fds), 0, "pipe failed");
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork failed");
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        close(fds[1]);
        return 0;
    }
    close(fds[1]);
    *read_fd = fds[0];
    return pid;
}

/* Reads the child's stderr to its end and waits for the child. */
static inline void child_finish(child_result *r, pid_t pid, int read_fd)
{
    size_t len = 0;
    for (;;) {
        ssize_t n = read(read_fd, r->err + len, sizeof r->err - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == sizeof r->err - 1) {
            char drain[256];
            while (read(read_fd, drain, sizeof drain) > 0)
                continue;
            break;
        }
    }
    r->err[len] = '\0';
    close(read_fd);
    cr_assert_eq(waitpid(pid, &r->status, 0), pid, "waitpid failed");
}

/* Runs stmt in a child that exits with status 0 if stmt returns. The line
 * recorded is the line of this macro's use, which is also the __LINE__ that
 * stmt sees when it is written on the same line. */
#define RUN_IN_CHILD(r, stmt)                                                  \
    do {                                                                       \
        int child_fd_ = -1;                                                    \
        (r)->line = __LINE__;                                                  \
        pid_t child_pid_ = child_start(&child_fd_);                            \
        if (child_pid_ == 0) {                                                 \
            stmt;                                                              \
            _exit(0);                                                          \
        }                                                                      \
        child_finish((r), child_pid_, child_fd_);                              \
    } while (0)

static inline bool child_aborted(const child_result *r)
{
    return WIFSIGNALED(r->status) && WTERMSIG(r->status) == SIGABRT;
}

/* The child aborted, and its message contains what. */
static inline void expect_aborted_saying(const child_result *r, const char *what)
{
    cr_expect(child_aborted(r), "the child did not abort (status %d); stderr: %s", r->status,
              r->err);
    cr_expect(strstr(r->err, what), "stderr does not say \"%s\": %s", what, r->err);
}

/* The child's stderr names the site of the fault: the including test file
 * and the line, as MP_DEBUG's messages do (file:line). */
static inline void expect_names_site_in(const child_result *r, const char *path, int line)
{
    const char *slash = strrchr(path, '/');
    char site[128];
    snprintf(site, sizeof site, "%s:%d", slash ? slash + 1 : path, line);
    cr_expect(strstr(r->err, site), "stderr does not name %s: %s", site, r->err);
}
#define expect_names_site(r, line) expect_names_site_in((r), __FILE__, (line))

/* The child aborted saying what, naming the line of its RUN_IN_CHILD. */
#define expect_aborted_here(r, what)                                                           \
    (expect_aborted_saying((r), (what)), expect_names_site((r), (r)->line))

#endif
