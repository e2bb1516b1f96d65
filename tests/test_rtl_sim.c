/*
 * test_rtl_sim.c - golden vector files end to end: `sparsecim run
 * --vectors-out DIR` writes every array job of an image (csrc/vec/vec.h), `sim --vectors DIR`
 * (cli_sim, called in-process) replays them with zero mismatches; one
 * corrupted golden partial (CRC fixed up) is reported with its location and
 * exit status 1; a file with a broken CRC is bad input (exit status 2).
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vec/vec.h"
#include "test_util.h"

static char out[1 << 16];

/* Runs cli_sim with argv, stderr captured into out. */
static int sim(int argc, char **argv)
{
    char path[256];
    tu_tmp_path(path, sizeof path, "simerr");
    fflush(stderr);
    int saved = dup(2), fd = open(path, O_WRONLY | O_TRUNC);
    dup2(fd, 2);
    close(fd);
    int rc = cli_sim(argc, argv);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = 0;
    if (f)
        fclose(f);
    remove(path);
    return rc;
}

/* Flips bit 1 of the last accumulator (last pixel, column 15 = the high
 * lane of the second-to-last word) of a hex job file; with fix_crc the CRC
 * word is recomputed, so only the replay can notice. */
static void patch_last_partial(const char *file, int fix_crc)
{
    uint64_t *w;
    long n;
    bnn_error err;
    cr_assert_eq(vec_read_words(file, &w, &n, &err), 0, "%s", err.msg);
    w[n - 2] ^= 2ull << 32;
    cr_assert_eq(tu_write_hex_words(file, w, n, fix_crc), 0, "%s", file);
    free(w);
}

Test(sim, vectors_replay_and_corruption, .timeout = 120)
{
    char model[256], dir[256], cmd[2048], rep[256], file[512];
    tu_tmp_path(model, sizeof model, "simmodel");
    tu_tmp_path(dir, sizeof dir, "simvec");
    tu_tmp_path(rep, sizeof rep, "simrep");
    remove(dir);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 14 --se --input 28x28x1 --seed 5 -o %s 2>&1",
             tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim run --model %s --data random:3 --small --quiet --vectors-out %s 2>&1",
             tu_bin_dir(), model, dir);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);

    char *a1[] = {"sim", "--vectors", dir, "--report", rep, "--quiet", NULL};
    int rc = sim(6, a1);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, out);
    FILE *f = fopen(rep, "r");
    cr_assert_not_null(f);
    static char js[1 << 18];
    size_t n = fread(js, 1, sizeof js - 1, f);
    js[n] = 0;
    fclose(f);
    cr_assert(strstr(js, "\"command\": \"sim\"") && strstr(js, "\"mismatches\": 0,") && strstr(js, "\"images\": 1,") &&
                  strstr(js, "\"name\": \"s2b1se\"") && strstr(js, "\"geometry\": \"64x16x8\""),
              "report: %.400s", js);

    /* one corrupted golden partial: conv1 (16 columns on the small macro), pixel 783, column 15 */
    snprintf(file, sizeof file, "%s/i00000_l000_conv1_r000_c000.hex", dir);
    patch_last_partial(file, 1);
    char *a2[] = {"sim", "--vectors", dir, "--quiet", NULL};
    rc = sim(4, a2);
    cr_assert_eq(rc, 1, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "mismatch: image 0 layer conv1 partial tile r0/c0 pixel 783 column 15: expected "), "%s",
              out);
    cr_assert(strstr(out, "(cycle "), "%s", out);

    /* a broken CRC is bad input */
    patch_last_partial(file, 0);
    rc = sim(4, a2);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert(strstr(out, "(CRC-32): expected"), "%s", out);
    cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line: %s", out);

    snprintf(cmd, sizeof cmd, "rm -rf %s %s %s", dir, model, rep);
    tu_run(cmd, NULL, 0);
}

Test(sim, bad_arguments)
{
    char *a1[] = {"sim", NULL};
    cr_assert_eq(sim(1, a1), 2);
    cr_assert(strstr(out, "--vectors DIR is required"), "%s", out);
    char *a2[] = {"sim", "--vectors", "/nonexistent-dir", NULL};
    cr_assert_eq(sim(3, a2), 2);
    cr_assert(strstr(out, "cannot open"), "%s", out);
}
