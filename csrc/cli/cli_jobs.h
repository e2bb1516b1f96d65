/*
 * cli_jobs.h - worker processes for `run --jobs N`: fork N workers, each
 * running a callback on its block of images (its own verilated model: a
 * worker is a process, nothing is shared but what fork copies), one
 * progress line for the whole run from the bytes the workers write to
 * their pipes (one per image done), and their exit statuses checked.
 *
 * A worker's callback returns its exit status: 0 or 1 (its report was
 * written; 1: it found mismatches); anything else, a signal, or a pipe
 * that ends before its images are done makes cli_jobs_run fail, naming the
 * worker and its images; the other workers are then stopped (SIGTERM,
 * by their process ids) and waited for.
 *
 * Interruption: while cli_jobs_run waits for its workers, SIGINT, SIGTERM
 * and SIGHUP are caught (the workers get the default action back): the
 * workers are stopped and reaped and cli_jobs_run returns the signal's
 * number, so that the caller can remove its files and then end the way
 * the signal would have ended it (cli_jobs_reraise). The signal's number is
 * the one global of this module (a handler may touch nothing else); it is
 * read and cleared only by cli_jobs_run.
 *
 * Ownership: nothing kept by cli_jobs_run; a cli_jobs_dir is the caller's
 * (cli_jobs_dir_free removes it). Exits only in the children (_exit with
 * the callback's status).
 */
#ifndef SPARSECIM_CLI_JOBS_H
#define SPARSECIM_CLI_JOBS_H

#include <stddef.h>

/* Runs in worker k (0-based) of a forked child; progress_fd: write one byte per image done. */
typedef int (*cli_worker_fn)(int k, int progress_fd, void *arg);

/* Worker k runs images [first[k], first[k] + count[k]); the progress line
 * counts to the sum of count (what: its label, e.g. "run"). 0 when every
 * worker exited with 0 or 1 after all its images; -1 with msg; or the
 * number (> 0) of the signal that interrupted the run, with msg. */
int cli_jobs_run(int n, const long *first, const long *count, cli_worker_fn fn, void *arg, const char *what,
                char *msg, size_t mlen);

/* The number of online processors (at least 1): what --jobs 0 means. */
int cli_jobs_online(void);

/* Ends the process as signal sig does by default (after the caller's
 * clean-up): the shell sees "killed by SIGINT", status 128 + sig. */
void cli_jobs_reraise(int sig);

/* A private directory (mode 0700) for the files of n workers:
 * $TMPDIR (or /tmp)/sparsecim-WHAT.XXXXXX, worker k's file wK.EXT in it.
 * NULL with msg when it cannot be made. */
typedef struct cli_jobs_dir cli_jobs_dir;
cli_jobs_dir *cli_jobs_dir_new(const char *what, int n, const char *ext, char *msg, size_t mlen);
/* Worker k's file (buf of len bytes). */
void cli_jobs_dir_file(const cli_jobs_dir *d, int k, char *buf, size_t len);
/* Removes the workers' files and the directory; frees d (NULL: nothing). */
void cli_jobs_dir_free(cli_jobs_dir *d);

#endif
