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

#include "bnn_infer.h"
#include "bnn_model.h"

#define DS_FMNIST_DIR "/usr/share/datasets/fashion-mnist"

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

/* Copies image i into t (c x h x w, bits 8). */
void ds_image(const ds_set *s, int i, bnn_tensor *t);

#endif
