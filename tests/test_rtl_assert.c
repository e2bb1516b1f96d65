/*
 * test_rtl_assert.c - the RTL's checks (rtl/cim_check.v, verilated with
 * --assert) really stop a simulation: a host that breaks the protocol of
 * docs/SPEC.md section 6 (a plane that continues an accumulation that never
 * began, a first plane while one is open, a stored-zero flag over a stored
 * 1 under a raised word line) makes the verilated model abort with
 * "cim_assert: FAIL: <instance>: <check>", and the legal sequence next to
 * each runs to the end. Each violation runs in a child process (fork) whose
 * output is kept and whose end (SIGABRT) is checked.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, pread */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dut.h"
#include "tb_backend.h"
#include "test_rtl_util.h"

static cim_dut *open_small(void)
{
    char err[512] = "";
    const dut_geom *g = dut_find_build(&rt_small, 0, NULL);
    cr_assert_not_null(g, "no 64x16x8 build");
    cim_dut *d = dut_new(g, NULL, 0, 0, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    return d;
}

static void op(cim_dut *d, dut_out *o, int code, int addr, const uint64_t *wdata, const uint64_t *in, int first,
               int last)
{
    dut_in c = {.op = code, .addr = addr, .wdata = wdata, .in = in, .first = first, .last = last,
                .gate = DUT_GATE_BOTH, .ncols = rt_small.cols, .nrows = rt_small.rows};
    dut_step(d, &c, o, DUT_OUT_ALL);
}

/* The sequences: 0 legal, else the violation of that number. */
enum { SEQ_LEGAL, SEQ_NO_FIRST, SEQ_FIRST_IN_OPEN, SEQ_FALSE_FLAG, SEQ_LEGAL_FLAG };

static void run_seq(int seq)
{
    cim_dut *d = open_small();
    dut_out *o = calloc(1, sizeof *o);
    cr_assert_not_null(o);
    uint64_t ones[1] = {~(uint64_t)0}, in[1] = {1};
    dut_reset(d);
    op(d, o, DUT_WRITE, 0, ones, NULL, 0, 0);   /* row 0: every column 1 */
    switch (seq) {
    case SEQ_LEGAL:
        op(d, o, DUT_COMPUTE, 0, NULL, in, 1, 0);
        op(d, o, DUT_COMPUTE, 0, NULL, in, 0, 1);
        op(d, o, DUT_COMPUTE, 0, NULL, in, 1, 1);
        break;
    case SEQ_NO_FIRST:
        op(d, o, DUT_COMPUTE, 0, NULL, in, 0, 1);
        break;
    case SEQ_FIRST_IN_OPEN:
        op(d, o, DUT_COMPUTE, 0, NULL, in, 1, 0);
        op(d, o, DUT_COMPUTE, 0, NULL, in, 1, 1);
        break;
    case SEQ_FALSE_FLAG:   /* segment 0 flagged all-zero in every group, row 0 holds ones */
        op(d, o, DUT_SET_ZF, 0, ones, NULL, 0, 0);
        op(d, o, DUT_COMPUTE, 0, NULL, in, 1, 1);
        break;
    case SEQ_LEGAL_FLAG:   /* segment 1 is all zero: its flags are true */
        op(d, o, DUT_SET_ZF, 1, ones, NULL, 0, 0);
        op(d, o, DUT_COMPUTE, 0, NULL, in, 1, 1);
        break;
    }
    for (int k = 0; k < 3; k++)
        op(d, o, DUT_NOP, 0, NULL, NULL, 0, 0);
    if (seq == SEQ_LEGAL || seq == SEQ_LEGAL_FLAG)
        cr_assert_eq(o->acc[0], 1, "acc %d", (int)o->acc[0]);   /* 2P - X = 1: the last accumulation */
    free(o);
    dut_free(d);
}

/* Runs sequence seq in a child; returns its wait status, its output in out. */
static int run_child(int seq, char *out, size_t len)
{
    char path[] = "/tmp/sparsecim-assert-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        run_seq(seq);
        fflush(NULL);
        _exit(0);
    }
    int st = 0;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    ssize_t n = pread(fd, out, len - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return st;
}

static void expect_abort(int seq, const char *check)
{
    char out[8192];
    int st = run_child(seq, out, sizeof out);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "sequence %d: not aborted (status 0x%x): %s", seq, st,
              out);
    cr_assert(strstr(out, "cim_assert: FAIL: "), "no assertion message: %s", out);
    cr_assert(strstr(out, check), "the message does not name %s: %s", check, out);
}

static void expect_pass(int seq)
{
    char out[8192];
    int st = run_child(seq, out, sizeof out);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sequence %d: status 0x%x: %s", seq, st, out);
    cr_assert_null(strstr(out, "cim_assert"), "%s", out);
}

Test(assertions, legal_accumulations_run) { expect_pass(SEQ_LEGAL); }
Test(assertions, plane_without_first_aborts) { expect_abort(SEQ_NO_FIRST, "compute_continues_an_open_accumulation"); }
Test(assertions, first_inside_open_accumulation_aborts) { expect_abort(SEQ_FIRST_IN_OPEN, "first_only_after_last"); }
Test(assertions, true_stored_zero_flags_run) { expect_pass(SEQ_LEGAL_FLAG); }
Test(assertions, false_stored_zero_flag_aborts) { expect_abort(SEQ_FALSE_FLAG, "stored_zero_flags_true"); }
