/* test_model.c - .bnn format and generator: a hand-written file (known bytes,
 * known CRC, known MACs), round trips of random models, names, known
 * answers, activation statistics of random models, the model CLI.
 * Bad input is in test_model_bad.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "infer/bnn_infer.h"
#include "model/bnn_model.h"
#include "model/bnn_rng.h"
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

/* ---------------------------------------------- a hand-written file ---- */

/* Written byte by byte from docs/SPEC.md section 4 (CRC from Python's
 * zlib.crc32): conv1 1x3 (8-bit image) -> 1x1 conv -> residual 1x1 conv
 * with stride 2 (option A) -> SE (hidden 1) -> classifier. */
static const uint8_t hand_file[] = {
    0x53, 0x43, 0x49, 0x4d, 0x42, 0x4e, 0x4e, 0x31, /* magic */
    0x01, 0x00, 0x00, 0x00, /* version 1 */
    0x01, 0x00, 0x02, 0x00, 0x02, 0x00, /* in_c 1, in_h 2, in_w 2 */
    0x08, 0x00, /* in_bits 8, reserved 0 */
    0x02, 0x00, 0x05, 0x00, /* classes 2, n_layers 5 */
    0x01, 0x01, 0x00, 0x03, 0x00, 0x02, 0x00, 0x02, 0x00, /* L0 CONV, in_c 1, out_c 3, in_h 2, in_w 2 */
    0x01, 0x03, 0x01, 0x00, 0x01, 0x08, 0xff, 0xff, /* k 1x3, stride 1, pad 0/1, in_bits 8, shortcut -1 */
    0x05, 0x03, 0x06, /* weights: 3 rows of 1 byte (n = 3) */
    0x02, /* sign: channel 1 negative */
    0x0a, 0x00, 0x00, 0x00, 0xfb, 0xff, 0xff, 0xff, 0x2c, 0x01, 0x00, 0x00, /* T = 10, -5, 300 */
    0x01, 0x03, 0x00, 0x03, 0x00, 0x02, 0x00, 0x02, 0x00, /* L1 CONV, in_c 3, out_c 3, in_h 2, in_w 2 */
    0x01, 0x01, 0x01, 0x00, 0x00, 0x01, 0xff, 0xff, /* k 1x1, stride 1, pad 0/0, in_bits 1, shortcut -1 */
    0x07, 0x01, 0x04, /* weights */
    0x00, /* sign */
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, /* T = 0, 1, -1 */
    0x01, 0x03, 0x00, 0x04, 0x00, 0x02, 0x00, 0x02, 0x00, /* L2 CONV, in_c 3, out_c 4, in_h 2, in_w 2 */
    0x01, 0x01, 0x02, 0x00, 0x00, 0x01, 0x01, 0x00, /* k 1x1, stride 2, pad 0/0, in_bits 1, shortcut 1 */
    0x02, 0x07, 0x00, 0x05, /* weights */
    0x08, /* sign: channel 3 negative */
    0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* (T0, T1) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, 0xff, 0xff, 0xff, 0xfc, 0xff, 0xff, 0xff,
    0x02, 0x04, 0x00, 0x01, 0x00, /* L3 SE, channels 4, hidden 1 */
    0x06, 0x01, 0xfe, 0xff, 0xff, 0xff, /* fc1 weights, sign, T = -2 */
    0x01, 0x00, 0x01, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x07,
    0x00, 0x00, 0x00, /* fc2 weights 4 rows, sign, T = 0, 1, -1, 7 */
    0x03, 0x04, 0x00, 0x02, 0x00, /* L4 CLASSIFIER, in_c 4, classes 2 */
    0x0d, 0x02, /* weights */
    0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0xa0, 0xbf, 0x00, 0x00, 0x80, 0x3e, 0x00, 0x00, 0x00, 0x40, /* scale, bias */
    0x28, 0x75, 0x73, 0xb4 /* crc32 0xb4737528 */
};

Test(model_hand, known_file_fields_crc_macs)
{
    cr_assert_eq(crc32(0L, hand_file, (uInt)sizeof hand_file - 4), 0xb4737528u);
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_load_mem(hand_file, sizeof hand_file, "hand", &m, &err), 0, "%s", err.msg);
    cr_assert(m->in_c == 1 && m->in_h == 2 && m->in_w == 2 && m->in_bits == 8 && m->classes == 2 &&
              m->n_layers == 5);
    const char *names[] = {"conv1", "s0b0a", "s0b0b", "s0b0se", "fc"};
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(m->layers[i].name, names[i]);
    const bnn_conv *c0 = &m->layers[0].u.conv;
    cr_assert(c0->k_h == 1 && c0->k_w == 3 && c0->pad_w == 1 && c0->in_bits == 8 && c0->shortcut == -1);
    cr_assert(c0->out_c == 3 && c0->out_h == 2 && c0->out_w == 2);
    int w0[3][3] = {{1, 0, 1}, {1, 1, 0}, {0, 1, 1}};
    for (int o = 0; o < 3; o++)
        for (int i = 0; i < 3; i++)
            cr_assert_eq(bnn_bits_get(&c0->wt, o, i), w0[o][i], "w[%d][%d]", o, i);
    cr_assert(c0->th.neg[0] == 0 && c0->th.neg[1] == 1 && c0->th.neg[2] == 0);
    cr_assert(c0->th.t[0] == 10 && c0->th.t[1] == -5 && c0->th.t[2] == 300);
    const bnn_conv *c2 = &m->layers[2].u.conv;
    cr_assert(c2->stride == 2 && c2->shortcut == 1 && c2->th.pairs == 2 && c2->out_h == 1 && c2->out_w == 1);
    int32_t t2[8] = {1, -1, 2, 0, 0, 0, -3, -4};
    cr_assert_eq(memcmp(c2->th.t, t2, sizeof t2), 0);
    cr_assert(c2->th.neg[3] == 1 && c2->th.neg[0] == 0);
    const bnn_se *se = &m->layers[3].u.se;
    cr_assert(se->c == 4 && se->hidden == 1 && se->q_bits == 1 && se->th1.neg[0] == 1 && se->th1.t[0] == -2);
    cr_assert(bnn_bits_get(&se->fc1, 0, 1) == 1 && bnn_bits_get(&se->fc1, 0, 0) == 0);
    cr_assert(bnn_bits_get(&se->fc2, 1, 0) == 0 && bnn_bits_get(&se->fc2, 3, 0) == 1 && se->th2.neg[2] == 1);
    cr_assert_eq(se->th2.t[3], 7);
    const bnn_classifier *cl = &m->layers[4].u.cls;
    cr_assert(cl->in_c == 4 && cl->classes == 2 && cl->q_bits == 1);
    cr_assert(cl->scale[0] == 0.5f && cl->scale[1] == -1.25f && cl->bias[0] == 0.25f && cl->bias[1] == 2.0f);
    cr_assert(bnn_bits_get(&cl->wt, 0, 0) == 1 && bnn_bits_get(&cl->wt, 0, 1) == 0 && bnn_bits_get(&cl->wt, 1, 1) == 1);
    /* MACs: L0 3*2*2*3*8 + L1 3*2*2*3 + L2 4*1*1*3 + SE 1*4*1 + 4*1 + fc 2*4*1 */
    cr_assert_eq(bnn_model_macs(m), 288u + 36u + 12u + 8u + 8u, "%llu", (unsigned long long)bnn_model_macs(m));
    /* writing it back gives the same bytes */
    uint8_t *buf;
    size_t len;
    cr_assert_eq(bnn_model_serialize(m, &buf, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(len, sizeof hand_file);
    cr_assert_eq(memcmp(buf, hand_file, len), 0);
    free(buf);
    bnn_model_free(m);
}

/* ---------------------------------------------------- round trips ---- */

static void assert_bits_eq(const bnn_bits *a, const bnn_bits *b)
{
    cr_assert(a->rows == b->rows && a->cols == b->cols && a->words == b->words);
    cr_assert_eq(memcmp(a->w, b->w, (size_t)a->rows * (size_t)a->words * 8), 0);
}

static void assert_thresh_eq(const bnn_thresh *a, const bnn_thresh *b)
{
    cr_assert(a->n == b->n && a->pairs == b->pairs);
    cr_assert_eq(memcmp(a->neg, b->neg, (size_t)a->n), 0);
    cr_assert_eq(memcmp(a->t, b->t, (size_t)a->n * (size_t)a->pairs * 4), 0);
}

static void assert_model_eq(const bnn_model *a, const bnn_model *b)
{
    cr_assert(a->n_layers == b->n_layers && a->in_c == b->in_c && a->in_h == b->in_h && a->in_w == b->in_w &&
              a->in_bits == b->in_bits && a->classes == b->classes);
    for (int i = 0; i < a->n_layers; i++) {
        const bnn_layer *x = &a->layers[i], *y = &b->layers[i];
        cr_assert_eq(x->type, y->type);
        cr_assert_str_eq(x->name, y->name);
        if (x->type == BNN_CONV) {
            const bnn_conv *p = &x->u.conv, *q = &y->u.conv;
            cr_assert(p->in_c == q->in_c && p->out_c == q->out_c && p->in_h == q->in_h && p->in_w == q->in_w &&
                      p->out_h == q->out_h && p->out_w == q->out_w && p->k_h == q->k_h && p->k_w == q->k_w &&
                      p->stride == q->stride && p->pad_h == q->pad_h && p->pad_w == q->pad_w &&
                      p->in_bits == q->in_bits && p->shortcut == q->shortcut &&
                      bnn_conv_groups(p) == bnn_conv_groups(q), "layer %d", i);
            assert_bits_eq(&p->wt, &q->wt);
            assert_thresh_eq(&p->th, &q->th);
            cr_assert_eq(!p->mult, !q->mult, "layer %d: multiplicities on one side only", i);
            if (p->mult)
                cr_assert_eq(memcmp(p->mult, q->mult, (size_t)p->in_c), 0, "layer %d: multiplicities differ", i);
        } else if (x->type == BNN_SE) {
            const bnn_se *p = &x->u.se, *q = &y->u.se;
            cr_assert(p->c == q->c && p->h == q->h && p->w == q->w && p->hidden == q->hidden &&
                      p->q_bits == q->q_bits, "layer %d", i);
            assert_bits_eq(&p->fc1, &q->fc1);
            assert_bits_eq(&p->fc2, &q->fc2);
            assert_thresh_eq(&p->th1, &q->th1);
            assert_thresh_eq(&p->th2, &q->th2);
        } else {
            const bnn_classifier *p = &x->u.cls, *q = &y->u.cls;
            cr_assert(p->in_c == q->in_c && p->h == q->h && p->w == q->w && p->classes == q->classes &&
                      p->q_bits == q->q_bits, "layer %d", i);
            assert_bits_eq(&p->wt, &q->wt);
            cr_assert_eq(memcmp(p->scale, q->scale, 4 * (size_t)p->classes), 0);
            cr_assert_eq(memcmp(p->bias, q->bias, 4 * (size_t)p->classes), 0);
        }
    }
}

/* ------------------------------------------- a hand-written version 2 ---- */

/* Version 2 byte by byte (docs/FORMAT.md; CRC from Python's zlib.crc32):
 * a 2x2x2 1-bit image, a depthwise 1x3 conv (pad_w 1, groups 2: each output
 * sees its own channel's 3 taps), a classifier. Also the fuzz seed
 * tests/fuzz/corpus/model_load/hand-dw.bnn. */
static const uint8_t hand_dw_file[] = {
    0x53, 0x43, 0x49, 0x4d, 0x42, 0x4e, 0x4e, 0x31, 0x02, 0x00, 0x00, 0x00, /* magic, version 2 */
    0x02, 0x00, 0x02, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02, 0x00, /* 2x2x2, 1 bit, 2 classes, 2 layers */
    0x01, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00, /* L0 CONV, in_c 2, out_c 2, in_h 2, in_w 2 */
    0x01, 0x03, 0x01, 0x00, 0x01, 0x01, 0xff, 0xff, /* k 1x3, stride 1, pad 0/1, in_bits 1, shortcut -1 */
    0x02, 0x00, /* groups 2 */
    0x05, 0x03, /* weights: 2 rows of 3 bits (n = 2/2 * 1 * 3): +-+, ++- */
    0x02, /* sign: channel 1 negative */
    0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, /* T = 1, -1 */
    0x03, 0x02, 0x00, 0x02, 0x00, /* L1 CLASSIFIER, in_c 2, classes 2 */
    0x01, 0x03, /* weights */
    0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xbe, /* scale, bias */
    0x86, 0x18, 0xd8, 0x4e, /* crc32 0x4ed81886 */
};

Test(model_hand, version2_known_file)
{
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_load_mem(hand_dw_file, sizeof hand_dw_file, "hand-dw", &m, &err), 0, "%s", err.msg);
    const bnn_conv *c = &m->layers[0].u.conv;
    cr_assert(c->groups == 2 && bnn_conv_cpg(c) == 1 && bnn_conv_n(c) == 3 && c->wt.rows == 2 && c->wt.cols == 3);
    cr_assert(bnn_bits_get(&c->wt, 0, 0) && !bnn_bits_get(&c->wt, 0, 1) && bnn_bits_get(&c->wt, 0, 2));
    cr_assert(bnn_bits_get(&c->wt, 1, 0) && bnn_bits_get(&c->wt, 1, 1) && !bnn_bits_get(&c->wt, 1, 2));
    cr_assert(c->th.neg[1] && !c->th.neg[0] && c->th.t[0] == 1 && c->th.t[1] == -1);
    cr_assert_str_eq(m->layers[0].name, "conv1");
    cr_assert_eq(bnn_model_file_version(m), 2u);
    /* MACs: conv 2 outputs x 2x2 pixels x 3 inputs; classifier 2 x 2 x bitlen(4) = 3 */
    cr_assert_eq(bnn_model_macs(m), 2u * 4u * 3u + 2u * 2u * 3u);
    uint8_t *buf;
    size_t len;
    cr_assert_eq(bnn_model_serialize(m, &buf, &len, &err), 0, "%s", err.msg);
    cr_assert(len == sizeof hand_dw_file && memcmp(buf, hand_dw_file, len) == 0, "written back differently");
    free(buf);
    /* the same model with groups 1 is another model: in_c*k*k = 6-bit rows */
    bnn_model_free(m);
}

/* --------------------------------------------- a hand-written version 3 ---- */

/* Version 3 byte by byte (docs/FORMAT.md), as tools/export.py's serialize()
 * writes it (these bytes are its output for this model; its parse_bnn()
 * reads them back with the same multiplicities): a 2x2x2 8-bit image,
 * conv1 1x3 (pad_w 1) with multiplicities 1, 3 (flag 1), a 1x1 conv
 * without (flag 0), a classifier. Also the fuzz seed
 * tests/fuzz/corpus/model_load/hand-mult.bnn. */
static const uint8_t hand_mult_file[] = {
    0x53, 0x43, 0x49, 0x4d, 0x42, 0x4e, 0x4e, 0x31, 0x03, 0x00, 0x00, 0x00, /* magic, version 3 */
    0x02, 0x00, 0x02, 0x00, 0x02, 0x00, 0x08, 0x00, 0x02, 0x00, 0x03, 0x00, /* 2x2x2, 8 bits, 2 classes, 3 layers */
    0x01, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00, /* L0 CONV, in_c 2, out_c 2, in_h 2, in_w 2 */
    0x01, 0x03, 0x01, 0x00, 0x01, 0x08, 0xff, 0xff, /* k 1x3, stride 1, pad 0/1, in_bits 8, shortcut -1 */
    0x01, 0x00, /* groups 1 */
    0x01, 0x01, 0x03, /* mult flag 1, multiplicities 1, 3 */
    0x1d, 0x26, /* weights: 2 rows of n = 2 * 1 * 3 = 6 bits (one per element, not per copy): +-+|++-, -++|--+ */
    0x02, /* sign: channel 1 negative */
    0x0a, 0x00, 0x00, 0x00, 0xfb, 0xff, 0xff, 0xff, /* T = 10, -5 */
    0x01, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00, /* L1 CONV, in_c 2, out_c 2, in_h 2, in_w 2 */
    0x01, 0x01, 0x01, 0x00, 0x00, 0x01, 0xff, 0xff, /* k 1x1, stride 1, pad 0/0, in_bits 1, shortcut -1 */
    0x01, 0x00, 0x00, /* groups 1, mult flag 0 */
    0x01, 0x03, /* weights */
    0x00, /* sign */
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* T = 0, 1 */
    0x03, 0x02, 0x00, 0x02, 0x00, /* L2 CLASSIFIER, in_c 2, classes 2 */
    0x01, 0x03, /* weights */
    0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xbe, /* scale, bias */
    0xac, 0xdd, 0xe4, 0x06, /* crc32 0x06e4ddac */
};

Test(model_hand, version3_known_file)
{
    cr_assert_eq(crc32(0L, hand_mult_file, (uInt)sizeof hand_mult_file - 4), 0x06e4ddacu);
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_load_mem(hand_mult_file, sizeof hand_mult_file, "hand-mult", &m, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(bnn_model_file_version(m), 3u);
    const bnn_conv *c = &m->layers[0].u.conv, *c1 = &m->layers[1].u.conv;
    cr_assert(c->mult && c->mult[0] == 1 && c->mult[1] == 3 && bnn_conv_mult(c, 1) == 3);
    cr_assert(c1->mult == NULL && bnn_conv_mult(c1, 0) == 1 && bnn_conv_mult(c1, 1) == 1);
    /* the weight row keeps one bit per element; the rows count the copies */
    cr_assert(c->wt.cols == 6 && bnn_conv_n(c) == 6 && bnn_conv_rows(c) == (1 + 3) * 3 && bnn_conv_rows(c1) == 2);
    int w0[2][6] = {{1, 0, 1, 1, 1, 0}, {0, 1, 1, 0, 0, 1}};
    for (int o = 0; o < 2; o++)
        for (int i = 0; i < 6; i++)
            cr_assert_eq(bnn_bits_get(&c->wt, o, i), w0[o][i], "w[%d][%d]", o, i);
    cr_assert(c->th.neg[1] && !c->th.neg[0] && c->th.t[0] == 10 && c->th.t[1] == -5);
    cr_assert_str_eq(m->layers[0].name, "conv1");
    /* MACs: conv1 2 outputs x 2x2 pixels x 12 rows x 8 bits; L1 2 x 4 x 2; classifier 2 x 2 x bitlen(4) */
    cr_assert_eq(bnn_model_macs(m), 2u * 4u * 12u * 8u + 2u * 4u * 2u + 2u * 2u * 3u);
    uint8_t *buf;
    size_t len;
    cr_assert_eq(bnn_model_serialize(m, &buf, &len, &err), 0, "%s", err.msg);
    cr_assert(len == sizeof hand_mult_file && memcmp(buf, hand_mult_file, len) == 0, "written back differently");
    free(buf);
    /* without its multiplicities the model is another model: version 1 */
    free(m->layers[0].u.conv.mult);
    m->layers[0].u.conv.mult = NULL;
    cr_assert_eq(bnn_model_file_version(m), 1u);
    cr_assert_eq(bnn_model_serialize(m, &buf, &len, &err), 0, "%s", err.msg);
    cr_assert(buf[8] == 1 && len == sizeof hand_mult_file - 2 - 3 - 3, "len %zu", len);
    free(buf);
    bnn_model_free(m);
}

/* Serializes m, loads it back, and checks the two models equal (fields and
 * MACs) and that the loaded one serializes to the same bytes. Returns the
 * file's version byte. */
static int round_trip_mem(const bnn_model *m)
{
    uint8_t *buf, *buf2;
    size_t len, len2;
    bnn_error err;
    bnn_model *back;
    cr_assert_eq(bnn_model_serialize(m, &buf, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(bnn_model_load_mem(buf, len, "mem", &back, &err), 0, "%s", err.msg);
    assert_model_eq(m, back);
    cr_assert_eq(bnn_model_macs(m), bnn_model_macs(back));
    cr_assert_eq(bnn_model_serialize(back, &buf2, &len2, &err), 0);
    cr_assert(len == len2 && memcmp(buf, buf2, len) == 0, "bytes differ after a round trip");
    int version = buf[8];
    free(buf);
    free(buf2);
    bnn_model_free(back);
    return version;
}

/* Grouped and depthwise-separable random models: written as version 2,
 * read back equal, written again byte for byte; the ordinary model of the
 * same options stays version 1. */
Test(model, grouped_round_trip, .timeout = 60)
{
    int n = 0;
    for (int kind = 0; kind < 3; kind++)
        for (int se = 0; se < 2; se++)
            for (int s = 0; s < 3; s++) {
                int widths[] = {2, 4, 8};
                bnn_random_opts o = {.depth = s == 2 ? 14 : 8, .width = widths[s], .se = se, .in_c = 1 + s,
                                     .in_h = 12 - 2 * s, .in_w = 9 + s, .classes = 10, .seed = 500u + (uint64_t)n++,
                                     .depthwise = kind == 1, .groups = kind == 2 ? 2 : 0};
                bnn_model *m;
                bnn_error err;
                cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
                int version = round_trip_mem(m);
                cr_assert_eq(version, kind ? 2 : 1, "kind %d: version %d", kind, version);
                bnn_model_free(m);
            }
}

/* Serialized m with its multiplicities dropped (freed, set NULL): the bytes
 * the model of the same options without --mult writes. */
static uint8_t *serialize_without_mult(bnn_model *m, size_t *len)
{
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].type == BNN_CONV) {
            free(m->layers[i].u.conv.mult);
            m->layers[i].u.conv.mult = NULL;
        }
    uint8_t *buf;
    bnn_error err;
    cr_assert_eq(bnn_model_serialize(m, &buf, len, &err), 0, "%s", err.msg);
    return buf;
}

/* Random models with multiplicities (plain, depthwise-separable and
 * bottleneck, SE on/off, 3 seeds and depths each = 18 models): written as
 * version 3, read back equal (multiplicities included), written again byte
 * for byte; only ungrouped convs carry them; without them the model is
 * byte for byte the one the same options make without --mult. */
Test(model, mult_round_trip, .timeout = 60)
{
    int n = 0;
    for (int kind = 0; kind < 3; kind++)
        for (int se = 0; se < 2; se++)
            for (int s = 0; s < 3; s++) {
                int widths[] = {4, 8, 16}, depths[] = {8, 14, 20};
                bnn_random_opts o = {.depth = depths[s], .width = widths[s], .se = se, .in_c = 1 + s,
                                     .in_h = 12 - 2 * s, .in_w = 9 + s, .classes = 10, .seed = 700u + (uint64_t)n++,
                                     .depthwise = kind == 1, .bottleneck = kind == 2, .mult = 1};
                bnn_model *m, *plain;
                bnn_error err;
                cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
                int with = 0;
                for (int i = 0; i < m->n_layers; i++) {
                    const bnn_conv *c = &m->layers[i].u.conv;
                    if (m->layers[i].type != BNN_CONV || !c->mult)
                        continue;
                    cr_assert_eq(bnn_conv_groups(c), 1, "%s: multiplicities on a grouped conv", m->layers[i].name);
                    cr_assert_gt(bnn_conv_rows(c), bnn_conv_n(c));
                    with++;
                }
                cr_assert_gt(with, 0, "kind %d se %d seed %d: no conv with multiplicities", kind, se, s);
                cr_assert_eq(bnn_model_file_version(m), 3u);
                cr_assert_eq(round_trip_mem(m), 3, "kind %d", kind);
                o.mult = 0;
                cr_assert_eq(bnn_model_random(&o, &plain, &err), 0, "%s", err.msg);
                size_t la, lb;
                uint8_t *a = serialize_without_mult(m, &la), *b;
                cr_assert_eq(bnn_model_serialize(plain, &b, &lb, &err), 0, "%s", err.msg);
                cr_assert(la == lb && memcmp(a, b, la) == 0, "kind %d: --mult changed the rest of the model", kind);
                cr_assert_eq(a[8], kind == 1 ? 2 : 1);
                free(a);
                free(b);
                bnn_model_free(plain);
                bnn_model_free(m);
            }
}

/* Models without multiplicities are written exactly as before version 3
 * existed: lengths and CRCs of the files of commit 0c055c2 (before the
 * mult field), versions 1 and 2. */
Test(model, without_mult_bytes_unchanged)
{
    struct {
        bnn_random_opts o;
        size_t len;
        uint32_t crc;
        int version;
    } k[] = {
        {{.depth = 14, .width = 16, .se = 1, .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10, .seed = 1},
         26442, 0x83fdbbd3u, 1},
        {{.depth = 8, .width = 4, .se = 1, .depthwise = 1, .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10,
          .seed = 4}, 1293, 0x93092ac3u, 2},
        {{.depth = 8, .width = 4, .groups = 2, .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10, .seed = 4},
         947, 0x96f3872fu, 2},
        {{.depth = 14, .width = 32, .se = 1, .bottleneck = 1, .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10,
          .seed = 4}, 15776, 0x340a1d14u, 1},
        {{.depth = 20, .width = 8, .in_c = 3, .in_h = 32, .in_w = 32, .classes = 10, .seed = 4}, 10951, 0x4195ec49u, 1},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        bnn_model *m;
        bnn_error err;
        cr_assert_eq(bnn_model_random(&k[i].o, &m, &err), 0, "%s", err.msg);
        uint8_t *buf;
        size_t len;
        cr_assert_eq(bnn_model_serialize(m, &buf, &len, &err), 0, "%s", err.msg);
        uint32_t crc = (uint32_t)buf[len - 4] | (uint32_t)buf[len - 3] << 8 | (uint32_t)buf[len - 2] << 16 |
                       (uint32_t)buf[len - 1] << 24;
        cr_assert(len == k[i].len && crc == k[i].crc && buf[8] == k[i].version,
                  "model %zu: %zu bytes, crc 0x%08x, version %d", i, len, (unsigned)crc, buf[8]);
        free(buf);
        bnn_model_free(m);
    }
}

/* 4 depths x SE on/off x 2 input shapes x 3 seeds = 48 models, through
 * memory and through a file. */
Test(model, round_trip_many_models, .timeout = 60)
{
    int depths[] = {8, 14, 20, 32}, widths[] = {2, 4, 16};
    int n = 0;
    for (int d = 0; d < 4; d++)
        for (int se = 0; se < 2; se++)
            for (int shape = 0; shape < 2; shape++)
                for (int s = 0; s < 3; s++) {
                    uint64_t seed = 1000u + (uint64_t)n++;
                    bnn_model *m = random_model(depths[d], widths[s], se, shape ? 3 : 1, shape ? 32 : 28, seed);
                    cr_assert_eq(round_trip_mem(m), 1);
                    bnn_model_free(m);
                }
    cr_assert_eq(n, 48);
}

Test(model, save_load_file)
{
    char path[512];
    tu_tmp_path(path, sizeof path, "save");
    bnn_model *m = random_model(14, 8, 1, 3, 32, 77), *back;
    bnn_error err;
    cr_assert_eq(bnn_model_save(m, path, &err), 0, "%s", err.msg);
    cr_assert_eq(bnn_model_load(path, &back, &err), 0, "%s", err.msg);
    assert_model_eq(m, back);
    /* no temporary file is left behind */
    char tmp[600];
    struct stat st;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    cr_assert_neq(stat(tmp, &st), 0);
    /* saving into a missing directory fails with a message, no file */
    cr_assert_neq(bnn_model_save(m, "/nonexistent-dir/x.bnn", &err), 0);
    cr_assert(strstr(err.msg, "/nonexistent-dir/x.bnn") != NULL, "%s", err.msg);
    remove(path);
    bnn_model_free(back);
    bnn_model_free(m);
}

Test(model, generator_deterministic_in_seed)
{
    uint8_t *a, *b, *c;
    size_t la, lb, lc;
    bnn_error err;
    bnn_model *m1 = random_model(14, 4, 1, 1, 28, 5), *m2 = random_model(14, 4, 1, 1, 28, 5),
              *m3 = random_model(14, 4, 1, 1, 28, 6);
    cr_assert_eq(bnn_model_serialize(m1, &a, &la, &err), 0);
    cr_assert_eq(bnn_model_serialize(m2, &b, &lb, &err), 0);
    cr_assert_eq(bnn_model_serialize(m3, &c, &lc, &err), 0);
    cr_assert(la == lb && memcmp(a, b, la) == 0, "same seed, different models");
    cr_assert(la == lc && memcmp(a, c, la) != 0, "different seeds, same model");
    free(a);
    free(b);
    free(c);
    bnn_model_free(m1);
    bnn_model_free(m2);
    bnn_model_free(m3);
}

/* ---------------------------------------------- topology and names ---- */

Test(model, resnet_topology_and_names)
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
    /* depth 32: n = 5 blocks per stage; without SE */
    m = random_model(32, 4, 0, 3, 32, 2);
    cr_assert_eq(m->n_layers, 1 + 30 + 1);
    cr_assert_str_eq(m->layers[9].name, "s0b4a");
    cr_assert_str_eq(m->layers[11].name, "s1b0a");
    cr_assert_str_eq(m->layers[30].name, "s2b4b");
    bnn_model_free(m);
}

/* The binary MACs of a model's SE layers (FC1 over the squeeze's planes, FC2). */
static uint64_t se_macs(const bnn_model *m)
{
    uint64_t macs = 0;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].type == BNN_SE)
            macs += (uint64_t)m->layers[i].u.se.hidden * (uint64_t)m->layers[i].u.se.c *
                    (uint64_t)(m->layers[i].u.se.q_bits + 1);
    return macs;
}

/* A model written and read back has the same layer names (the loader's namer). */
static void loader_names_alike(const bnn_model *m)
{
    uint8_t *buf;
    size_t len;
    bnn_model *back;
    bnn_error err;
    cr_assert_eq(bnn_model_serialize(m, &buf, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(bnn_model_load_mem(buf, len, "mem", &back, &err), 0, "%s", err.msg);
    for (int i = 0; i < m->n_layers; i++)
        cr_assert_str_eq(back->layers[i].name, m->layers[i].name);
    free(buf);
    bnn_model_free(back);
}

/* Names of layers that are not the ResNet shape: the rules of bnn_namer. */
/* Depthwise-separable blocks: depthwise 3x3 (groups = C, the stride) +
 * pointwise 1x1 per conv of the ResNet block, named NAME.dw / NAME; the
 * block's second pointwise conv has the shortcut (the block input). */
Test(model, depthwise_topology_and_names)
{
    bnn_random_opts o = {.depth = 14, .width = 16, .se = 1, .depthwise = 1, .in_c = 1, .in_h = 28, .in_w = 28,
                         .classes = 10, .seed = 1};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m->n_layers, 1 + 3 * 2 * 5 + 1);
    const char *names[] = {"conv1", "s0b0a.dw", "s0b0a", "s0b0b.dw", "s0b0b", "s0b0se", "s0b1a.dw", "s0b1a",
                           "s0b1b.dw", "s0b1b", "s0b1se", "s1b0a.dw", "s1b0a", "s1b0b.dw", "s1b0b", "s1b0se"};
    for (int i = 0; i < 16; i++)
        cr_assert_str_eq(m->layers[i].name, names[i]);
    cr_assert_str_eq(m->layers[30].name, "s2b1se");
    cr_assert_str_eq(m->layers[31].name, "fc");
    uint64_t macs = 16u * 784u * 9u * 8u; /* conv1 */
    for (int i = 1; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        if (l->type != BNN_CONV)
            continue;
        const bnn_conv *c = &l->u.conv;
        int dw = strstr(l->name, ".dw") != NULL;
        cr_assert_eq(c->groups, dw ? c->in_c : 1, "%s", l->name);
        cr_assert_eq(c->k_h, dw ? 3 : 1, "%s", l->name);
        cr_assert_eq(c->out_c, dw ? c->in_c : c->out_c);
        cr_assert_eq(c->wt.cols, dw ? 9 : c->in_c, "%s", l->name);
        if (l->name[4] == 'b' && !dw)
            cr_assert_eq(c->shortcut, i - 3, "%s", l->name);
        else
            cr_assert_eq(c->shortcut, -1, "%s", l->name);
        macs += (uint64_t)c->out_c * (uint64_t)c->out_h * (uint64_t)c->out_w * (dw ? 9u : (uint64_t)c->in_c);
    }
    cr_assert_eq(m->layers[11].u.conv.stride, 2);   /* s1b0a.dw subsamples */
    cr_assert_eq(m->layers[12].u.conv.out_c, 32);   /* s1b0a widens */
    cr_assert_eq(m->layers[12].u.conv.in_h, 14);
    cr_assert_eq(m->layers[14].u.conv.shortcut, 11);
    macs += se_macs(m);
    macs += 10u * 64u * 6u;
    cr_assert_eq(bnn_model_macs(m), macs);
    loader_names_alike(m); /* the loader names the file's layers the same way */
    bnn_model_free(m);
    /* grouped ResNet: the 3x3 convs after conv1 have N groups, names as usual */
    o = (bnn_random_opts){.depth = 8, .width = 8, .groups = 4, .in_c = 1, .in_h = 8, .in_w = 8, .classes = 10,
                          .seed = 2};
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m->layers[1].name, "s0b0a");
    cr_assert_str_eq(m->layers[6].name, "s2b0b");
    cr_assert(m->layers[0].u.conv.groups <= 1 && m->layers[3].u.conv.groups == 4);
    cr_assert_eq(m->layers[3].u.conv.wt.cols, 8 / 4 * 9);  /* s1b0a: 8 -> 16 */
    cr_assert_eq(m->layers[4].u.conv.wt.cols, 16 / 4 * 9); /* s1b0b: 16 -> 16 */
    bnn_model_free(m);
    /* the options that do not fit are refused */
    o.groups = 3;
    cr_assert_neq(bnn_model_random(&o, &m, &err), 0);
    cr_assert(strstr(err.msg, "groups 3: expected a divisor of the width") != NULL, "%s", err.msg);
    o.groups = 2;
    o.depthwise = 1;
    cr_assert_neq(bnn_model_random(&o, &m, &err), 0);
    cr_assert(strstr(err.msg, "groups 2: not with depthwise-separable blocks") != NULL, "%s", err.msg);
}

/* Bottleneck blocks: 1x1 reduce to C/4, 3x3 with the stride, 1x1 expand
 * with the shortcut to the block input; named a, b, c; the loader names a
 * file's layers the same way; a broken bottleneck falls back to the rules
 * (its middle conv may be the "a" of a basic block). */
Test(model, bottleneck_topology_and_names)
{
    bnn_random_opts o = {.depth = 14, .width = 32, .se = 1, .bottleneck = 1, .in_c = 1, .in_h = 28, .in_w = 28,
                         .classes = 10, .seed = 4};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m->n_layers, 1 + 3 * 2 * 4 + 1);
    const char *names[] = {"conv1", "s0b0a", "s0b0b", "s0b0c", "s0b0se", "s0b1a", "s0b1b", "s0b1c", "s0b1se",
                           "s1b0a", "s1b0b", "s1b0c", "s1b0se"};
    for (int i = 0; i < 13; i++)
        cr_assert_str_eq(m->layers[i].name, names[i]);
    cr_assert_str_eq(m->layers[23].name, "s2b1c");
    cr_assert_str_eq(m->layers[25].name, "fc");
    uint64_t macs = 32u * 784u * 9u * 8u; /* conv1 */
    for (int i = 1; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        if (l->type != BNN_CONV)
            continue;
        const bnn_conv *c = &l->u.conv;
        char role = l->name[4];
        cr_assert_eq(c->k_h, role == 'b' ? 3 : 1, "%s", l->name);
        cr_assert_eq(c->groups <= 1, 1, "%s", l->name);
        cr_assert_eq(c->shortcut, role == 'c' ? i - 2 : -1, "%s", l->name);
        cr_assert_eq(c->stride, role == 'b' && (i == 10 || i == 18) ? 2 : 1, "%s", l->name);
        if (role != 'c')
            cr_assert_eq(c->out_c, m->layers[i + (role == 'a' ? 2 : 1)].u.conv.in_c, "%s", l->name);
        else
            cr_assert_eq(c->out_c, 4 * c->in_c, "%s: expands C/4 -> C", l->name);
        macs += (uint64_t)c->out_c * (uint64_t)c->out_h * (uint64_t)c->out_w * (uint64_t)bnn_conv_n(c);
    }
    cr_assert_eq(m->layers[9].u.conv.out_c, 16);    /* s1b0a: 32 -> 64/4 */
    cr_assert_eq(m->layers[11].u.conv.out_c, 64);   /* s1b0c widens */
    cr_assert_eq(m->layers[11].u.conv.in_h, 14);
    macs += se_macs(m);
    macs += 10u * 128u * 6u;
    cr_assert_eq(bnn_model_macs(m), macs);
    loader_names_alike(m);
    /* s0b1c's shortcut moved to its middle conv (same shape as its input):
     * s0b1b becomes the "a" of a basic block with s0b1c as its "b" (a new
     * stage by the rules: its width 8 is not the committed 32), the reduce
     * conv before it is generic */
    m->layers[7].u.conv.shortcut = 6;
    bnn_model_name_layers(m);
    cr_assert_str_eq(m->layers[4].name, "s0b0se");
    cr_assert_str_eq(m->layers[5].name, "L5");
    cr_assert_str_eq(m->layers[6].name, "s1b0a");
    cr_assert_str_eq(m->layers[7].name, "s1b0b");
    cr_assert_str_eq(m->layers[8].name, "s1b0se");
    /* ... and to no layer of the block: all three generic */
    m->layers[7].u.conv.shortcut = 1;
    bnn_model_name_layers(m);
    cr_assert_str_eq(m->layers[5].name, "L5");
    cr_assert_str_eq(m->layers[6].name, "L6");
    cr_assert_str_eq(m->layers[7].name, "L7");
    bnn_model_free(m);
    /* not with depthwise-separable or grouped blocks */
    o.depthwise = 1;
    cr_assert_neq(bnn_model_random(&o, &m, &err), 0);
    cr_assert(strstr(err.msg, "bottleneck blocks are not depthwise-separable") != NULL, "%s", err.msg);
    o.depthwise = 0;
    o.groups = 2;
    cr_assert_neq(bnn_model_random(&o, &m, &err), 0);
    cr_assert(strstr(err.msg, "groups 2: not with bottleneck blocks") != NULL, "%s", err.msg);
}

Test(model, generic_names)
{
    bnn_model *m = random_model(14, 4, 1, 1, 28, 3);
    /* Break block s0b1: layer 5 (s0b1b) no longer has layer 4 as shortcut
     * but layer 1 (same input shape): 4 becomes generic, 5 generic, 6 (SE
     * after a non-"b") generic; later blocks keep their names. */
    m->layers[5].u.conv.shortcut = 1;
    bnn_error err;
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m->layers[4].name, "L4");
    cr_assert_str_eq(m->layers[5].name, "L5");
    cr_assert_str_eq(m->layers[6].name, "L6");
    cr_assert_str_eq(m->layers[7].name, "s1b0a");
    cr_assert_str_eq(m->layers[19].name, "fc");
    /* names only depend on the topology: restoring it restores them */
    m->layers[5].u.conv.shortcut = 4;
    bnn_model_name_layers(m);
    cr_assert_str_eq(m->layers[4].name, "s0b1a");
    cr_assert_str_eq(m->layers[6].name, "s0b1se");
    bnn_model_free(m);
}

Test(model, known_answers)
{
    unsigned in[] = {0, 1, 2, 3, 4, 7, 8, 49, 63, 64, 784, 1023, 1024, 65535, 65536, 4294967295u};
    int want[] = {1, 1, 2, 2, 3, 3, 4, 6, 6, 7, 10, 10, 11, 16, 17, 32};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        cr_assert_eq(bnn_bitlen(in[i]), want[i], "bitlen(%u)", in[i]);
    /* MACs of ResNet-14, width 16, 28x28x1, no SE (hand count):
     * conv1 16*784*9*8; stage0 4 convs 16*784*144; s1b0a 32*196*144;
     * 3 convs 32*196*288; s2b0a 64*49*288; 3 convs 64*49*576; fc 10*64*6 */
    uint64_t want_macs = 16ull * 784 * 9 * 8 + 4ull * 16 * 784 * 144 + 32ull * 196 * 144 + 3ull * 32 * 196 * 288 +
                         64ull * 49 * 288 + 3ull * 64 * 49 * 576 + 10ull * 64 * 6;
    bnn_model *m = random_model(14, 16, 0, 1, 28, 5);
    cr_assert_eq(bnn_model_macs(m), want_macs, "%llu != %llu", (unsigned long long)bnn_model_macs(m),
                 (unsigned long long)want_macs);
    bnn_model_free(m);
    /* with SE: + per stage 2 x (hidden*C*q_bits + C*hidden), q_bits 10, 8, 6 */
    m = random_model(14, 16, 1, 1, 28, 5);
    want_macs += 2 * (4ull * 16 * 10 + 16 * 4) + 2 * (8ull * 32 * 8 + 32 * 8) + 2 * (16ull * 64 * 6 + 64 * 16);
    cr_assert_eq(bnn_model_macs(m), want_macs);
    bnn_model_free(m);
}

/* bnn_rng.h: splitmix64 known answers (from an independent Python
 * implementation), range bounds and rough uniformity. */
Test(model, rng_known_answers_and_range)
{
    bnn_rng r;
    bnn_rng_seed(&r, 0);
    cr_assert_eq(bnn_rng_u64(&r), 0xc0e16b163a85a4dcull);
    cr_assert_eq(bnn_rng_u64(&r), 0x890acd8dd443c47cull);
    cr_assert_eq(bnn_rng_u64(&r), 0xb3889d8a6dc47761ull);
    int count[7] = {0};
    bnn_rng_seed(&r, 12345);
    for (int i = 0; i < 70000; i++) {
        int v = bnn_rng_range(&r, -3, 3);
        cr_assert(v >= -3 && v <= 3);
        count[v + 3]++;
    }
    for (int k = 0; k < 7; k++)
        cr_assert(count[k] > 9500 && count[k] < 10500, "value %d drawn %d times of 70000", k - 3, count[k]);
    cr_assert_eq(bnn_rng_range(&r, 5, 5), 5);
    double u = bnn_rng_unit(&r);
    cr_assert(u >= 0.0 && u < 1.0);
}

/* ----------------------------------- activation statistics (generator) -- */

/* On uniform random 8-bit images, random ResNets must have non-trivial
 * activations: every layer's ones fraction within 5..95%, the mean over
 * layers within 30..65%, SE gates on for 25..75% on average. */
Test(model, random_thresholds_non_trivial, .timeout = 60)
{
    for (int k = 0; k < 6; k++) {
        int rgb = k & 1;
        bnn_model *m = random_model(14, 16, 1, rgb ? 3 : 1, rgb ? 32 : 28, 500u + (uint64_t)k);
        bnn_trace *tr = bnn_trace_new(m);
        bnn_tensor *img = bnn_tensor_new(m->in_c, m->in_h, m->in_w, 8);
        cr_assert(tr && img);
        bnn_rng r;
        bnn_rng_seed(&r, 42u + (uint64_t)k);
        double ones[64] = {0}, gates = 0, mean = 0;
        int n_se = 0, images = 4;
        bnn_error err;
        for (int im = 0; im < images; im++) {
            for (int i = 0; i < m->in_c * m->in_h * m->in_w; i++)
                img->v[i] = (uint16_t)bnn_rng_range(&r, 0, 255);
            cr_assert_eq(bnn_forward(m, img, BNN_FAST, tr, &err), 0, "%s", err.msg);
            for (int i = 1; i < m->n_layers; i++) {
                const bnn_tensor *t = tr->act[i];
                size_t n = (size_t)t->c * (size_t)t->h * (size_t)t->w, s = 0;
                for (size_t j = 0; j < n; j++)
                    s += t->v[j];
                ones[i] += (double)s / (double)n / images;
                if (m->layers[i].type == BNN_SE) {
                    for (int j = 0; j < m->layers[i].u.se.c; j++)
                        gates += tr->se_g[i][j] / (double)m->layers[i].u.se.c;
                    n_se += im == 0;
                }
            }
        }
        for (int i = 1; i < m->n_layers; i++) {
            cr_assert(ones[i] > 0.05 && ones[i] < 0.95, "model %d: output of %s: %.2f ones", k,
                      m->layers[i - 1].name, ones[i]);
            mean += ones[i] / (m->n_layers - 1);
        }
        gates /= n_se * images;
        cr_assert(mean > 0.30 && mean < 0.65, "model %d: mean ones fraction %.2f", k, mean);
        cr_assert(gates > 0.25 && gates < 0.75, "model %d: SE gates on %.2f", k, gates);
        bnn_tensor_free(img);
        bnn_trace_free(tr);
        bnn_model_free(m);
    }
}

Test(model, generator_options)
{
    bnn_random_opts o = {.depth = 14, .width = 16, .in_c = 1, .in_h = 28, .in_w = 28, .classes = 10};
    bnn_model *m;
    bnn_error err;
    /* odd input shapes work: option A subsampling on 7 -> 4 and 1x1 images */
    o.in_h = 13;
    o.in_w = 7;
    o.width = 3;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m->layers[9].name, "s2b0a");
    cr_assert_eq(m->layers[9].u.conv.out_w, 2);
    cr_assert_eq(m->layers[9].u.conv.out_h, 4);
    bnn_model_free(m);
    o.in_h = o.in_w = 1;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    bnn_model_free(m);
    o.in_h = o.in_w = 28;
    int bad_depth[] = {0, 2, 7, 9, 15, 16, 206};
    for (size_t i = 0; i < sizeof bad_depth / sizeof bad_depth[0]; i++) {
        o.depth = bad_depth[i];
        m = (bnn_model *)1;
        cr_assert_neq(bnn_model_random(&o, &m, &err), 0, "depth %d", o.depth);
        cr_assert_null(m);
        cr_assert(strstr(err.msg, "depth") != NULL, "%s", err.msg);
    }
    o.depth = 14;
    o.width = 0;
    cr_assert_neq(bnn_model_random(&o, &m, &err), 0);
    cr_assert(strstr(err.msg, "width 0") != NULL, "%s", err.msg);
    /* too many weights for the format: refused before allocating (fast) */
    o.depth = 200;
    o.width = 1024;
    cr_assert_neq(bnn_model_random(&o, &m, &err), 0);
    cr_assert(strstr(err.msg, "MiB of weights, the format's limit is 256 MiB") != NULL, "%s", err.msg);
    o.depth = 14;
    o.width = 16;
    o.classes = 1001;
    cr_assert_neq(bnn_model_random(&o, &m, &err), 0);
    cr_assert(strstr(err.msg, "classes 1001") != NULL, "%s", err.msg);
}

/* ------------------------------------------------------------- CLI ---- */

Test(model_cli, random_then_info, .timeout = 60)
{
    char path[512], cmd[2048], out[16384];
    tu_tmp_path(path, sizeof path, "cli");
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 14 --se --seed 3 -o %s", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "20797056 binary MACs") != NULL, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model info %s", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "s2b1se.fc2") && strstr(out, "20797056 binary MACs per image") &&
              strstr(out, "176656 weight bits") && strstr(out, "input 28x28x1 (HxWxC), 8-bit pixels; 10 classes; 20 layers"),
              "%s", out);
    /* a table row: conv1 on the 8-bit image */
    cr_assert(strstr(out, "conv1       conv   28x28x1/8b") != NULL, "%s", out);
    /* the file equals the library's model for the same options */
    bnn_model *m = random_model(14, 16, 1, 1, 28, 3), *f;
    bnn_error err;
    bnn_random_opts o;
    cr_assert_eq(bnn_model_load(path, &f, &err), 0, "%s", err.msg);
    assert_model_eq(m, f);
    bnn_model_free(m);
    bnn_model_free(f);
    /* 32x32x3, width 8, depth 20 */
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 20 --width 8 --input 32x32x3 --classes 7 --seed 4 -o %s",
             tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model info %s", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "7 classes; 20 layers") && strstr(out, "s2b2b") && strstr(out, "7 logits"), "%s", out);
    /* depthwise-separable: version 2, dw rows */
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --width 4 --depthwise --se --seed 4 -o %s",
             tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "SE, depthwise-separable") != NULL, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model info %s", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "version 2") && strstr(out, "s0b0a.dw    dw     28x28x4") &&
              strstr(out, "s1b0b       conv   14x14x8"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --width 4 --groups 2 --seed 4 -o %s",
             tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model info %s", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "s0b0a       g2     28x28x4") != NULL, "%s", out);
    /* multiplicities: version 3, the rows with their copies, the channels above 1 */
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --width 4 --mult --se --seed 3 -o %s",
             tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "SE, multiplicities (version 3)") != NULL, "%s", out);
    o = (bnn_random_opts){.depth = 8, .width = 4, .se = 1, .mult = 1, .in_c = 1, .in_h = 28, .in_w = 28,
                          .classes = 10, .seed = 3};
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(bnn_model_load(path, &f, &err), 0, "%s", err.msg);
    assert_model_eq(m, f);
    char want[120];
    snprintf(want, sizeof want, "%llu binary MACs per image", (unsigned long long)bnn_model_macs(m));
    snprintf(cmd, sizeof cmd, "%s/sparsecim model info %s", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "SCIMBNN1 version 3") && strstr(out, want) && !strstr(out, "type dw"), "%s", out);
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_conv *c = &m->layers[i].u.conv;
        if (m->layers[i].type != BNN_CONV || !c->mult)
            continue;
        int above = 0;
        for (int ch = 0; ch < c->in_c; ch++)
            above += c->mult[ch] > 1;
        snprintf(want, sizeof want, "mult: %d of %d channels above 1: ", above, c->in_c);
        cr_assert(strstr(out, want) != NULL, "%s: %s", want, out);
        snprintf(want, sizeof want, "; rows %d (n %d)\n", bnn_conv_rows(c), bnn_conv_n(c));
        cr_assert(strstr(out, want) != NULL, "%s: %s", want, out);
    }
    bnn_model_free(m);
    bnn_model_free(f);
    snprintf(cmd, sizeof cmd, "%s/sparsecim model --help && %s/sparsecim model random --help", tu_bin_dir(),
             tu_bin_dir());
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "usage: sparsecim model random") != NULL, "%s", out);
    remove(path);
}
