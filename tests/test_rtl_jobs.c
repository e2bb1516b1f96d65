/*
 * test_rtl_jobs.c - split runs: `run --jobs N` and `run --shard I/N` +
 * `sparsecim merge` give the single process's report (JSON and CSV,
 * field for field but wall_seconds); merge refuses reports of another
 * model, geometry, overlapping or missing shards (exit 2, one line); a
 * killed worker fails the run, named with its images (the test hook
 * SPARSECIM_TEST_KILL_WORKER); an interrupted split run (SIGINT) stops its
 * workers, leaves no temporary file and no report, and ends as the signal
 * does (status 130); waveforms are refused with --jobs.
 *
 * Small and quick: a random SE-ResNet-8 (width 8, 12x12 input) on the
 * 64x16x8 macro, 6 random images; the shipped SE model on 4 test images
 * with the channel skip (per-image maps).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static char out[1 << 16];

/* Runs printf(fmt, bin, a, b, c, d) in a shell; output in out. */
static int sh(const char *fmt, const char *a, const char *b, const char *c, const char *d)
{
    static char cmd[1 << 15];
    snprintf(cmd, sizeof cmd, fmt, tu_bin_dir(), a ? a : "", b ? b : "", c ? c : "", d ? d : "");
    return tu_run(cmd, out, sizeof out);
}

static void make_model(char *path, size_t n, const char *seed)
{
    tu_tmp_path(path, n, "jobs-model");
    cr_assert_eq(sh("%s/sparsecim model random --depth 8 --se --width 8 --input 12x12x1 --seed %s -o %s 2>&1", seed,
                    path, NULL, NULL),
                 0, "%s", out);
}

/* Asserts that two reports are equal except their wall_seconds lines. */
static void assert_same_file(const char *a, const char *b)
{
    char msg[512];
    cr_assert(tu_same_report(a, b, msg, sizeof msg) == 0, "%s", msg);
}

/* run ARGS --report tmp/TAG.json --csv tmp/TAG.csv; asserts exit 0. */
static void run_to(const char *model, const char *args, const char *dir, const char *tag)
{
    char rep[1200];
    snprintf(rep, sizeof rep, "%s/%s", dir, tag);
    int rc = sh("%s/sparsecim run --model %s %s --quiet --report %s.json --csv %s.csv 2>&1", model, args, rep, rep);
    cr_assert_eq(rc, 0, "run %s: exit %d: %s", args, rc, out);
}

static void tmp_dir(char *buf, size_t n)
{
    tu_tmp_path(buf, n, "jobs");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -f %s && mkdir %s", buf, buf); /* tu_tmp_path made a file */
    cr_assert_eq(system(cmd), 0);
}

static void same_json_csv(const char *dir, const char *a, const char *b)
{
    char x[1200], y[1200];
    snprintf(x, sizeof x, "%s/%s.json", dir, a);
    snprintf(y, sizeof y, "%s/%s.json", dir, b);
    assert_same_file(x, y);
    snprintf(x, sizeof x, "%s/%s.csv", dir, a);
    snprintf(y, sizeof y, "%s/%s.csv", dir, b);
    assert_same_file(x, y);
}

Test(jobs, jobs_2_and_3_equal_one_process, .timeout = 120)
{
    char model[1024], dir[1024];
    make_model(model, sizeof model, "5");
    tmp_dir(dir, sizeof dir);
    run_to(model, "--data random:7 --count 6 --small", dir, "j1");
    run_to(model, "--data random:7 --count 6 --small --jobs 2", dir, "j2");
    run_to(model, "--data random:7 --count 6 --small --jobs 3", dir, "j3");
    same_json_csv(dir, "j1", "j2");
    same_json_csv(dir, "j1", "j3");
    /* the text report too (the per-layer and energy tables, the image lines), but the wall time */
    static char cmd[1 << 13];
    snprintf(cmd, sizeof cmd,
             "cd %s && for j in 1 3; do %s/sparsecim run --model %s --data random:7 --count 6 --small --jobs $j "
             "2>/dev/null | grep -v cycles/s > t$j; done && cmp t1 t3 && wc -l < t1",
             dir, tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "text reports differ: %s", out);
    cr_assert_gt(atoi(out), 15, "%s", out);
    /* more workers than images: one per image */
    run_to(model, "--data random:7 --count 2 --offset 3 --small", dir, "k1");
    run_to(model, "--data random:7 --count 2 --offset 3 --small --jobs 5", dir, "k5");
    same_json_csv(dir, "k1", "k5");
    /* input-stationary */
    run_to(model, "--data random:7 --count 4 --small --stationary input", dir, "i1");
    run_to(model, "--data random:7 --count 4 --small --stationary input --jobs 2", dir, "i2");
    same_json_csv(dir, "i1", "i2");
}

Test(jobs, shipped_model_with_channel_skip, .timeout = 120)
{
    char dir[1024], model[1200];
    tmp_dir(dir, sizeof dir);
    snprintf(model, sizeof model, "%s/vectors/models/se-resnet14-fmnist.bnn", tu_src_dir());
    run_to(model, "--data fashion-mnist:test --count 4 --skip-channels --dynamic-move", dir, "s1");
    run_to(model, "--data fashion-mnist:test --count 4 --skip-channels --dynamic-move --jobs 2", dir, "s2");
    same_json_csv(dir, "s1", "s2");
}

/* Shards I/3 of the small run into dir/shI.json. */
static void shards(const char *model, const char *dir, const char *extra)
{
    for (int i = 0; i < 3; i++) {
        char args[512], tag[16];
        snprintf(args, sizeof args, "--data random:7 --count 6 --small --shard %d/3 %s", i, extra);
        snprintf(tag, sizeof tag, "sh%d", i);
        run_to(model, args, dir, tag);
    }
}

Test(jobs, shards_merged_equal_one_process, .timeout = 120)
{
    char model[1024], dir[1024];
    make_model(model, sizeof model, "5");
    tmp_dir(dir, sizeof dir);
    run_to(model, "--data random:7 --count 6 --small", dir, "one");
    shards(model, dir, "");
    /* in any order */
    int rc = sh("%s/sparsecim merge %s/sh2.json %s/sh0.json %s/sh1.json -o %s/merged.json 2>&1", dir, dir, dir, dir);
    cr_assert_eq(rc, 0, "merge: exit %d: %s", rc, out);
    rc = sh("%s/sparsecim merge %s/sh0.json %s/sh1.json %s/sh2.json -o %s/m.json --csv m.csv --quiet 2>&1", dir, dir,
            dir, dir);
    cr_assert_eq(rc, 0, "merge: exit %d: %s", rc, out);
    char a[1200], b[1200];
    snprintf(a, sizeof a, "%s/one.json", dir);
    snprintf(b, sizeof b, "%s/merged.json", dir);
    assert_same_file(a, b);
    snprintf(b, sizeof b, "%s/m.json", dir);
    assert_same_file(a, b);
    snprintf(a, sizeof a, "%s/one.csv", dir);
    assert_same_file(a, "m.csv");
    remove("m.csv");
    /* a shard report records its shard; --jobs inside a shard gives the same shard report */
    snprintf(a, sizeof a, "%s/sh1.json", dir);
    FILE *f = fopen(a, "r");
    cr_assert_not_null(f);
    char buf[1 << 14];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    cr_assert_not_null(strstr(buf, "\"shard\": {\n    \"index\": 1,\n    \"of\": 3,\n    \"first\": 2,\n    \"count\": 2,\n"
                                   "    \"run_first\": 0,\n    \"run_count\": 6,\n    \"state_start\": \""),
                       "%.2000s", buf);
    run_to(model, "--data random:7 --count 6 --small --shard 1/3 --jobs 2", dir, "sh1j");
    same_json_csv(dir, "sh1", "sh1j");
}

/* merge of the given reports: exit 2 with `want` in the message. */
static void refused(const char *reports, const char *want)
{
    int rc = sh("%s/sparsecim merge %s -o /tmp/sparsecim-merge-refused.json 2>&1", reports, NULL, NULL, NULL);
    cr_assert_eq(rc, 2, "merge %s: exit %d: %s", reports, rc, out);
    cr_assert_not_null(strstr(out, want), "merge %s: expected '%s' in: %s", reports, want, out);
    cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line: %s", out);
}

Test(jobs, merge_refuses_mixed_reports, .timeout = 120)
{
    char model[1024], other[1024], dir[1024], odir[1024], gdir[1024], rep[8192];
    make_model(model, sizeof model, "5");
    make_model(other, sizeof other, "6");
    tmp_dir(dir, sizeof dir);
    tmp_dir(odir, sizeof odir);
    tmp_dir(gdir, sizeof gdir);
    shards(model, dir, "");
    shards(other, odir, "");
    run_to(model, "--data random:7 --count 6 --geometry 256x64x16 --shard 1/3", gdir, "sh1");
    run_to(model, "--data random:7 --count 6 --small", gdir, "one");
    snprintf(rep, sizeof rep, "%s/sh0.json %s/sh1.json %s/sh2.json", dir, odir, dir);
    refused(rep, "different model (.bnn CRC-32)");
    snprintf(rep, sizeof rep, "%s/sh0.json %s/sh1.json %s/sh2.json", dir, gdir, dir);
    refused(rep, "different geometry");
    snprintf(rep, sizeof rep, "%s/sh0.json %s/sh1.json %s/sh1.json %s/sh2.json", dir, dir, dir, dir);
    refused(rep, "overlapping images");
    snprintf(rep, sizeof rep, "%s/sh0.json %s/sh2.json", dir, dir);
    refused(rep, "missing images 2..3");
    snprintf(rep, sizeof rep, "%s/sh0.json %s/sh1.json", dir, dir);
    refused(rep, "missing images 4..5");
    snprintf(rep, sizeof rep, "%s/sh0.json %s/one.json", dir, gdir);
    refused(rep, "not a shard report");
    run_to(model, "--data random:7 --count 6 --small --shard 1/3 --unit 2", gdir, "u2");
    snprintf(rep, sizeof rep, "%s/sh0.json %s/u2.json %s/sh2.json", dir, gdir, dir);
    refused(rep, "different option --unit");
}

Test(jobs, killed_worker_fails_the_run, .timeout = 120)
{
    char model[1024], dir[1024];
    make_model(model, sizeof model, "5");
    tmp_dir(dir, sizeof dir);
    int rc = sh("SPARSECIM_TEST_KILL_WORKER=1 %s/sparsecim run --model %s --data random:7 --count 6 --small --jobs 2 "
                "--quiet --report %s/k.json 2>&1",
                model, dir, NULL, NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert_not_null(strstr(out, "worker 1 (images 3..5) was killed by signal 9"), "%s", out);
    char rep[1200];
    snprintf(rep, sizeof rep, "%s/k.json", dir);
    FILE *f = fopen(rep, "r");
    cr_assert_null(f, "a failed run wrote its report");
    /* waveforms need one process */
    rc = sh("%s/sparsecim run --model %s --data random:7 --count 2 --small --jobs 2 --waves %s/w.vcd 2>&1", model, dir,
            NULL, NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert_not_null(strstr(out, "option --jobs: not with --waves"), "%s", out);
    rc = sh("%s/sparsecim run --model %s --data random:7 --count 2 --small --shard 2/2 2>&1", model, NULL, NULL, NULL);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, out);
    cr_assert_not_null(strstr(out, "option --shard: expected I/N"), "%s", out);
}

/* SIGINT to a run --jobs 2 while its workers run (its temporary directory
 * exists): the workers are stopped, their files and the directory removed,
 * no report written, and the run ends by the signal (the shell's 130). */
Test(jobs, interrupted_run_leaves_nothing, .timeout = 120)
{
    char model[1024], dir[1024];
    make_model(model, sizeof model, "5");
    tmp_dir(dir, sizeof dir);
    int rc = sh("mkdir %2$s/t && (TMPDIR=%2$s/t %1$s/sparsecim run --model %3$s --data random:7 --count 100000 --small "
                "--jobs 2 --quiet --report %2$s/i.json 2>%2$s/err.txt & p=$!; "
                "n=0; while [ -z \"$(ls %2$s/t)\" ] && [ $n -lt 400 ]; do sleep 0.05; n=$((n+1)); done; sleep 0.5; "
                "kill -INT $p; wait $p; echo status=$?; cat %2$s/err.txt; echo left=$(ls -A %2$s/t | wc -l); "
                "ls %2$s/i.json 2>/dev/null; true) 2>&1",
                dir, model, NULL, NULL);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert_not_null(strstr(out, "status=130"), "%s", out);
    cr_assert_not_null(strstr(out, "sparsecim run: interrupted by signal 2 (Interrupt): the workers were stopped"), "%s",
                       out);
    cr_assert_not_null(strstr(out, "left=0"), "temporary files left: %s", out);
    cr_assert_null(strstr(out, "i.json"), "an interrupted run wrote its report: %s", out);
}

/* sim --jobs N: the golden vectors of 5 images replayed by N workers give
 * the one-process report and CSV but wall_seconds; a bad job file in a
 * worker's block fails the run naming the worker and its images. */
Test(jobs, sim_jobs_equal_one_process, .timeout = 120)
{
    char model[1024], dir[1024];
    make_model(model, sizeof model, "5");
    tmp_dir(dir, sizeof dir);
    int rc = sh("cd %2$s && %1$s/sparsecim vectors --model %3$s --data random:7 --count 5 --rows 64 --cols 16 "
                "--seg-rows 8 -o vec > /dev/null 2>&1 && for j in 1 2 3 9 0; do %1$s/sparsecim sim --vectors vec "
                "--jobs $j --quiet --report s$j.json --csv s$j.csv > /dev/null 2>&1 || exit 1; done",
                dir, model, NULL, NULL);
    cr_assert_eq(rc, 0, "vectors/sim: exit %d: %s", rc, out);
    same_json_csv(dir, "s1", "s2");
    same_json_csv(dir, "s1", "s3");
    same_json_csv(dir, "s1", "s9");
    same_json_csv(dir, "s1", "s0");
    /* the last image's classifier job corrupted: worker 1 of 2 (images 2..4) fails, no report */
    rc = sh("cd %2$s && f=$(ls vec | grep '^i00004_.*_fc_' | head -1) && sed -i '3s/./Z/' vec/$f && "
            "%1$s/sparsecim sim --vectors vec --jobs 2 --quiet --report bad.json 2>&1; echo \"exit $?\"; "
            "test ! -e bad.json",
            dir, NULL, NULL, NULL);
    cr_assert_eq(rc, 0, "a report was written: %s", out);
    cr_assert_not_null(strstr(out, "worker 1 (images 2..4)"), "%s", out);
    cr_assert_not_null(strstr(out, "exit 2"), "%s", out);
    rc = sh("%s/sparsecim sim --vectors %s/vec --jobs 2 --waves %s/w.vcd 2>&1", dir, dir, NULL, NULL);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert_not_null(strstr(out, "not with --waves"), "%s", out);
}
