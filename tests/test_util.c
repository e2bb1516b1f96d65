/* test_util.c - see test_util.h. */
#define _POSIX_C_SOURCE 200809L
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vec/vec.h"

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

tu_seed tu_seed_of(const char *test, uint64_t fixed)
{
    tu_seed s = {fixed, ""};
    const char *v = getenv("SPARSECIM_SEED");
    if (!v) {
        snprintf(s.note, sizeof s.note, "%s: fixed seed %llu (SPARSECIM_SEED unset)", test,
                 (unsigned long long)fixed);
    } else {
        uint64_t e = 0;
        const char *p = v;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (e > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
                break;
            e = e * 10 + (uint64_t)(*p - '0');
        }
        if (p == v || *p) {
            fprintf(stderr, "SPARSECIM_SEED='%s': expected a decimal number 0..2^64-1\n", v);
            abort();
        }
        s.seed = splitmix64(e ^ splitmix64(fixed));
        snprintf(s.note, sizeof s.note, "%s: SPARSECIM_SEED=%llu (seed %llu)", test, (unsigned long long)e,
                 (unsigned long long)s.seed);
    }
    fprintf(stderr, "seed: %s\n", s.note);
    return s;
}

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

int tu_write_file(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int bad = fwrite(b, 1, n, f) != n;
    return fclose(f) || bad ? -1 : 0;
}

int tu_write_hex_words(const char *path, uint64_t *w, long n, int fix_crc)
{
    if (fix_crc && n > 0)
        w[n - 1] = vec_crc_words(w, (size_t)(n - 1));
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (long i = 0; i < n; i++)
        fprintf(f, "%016llx\n", (unsigned long long)w[i]);
    return fclose(f) ? -1 : 0;
}

char *tu_slurp_without(const char *path, const char *const *keys, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap), line[1 << 16];
    while (buf && fgets(line, sizeof line, f)) {
        int drop = 0;
        for (int k = 0; keys && keys[k]; k++)
            drop |= strstr(line, keys[k]) != NULL;
        if (drop)
            continue;
        size_t k = strlen(line);
        if (n + k + 1 > cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        memcpy(buf + n, line, k);
        n += k;
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

/* A whole file without the lines holding "wall_seconds" (malloc'd), or NULL. */
static char *slurp_no_wall(const char *path, size_t *len)
{
    return tu_slurp_without(path, (const char *const[]){"\"wall_seconds\"", NULL}, len);
}

int tu_same_report(const char *a, const char *b, char *msg, size_t len)
{
    size_t na, nb;
    char *x = slurp_no_wall(a, &na), *y = slurp_no_wall(b, &nb);
    int rc = 0;
    if (!x || !y) {
        snprintf(msg, len, "cannot read %s", !x ? a : b);
        rc = -1;
    } else if (na < 100) {
        snprintf(msg, len, "%s is nearly empty (%zu bytes)", a, na);
        rc = -1;
    } else if (na != nb || memcmp(x, y, na)) {
        size_t i = 0;
        while (i < na && i < nb && x[i] == y[i])
            i++;
        size_t from = i > 80 ? i - 80 : 0;
        snprintf(msg, len, "%s and %s differ at byte %zu:\n%.160s\n---\n%.160s", a, b, i, x + from, y + from);
        rc = -1;
    }
    free(x);
    free(y);
    return rc;
}
