/* test_model.c - .bnn format: round trips, known answers, bad input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bnn_model.h"
#include "test_util.h"

static bnn_model *random_model(int depth, int width, int se, int c, int h, uint64_t seed)
{
    bnn_random_opts o = {.depth = depth, .width = width, .se = se, .in_c = c, .in_h = h, .in_w = h,
                         .classes = 10, .seed = seed};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    return m;
}

static void assert_bits_eq(const bnn_bits *a, const bnn_bits *b)
{
    cr_assert_eq(a->rows, b->rows);
    cr_assert_eq(a->cols, b->cols);
    cr_assert_eq(memcmp(a->w, b->w, (size_t)a->rows * (size_t)a->words * 8), 0);
}

static void assert_thresh_eq(const bnn_thresh *a, const bnn_thresh *b)
{
    cr_assert_eq(a->n, b->n);
    cr_assert_eq(a->pairs, b->pairs);
    cr_assert_eq(memcmp(a->neg, b->neg, (size_t)a->n), 0);
    cr_assert_eq(memcmp(a->t, b->t, (size_t)a->n * (size_t)a->pairs * 4), 0);
}

static void assert_model_eq(const bnn_model *a, const bnn_model *b)
{
    cr_assert_eq(a->n_layers, b->n_layers);
    cr_assert_eq(a->in_c, b->in_c);
    cr_assert_eq(a->in_h, b->in_h);
    cr_assert_eq(a->classes, b->classes);
    for (int i = 0; i < a->n_layers; i++) {
        const bnn_layer *x = &a->layers[i], *y = &b->layers[i];
        cr_assert_eq(x->type, y->type);
        cr_assert_str_eq(x->name, y->name);
        if (x->type == BNN_CONV) {
            const bnn_conv *p = &x->u.conv, *q = &y->u.conv;
            cr_assert(p->in_c == q->in_c && p->out_c == q->out_c && p->k_h == q->k_h && p->k_w == q->k_w &&
                      p->stride == q->stride && p->pad_h == q->pad_h && p->shortcut == q->shortcut &&
                      p->out_h == q->out_h && p->in_bits == q->in_bits);
            assert_bits_eq(&p->wt, &q->wt);
            assert_thresh_eq(&p->th, &q->th);
        } else if (x->type == BNN_SE) {
            assert_bits_eq(&x->u.se.fc1, &y->u.se.fc1);
            assert_bits_eq(&x->u.se.fc2, &y->u.se.fc2);
            assert_thresh_eq(&x->u.se.th1, &y->u.se.th1);
            assert_thresh_eq(&x->u.se.th2, &y->u.se.th2);
        } else {
            assert_bits_eq(&x->u.cls.wt, &y->u.cls.wt);
            cr_assert_eq(memcmp(x->u.cls.scale, y->u.cls.scale, 4 * (size_t)x->u.cls.classes), 0);
            cr_assert_eq(memcmp(x->u.cls.bias, y->u.cls.bias, 4 * (size_t)x->u.cls.classes), 0);
        }
    }
}

Test(model, round_trip_many_shapes, .timeout = 60)
{
    int depths[] = {8, 14, 20, 32};
    for (int d = 0; d < 4; d++)
        for (int se = 0; se < 2; se++)
            for (int shape = 0; shape < 2; shape++) {
                bnn_model *m = random_model(depths[d], 4 + 4 * shape, se, shape ? 3 : 1, shape ? 32 : 28,
                                            (uint64_t)(d * 7 + se * 3 + shape));
                uint8_t *buf;
                size_t len;
                bnn_error err;
                cr_assert_eq(bnn_model_serialize(m, &buf, &len, &err), 0);
                bnn_model *back;
                cr_assert_eq(bnn_model_load_mem(buf, len, "mem", &back, &err), 0, "%s", err.msg);
                assert_model_eq(m, back);
                /* serializing the loaded model gives the same bytes */
                uint8_t *buf2;
                size_t len2;
                cr_assert_eq(bnn_model_serialize(back, &buf2, &len2, &err), 0);
                cr_assert_eq(len, len2);
                cr_assert_eq(memcmp(buf, buf2, len), 0);
                free(buf);
                free(buf2);
                bnn_model_free(back);
                bnn_model_free(m);
            }
}

Test(model, topology_and_names)
{
    bnn_model *m = random_model(14, 16, 1, 1, 28, 1);
    /* conv1 + 3 stages x 2 blocks x (a, b, se) + fc */
    cr_assert_eq(m->n_layers, 1 + 18 + 1);
    const char *names[] = {"conv1", "s0b0a", "s0b0b", "s0b0se", "s0b1a", "s0b1b", "s0b1se", "s1b0a", "s1b0b",
                           "s1b0se", "s1b1a", "s1b1b", "s1b1se", "s2b0a", "s2b0b", "s2b0se", "s2b1a", "s2b1b",
                           "s2b1se", "fc"};
    for (int i = 0; i < m->n_layers; i++)
        cr_assert_str_eq(m->layers[i].name, names[i]);
    cr_assert_eq(m->layers[7].u.conv.stride, 2);
    cr_assert_eq(m->layers[8].u.conv.shortcut, 7);
    cr_assert_eq(m->layers[8].u.conv.th.pairs, 2);
    cr_assert_eq(m->layers[13].u.conv.out_h, 7);
    cr_assert_eq(m->layers[15].u.se.hidden, 16);
    cr_assert_eq(m->layers[15].u.se.q_bits, 6); /* 7x7 = 49 -> 6 bits */
    cr_assert_eq(m->layers[19].u.cls.q_bits, 6);
    bnn_model_free(m);
}

Test(model, known_answers)
{
    cr_assert_eq(bnn_bitlen(0), 1);
    cr_assert_eq(bnn_bitlen(1), 1);
    cr_assert_eq(bnn_bitlen(2), 2);
    cr_assert_eq(bnn_bitlen(49), 6);
    cr_assert_eq(bnn_bitlen(784), 10);
    cr_assert_eq(bnn_bitlen(1024), 11);
    /* MACs of ResNet-14, width 16, 28x28x1, no SE (hand count):
     * conv1 16*784*9*8; stage0 4 convs 16*784*144; s1b0a 32*196*144;
     * 3 convs 32*196*288; s2b0a 64*49*288; 3 convs 64*49*576; fc 10*64*6 */
    uint64_t want = 16ull * 784 * 9 * 8 + 4ull * 16 * 784 * 144 + 32ull * 196 * 144 + 3ull * 32 * 196 * 288 +
                    64ull * 49 * 288 + 3ull * 64 * 49 * 576 + 10ull * 64 * 6;
    bnn_model *m = random_model(14, 16, 0, 1, 28, 5);
    cr_assert_eq(bnn_model_macs(m), want, "%llu != %llu", (unsigned long long)bnn_model_macs(m),
                 (unsigned long long)want);
    bnn_model_free(m);
}

/* A small valid model in memory (depth 8, width 2, SE). */
static uint8_t *small_file(size_t *len)
{
    bnn_model *m = random_model(8, 2, 1, 1, 8, 9);
    uint8_t *buf;
    bnn_error err;
    cr_assert_eq(bnn_model_serialize(m, &buf, len, &err), 0);
    bnn_model_free(m);
    return buf;
}

static void fix_crc(uint8_t *buf, size_t len)
{
    uint32_t c = (uint32_t)crc32(0L, buf, (uInt)(len - 4));
    for (int i = 0; i < 4; i++)
        buf[len - 4 + (size_t)i] = (uint8_t)(c >> (8 * i));
}

static void expect_fail(const uint8_t *buf, size_t len, const char *needle)
{
    bnn_model *m = (bnn_model *)1;
    bnn_error err = {{0}};
    cr_assert_neq(bnn_model_load_mem(buf, len, "bad.bnn", &m, &err), 0, "accepted a bad file (want '%s')", needle);
    cr_assert_null(m);
    cr_assert(strstr(err.msg, "bad.bnn") != NULL, "message does not name the file: %s", err.msg);
    if (needle)
        cr_assert(strstr(err.msg, needle) != NULL, "message '%s' does not contain '%s'", err.msg, needle);
}

Test(model_bad, truncated_at_every_offset, .timeout = 60)
{
    size_t len;
    uint8_t *buf = small_file(&len);
    for (size_t n = 0; n < len; n++)
        expect_fail(buf, n, NULL);
    /* and every truncation below the CRC names a byte offset */
    for (size_t n = 8; n < len; n += 7) {
        bnn_model *m;
        bnn_error err;
        cr_assert_neq(bnn_model_load_mem(buf, n, "bad.bnn", &m, &err), 0);
        cr_assert(strstr(err.msg, "byte") != NULL, "%s", err.msg);
    }
    free(buf);
}

Test(model_bad, every_bit_flip_rejected, .timeout = 60)
{
    size_t len;
    uint8_t *buf = small_file(&len);
    for (size_t i = 0; i < len; i++)
        for (int b = 0; b < 8; b++) {
            buf[i] ^= (uint8_t)(1u << b);
            expect_fail(buf, len, NULL);
            buf[i] ^= (uint8_t)(1u << b);
        }
    free(buf);
}

Test(model_bad, fields_named)
{
    size_t len;
    uint8_t *buf = small_file(&len);
    uint8_t *b = malloc(len + 8);
    memcpy(b, buf, len);
    b[0] = 'X';
    expect_fail(b, len, "magic");
    memcpy(b, buf, len);
    b[8] = 2;
    expect_fail(b, len, "version");
    memcpy(b, buf, len);
    b[19] = 1; /* reserved */
    fix_crc(b, len);
    expect_fail(b, len, "reserved");
    memcpy(b, buf, len);
    b[24] = 9; /* layer 0 type */
    fix_crc(b, len);
    expect_fail(b, len, "layer 0 type");
    memcpy(b, buf, len);
    b[25 + 8] = 0; /* layer 0 k_h */
    fix_crc(b, len);
    expect_fail(b, len, "k_h");
    memcpy(b, buf, len);
    b[25 + 2] = 3; /* layer 0 out_c 2 -> 3: shapes no longer chain */
    fix_crc(b, len);
    expect_fail(b, len, NULL);
    memcpy(b, buf, len);
    b[len - 1] ^= 0x55; /* CRC */
    expect_fail(b, len, "crc32");
    /* trailing bytes before a valid CRC */
    memcpy(b, buf, len - 4);
    memset(b + len - 4, 0, 4);
    fix_crc(b, len + 4);
    expect_fail(b, len + 4, "unexpected bytes");
    /* nonzero unused weight bits: layer 0 has 9 weight bits per row -> 2 bytes,
     * the second byte's bits 1..7 are unused */
    memcpy(b, buf, len);
    b[25 + 16 + 1] |= 0x80;
    fix_crc(b, len);
    expect_fail(b, len, "unused weight bits");
    /* shortcut pointing forward: layer 2 (s0b0b) shortcut field */
    free(b);
    free(buf);
}

Test(model_bad, missing_file)
{
    bnn_model *m;
    bnn_error err;
    cr_assert_neq(bnn_model_load("/nonexistent/x.bnn", &m, &err), 0);
    cr_assert(strstr(err.msg, "/nonexistent/x.bnn") != NULL);
}

Test(model_cli, random_info_and_errors, .timeout = 60)
{
    char path[512], cmd[2048], out[8192];
    tu_tmp_path(path, sizeof path, "cli");
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 14 --se --seed 3 -o %s", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model info %s", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "s2b1se") && strstr(out, "20797056 binary MACs"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 15 --seed 1 -o %s 2>&1", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2);
    cr_assert(strstr(out, "6n+2") != NULL, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --width abc --seed 1 -o %s 2>&1", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2);
    cr_assert(strstr(out, "--width") != NULL, "%s", out);
    snprintf(cmd, sizeof cmd, "head -c 100 %s > %s.cut && %s/sparsecim model info %s.cut 2>&1", path, path,
             tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2);
    cr_assert(strstr(out, "byte") != NULL && strchr(out, '\n') == out + strlen(out) - 1, "one line: %s", out);
    snprintf(cmd, sizeof cmd, "rm -f %s %s.cut", path, path);
    tu_run(cmd, NULL, 0);
}
