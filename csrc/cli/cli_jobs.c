/* cli_jobs.c - worker processes of run --jobs N (see cli_jobs.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli_jobs.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_util.h"

/* A worker leaves by _exit, so LeakSanitizer's exit-time check would never
 * run in it: under ASan the worker checks itself before it leaves; a leak
 * (LSan's report on stderr) makes its status 2, which fails the run. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define WORKER_LEAKED() __lsan_do_recoverable_leak_check()
#else
#define WORKER_LEAKED() 0
#endif

typedef struct worker {
    pid_t pid;
    int fd;         /* read end of its progress pipe, -1 when closed */
    long done;      /* images it reported done */
    int status;     /* waitpid status, valid when waited */
    int waited;
} worker;

/* The signal that interrupted cli_jobs_run (see cli_jobs.h: the module's one global). */
static volatile sig_atomic_t jobs_signal;
static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
enum { NCAUGHT = sizeof caught / sizeof *caught };

static void on_signal(int sig) { jobs_signal = sig; }

struct cli_jobs_dir {
    char path[4096];
    int n;
    char ext[8];
};

cli_jobs_dir *cli_jobs_dir_new(const char *what, int n, const char *ext, char *msg, size_t mlen)
{
    const char *tmp = getenv("TMPDIR");
    cli_jobs_dir *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(msg, mlen, "out of memory");
        return NULL;
    }
    snprintf(d->path, sizeof d->path, "%.3900s/sparsecim-%.16s.XXXXXX", tmp && tmp[0] ? tmp : "/tmp", what);
    snprintf(d->ext, sizeof d->ext, "%s", ext);
    d->n = n;
    if (!mkdtemp(d->path)) {
        snprintf(msg, mlen, "cannot make a temporary directory %.3900s: %s", d->path, strerror(errno));
        free(d);
        return NULL;
    }
    return d;
}

void cli_jobs_dir_file(const cli_jobs_dir *d, int k, char *buf, size_t len)
{
    snprintf(buf, len, "%.4000s/w%d.%s", d->path, k, d->ext);
}

void cli_jobs_dir_free(cli_jobs_dir *d)
{
    if (!d)
        return;
    char path[4200];
    for (int k = 0; k < d->n; k++) {
        cli_jobs_dir_file(d, k, path, sizeof path);
        remove(path);
    }
    rmdir(d->path);
    free(d);
}

void cli_jobs_reraise(int sig)
{
    fflush(stdout);
    fflush(stderr);
    signal(sig, SIG_DFL);
    raise(sig);
}

int cli_jobs_online(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

/* Forks worker k; in the child runs fn and _exits. 0, or -1 (errno). */
static int spawn(worker *w, int n, int k, cli_worker_fn fn, void *arg)
{
    int p[2];
    if (pipe(p))
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        for (int i = 0; i < NCAUGHT; i++) /* a worker ends as the signal says */
            signal(caught[i], SIG_DFL);
        close(p[0]);
        for (int j = 0; j < n; j++)
            if (w[j].fd >= 0)
                close(w[j].fd);
        int rc = fn(k, p[1], arg);
        if (WORKER_LEAKED())
            rc = 2;
        fflush(stdout);
        fflush(stderr);
        _exit(rc);
    }
    close(p[1]);
    w[k].pid = pid;
    w[k].fd = p[0];
    return 0;
}

/* What went wrong with worker k (it ended), or "" when it did its images and exited 0 or 1. */
static void verdict(const worker *w, const long *first, const long *count, int k, char *msg, size_t mlen)
{
    char range[64];
    if (count[k] > 0)
        snprintf(range, sizeof range, "images %ld..%ld", first[k], first[k] + count[k] - 1);
    else
        snprintf(range, sizeof range, "no images");
    msg[0] = 0;
    if (WIFSIGNALED(w->status))
        snprintf(msg, mlen, "worker %d (%s) was killed by signal %d (%s) after %ld images", k, range,
                 WTERMSIG(w->status), strsignal(WTERMSIG(w->status)), w->done);
    else if (!WIFEXITED(w->status) || WEXITSTATUS(w->status) > 1)
        snprintf(msg, mlen, "worker %d (%s) failed with exit status %d after %ld images (its message is above)", k,
                 range, WIFEXITED(w->status) ? WEXITSTATUS(w->status) : -1, w->done);
    else if (w->done != count[k])
        snprintf(msg, mlen, "worker %d (%s) exited after %ld of its %ld images", k, range, w->done, count[k]);
}

static void reap(worker *w)
{
    while (!w->waited && waitpid(w->pid, &w->status, 0) < 0 && errno == EINTR)
        ;
    w->waited = 1;
}

/* Stops and reaps every worker still running. */
static void stop_all(worker *w, int n)
{
    for (int k = 0; k < n; k++)
        if (w[k].pid > 0 && !w[k].waited)
            kill(w[k].pid, SIGTERM);
    for (int k = 0; k < n; k++) {
        if (w[k].pid > 0)
            reap(&w[k]);
        if (w[k].fd >= 0)
            close(w[k].fd);
        w[k].fd = -1;
    }
}

/* Reads the progress bytes until every pipe is closed; reaps each worker
 * whose pipe closed. -1 with msg at the first worker that failed. */
static int follow(worker *w, int n, const long *first, const long *count, long total, const char *what, char *msg,
                  size_t mlen)
{
    struct pollfd *pf = calloc((size_t)n, sizeof *pf);
    int open = n, tty = isatty(2), rc = 0;
    long done = 0;
    if (!pf) {
        snprintf(msg, mlen, "out of memory");
        return -1;
    }
    while (open > 0 && !rc) {
        if (jobs_signal) { /* caught in poll (EINTR) or while the bytes were read */
            rc = (int)jobs_signal;
            break;
        }
        for (int k = 0; k < n; k++)
            pf[k] = (struct pollfd){.fd = w[k].fd, .events = POLLIN};
        if (poll(pf, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            snprintf(msg, mlen, "poll: %s", strerror(errno));
            rc = -1;
            break;
        }
        for (int k = 0; k < n && !rc; k++) {
            if (w[k].fd < 0 || !(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[256];
            ssize_t got = read(w[k].fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR)
                continue;
            if (got > 0) {
                w[k].done += got;
                for (ssize_t i = 0; i < got && total > 1; i++)
                    cli_progress(stderr, tty, (int)++done, (int)total, what);
                continue;
            }
            close(w[k].fd);
            w[k].fd = -1;
            open--;
            reap(&w[k]);
            verdict(&w[k], first, count, k, msg, mlen);
            rc = msg[0] ? -1 : 0;
        }
    }
    free(pf);
    return rc;
}

int cli_jobs_run(int n, const long *first, const long *count, cli_worker_fn fn, void *arg, const char *what,
                char *msg, size_t mlen)
{
    worker *w = calloc((size_t)n, sizeof *w);
    long total = 0;
    if (!w) {
        snprintf(msg, mlen, "out of memory");
        return -1;
    }
    for (int k = 0; k < n; k++) {
        w[k].fd = -1;
        total += count[k];
    }
    /* caught while the workers run (no SA_RESTART: poll returns EINTR) */
    struct sigaction sa = {.sa_handler = on_signal}, old[NCAUGHT];
    sigemptyset(&sa.sa_mask);
    jobs_signal = 0;
    for (int i = 0; i < NCAUGHT; i++)
        sigaction(caught[i], &sa, &old[i]);
    int rc = 0;
    for (int k = 0; k < n && !rc && !jobs_signal; k++)
        if (spawn(w, n, k, fn, arg)) {
            snprintf(msg, mlen, "worker %d: cannot start a process: %s", k, strerror(errno));
            rc = -1;
        }
    if (!rc && !jobs_signal)
        rc = follow(w, n, first, count, total, what, msg, mlen);
    stop_all(w, n);
    for (int i = 0; i < NCAUGHT; i++)
        sigaction(caught[i], &old[i], NULL);
    if (jobs_signal && rc >= 0) { /* in follow, after the last pipe closed, or before every worker started */
        snprintf(msg, mlen, "interrupted by signal %d (%s): the workers were stopped", (int)jobs_signal,
                 strsignal((int)jobs_signal));
        rc = (int)jobs_signal;
    }
    jobs_signal = 0;
    free(w);
    return rc;
}
