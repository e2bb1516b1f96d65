/* test_model_bad.c - bad .bnn input is rejected with one clear line that
 * names the file, the byte offset and the field; bad in-memory models are
 * refused by bnn_model_validate() and bnn_model_serialize(); bad options
 * of `sparsecim model` exit 2 with one line and leave no file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "model/bnn_model.h"
#include "test_util.h"

static bnn_model *small_model(void)
{
    /* depth 8, width 2, SE, 8x8x1: layers 0 conv1, 1 s0b0a, 2 s0b0b,
     * 3 s0b0se, 4 s1b0a, 5 s1b0b, 6 s1b0se, 7 s2b0a, 8 s2b0b, 9 s2b0se, 10 fc */
    bnn_random_opts o = {.depth = 8, .width = 2, .se = 1, .in_c = 1, .in_h = 8, .in_w = 8, .classes = 10, .seed = 9};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    return m;
}

static uint8_t *small_file(size_t *len)
{
    bnn_model *m = small_model();
    uint8_t *buf;
    bnn_error err;
    cr_assert_eq(bnn_model_serialize(m, &buf, len, &err), 0, "%s", err.msg);
    bnn_model_free(m);
    return buf;
}

/* depth 8, width 6, depthwise-separable, SE, 8x8x4 input (version 2):
 * 0 conv1 (4 -> 6), 1 s0b0a.dw, 2 s0b0a, 3 s0b0b.dw, 4 s0b0b, 5 s0b0se,
 * 6 s1b0a.dw, 7 s1b0a (6 -> 12), 8 s1b0b.dw, 9 s1b0b, 10 s1b0se, 11 s2b0a.dw,
 * 12 s2b0a, 13 s2b0b.dw, 14 s2b0b, 15 s2b0se, 16 fc */
static bnn_model *dw_model(void)
{
    bnn_random_opts o = {.depth = 8, .width = 6, .se = 1, .depthwise = 1, .in_c = 4, .in_h = 8, .in_w = 8,
                         .classes = 10, .seed = 9};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    return m;
}

static uint8_t *dw_file(size_t *len)
{
    bnn_model *m = dw_model();
    uint8_t *buf;
    bnn_error err;
    cr_assert_eq(bnn_model_serialize(m, &buf, len, &err), 0, "%s", err.msg);
    bnn_model_free(m);
    return buf;
}

/* depth 8, width 4, SE, multiplicities, 8x8x2 input (version 3): the
 * layers of small_model(), widths 4/8/16; some convs have multiplicities
 * (flag 1), the others flag 0 (mult_layer() finds them). */
static bnn_model *mult_model(int depthwise)
{
    bnn_random_opts o = {.depth = 8, .width = depthwise ? 6 : 4, .se = 1, .depthwise = depthwise, .mult = 1,
                         .in_c = 2, .in_h = 8, .in_w = 8, .classes = 10, .seed = 9};
    bnn_model *m;
    bnn_error err;
    cr_assert_eq(bnn_model_random(&o, &m, &err), 0, "%s", err.msg);
    return m;
}

static uint8_t *model_file(bnn_model *m, size_t *len)
{
    uint8_t *buf;
    bnn_error err;
    cr_assert_eq(bnn_model_serialize(m, &buf, len, &err), 0, "%s", err.msg);
    bnn_model_free(m);
    return buf;
}

/* The first CONV layer of m from `from` on with (want 1) or without (want
 * 0) multiplicities, ungrouped (grouped 0) or grouped (grouped 1). */
static int mult_layer(const bnn_model *m, int from, int want, int grouped)
{
    for (int i = from; i < m->n_layers; i++) {
        const bnn_conv *c = &m->layers[i].u.conv;
        if (m->layers[i].type == BNN_CONV && (c->mult != NULL) == want && (bnn_conv_groups(c) > 1) == grouped)
            return i;
    }
    cr_assert_fail("no such conv");
    return -1;
}

static unsigned le(const uint8_t *p, int n)
{
    unsigned x = 0;
    for (int i = 0; i < n; i++)
        x |= (unsigned)p[i] << (8 * i);
    return x;
}

/* An independent walk over the records (docs/SPEC.md section 4): fills the
 * byte offset of each layer record, returns the number of layers. Version
 * >= 2: a CONV record has u16 groups at +17 and its rows are
 * (in_c/groups)*k*k; version 3: then a u8 mult flag at +19 and, with flag
 * 1, in_c multiplicities before the weights. */
static int records(const uint8_t *b, size_t *off, int max)
{
    unsigned version = le(b + 8, 4);
    int n = (int)le(b + 22, 2), v2 = version >= 2;
    size_t o = 24;
    cr_assert(n <= max);
    for (int i = 0; i < n; i++) {
        off[i] = o;
        const uint8_t *r = b + o;
        if (r[0] == 1) {
            size_t groups = v2 ? le(r + 17, 2) : 1;
            size_t in_c = le(r + 1, 2), out_c = le(r + 3, 2), nb = (in_c / groups * r[9] * r[10] + 7) / 8;
            size_t head = version == 3 ? 20u + (r[19] ? in_c : 0) : v2 ? 19u : 17u;
            int pairs = (int16_t)le(r + 15, 2) >= 0 ? 2 : 1;
            o += head + out_c * nb + (out_c + 7) / 8 + 4 * out_c * (size_t)pairs;
        } else if (r[0] == 2) {
            size_t c = le(r + 1, 2), h = le(r + 3, 2);
            o += 5 + h * ((c + 7) / 8) + (h + 7) / 8 + 4 * h + c * ((h + 7) / 8) + (c + 7) / 8 + 4 * c;
        } else {
            size_t c = le(r + 1, 2), k = le(r + 3, 2);
            o += 5 + k * ((c + 7) / 8) + 8 * k;
        }
    }
    return n;
}

static void fix_crc(uint8_t *buf, size_t len)
{
    uint32_t c = (uint32_t)crc32(0L, buf, (uInt)(len - 4));
    for (int i = 0; i < 4; i++)
        buf[len - 4 + (size_t)i] = (uint8_t)(c >> (8 * i));
}

static void put16(uint8_t *p, int v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)((unsigned)v >> 8);
}

/* The load must fail with one line naming the file and containing `needle`. */
static void expect_fail(const uint8_t *buf, size_t len, const char *needle)
{
    bnn_model *m = (bnn_model *)1;
    bnn_error err = {{0}};
    cr_assert_neq(bnn_model_load_mem(buf, len, "bad.bnn", &m, &err), 0, "accepted a bad file (want '%s')",
                  needle ? needle : "");
    cr_assert_null(m);
    cr_assert(strncmp(err.msg, "bad.bnn: ", 9) == 0, "message does not start with the file: %s", err.msg);
    cr_assert(strchr(err.msg, '\n') == NULL, "more than one line: %s", err.msg);
    if (needle)
        cr_assert(strstr(err.msg, needle) != NULL, "message\n  %s\ndoes not contain\n  %s", err.msg, needle);
}

/* ------------------------------------------------ truncation, flips ---- */

/* Every truncation of buf (each copied to an exact-size buffer: ASan sees
 * any over-read) and every single-bit flip (restored after) refused with a
 * byte offset. */
static void every_cut_refused(const uint8_t *buf, size_t len)
{
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n + 1);
        memcpy(cut, buf, n);
        expect_fail(cut, n, "byte ");
        free(cut);
    }
}

static void every_flip_refused(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        for (int b = 0; b < 8; b++) {
            buf[i] ^= (uint8_t)(1u << b);
            expect_fail(buf, len, "byte ");
            buf[i] ^= (uint8_t)(1u << b);
        }
}

Test(model_bad, truncated_at_every_offset, .timeout = 60)
{
    size_t len;
    uint8_t *buf = small_file(&len);
    every_cut_refused(buf, len);
    /* one inside the weights: the field it ends in is named */
    size_t off[16];
    records(buf, off, 16);
    expect_fail(buf, off[1] + 20 + 4, "field 'layer 1 (s0b0a) weights': file truncated");
    free(buf);
}

Test(model_bad, every_bit_flip_rejected, .timeout = 60)
{
    size_t len;
    uint8_t *buf = small_file(&len);
    every_flip_refused(buf, len);
    free(buf);
}

/* Flips every bit of buf but the CRC, recomputing the CRC, so that the field
 * checks must act: a flip in the first `structure` bytes (header and layer
 * 0's fixed head) must be rejected by a named field; any other flip is either
 * rejected by a named field or accepted as exactly the model that writes those
 * bytes back (one encoding per model). Counts into *rejected, *accepted. */
static void flips_with_good_crc(const uint8_t *buf, size_t len, size_t structure, int *rejected, int *accepted)
{
    uint8_t *b = malloc(len);
    *rejected = *accepted = 0;
    for (size_t i = 0; i < len - 4; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(b, buf, len);
            b[i] ^= (uint8_t)(1u << bit);
            fix_crc(b, len);
            bnn_model *m;
            bnn_error err;
            if (bnn_model_load_mem(b, len, "flip.bnn", &m, &err) != 0) {
                cr_assert(strstr(err.msg, "flip.bnn: byte ") == err.msg && strstr(err.msg, "field '"),
                          "byte %zu bit %d: %s", i, bit, err.msg);
                (*rejected)++;
                continue;
            }
            cr_assert(i >= structure, "header/layer 0 head flip at byte %zu bit %d accepted", i, bit);
            uint8_t *back;
            size_t blen;
            cr_assert_eq(bnn_model_serialize(m, &back, &blen, &err), 0, "%s", err.msg);
            cr_assert(blen == len && memcmp(back, b, len) == 0, "byte %zu bit %d: accepted but not the same model",
                      i, bit);
            free(back);
            bnn_model_free(m);
            (*accepted)++;
        }
    free(b);
}

/* Version 1: the 24-byte header and layer 0's 17-byte head are structure;
 * weights, signs and thresholds are free bits. */
Test(model_bad, every_bit_flip_with_good_crc, .timeout = 60)
{
    size_t len;
    uint8_t *buf = small_file(&len);
    int rejected, accepted;
    flips_with_good_crc(buf, len, 24 + 17, &rejected, &accepted);
    cr_assert(rejected > 100 && accepted > 1000, "%d rejected, %d accepted", rejected, accepted);
    cr_log_info("%d flips rejected by a field check, %d accepted (payload bits)", rejected, accepted);
    free(buf);
}

/* -------------------------------------------------- each field named ---- */

/* Mutates a copy of the small file, fixes the CRC and expects `needle`. */
#define MUTATE(stmt, needle)                                                                                \
    do {                                                                                                    \
        memcpy(b, buf, len);                                                                                \
        stmt;                                                                                               \
        fix_crc(b, len);                                                                                    \
        expect_fail(b, len, needle);                                                                        \
    } while (0)

Test(model_bad, header_fields_named)
{
    size_t len;
    uint8_t *buf = small_file(&len), *b = malloc(len);
    memcpy(b, buf, len);
    b[0] = 'X';
    expect_fail(b, len, "byte 0: field 'magic': expected \"SCIMBNN1\"");
    MUTATE(b[8] = 4, "byte 8: field 'version': expected 1..3, got 4");
    MUTATE(b[8] = 0, "byte 8: field 'version': expected 1..3, got 0");
    /* a version-1 file read as version 2 or 3: layer 0's weights are taken for its groups */
    MUTATE(b[8] = 2, "byte 41: field 'layer 0 (conv1) groups': expected 1..1, got");
    MUTATE(b[8] = 3, "byte 41: field 'layer 0 (conv1) groups': expected 1..1, got");
    MUTATE(put16(b + 12, 0), "byte 12: field 'in_c': expected 1..4096, got 0");
    MUTATE(put16(b + 14, 1025), "byte 14: field 'in_h': expected 1..1024, got 1025");
    MUTATE(b[18] = 9, "byte 18: field 'in_bits': expected 1..8, got 9");
    MUTATE(b[19] = 1, "byte 19: field 'reserved': expected 0..0, got 1");
    MUTATE(put16(b + 20, 0), "byte 20: field 'classes': expected 1..1000, got 0");
    MUTATE(put16(b + 22, 0), "byte 22: field 'n_layers': expected 1..1024, got 0");
    MUTATE(put16(b + 22, 1025), "byte 22: field 'n_layers': expected 1..1024, got 1025");
    /* the image shape must match layer 0 */
    MUTATE(put16(b + 12, 2), "byte 25: field 'layer 0 (conv1) in_c': expected 2 (the image), got 1");
    MUTATE(b[18] = 7, "byte 38: field 'layer 0 (conv1) in_bits': expected 7 (the image), got 8");
    /* classes of the header and of the classifier */
    size_t off[16];
    records(buf, off, 16);
    char want[160];
    snprintf(want, sizeof want, "byte %zu: field 'layer 10 (fc) classes': expected 9 (the header's classes), got 10",
             off[10] + 3);
    MUTATE(put16(b + 20, 9), want);
    /* the CRC itself */
    memcpy(b, buf, len);
    b[len - 1] ^= 0x10;
    snprintf(want, sizeof want, "byte %zu: field 'crc32': stored 0x", len - 4);
    expect_fail(b, len, want);
    free(b);
    free(buf);
}

Test(model_bad, conv_fields_named)
{
    size_t len;
    uint8_t *buf = small_file(&len), *b = malloc(len);
    size_t off[16];
    cr_assert_eq(records(buf, off, 16), 11);
    cr_assert_eq(off[0], 24u);
    MUTATE(b[24] = 9, "byte 24: field 'layer 0 type': expected 1..3, got 9");
    MUTATE(b[24] = 0, "byte 24: field 'layer 0 type': expected 1..3, got 0");
    MUTATE(b[33] = 0, "byte 33: field 'layer 0 (conv1) k_h': expected 1..7, got 0");
    MUTATE(b[34] = 8, "byte 34: field 'layer 0 (conv1) k_w': expected 1..7, got 8");
    MUTATE(b[35] = 3, "byte 35: field 'layer 0 (conv1) stride': expected 1..2, got 3");
    MUTATE(b[36] = 3, "byte 36: field 'layer 0 (conv1) pad_h': expected 0..2, got 3");
    MUTATE(b[37] = 5, "byte 37: field 'layer 0 (conv1) pad_w': expected 0..2, got 5");
    MUTATE(b[38] = 0, "byte 38: field 'layer 0 (conv1) in_bits': expected 1..8, got 0");
    MUTATE(put16(b + 27, 0), "byte 27: field 'layer 0 (conv1) out_c': expected 1..4096, got 0");
    MUTATE(put16(b + 27, 4097), "byte 27: field 'layer 0 (conv1) out_c': expected 1..4096, got 4097");
    char want[160];
    /* shape chain: layer 1's in_h must be layer 0's output height */
    snprintf(want, sizeof want, "byte %zu: field 'layer 1 (s0b0a) in_h': expected 8 (output of layer 0 (conv1)), got 9",
             off[1] + 5);
    MUTATE(put16(b + off[1] + 5, 9), want);
    snprintf(want, sizeof want, "byte %zu: field 'layer 1 (s0b0a) in_w': expected 8 (output of layer 0 (conv1)), got 7",
             off[1] + 7);
    MUTATE(put16(b + off[1] + 7, 7), want);
    snprintf(want, sizeof want, "byte %zu: field 'layer 1 (s0b0a) in_bits': expected 1 (output of layer 0 (conv1)), got 2",
             off[1] + 14);
    MUTATE(b[off[1] + 14] = 2, want);
    /* stride 2 on layer 1: layer 2 sees 4x4 */
    snprintf(want, sizeof want, "byte %zu: field 'layer 2 (s0b0b) in_h': expected 4 (output of layer 1 (s0b0a)), got 8",
             off[2] + 5);
    MUTATE(b[off[1] + 11] = 2, want);
    /* nonzero unused weight bits: layer 0 rows have 9 bits in 2 bytes */
    snprintf(want, sizeof want, "byte %zu: field 'layer 0 (conv1) weights': row 0: unused weight bits are not 0",
             off[0] + 18);
    MUTATE(b[off[0] + 18] |= 0x80, want);
    /* nonzero unused sign bits: 2 channels in one byte */
    snprintf(want, sizeof want, "byte %zu: field 'layer 0 (conv1) sign': unused sign bits are not 0", off[0] + 21);
    MUTATE(b[off[0] + 21] |= 0x04, want);
    free(b);
    free(buf);
}

Test(model_bad, shortcut_fields_named)
{
    size_t len;
    uint8_t *buf = small_file(&len), *b = malloc(len);
    size_t off[16];
    records(buf, off, 16);
    char want[200];
    cr_assert_eq((int16_t)le(buf + off[2] + 15, 2), 1);
    /* forward and negative indices */
    snprintf(want, sizeof want, "byte %zu: field 'layer 2 (L2) shortcut': expected -1..1, got 5", off[2] + 15);
    MUTATE(put16(b + off[2] + 15, 5), want);
    snprintf(want, sizeof want, "byte %zu: field 'layer 2 (L2) shortcut': expected -1..1, got 2", off[2] + 15);
    MUTATE(put16(b + off[2] + 15, 2), want);
    /* a shortcut below -1 reads as none: layer 2 is named as a conv without
     * shortcut after a one-layer "a" (the "b" of a bottleneck, tentatively) */
    snprintf(want, sizeof want, "byte %zu: field 'layer 2 (s0b0b) shortcut': expected -1..1, got -2", off[2] + 15);
    MUTATE(put16(b + off[2] + 15, -2), want);
    /* the shortcut of layer 5 (s1b0b) names the SE layer 3 */
    snprintf(want, sizeof want, "byte %zu: field 'layer 5 (L5) shortcut': layer 3 (s0b0se) is not a CONV layer",
             off[5] + 15);
    MUTATE(put16(b + off[5] + 15, 3), want);
    /* option A: layer 8's output is 2x2x8, layer 1's input 8x8x2 (stride 4) */
    snprintf(want, sizeof want, "byte %zu: field 'layer 8 (L8) shortcut': input of layer 1 (s0b0a), CxHxW 2x8x8 of 1-bit values, does not fit the output CxHxW 8x2x2 by option A",
             off[8] + 15);
    MUTATE(put16(b + off[8] + 15, 1), want);
    /* option A: the image (8-bit) as a shortcut */
    snprintf(want, sizeof want, "field 'layer 2 (L2) shortcut': input of layer 0 (conv1), CxHxW 1x8x8 of 8-bit values, does not fit");
    MUTATE(put16(b + off[2] + 15, 0), want);
    free(b);
    free(buf);
}

Test(model_bad, structure_named)
{
    size_t len;
    uint8_t *buf = small_file(&len);
    size_t off[16];
    records(buf, off, 16);
    size_t fc_len = len - 4 - off[10];
    uint8_t *b = malloc(len + fc_len + 8);
    /* trailing bytes before a valid CRC */
    memcpy(b, buf, len - 4);
    memset(b + len - 4, 0, 4);
    fix_crc(b, len + 4);
    char want[120];
    snprintf(want, sizeof want, "byte %zu: field 'n_layers': 4 unexpected bytes after the last of 11 layers", len - 4);
    expect_fail(b, len + 4, want);
    /* bytes after the CRC: the CRC no longer sits at the end */
    memcpy(b, buf, len);
    b[len] = 0;
    expect_fail(b, len + 1, "byte ");
    /* a second classifier after the first: the first is not last */
    memcpy(b, buf, len - 4);
    memcpy(b + len - 4, buf + off[10], fc_len);
    put16(b + 22, 12);
    fix_crc(b, len + fc_len);
    snprintf(want, sizeof want, "byte %zu: field 'layer 10 (fc) type': CLASSIFIER must be the last layer", off[10]);
    expect_fail(b, len + fc_len, want);
    /* one layer fewer than the records: trailing bytes */
    memcpy(b, buf, len);
    put16(b + 22, 10);
    fix_crc(b, len);
    expect_fail(b, len, "field 'n_layers': 95 unexpected bytes after the last of 10 layers");
    /* one more layer than the records: truncated at the next type byte */
    memcpy(b, buf, len);
    put16(b + 22, 12);
    fix_crc(b, len);
    snprintf(want, sizeof want, "byte %zu: field 'layer 11 type': file truncated", len - 4);
    expect_fail(b, len, want);
    free(b);
    free(buf);
}

Test(model_bad, files)
{
    bnn_model *m;
    bnn_error err;
    cr_assert_neq(bnn_model_load("/nonexistent/x.bnn", &m, &err), 0);
    cr_assert(strstr(err.msg, "/nonexistent/x.bnn: cannot open") == err.msg, "%s", err.msg);
    char path[512];
    tu_tmp_path(path, sizeof path, "empty"); /* an empty file */
    cr_assert_neq(bnn_model_load(path, &m, &err), 0);
    cr_assert(strstr(err.msg, "byte 0: field 'magic': file truncated") != NULL, "%s", err.msg);
    remove(path);
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    bnn_model *mm = (bnn_model *)1;
    cr_assert_neq(bnn_model_load_mem(png, sizeof png, "img.png", &mm, &err), 0);
    cr_assert_null(mm);
    cr_assert(strstr(err.msg, "not a .bnn file") != NULL, "%s", err.msg);
}

/* ------------------------------------------ grouped convs, version 2 ---- */

Test(model_bad, grouped_truncated_and_flipped, .timeout = 60)
{
    size_t len;
    uint8_t *buf = dw_file(&len);
    cr_assert_eq(le(buf + 8, 4), 2u, "a depthwise model is written as version 2");
    every_cut_refused(buf, len);
    every_flip_refused(buf, len);
    /* cut inside layer 1's groups field (while it is read, layer 1 is named as
     * a conv of its own: the next layer, not read yet, makes it s0b0a.dw) */
    size_t off[32];
    records(buf, off, 32);
    char want[160];
    snprintf(want, sizeof want, "byte %zu: field 'layer 1 (s0b0a) groups': file truncated", off[1] + 17);
    expect_fail(buf, off[1] + 18 + 4, want);
    free(buf);
}

/* As every_bit_flip_with_good_crc, on the version-2 file: layer 0's head
 * is 19 bytes (with its groups field). */
Test(model_bad, grouped_bit_flip_with_good_crc, .timeout = 60)
{
    size_t len;
    uint8_t *buf = dw_file(&len);
    int rejected, accepted;
    flips_with_good_crc(buf, len, 24 + 19, &rejected, &accepted);
    cr_assert(rejected > 100 && accepted > 1000, "%d rejected, %d accepted", rejected, accepted);
    free(buf);
}

Test(model_bad, groups_fields_named)
{
    size_t len;
    uint8_t *buf = dw_file(&len), *b = malloc(len);
    size_t off[32];
    cr_assert_eq(records(buf, off, 32), 17);
    char want[200];
    /* layer 1 (s0b0a.dw once layer 2 is read, s0b0a while it is read): 6 -> 6, groups 6 */
    cr_assert_eq(le(buf + off[1] + 17, 2), 6u);
    snprintf(want, sizeof want, "byte %zu: field 'layer 1 (s0b0a) groups': expected 1..6, got 0", off[1] + 17);
    MUTATE(put16(b + off[1] + 17, 0), want);
    snprintf(want, sizeof want, "byte %zu: field 'layer 1 (s0b0a) groups': expected 1..6, got 7", off[1] + 17);
    MUTATE(put16(b + off[1] + 17, 7), want);
    snprintf(want, sizeof want,
             "byte %zu: field 'layer 1 (s0b0a) groups': expected a divisor of in_c 6 and of out_c 6, got 4",
             off[1] + 17);
    MUTATE(put16(b + off[1] + 17, 4), want);
    /* conv1: 4 -> 6, groups 4 divides in_c only */
    MUTATE(put16(b + 24 + 17, 4), "byte 41: field 'layer 0 (conv1) groups': expected a divisor of in_c 4 and of out_c 6, got 4");
    MUTATE(put16(b + 24 + 17, 5), "byte 41: field 'layer 0 (conv1) groups': expected 1..4, got 5");
    /* groups 3 of layer 1 is legal but the rows are then 2*9 bits: the record no longer fits */
    MUTATE(put16(b + off[1] + 17, 3), "byte ");
    /* a version-2 file read as version 1: layer 0's groups are taken for its weights */
    MUTATE(b[8] = 1, "byte ");
    free(b);
    free(buf);
}

/* buf (of n records at off) with n_extra bytes `extra` inserted after the
 * first `head` bytes (17 or 19: up to the shortcut or the groups) of every
 * CONV record, the version set to `version`, the CRC fixed: the same model
 * in a later version's encoding. Returns a malloc'ed file, *olen its length. */
static uint8_t *insert_in_convs(const uint8_t *buf, size_t len, size_t head, const uint8_t *extra, size_t n_extra,
                                unsigned version, size_t *olen)
{
    size_t off[64];
    int n = records(buf, off, 64);
    uint8_t *b = malloc(len + n_extra * (size_t)n);
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        size_t end = i + 1 < n ? off[i + 1] : len - 4;
        size_t from = i == 0 ? 0 : off[i];
        if (buf[off[i]] == 1) {
            memcpy(b + o, buf + from, off[i] + head - from);
            o += off[i] + head - from;
            memcpy(b + o, extra, n_extra);
            o += n_extra;
            memcpy(b + o, buf + off[i] + head, end - off[i] - head);
            o += end - off[i] - head;
        } else {
            memcpy(b + o, buf + from, end - from);
            o += end - from;
        }
    }
    b[8] = (uint8_t)version;
    o += 4;
    fix_crc(b, o);
    *olen = o;
    return b;
}

/* The same model in both versions: a version-1 file with a u16 groups = 1
 * inserted into every CONV record is a well-formed version-2 file, refused
 * because version 2 is only for a model with a grouped conv (one encoding
 * per model). */
Test(model_bad, version2_without_groups)
{
    size_t len, o;
    uint8_t *buf = small_file(&len);
    static const uint8_t groups1[] = {1, 0};
    uint8_t *b = insert_in_convs(buf, len, 17, groups1, 2, 2, &o);
    /* (the version is checked after every record was read: the converted
     * records are well formed) */
    expect_fail(b, o, "byte 8: field 'version': expected 1 (no CONV layer has groups > 1), got 2");
    free(b);
    free(buf);
}

/* ------------------------------------- multiplicities, version 3 ---- */

/* Every truncation and every bit flip (the CRC not fixed) of a version-3
 * file is refused with a byte offset; a cut at a mult flag or inside the
 * multiplicities names that field. */
Test(model_bad, mult_truncated_and_flipped, .timeout = 60)
{
    size_t len;
    bnn_model *m = mult_model(0);
    int L = mult_layer(m, 1, 1, 0), in_c = m->layers[L].u.conv.in_c;
    char name[32];
    snprintf(name, sizeof name, "%s", m->layers[L].name);
    uint8_t *buf = model_file(m, &len);
    cr_assert_eq(le(buf + 8, 4), 3u, "a model with multiplicities is written as version 3");
    every_cut_refused(buf, len);
    every_flip_refused(buf, len);
    size_t off[32];
    records(buf, off, 32);
    cr_assert(buf[off[L] + 19] == 1 && in_c >= 2);
    char want[200];
    snprintf(want, sizeof want, "byte %zu: field 'layer %d (%s) mult flag': file truncated", off[L] + 19, L, name);
    expect_fail(buf, off[L] + 19 + 4, want);
    snprintf(want, sizeof want, "byte %zu: field 'layer %d (%s) multiplicities': file truncated (needs %d bytes, 1 left",
             off[L] + 20, L, name, in_c);
    expect_fail(buf, off[L] + 21 + 4, want);
    free(buf);
}

/* As every_bit_flip_with_good_crc on the version-3 file: layer 0's head
 * is 20 bytes (groups and mult flag); a flip in a multiplicity is either
 * refused or another valid model that writes the same bytes. */
Test(model_bad, mult_bit_flip_with_good_crc, .timeout = 60)
{
    size_t len;
    uint8_t *buf = model_file(mult_model(0), &len);
    int rejected, accepted;
    flips_with_good_crc(buf, len, 24 + 20, &rejected, &accepted);
    cr_assert(rejected > 100 && accepted > 1000, "%d rejected, %d accepted", rejected, accepted);
    free(buf);
}

/* Each refusal of the flag and the multiplicities, with its byte offset. */
Test(model_bad, mult_fields_named)
{
    size_t len;
    bnn_model *m = mult_model(0);
    int L = mult_layer(m, 1, 1, 0), Z = mult_layer(m, 1, 0, 0), in_c = m->layers[L].u.conv.in_c;
    char name[32], zname[32];
    snprintf(name, sizeof name, "%s", m->layers[L].name);
    snprintf(zname, sizeof zname, "%s", m->layers[Z].name);
    uint8_t *buf = model_file(m, &len), *b = malloc(len);
    size_t off[32];
    records(buf, off, 32);
    cr_assert(buf[off[L] + 19] == 1 && buf[off[Z] + 19] == 0);
    const size_t f = off[L] + 19, mo = off[L] + 20;
    char want[200];
    snprintf(want, sizeof want, "byte %zu: field 'layer %d (%s) mult flag': expected 0 or 1, got 2", f, L, name);
    MUTATE(b[f] = 2, want);
    snprintf(want, sizeof want, "byte %zu: field 'layer %d (%s) mult flag': expected 0 or 1, got 255", off[Z] + 19, Z,
             zname);
    MUTATE(b[off[Z] + 19] = 255, want);
    snprintf(want, sizeof want,
             "byte %zu: field 'layer %d (%s) multiplicities': multiplicity of channel 0: expected 1..4, got 0", mo, L,
             name);
    MUTATE(b[mo] = 0, want);
    snprintf(want, sizeof want,
             "byte %zu: field 'layer %d (%s) multiplicities': multiplicity of channel %d: expected 1..4, got 5",
             mo + (size_t)in_c - 1, L, name, in_c - 1);
    MUTATE(b[mo + (size_t)in_c - 1] = 5, want);
    snprintf(want, sizeof want, "byte %zu: field 'layer %d (%s) multiplicities': all 1 (write flag 0)", mo, L, name);
    MUTATE(memset(b + mo, 1, (size_t)in_c), want);
    /* the multiplicities are checked as they are read, before the CRC
     * (docs/FORMAT.md, "What the loader checks"): a bad one in a file whose
     * CRC no longer matches is named, not the CRC */
    memcpy(b, buf, len);
    b[mo + 1] = 0;
    snprintf(want, sizeof want,
             "byte %zu: field 'layer %d (%s) multiplicities': multiplicity of channel 1: expected 1..4, got 0", mo + 1,
             L, name);
    expect_fail(b, len, want);
    /* the flag cleared or set: the record no longer parses as the model */
    MUTATE(b[f] = 0, "byte ");
    MUTATE(b[off[Z] + 19] = 1, "byte ");
    /* a version-3 file read as version 2: the flag is taken for weights */
    MUTATE(b[8] = 2, "byte ");
    free(b);
    free(buf);
}

/* Flag 1 on a grouped (here depthwise) conv is refused when read. */
Test(model_bad, mult_on_grouped_conv_refused)
{
    size_t len;
    bnn_model *m = mult_model(1);
    cr_assert_str_eq(m->layers[1].name, "s0b0a.dw");
    cr_assert(m->layers[1].u.conv.groups == 6 && m->layers[1].u.conv.mult == NULL);
    uint8_t *buf = model_file(m, &len), *b = malloc(len);
    size_t off[32];
    records(buf, off, 32);
    cr_assert_eq(buf[off[1] + 19], 0);
    char want[200];
    /* (while it is read, layer 1 is named as a conv of its own: s0b0a) */
    snprintf(want, sizeof want,
             "byte %zu: field 'layer 1 (s0b0a) mult flag': 1 on a conv of 6 groups (multiplicities are for ungrouped "
             "convs only)", off[1] + 19);
    MUTATE(b[off[1] + 19] = 1, want);
    free(b);
    free(buf);
}

/* A version-3 file whose CONV records all have flag 0 is a well-formed
 * encoding of a model without multiplicities, refused: it is written as
 * version 1 (no groups) or 2 (a grouped conv). */
Test(model_bad, version3_without_mult)
{
    size_t len, o;
    uint8_t *buf = small_file(&len);
    static const uint8_t groups1_flag0[] = {1, 0, 0}, flag0[] = {0};
    uint8_t *b = insert_in_convs(buf, len, 17, groups1_flag0, 3, 3, &o);
    expect_fail(b, o, "byte 8: field 'version': expected 1 (no CONV layer has multiplicities or groups > 1), got 3");
    free(b);
    free(buf);
    buf = dw_file(&len);
    b = insert_in_convs(buf, len, 19, flag0, 1, 3, &o);
    expect_fail(b, o, "byte 8: field 'version': expected 2 (no CONV layer has multiplicities), got 3");
    free(b);
    free(buf);
}

/* ------------------------------------------------ in-memory models ---- */

static void expect_invalid(bnn_model *m, const char *needle)
{
    bnn_error err;
    cr_assert_neq(bnn_model_validate(m, &err), 0, "accepted (want '%s')", needle);
    cr_assert(strstr(err.msg, needle) != NULL, "message\n  %s\ndoes not contain\n  %s", err.msg, needle);
    uint8_t *buf = (uint8_t *)1;
    size_t len;
    cr_assert_neq(bnn_model_serialize(m, &buf, &len, &err), 0, "serialized an invalid model");
    cr_assert_null(buf);
}

Test(model_bad, validate_in_memory)
{
    bnn_model *m = small_model();
    bnn_error err;
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg);
    bnn_conv *c1 = &m->layers[1].u.conv;
    bnn_se *se = &m->layers[3].u.se;

    se->c = 3;
    expect_invalid(m, "model: field 'layer 3 (s0b0se) channels': expected 2 (output of layer 2 (s0b0b)), got 3");
    se->c = 2;
    se->hidden = 0;
    expect_invalid(m, "field 'layer 3 (s0b0se) hidden': expected 1..4096, got 0");
    se->hidden = 1;
    se->th2.neg[1] = 2;
    expect_invalid(m, "field 'layer 3 (s0b0se) fc2 sign/thresholds': sign flag 1 is 2");
    se->th2.neg[1] = 0;

    c1->wt.w[0] |= (uint64_t)1 << 20; /* 18 weight bits per row: bit 20 is unused */
    expect_invalid(m, "field 'layer 1 (s0b0a) weights': row 0: unused weight bits are not 0");
    c1->wt.w[0] &= ~((uint64_t)1 << 20);
    c1->wt.cols = 17;
    expect_invalid(m, "field 'layer 1 (s0b0a) weights': expected a 2x18 bit matrix, got 2x17");
    c1->wt.cols = 18;
    c1->th.pairs = 2;
    expect_invalid(m, "field 'layer 1 (s0b0a) sign/thresholds': expected 2 outputs x 1 thresholds, got 2 x 2");
    c1->th.pairs = 1;
    bnn_model_free(m);

    m = small_model();
    m->layers[7].u.conv.k_h = 7; /* s2b0a on 4x4 input, pad 1: 7 > 4 + 2 */
    m->layers[7].u.conv.pad_h = 1;
    expect_invalid(m, "field 'layer 7 (s2b0a) k_h': kernel height 7 does not fit input height 4 + 2 x pad 1");
    bnn_model_free(m);

    m = small_model();
    m->n_layers = 10; /* drop the classifier */
    expect_invalid(m, "field 'layer 9 (s2b0se) type': the last layer must be a CLASSIFIER");
    m->n_layers = 11;
    m->layers[4].type = (bnn_layer_type)7;
    expect_invalid(m, "field 'layer 4 (L4) type': expected 1..3 (CONV, SE, CLASSIFIER), got 7");
    m->layers[4].type = BNN_CONV;
    m->in_bits = 0;
    expect_invalid(m, "model: field 'in_bits': expected 1..8, got 0");
    m->in_bits = 8;
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg); /* all restored */
    bnn_model_free(m);
}

Test(model_bad, groups_in_memory)
{
    bnn_model *m = dw_model();
    bnn_error err;
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg);
    bnn_conv *dw = &m->layers[1].u.conv;
    cr_assert_str_eq(m->layers[1].name, "s0b0a.dw");
    /* names follow the topology: with other groups layer 1 is no longer
     * depthwise, so it and its pointwise conv are not a unit (L1, L2) */
    dw->groups = -1;
    expect_invalid(m, "model: field 'layer 1 (L1) groups': expected 0..6, got -1");
    dw->groups = 7;
    expect_invalid(m, "model: field 'layer 1 (L1) groups': expected 0..6, got 7");
    dw->groups = 4;
    expect_invalid(m, "model: field 'layer 1 (L1) groups': expected a divisor of in_c 6 and of out_c 6, got 4");
    dw->groups = 3; /* legal, but the weights are 6 x 9 bits, not 6 x 18 */
    expect_invalid(m, "field 'layer 1 (L1) weights': expected a 6x18 bit matrix, got 6x9");
    dw->groups = 6;
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg);
    /* 0 is read as 1: an ordinary conv needs in_c*k*k-bit rows */
    dw->groups = 0;
    expect_invalid(m, "field 'layer 1 (L1) weights': expected a 6x54 bit matrix, got 6x9");
    dw->groups = 6;
    bnn_model_free(m);
}

/* Multiplicities in memory: 1..BNN_MAX_MULT, not all 1 (NULL instead),
 * not on a grouped conv; serialize refuses them as validate does. */
Test(model_bad, mult_in_memory)
{
    bnn_model *m = mult_model(0);
    bnn_error err;
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg);
    int L = mult_layer(m, 1, 1, 0);
    bnn_conv *c = &m->layers[L].u.conv;
    uint8_t keep[BNN_MAX_CH];
    memcpy(keep, c->mult, (size_t)c->in_c);
    char want[200];
    c->mult[1] = 0;
    snprintf(want, sizeof want, "model: field 'layer %d (%s) multiplicities': multiplicity of channel 1: expected 1..4, got 0",
             L, m->layers[L].name);
    expect_invalid(m, want);
    c->mult[1] = BNN_MAX_MULT + 1;
    snprintf(want, sizeof want, "model: field 'layer %d (%s) multiplicities': multiplicity of channel 1: expected 1..4, got 5",
             L, m->layers[L].name);
    expect_invalid(m, want);
    memset(c->mult, 1, (size_t)c->in_c);
    snprintf(want, sizeof want, "model: field 'layer %d (%s) multiplicities': all 1 (use mult = NULL: no multiplicities)",
             L, m->layers[L].name);
    expect_invalid(m, want);
    memcpy(c->mult, keep, (size_t)c->in_c);
    cr_assert_eq(bnn_model_validate(m, &err), 0, "%s", err.msg);
    bnn_model_free(m);
    /* on a depthwise conv (groups 6) */
    m = mult_model(1);
    bnn_conv *dw = &m->layers[1].u.conv;
    cr_assert_null(dw->mult);
    dw->mult = malloc((size_t)dw->in_c);
    memset(dw->mult, 2, (size_t)dw->in_c);
    expect_invalid(m, "model: field 'layer 1 (s0b0a.dw) multiplicities': multiplicities on a conv of 6 groups (they are for ungrouped convs only)");
    bnn_model_free(m); /* frees dw->mult too */
}

/* ------------------------------------------------------------- CLI ---- */

/* Runs `sparsecim ARGS` (stdout discarded), expects exit 2, exactly one
 * line on stderr containing `needle`, and no file at `path`. */
static void expect_cli_fail(const char *args, const char *needle, const char *path)
{
    char cmd[2048], out[4096];
    snprintf(cmd, sizeof cmd, "%s/sparsecim %s 2>&1 >/dev/null", tu_bin_dir(), args);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s: exit status (stderr: %s)", args, out);
    size_t n = strlen(out);
    cr_assert(n > 0 && out[n - 1] == '\n' && strchr(out, '\n') == out + n - 1, "%s: not one line: %s", args, out);
    cr_assert(strstr(out, needle) != NULL, "%s: '%s' does not contain '%s'", args, out, needle);
    struct stat st;
    if (path)
        cr_assert_neq(stat(path, &st), 0, "%s: left a file %s", args, path);
}

Test(model_cli, bad_options_one_line_exit_2, .timeout = 60)
{
    char path[512], args[1400], cut[600];
    tu_tmp_path(path, sizeof path, "badcli");
    remove(path);
    struct {
        const char *args, *needle;
    } cases[] = {
        {"--depth 15 --seed 1", "depth 15 is not 6n+2"},
        {"--depth 14 --width abc --seed 1", "option --width: expected an integer in 1..1024, got 'abc'"},
        {"--depth 14 --width 0 --seed 1", "option --width"},
        {"--depth 14 --input 28x28 --seed 1", "option --input: expected HxWxC"},
        {"--depth 14 --input 0x28x1 --seed 1", "option --input"},
        {"--depth 14 --classes 1001 --seed 1", "option --classes"},
        {"--depth 14 --seed -3", "option --seed"},
        {"--depth 14 --bogus --seed 1", "unknown option '--bogus'"},
        {"--depth 14", "--seed N is required"},
        {"--depth 14 --depthwise --groups 2 --seed 1", "groups 2: not with depthwise-separable blocks"},
        {"--depth 14 --groups 3 --seed 1", "groups 3: expected a divisor of the width"},
        {"--depth 14 --groups 0 --seed 1", "option --groups"},
        {"--depth 14 --groups 32 --width 16 --seed 1", "groups 32: expected a divisor of the width"},
        {"--depth 14 --groups 2 --mult --seed 1", "multiplicities are for ungrouped convs: not with groups 2"},
        {"--depth 14 --mult=2 --seed 1", "--mult"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(args, sizeof args, "model random %s -o %s", cases[i].args, path);
        expect_cli_fail(args, cases[i].needle, path);
    }
    expect_cli_fail("model random --depth 14 --seed 1", "-o FILE.bnn is required", NULL);
    snprintf(args, sizeof args, "model random --depth 14 -o %s --seed", path);
    expect_cli_fail(args, "option --seed needs a value", path);
    expect_cli_fail("model random --depth 14 --seed 1 -o /nonexistent-dir/m.bnn",
                    "/nonexistent-dir/m.bnn: cannot write into /nonexistent-dir", "/nonexistent-dir/m.bnn");
    expect_cli_fail("model", "expected a subcommand", NULL);
    expect_cli_fail("model frob", "unknown subcommand 'frob'", NULL);
    expect_cli_fail("model info", "expected a model file", NULL);
    expect_cli_fail("model info a.bnn b.bnn", "expected one model file", NULL);
    expect_cli_fail("model info --verbose x.bnn", "unknown option '--verbose'", NULL);
    expect_cli_fail("model info /nonexistent/x.bnn", "model info: /nonexistent/x.bnn: cannot open", NULL);
    expect_cli_fail("model info /", "model info: /: cannot read: Is a directory", NULL);
    /* a truncated file: the message names the file and the byte */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --width 2 --seed 1 -o %s", tu_bin_dir(), path);
    cr_assert_eq(tu_run(cmd, NULL, 0), 0);
    snprintf(cut, sizeof cut, "%s.cut", path);
    snprintf(cmd, sizeof cmd, "head -c 100 %s > %s", path, cut);
    cr_assert_eq(tu_run(cmd, NULL, 0), 0);
    snprintf(args, sizeof args, "model info %s", cut);
    char want[700];
    snprintf(want, sizeof want, "model info: %s: byte ", cut);
    expect_cli_fail(args, want, NULL);
    remove(cut);
    remove(path);
}
