/* cli_util.c - see cli_util.h. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli_util.h"

#include "data/ds.h"
#include "util/crc.h"
#include "util/num.h"
#include "util/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_int(const char *cmd, const char *opt, const char *val, long lo, long hi, long *out)
{
    int64_t v;
    if (num_parse_i64(val, lo, hi, &v)) {
        fprintf(stderr, "sparsecim %s: option %s: expected an integer in %ld..%ld, got '%s'\n", cmd, opt, lo,
                hi, val);
        return -1;
    }
    *out = (long)v;
    return 0;
}

const char *cli_value(const char *cmd, int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "sparsecim %s: option %s needs a value\n", cmd, argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

void cli_progress(FILE *f, int is_tty, int done, int total, const char *what)
{
    if (is_tty) {
        int w = 40, fill = total ? (int)((long)done * w / total) : w;
        fprintf(f, "\r%s [", what);
        for (int i = 0; i < w; i++)
            fputc(i < fill ? '#' : '.', f);
        fprintf(f, "] %d/%d", done, total);
        if (done == total)
            fputc('\n', f);
        fflush(f);
    } else {
        int every = total >= 100 ? total / 10 : total;
        if (every < 1)
            every = 1;
        if (done == total || done % every == 0)
            fprintf(f, "%s: %d/%d\n", what, done, total);
    }
}

void cli_inputs_add(cli_inputs *in, const char *path)
{
    if (path && in->n < (int)(sizeof in->p / sizeof in->p[0]))
        in->p[in->n++] = path;
}

void cli_inputs_add_spec(cli_inputs *in, const char *spec)
{
    if (!spec || in->n_spec + 2 > (int)(sizeof in->spec / sizeof in->spec[0]))
        return;
    int k = ds_spec_files(spec, &in->spec[in->n_spec]);
    for (int i = 0; i < k; i++)
        cli_inputs_add(in, in->spec[in->n_spec + i]);
    in->n_spec += k;
}

int cli_check_outputs(const char *cmd, const cli_inputs *in, const char *const *paths, const char *const *opts,
                      int n)
{
    bnn_error err;
    for (int i = 0; i < n; i++)
        if (paths[i] && out_check(paths[i], in->p, in->n, &err)) {
            fprintf(stderr, "sparsecim %s: option %s: %s\n", cmd, opts[i], err.msg);
            return -1;
        }
    if (out_distinct(paths, opts, n, &err)) {
        fprintf(stderr, "sparsecim %s: %s\n", cmd, err.msg);
        return -1;
    }
    return 0;
}

int cli_file_crc(const char *path, long tail, uint64_t *bytes, uint32_t *crc)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        errno = EIO;
        return -1;
    }
    unsigned char buf[65536];
    uint32_t c = crc_init();
    long left = size > tail ? size - tail : 0;
    while (left > 0) {
        size_t want = left < (long)sizeof buf ? (size_t)left : sizeof buf, k = fread(buf, 1, want, f);
        if (k == 0)
            break;
        c = crc_update(c, buf, k);
        left -= (long)k;
    }
    int bad = ferror(f) || left > 0;
    fclose(f);
    if (bad) {
        errno = EIO;
        return -1;
    }
    *bytes = (uint64_t)size;
    *crc = c;
    return 0;
}
