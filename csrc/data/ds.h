/*
 * ds.h - image data sets: IDX (gzip or plain), Fashion-MNIST by name, and
 * CIFAR-10 binary batches. A ds_set owns its pixels and labels.
 *
 * Data specs (command line):
 *   fashion-mnist:train | fashion-mnist:test   from the Debian package
 *       dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, or the
 *       directory in $SPARSECIM_FMNIST_DIR)
 *   idx:IMAGES,LABELS                         any IDX pair (gzip or plain)
 *   cifar10:FILE.bin                          a CIFAR-10 binary batch
 */
#ifndef SPARSECIM_DS_H
#define SPARSECIM_DS_H

#include <stdint.h>

#include "infer/bnn_infer.h"
#include "model/bnn_model.h"

#define DS_FMNIST_DIR "/usr/share/datasets/fashion-mnist"

/* Limit on the pixel (or record) bytes of one data file: IDX headers that
 * promise more, and CIFAR-10 files with more records, are refused before
 * anything that large is allocated or inflated. */
#define DS_MAX_BYTES (256u << 20)

typedef struct ds_set {
    int count;          /* images */
    int c, h, w;        /* image shape, 8-bit pixels */
    uint8_t *pixels;    /* count * c*h*w, channel-major per image; owned */
    uint8_t *labels;    /* count; owned */
} ds_set;

/* Loads a data set from a spec (above). Returns 0 or -1 with err filled
 * (file and byte offset of the problem). */
int ds_load(const char *spec, ds_set **out, bnn_error *err);
int ds_load_idx(const char *images, const char *labels, ds_set **out, bnn_error *err);
int ds_load_cifar10(const char *path, ds_set **out, bnn_error *err);
void ds_free(ds_set *s);

/* The files spec reads: up to 2 paths into files[] (4096 bytes each);
 * returns how many (0: random:SEED or a spec that names no file). Used to
 * refuse an output that would overwrite an input (outfile.h). */
int ds_spec_files(const char *spec, char files[][4096]);

/* Copies image i (0 <= i < count) into t, which must be c x h x w; the
 * values are the 8-bit pixels. */
void ds_image(const ds_set *s, int i, bnn_tensor *t);

/* Checks that the set fits model m (the file `model`): same image shape,
 * 8 input bits, every label < classes. Returns 0 or -1 with err naming
 * `spec` and `model`. */
int ds_check_model(const ds_set *s, const bnn_model *m, const char *spec, const char *model, bnn_error *err);

/* The one check of what a command takes from a set (infer, vectors, run,
 * run --remap): ds_check_model, then images [offset, offset + *count) must
 * exist. *count < 0: to the end of the set (*count is set). 0 or -1 (err
 * names the option, opt + "offset" / opt + "count", e.g. "--" or
 * "--remap-", the spec and the set's size). */
int ds_check_use(const ds_set *s, const bnn_model *m, const char *spec, const char *model, const char *opt,
                 long offset, long *count, bnn_error *err);

/* The synthetic data set "random:SEED" (no labels): image idx gets uniform
 * values of t->bits bits from a generator seeded by (seed, idx), so any
 * image can be made alone and every command makes the same ones. */
void ds_random_image(bnn_tensor *t, uint64_t seed, long idx);

#endif
