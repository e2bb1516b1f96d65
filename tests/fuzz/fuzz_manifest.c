/* fuzz_manifest.c - libFuzzer target for the golden-vector manifest reader
 * (csrc/vec/vec.c vec_manifest_read): the input is DIR/manifest.txt.
 *
 * Contract: a refusal leaves no manifest and says one printable line
 * naming the directory or its manifest; an accepted one has exactly one
 * geometry in range, entries whose file and layer names are printable
 * without '/', and the counts its 'end' line gave. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "fuzz_util.h"
#include "vec/vec.h"

static void check_entry(const vec_entry *e)
{
    size_t n = strnlen(e->file, sizeof e->file), m = strnlen(e->name, sizeof e->name);
    FZ_ASSERT(n > 0 && n < sizeof e->file && m > 0 && m < sizeof e->name);
    FZ_ASSERT(!strchr(e->file, '/') && !strchr(e->name, '/'));
    FZ_ASSERT(e->image >= 0 && e->layer >= 0 && e->words >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_dir d;
    fz_dir_open(&d);
    char path[1024];
    fz_write(&d, "manifest.txt", data, size, path, sizeof path);
    vec_manifest *mf = (vec_manifest *)1;
    bnn_error err = {{0}};
    if (vec_manifest_read(d.path, &mf, &err)) {
        FZ_ASSERT(mf == NULL);
        fz_check_msg(err.msg, d.path);
    } else {
        FZ_ASSERT(mf->rows >= 64 && mf->rows % 64 == 0 && mf->cols >= 1 && mf->cols <= 4096);
        FZ_ASSERT(mf->seg_rows >= 1 && mf->rows % mf->seg_rows == 0);
        FZ_ASSERT(mf->n_jobs >= 0 && mf->n_outs >= 0 && mf->n_images >= 0);
        for (int i = 0; i < mf->n_jobs; i++)
            check_entry(&mf->jobs[i]);
        for (int i = 0; i < mf->n_outs; i++)
            check_entry(&mf->outs[i]);
        vec_manifest_free(mf);
    }
    fz_dir_close(&d);
    return 0;
}
