/* fuzz_vec_job.c - libFuzzer target for the golden-vector job file reader
 * (csrc/vec/vec.c vec_job_read, and vec_read_words under it).
 *
 * Input: byte 0 = mode. Odd: the rest is taken as 64-bit little-endian
 * words (a short tail is dropped) and written as a well-formed hex file
 * (a comment line, then 16 hex digits per line), so mutations reach the
 * header checks; even: the rest is the file's text as it is (digits,
 * comments, line ends, binary junk). The fuzz build and the replay accept
 * any CRC word (SPARSECIM_FUZZ_NO_CRC).
 *
 * Contract: a refusal says one printable line naming the file; an accepted
 * job has a geometry and shape in the documented ranges, a printable name
 * and arrays of that size (all read here). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "vec/vec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fz_dir d;
    fz_dir_open(&d);
    char path[1024];
    if (data[0] & 1) {
        size_t nw = (size - 1) / 8;
        char *txt = malloc(32 + 17 * nw);
        if (!txt)
            abort();
        size_t k = (size_t)sprintf(txt, "// fuzz job file\n");
        for (size_t i = 0; i < nw; i++) {
            uint64_t w = 0;
            for (int j = 7; j >= 0; j--)
                w = w << 8 | data[1 + 8 * i + (size_t)j];
            k += (size_t)sprintf(txt + k, "%016llx\n", (unsigned long long)w);
        }
        fz_write(&d, "job.hex", txt, k, path, sizeof path);
        free(txt);
    } else {
        fz_write(&d, "job.hex", data + 1, size - 1, path, sizeof path);
    }
    vec_job v;
    bnn_error err = {{0}};
    if (vec_job_read(path, &v, &err)) {
        fz_check_msg(err.msg, path);
        FZ_ASSERT(v.wrows == NULL && v.wl == NULL && v.x == NULL && v.p == NULL && v.acc == NULL);
    } else {
        FZ_ASSERT(v.rows >= 64 && v.rows % 64 == 0 && v.cols >= 1 && v.cols <= 4096);
        FZ_ASSERT(v.seg_rows >= 1 && v.rows % v.seg_rows == 0 && v.part >= 0 && v.part <= 3);
        FZ_ASSERT(v.n_rows >= 1 && v.n_rows <= v.rows && v.n_cols >= 1 && v.n_cols <= v.cols);
        FZ_ASSERT(v.bits >= 1 && v.bits <= 16 && v.pixels >= 1 && v.pixels <= (1 << 22));
        FZ_ASSERT(memchr(v.name, 0, sizeof v.name) != NULL && v.name[0]);
        for (const char *c = v.name; *c; c++)
            FZ_ASSERT(*c > 0x20 && *c < 0x7f && *c != '/');   /* printed in tables and messages */
        size_t cyc = (size_t)v.pixels * (size_t)v.bits;
        uint64_t s = 0;
        for (size_t i = 0; i < (size_t)v.n_rows * (size_t)v.col_words; i++)
            s += v.wrows[i];
        for (size_t i = 0; i < cyc * (size_t)v.row_words; i++)
            s += v.wl[i];
        for (size_t i = 0; i < cyc; i++)
            s += (uint64_t)v.x[i];
        for (size_t i = 0; i < cyc * (size_t)v.n_cols; i++)
            s += (uint64_t)v.p[i];
        for (size_t i = 0; i < (size_t)v.pixels * (size_t)v.n_cols; i++)
            s += (uint64_t)v.acc[i];
        (void)s;
        vec_job_free(&v);
    }
    fz_dir_close(&d);
    return 0;
}
