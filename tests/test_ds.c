/* test_ds.c - data set readers on small files the test writes itself. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "data/ds.h"
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

static void write_bytes(const char *path, const void *b, size_t n, int gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        cr_assert_not_null(f);
        cr_assert_eq(gzwrite(f, b, (unsigned)n), (int)n);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f);
        cr_assert_eq(fwrite(b, 1, n, f), n);
        fclose(f);
    }
}

/* Loads `spec` expecting failure with every needle in the message. */
static void expect_fail(const char *spec, const char *n1, const char *n2)
{
    ds_set *s = (ds_set *)1;
    bnn_error err = {{0}};
    cr_assert_neq(ds_load(spec, &s, &err), 0, "accepted %s", spec);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, n1) && (!n2 || strstr(err.msg, n2)), "message '%s' lacks '%s' / '%s'", err.msg, n1,
              n2 ? n2 : "");
}

Test(ds, idx_bad_files_named)
{
    char ip[256], lp[256], spec[600];
    tu_tmp_path(ip, sizeof ip, "img");
    tu_tmp_path(lp, sizeof lp, "lab");
    snprintf(spec, sizeof spec, "idx:%s,%s", ip, lp);
    /* label count differs from image count */
    write_idx(ip, lp, 5, 4, 3, 0, 4);
    expect_fail(spec, lp, "4 labels for 5 images");
    /* truncated payload: 30 of 16 + 60 bytes */
    write_idx(ip, lp, 5, 4, 3, 0, 5);
    FILE *f = fopen(ip, "r+b");
    cr_assert_eq(ftruncate(fileno(f), 30), 0);
    fclose(f);
    expect_fail(spec, ip, "byte 30: truncated");
    /* bytes after the payload */
    write_idx(ip, lp, 5, 4, 3, 0, 5);
    f = fopen(ip, "ab");
    fputs("xyz", f);
    fclose(f);
    expect_fail(spec, ip, "byte 76: 3 bytes after the data");
    /* wrong magic (type 0x09 = signed byte), wrong dimension count */
    write_bytes(ip, "\x00\x00\x09\x03", 4, 0);
    expect_fail(spec, ip, "byte 0: not an unsigned-byte IDX file");
    write_idx(ip, lp, 5, 4, 3, 0, 5);
    write_bytes(lp, "\x00\x00\x08\x03\x00\x00\x00\x05", 8, 0);
    expect_fail(spec, lp, "byte 3: expected 1 dimensions, got 3");
    /* a zero dimension, a header cut short */
    write_bytes(ip, "\x00\x00\x08\x03\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x03", 16, 0);
    expect_fail(spec, ip, "byte 8: dimension 1 is 0");
    write_bytes(ip, "\x00\x00\x08\x03\x00\x00", 6, 0);
    expect_fail(spec, ip, "truncated IDX header");
    /* a label out of range, named by its byte */
    write_idx(ip, lp, 5, 4, 3, 0, 5);
    uint8_t lab[13] = {0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 200, 3, 4};
    write_bytes(lp, lab, sizeof lab, 1);
    expect_fail(spec, lp, "byte 10: label 200 out of range");
    /* a gzip stream cut in the middle */
    write_idx(ip, lp, 50, 20, 20, 1, 50);
    f = fopen(ip, "r+b");
    fseek(f, 0, SEEK_END);
    long gzlen = ftell(f);
    cr_assert_eq(ftruncate(fileno(f), gzlen / 2), 0);
    fclose(f);
    expect_fail(spec, ip, "of the gzip data");
    /* missing files */
    remove(ip);
    expect_fail(spec, ip, "cannot open");
    remove(lp);
}

Test(ds, specs_parsed)
{
    expect_fail("idx:onlyone", "expected idx:IMAGES,LABELS", NULL);
    expect_fail("idx:,labels", "expected idx:IMAGES,LABELS", NULL);
    expect_fail("idx:images,", "expected idx:IMAGES,LABELS", NULL);
    expect_fail("fashion-mnist:val", "expected fashion-mnist:train or fashion-mnist:test", NULL);
    expect_fail("cifar10:", "expected fashion-mnist:train|test", NULL);
    expect_fail("mnist", "data spec 'mnist'", NULL);
    expect_fail("", "data spec ''", NULL);
}

/* SPARSECIM_FMNIST_DIR points fashion-mnist:NAME at another directory. */
Test(ds, fashion_mnist_dir_override)
{
    char dir[256], ip[400], lp[400];
    snprintf(dir, sizeof dir, "%s/sparsecim-fm-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(setenv("SPARSECIM_FMNIST_DIR", dir, 1), 0);
    expect_fail("fashion-mnist:train", "dataset-fashion-mnist", dir);
    snprintf(ip, sizeof ip, "%s/train-images-idx3-ubyte.gz", dir);
    snprintf(lp, sizeof lp, "%s/train-labels-idx1-ubyte.gz", dir);
    write_idx(ip, lp, 7, 28, 28, 1, 7);
    ds_set *s;
    bnn_error err;
    cr_assert_eq(ds_load("fashion-mnist:train", &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s->count, 7);
    cr_assert_eq(s->labels[6], 6);
    cr_assert_eq(s->pixels[5 * 784 + 100], (uint8_t)(5 * 7 + 100));
    ds_free(s);
    expect_fail("fashion-mnist:test", "t10k", NULL); /* only the train split is there */
    remove(ip);
    remove(lp);
    rmdir(dir);
}

static bnn_model *tiny_model(int c, int h, int w, int bits, int classes)
{
    bnn_random_opts o = {.depth = 8, .width = 2, .se = 0, .in_c = c, .in_h = h, .in_w = w, .classes = classes,
                         .seed = 1};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    m->in_bits = bits;
    return m;
}

Test(ds, model_fit_checked)
{
    ds_set s = {.count = 3, .c = 1, .h = 8, .w = 6};
    uint8_t labels[3] = {0, 4, 9};
    s.labels = labels;
    bnn_error err;
    bnn_model *m = tiny_model(1, 8, 6, 8, 10);
    cr_assert_eq(ds_check_model(&s, m, "X", "M", &err), 0, "%s", err.msg);
    bnn_model_free(m);
    m = tiny_model(1, 6, 8, 8, 10);
    cr_assert_neq(ds_check_model(&s, m, "X", "M", &err), 0);
    cr_assert(strstr(err.msg, "X: images are 1x8x6 (CxHxW) but the model M expects 1x6x8"), "%s", err.msg);
    bnn_model_free(m);
    m = tiny_model(1, 8, 6, 4, 10);
    cr_assert_neq(ds_check_model(&s, m, "X", "M", &err), 0);
    cr_assert(strstr(err.msg, "8-bit but the model M has 4-bit inputs"), "%s", err.msg);
    bnn_model_free(m);
    m = tiny_model(1, 8, 6, 8, 5);
    cr_assert_neq(ds_check_model(&s, m, "X", "M", &err), 0);
    cr_assert(strstr(err.msg, "image 2 has label 9 but the model M has 5 classes"), "%s", err.msg);
    bnn_model_free(m);
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
    /* a label out of range, gzip compressed */
    rec[0] = 10;
    write_bytes(p, rec, sizeof rec, 1);
    expect_fail(spec, p, "byte 0: label 10 out of range 0..9");
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
    cr_assert_eq(s->c, 1);
    cr_assert_eq(s->w, 28);
    int ink = 0;
    for (int i = 0; i < 784; i++)
        ink += s->pixels[i] != 0;
    cr_assert(ink > 100 && ink < 784, "%d non-zero pixels in image 0", ink);
    for (int i = 0; i < s->count; i++)
        cr_assert_lt(s->labels[i], 10);
    bnn_tensor *t = bnn_tensor_new(1, 28, 28, 8);
    ds_image(s, 0, t);
    for (int i = 0; i < 784; i++)
        cr_assert_eq(t->v[i], s->pixels[i]);
    bnn_tensor_free(t);
    ds_free(s);
}
