/*
 * test_rtl_xsim.c - the Icarus Verilog replay of golden vectors
 * (tb/xsim_tb.v): `sparsecim vectors` writes a random SE-ResNet's jobs for
 * the 64x16x8 macro, Icarus (4-state) replays them with zero mismatches with
 * gating on and off; a golden P changed by one passes nothing: the bench
 * names the layer, pixel and column and exits non-zero; vectors of another
 * geometry are refused.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vec/vec.h"

static char out[1 << 16];

static void sh(int want_ok, const char *fmt, const char *a, const char *b, const char *c)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, fmt, a, b, c);
    int rc = tu_run(cmd, out, sizeof out);
    if (want_ok)
        cr_assert_eq(rc, 0, "%s: exit %d: %s", cmd, rc, out);
    else
        cr_assert_neq(rc, 0, "%s: passed: %s", cmd, out);
}

Test(xsim, icarus_replays_golden_vectors, .timeout = 300)
{
    char tmp[256], vvp[512], rtl[4096], cmd[8192];
    tu_tmp_path(tmp, sizeof tmp, "xsim");
    remove(tmp);
    snprintf(cmd, sizeof cmd, "mkdir -p %s", tmp);
    cr_assert_eq(tu_run(cmd, NULL, 0), 0);
    snprintf(vvp, sizeof vvp, "%s/xsim.vvp", tmp);
    snprintf(rtl, sizeof rtl, "%s/rtl/*.v", tu_src_dir());
    snprintf(cmd, sizeof cmd,
             "iverilog -g2012 -I %s/tb -o %s -s xsim_tb -Pxsim_tb.ROWS=64 -Pxsim_tb.COLS=16 -Pxsim_tb.SEG_ROWS=8 "
             "-Pxsim_tb.COL_GROUP=4 %s/tb/xsim_tb.v %s 2>&1",
             tu_src_dir(), vvp, tu_src_dir(), rtl);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);

    sh(1, "%s/sparsecim model random --depth 8 --width 6 --se --input 7x7x1 --seed 11 -o %s/m.bnn 2>&1",
       tu_bin_dir(), tmp, NULL);
    snprintf(cmd, sizeof cmd,
             "%s/sparsecim vectors --model %s/m.bnn --data random:4 --count 1 --rows 64 --cols 16 --seg-rows 8 "
             "-o %s/v 2>&1",
             tu_bin_dir(), tmp, tmp);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);

    sh(1, "vvp -n %s +vectors=%s/v +gate=1 +unit=1 2>&1%s", vvp, tmp, "");
    cr_assert(strstr(out, "xsim: PASS:") && strstr(out, "gating on, unit 2"), "%s", out);
    sh(1, "vvp -n %s +vectors=%s/v +gate=0 +unit=0 2>&1%s", vvp, tmp, "");
    cr_assert(strstr(out, "xsim: PASS:") && strstr(out, "gating off"), "%s", out);

    /* a golden P of layer s0b0a, pixel 2, column 1 off by one (CRC is not
     * the bench's business: the C reader checks it) */
    char file[512];
    snprintf(file, sizeof file, "%s/v/i00000_l001_s0b0a_r000_c000.hex", tmp);
    vec_job v;
    bnn_error err;
    cr_assert_eq(vec_job_read(file, &v, &err), 0, "%s", err.msg);
    uint64_t *w;
    long n;
    cr_assert_eq(vec_read_words(file, &w, &n, &err), 0, "%s", err.msg);
    long o_p = 20 + (long)v.n_rows * v.col_words + (long)v.pixels * v.bits * v.row_words + (long)v.pixels * v.bits;
    long at = o_p + (2L * v.bits) * ((v.n_cols + 3) / 4);   /* pixel 2, plane 0, columns 0..3 */
    int p_old = (int)(w[at] >> 16 & 0xffff);
    w[at] += 1ull << 16;                                       /* column 1 */
    cr_assert_eq(tu_write_hex_words(file, w, n, 0), 0, "%s", file);
    free(w);
    vec_job_free(&v);
    sh(0, "vvp -n %s +vectors=%s/v 2>&1%s", vvp, tmp, "");
    char want[160];
    snprintf(want, sizeof want, "mismatch: image 0 layer s0b0a P tile r0/c0 pixel 2 column 1: expected %d, got %d",
             p_old + 1, p_old);
    cr_assert(strstr(out, want), "want '%s' in: %s", want, out);
    cr_assert(strstr(out, "xsim: FAIL: 1 mismatches"), "%s", out);

    /* vectors for another geometry are refused */
    snprintf(cmd, sizeof cmd,
             "%s/sparsecim vectors --model %s/m.bnn --data random:4 --rows 128 --cols 16 --seg-rows 8 -o %s/v128 2>&1",
             tu_bin_dir(), tmp, tmp);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    sh(0, "vvp -n %s +vectors=%s/v128 2>&1%s", vvp, tmp, "");
    cr_assert(strstr(out, "vectors for a 128x16x8 macro, this bench is 64x16x8"), "%s", out);

    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    tu_run(cmd, NULL, 0);
}
