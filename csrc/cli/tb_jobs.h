/*
 * tb_jobs.h - worker processes for `run --jobs N`: fork N workers, each
 * running a callback on its block of images (its own verilated model: a
 * worker is a process, nothing is shared but what fork copies), one
 * progress line for the whole run from the bytes the workers write to
 * their pipes (one per image done), and their exit statuses checked.
 *
 * A worker's callback returns its exit status: 0 or 1 (its report was
 * written; 1: it found mismatches); anything else, a signal, or a pipe
 * that ends before its images are done makes tb_jobs_run fail, naming the
 * worker and its images; the other workers are then stopped (SIGTERM,
 * by their process ids) and waited for.
 *
 * Ownership: nothing kept; no global state. Exits only in the children
 * (_exit with the callback's status).
 */
#ifndef SPARSECIM_TB_JOBS_H
#define SPARSECIM_TB_JOBS_H

#include <stddef.h>

/* Runs in worker k (0-based) of a forked child; progress_fd: write one byte per image done. */
typedef int (*tb_worker_fn)(int k, int progress_fd, void *arg);

/* Worker k runs images [first[k], first[k] + count[k]); the progress line
 * counts to the sum of count (what: its label, e.g. "run"). 0 when every
 * worker exited with 0 or 1 after all its images; -1 with msg. */
int tb_jobs_run(int n, const long *first, const long *count, tb_worker_fn fn, void *arg, const char *what,
                char *msg, size_t mlen);

/* The number of online processors (at least 1): what --jobs 0 means. */
int tb_jobs_online(void);

#endif
