/* cli_util.c - see cli_util.h. */
#define _POSIX_C_SOURCE 200809L
#include "cli_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

int cli_int(const char *cmd, const char *opt, const char *val, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno || end == val || *end || v < lo || v > hi) {
        fprintf(stderr, "sparsecim %s: option %s: expected an integer in %ld..%ld, got '%s'\n", cmd, opt, lo,
                hi, val);
        return -1;
    }
    *out = v;
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

int cli_out_open(cli_out *o, const char *cmd, const char *path)
{
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        fprintf(stderr, "sparsecim %s: %s: cannot create: %s\n", cmd, o->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

int cli_out_commit(cli_out *o, const char *cmd)
{
    int bad = ferror(o->f);
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad || rename(o->tmp, o->path) != 0) {
        fprintf(stderr, "sparsecim %s: %s: write failed: %s\n", cmd, o->path, strerror(errno));
        remove(o->tmp);
        return -1;
    }
    return 0;
}

void cli_out_abort(cli_out *o)
{
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
        remove(o->tmp);
    }
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
    uLong c = crc32(0L, Z_NULL, 0);
    long left = size > tail ? size - tail : 0;
    while (left > 0) {
        size_t want = left < (long)sizeof buf ? (size_t)left : sizeof buf, k = fread(buf, 1, want, f);
        if (k == 0)
            break;
        c = crc32(c, buf, (uInt)k);
        left -= (long)k;
    }
    int bad = ferror(f) || left > 0;
    fclose(f);
    if (bad) {
        errno = EIO;
        return -1;
    }
    *bytes = (uint64_t)size;
    *crc = (uint32_t)c;
    return 0;
}
