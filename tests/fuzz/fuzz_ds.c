/* fuzz_ds.c - libFuzzer target for the data set readers (csrc/data/ds.c): IDX
 * image/label pairs and CIFAR-10 batches, plain or gzip.
 *
 * Input: byte 0 = flags (bit 0: CIFAR-10, else IDX; bit 1: gzip the first
 * file; bit 2: gzip the labels file), IDX only: bytes 1-2 = L (little
 * endian), the labels file = the last L bytes (at most what is left), the
 * images file = the bytes between. A file not gzipped by the harness may
 * still be gzip data of the input's own (1f 8b ...), so the inflate path
 * sees corrupt streams too.
 *
 * Contract: a refusal leaves no set and says one printable line naming one
 * of the files; an accepted set has the shape it claims (every pixel and
 * label is read, so a short buffer is an ASan report) and its limits. */
#include <stdlib.h>
#include <string.h>

#include "data/ds.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned flags = data[0];
    int cifar = flags & 1;
    const uint8_t *a = data + 1, *b = NULL;
    size_t an = size - 1, bn = 0;
    if (!cifar) {
        if (size < 3)
            return 0;
        bn = (size_t)data[1] | (size_t)data[2] << 8;
        an = size - 3;
        if (bn > an)
            bn = an;
        an -= bn;
        a = data + 3;
        b = a + an;
    }
    fz_dir d;
    fz_dir_open(&d);
    char ip[1024], lp[1024];
    (flags & 2 ? fz_write_gz : fz_write)(&d, "images", a, an, ip, sizeof ip);
    if (!cifar)
        (flags & 4 ? fz_write_gz : fz_write)(&d, "labels", b, bn, lp, sizeof lp);
    ds_set *s = (ds_set *)1;
    bnn_error err = {{0}};
    int rc = cifar ? ds_load_cifar10(ip, &s, &err) : ds_load_idx(ip, lp, &s, &err);
    if (rc) {
        FZ_ASSERT(s == NULL);
        fz_check_msg(err.msg, d.path);
    } else {
        FZ_ASSERT(s && s->count >= 1 && s->c >= 1 && s->h >= 1 && s->w >= 1);
        FZ_ASSERT(cifar ? s->c == 3 && s->h == 32 && s->w == 32 : s->c == 1 && s->h <= 1024 && s->w <= 1024);
        size_t px = (size_t)s->count * (size_t)s->c * (size_t)s->h * (size_t)s->w;
        FZ_ASSERT(px <= DS_MAX_BYTES);
        unsigned sum = 0;
        for (size_t i = 0; i < px; i++)
            sum += s->pixels[i];
        for (int i = 0; i < s->count; i++)
            FZ_ASSERT(s->labels[i] <= (cifar ? 9 : 99));
        bnn_tensor *t = bnn_tensor_new(s->c, s->h, s->w, 8);
        if (t) {
            ds_image(s, s->count - 1, t);
            bnn_tensor_free(t);
        }
        (void)sum;
        ds_free(s);
    }
    fz_dir_close(&d);
    return 0;
}
