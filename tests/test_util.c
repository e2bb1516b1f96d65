/* test_util.c - see test_util.h. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

const char *tu_src_dir(void)
{
    const char *s = getenv("SPARSECIM_SRC");
    return s ? s : ".";
}

const char *tu_bin_dir(void)
{
    const char *s = getenv("SPARSECIM_BIN");
    return s ? s : "build";
}

void tu_tmp_path(char *buf, size_t len, const char *tag)
{
    const char *t = getenv("TMPDIR");
    snprintf(buf, len, "%s/sparsecim-%s-XXXXXX", t ? t : "/tmp", tag);
    int fd = mkstemp(buf);
    if (fd >= 0)
        close(fd);
}

int tu_run(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = 0;
    char tmp[4096];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, p)) > 0) {
        if (out && n + 1 < len) {
            size_t take = got < len - 1 - n ? got : len - 1 - n;
            memcpy(out + n, tmp, take);
            n += take;
        }
    }
    if (out && len)
        out[n] = '\0';
    int st = pclose(p);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

int tu_write_hex_words(const char *path, uint64_t *w, long n, int fix_crc)
{
    if (fix_crc && n > 0) {
        uLong crc = crc32(0L, Z_NULL, 0);
        for (long i = 0; i < n - 1; i++) {
            unsigned char b[8];
            for (int k = 0; k < 8; k++)
                b[k] = (unsigned char)(w[i] >> (8 * k));
            crc = crc32(crc, b, 8);
        }
        w[n - 1] = (uint64_t)(uint32_t)crc;
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (long i = 0; i < n; i++)
        fprintf(f, "%016llx\n", (unsigned long long)w[i]);
    return fclose(f) ? -1 : 0;
}
