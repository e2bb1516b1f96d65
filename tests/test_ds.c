/* test_ds.c - data set readers on small files the test writes itself. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ds.h"
#include "test_util.h"

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Writes an IDX pair of n images h x w (pixel = i*7 + y*w + x) and labels i%10. */
static void write_idx(const char *ip, const char *lp, int n, int h, int w, int gz, int nlabels)
{
    size_t isz = 16 + (size_t)n * (size_t)(h * w);
    uint8_t *img = malloc(isz), lab[8 + 256];
    img[0] = img[1] = 0;
    img[2] = 8;
    img[3] = 3;
    be32(img + 4, (uint32_t)n);
    be32(img + 8, (uint32_t)h);
    be32(img + 12, (uint32_t)w);
    for (int i = 0; i < n; i++)
        for (int p = 0; p < h * w; p++)
            img[16 + i * h * w + p] = (uint8_t)(i * 7 + p);
    lab[0] = lab[1] = 0;
    lab[2] = 8;
    lab[3] = 1;
    be32(lab + 4, (uint32_t)nlabels);
    for (int i = 0; i < nlabels; i++)
        lab[8 + i] = (uint8_t)(i % 10);
    if (gz) {
        gzFile f = gzopen(ip, "wb");
        gzwrite(f, img, (unsigned)isz);
        gzclose(f);
        f = gzopen(lp, "wb");
        gzwrite(f, lab, (unsigned)(8 + nlabels));
        gzclose(f);
    } else {
        FILE *f = fopen(ip, "wb");
        fwrite(img, 1, isz, f);
        fclose(f);
        f = fopen(lp, "wb");
        fwrite(lab, 1, (size_t)(8 + nlabels), f);
        fclose(f);
    }
    free(img);
}

Test(ds, idx_plain_and_gzip)
{
    for (int gz = 0; gz < 2; gz++) {
        char ip[256], lp[256], spec[600];
        tu_tmp_path(ip, sizeof ip, "img");
        tu_tmp_path(lp, sizeof lp, "lab");
        write_idx(ip, lp, 5, 4, 3, gz, 5);
        snprintf(spec, sizeof spec, "idx:%s,%s", ip, lp);
        ds_set *s;
        bnn_error err;
        cr_assert_eq(ds_load(spec, &s, &err), 0, "%s", err.msg);
        cr_assert_eq(s->count, 5);
        cr_assert_eq(s->h, 4);
        cr_assert_eq(s->w, 3);
        cr_assert_eq(s->c, 1);
        cr_assert_eq(s->labels[3], 3);
        bnn_tensor *t = bnn_tensor_new(1, 4, 3, 8);
        ds_image(s, 2, t);
        cr_assert_eq(bnn_at(t, 0, 1, 2), 2 * 7 + 1 * 3 + 2);
        bnn_tensor_free(t);
        ds_free(s);
        remove(ip);
        remove(lp);
    }
}

Test(ds, idx_bad_files_named)
{
    char ip[256], lp[256], spec[600];
    tu_tmp_path(ip, sizeof ip, "img");
    tu_tmp_path(lp, sizeof lp, "lab");
    ds_set *s;
    bnn_error err;
    /* label count differs from image count */
    write_idx(ip, lp, 5, 4, 3, 0, 4);
    snprintf(spec, sizeof spec, "idx:%s,%s", ip, lp);
    cr_assert_neq(ds_load(spec, &s, &err), 0);
    cr_assert(strstr(err.msg, lp) && strstr(err.msg, "labels"), "%s", err.msg);
    /* truncated payload */
    write_idx(ip, lp, 5, 4, 3, 0, 5);
    FILE *f = fopen(ip, "r+b");
    cr_assert_eq(ftruncate(fileno(f), 30), 0);
    fclose(f);
    cr_assert_neq(ds_load(spec, &s, &err), 0);
    cr_assert(strstr(err.msg, ip) && strstr(err.msg, "byte 16"), "%s", err.msg);
    /* wrong magic */
    f = fopen(ip, "wb");
    fwrite("\x00\x00\x09\x03", 1, 4, f);
    fclose(f);
    cr_assert_neq(ds_load(spec, &s, &err), 0);
    cr_assert(strstr(err.msg, "byte 0"), "%s", err.msg);
    /* bad specs */
    cr_assert_neq(ds_load("idx:onlyone", &s, &err), 0);
    cr_assert(strstr(err.msg, "idx:IMAGES,LABELS"), "%s", err.msg);
    cr_assert_neq(ds_load("fashion-mnist:val", &s, &err), 0);
    cr_assert_neq(ds_load("mnist", &s, &err), 0);
    remove(ip);
    remove(lp);
}

Test(ds, cifar10_records)
{
    char p[256];
    tu_tmp_path(p, sizeof p, "cifar");
    FILE *f = fopen(p, "wb");
    uint8_t rec[3073];
    for (int i = 0; i < 3; i++) {
        rec[0] = (uint8_t)(i + 4);
        for (int k = 0; k < 3072; k++)
            rec[1 + k] = (uint8_t)(k + i);
        fwrite(rec, 1, sizeof rec, f);
    }
    fclose(f);
    char spec[300];
    snprintf(spec, sizeof spec, "cifar10:%s", p);
    ds_set *s;
    bnn_error err;
    cr_assert_eq(ds_load(spec, &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s->count, 3);
    cr_assert_eq(s->c, 3);
    cr_assert_eq(s->labels[2], 6);
    bnn_tensor *t = bnn_tensor_new(3, 32, 32, 8);
    ds_image(s, 1, t);
    cr_assert_eq(bnn_at(t, 2, 0, 5), (uint8_t)(2048 + 5 + 1)); /* channel-major: k = c*1024 + y*32 + x */
    bnn_tensor_free(t);
    ds_free(s);
    /* a partial record */
    f = fopen(p, "ab");
    fwrite(rec, 1, 100, f);
    fclose(f);
    cr_assert_neq(ds_load(spec, &s, &err), 0);
    cr_assert(strstr(err.msg, "3073") && strstr(err.msg, "byte 9219"), "%s", err.msg);
    remove(p);
}

Test(ds, fashion_mnist_package)
{
    FILE *f = fopen(DS_FMNIST_DIR "/t10k-labels-idx1-ubyte.gz", "rb");
    if (!f)
        cr_skip_test("dataset-fashion-mnist is not installed");
    fclose(f);
    ds_set *s;
    bnn_error err;
    cr_assert_eq(ds_load("fashion-mnist:test", &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s->count, 10000);
    cr_assert_eq(s->h, 28);
    cr_assert_eq(s->labels[0], 9); /* the first test image is an ankle boot */
    ds_free(s);
}
