/* fuzz_util.c - helpers of the fuzz targets (see fuzz_util.h). */
#define _POSIX_C_SOURCE 200809L
#include "fuzz_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz harness: %s %s\n", what, path);
    abort();
}

void fz_dir_open(fz_dir *d)
{
    const char *t = getenv("TMPDIR");
    if (!t || !*t)
        t = "/tmp";
    snprintf(d->path, sizeof d->path, "%.400s/sparsecim-fuzz-XXXXXX", t);
    if (!mkdtemp(d->path))
        die("cannot create a directory like", d->path);
}

static void join(const fz_dir *d, const char *name, char *path, size_t pn)
{
    if ((size_t)snprintf(path, pn, "%s/%s", d->path, name) >= pn)
        die("path too long:", name);
}

void fz_write(const fz_dir *d, const char *name, const void *data, size_t n, char *path, size_t pn)
{
    join(d, name, path, pn);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f))
        die("cannot write", path);
}

void fz_write_gz(const fz_dir *d, const char *name, const void *data, size_t n, char *path, size_t pn)
{
    join(d, name, path, pn);
    gzFile f = gzopen(path, "wb");
    if (!f || (n && gzwrite(f, data, (unsigned)n) != (int)n) || gzclose(f) != Z_OK)
        die("cannot write", path);
}

void fz_dir_close(fz_dir *d)
{
    DIR *dir = opendir(d->path);
    if (!dir)
        die("cannot open", d->path);
    struct dirent *e;
    char p[1024];
    while ((e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", d->path, e->d_name);
        if (unlink(p))
            die("cannot remove", p);
    }
    closedir(dir);
    if (rmdir(d->path))
        die("cannot remove", d->path);
}

void fz_check_msg(const char *msg, const char *prefix)
{
    size_t n = strlen(msg);
    FZ_ASSERT(n > 0);
    for (size_t i = 0; i < n; i++)
        FZ_ASSERT((unsigned char)msg[i] >= 0x20 && (unsigned char)msg[i] < 0x7f);
    if (prefix)
        FZ_ASSERT(!strncmp(msg, prefix, strlen(prefix)));
}
