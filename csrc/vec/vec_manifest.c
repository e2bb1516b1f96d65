/* vec_manifest.c - the manifest.txt reader (format and ownership in vec.h):
 * lines read and split, one parser per line kind, the counts checked. */
#define _POSIX_C_SOURCE 200809L
#include "vec/vec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/num.h"
#include "vec/vec_words.h"

void vec_manifest_free(vec_manifest *mf)
{
    if (!mf)
        return;
    free(mf->jobs);
    free(mf->outs);
    free(mf);
}

static int add_entry(vec_entry **a, int *n, const vec_entry *e)
{
    if ((*n & (*n - 1)) == 0) {   /* grow at powers of two */
        vec_entry *na = realloc(*a, (size_t)(*n ? 2 * *n : 64) * sizeof *na);
        if (!na)
            return -1;
        *a = na;
    }
    (*a)[(*n)++] = *e;
    return 0;
}

/* Splits a manifest line at single spaces into at most max fields. */
static int split_fields(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        p = strchr(p, ' ');
        if (!p)
            return n;
        *p++ = 0;
    }
    return max + 1;   /* too many */
}

/* The reader's state: where it is, what it has seen. */
typedef struct mf_rd {
    const char *path;
    long ln;
    bnn_error *err;
    vec_manifest *mf;
    int have_geom, ended;
} mf_rd;

/* One split line: its fields, their count, the line quoted for messages. */
typedef struct mf_line {
    char *f[16];
    int nf;
    char head[64];
} mf_line;

/* Field k (named what) of a manifest line as an integer in [lo, hi]. */
static int mf_int(const mf_rd *r, char *const *f, int k, const char *what, int64_t lo, int64_t hi, int64_t *out)
{
    if (!num_parse_i64(f[k], lo, hi, out))
        return 0;
    char q[64];
    bnn_quote(q, sizeof q, f[k], 40);
    return vec_msg(r->err, "%s: line %ld: field %d (%s): expected an integer in %lld..%lld, got '%s'", r->path, r->ln,
                   k + 1, what, (long long)lo, (long long)hi, q);
}

/* A file or layer name field: 1..max-1 bytes, no '/', printable. */
static int mf_name(const mf_rd *r, char *const *f, int k, const char *what, char *dst, size_t max)
{
    size_t n = strlen(f[k]);
    int ok = n > 0 && n < max && !strchr(f[k], '/');
    for (size_t i = 0; ok && i < n; i++)
        ok = f[k][i] > 0x20 && f[k][i] < 0x7f;
    if (ok) {
        memcpy(dst, f[k], n + 1);
        return 0;
    }
    char q[64];
    bnn_quote(q, sizeof q, f[k], 40);
    return vec_msg(r->err, "%s: line %ld: field %d (%s): expected a name of 1..%zu printable bytes without '/', got '%s'",
                   r->path, r->ln, k + 1, what, max - 1, q);
}

static int mf_geometry(mf_rd *r, const mf_line *l)
{
    int64_t v[3] = {0};
    if (r->have_geom)
        return vec_msg(r->err, "%s: line %ld: a second 'geometry' line", r->path, r->ln);
    r->have_geom = 1;
    if (l->nf != 4)
        return vec_msg(r->err, "%s: line %ld: expected 'geometry ROWS COLS SEG_ROWS', got '%s'", r->path, r->ln,
                       l->head);
    char *const *f = l->f;
    if (mf_int(r, f, 1, "ROWS", 64, 65472, &v[0]) || mf_int(r, f, 2, "COLS", 1, 4096, &v[1]) ||
        mf_int(r, f, 3, "SEG_ROWS", 1, v[0], &v[2]))
        return -1;
    if (v[0] % 64 || v[0] % v[2])
        return vec_msg(r->err, "%s: line %ld: geometry %lld %lld %lld: ROWS must be a multiple of 64 and of SEG_ROWS",
                       r->path, r->ln, (long long)v[0], (long long)v[1], (long long)v[2]);
    r->mf->rows = (int)v[0], r->mf->cols = (int)v[1], r->mf->seg_rows = (int)v[2];
    return 0;
}

static int mf_image(mf_rd *r, const mf_line *l)
{
    int64_t v;
    char *const *f = l->f;
    if (l->nf != 4)
        return vec_msg(r->err, "%s: line %ld: expected 'image INDEX LABEL PREDICTION', got '%s'", r->path, r->ln,
                       l->head);
    if (mf_int(r, f, 1, "INDEX", 0, INT32_MAX, &v) || mf_int(r, f, 2, "LABEL", -1, BNN_MAX_CLASSES - 1, &v) ||
        mf_int(r, f, 3, "PREDICTION", -1, BNN_MAX_CLASSES - 1, &v))
        return -1;
    r->mf->n_images++;
    return 0;
}

static int mf_job(mf_rd *r, const mf_line *l)
{
    static const char *const what[] = {"IMAGE", "LAYER", "PART", "ROW_TILE", "COL_TILE", "N_ROWS",
                                       "N_COLS", "BITS", "PIXELS", "WORDS"};
    static const int64_t lo[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    static const int64_t hi[] = {INT32_MAX, BNN_MAX_LAYERS - 1, 3, 65535, 65535, 65535, 4096, 16, 1 << 22, INT32_MAX};
    if (l->nf != 13)
        return vec_msg(r->err, "%s: line %ld: expected 'job FILE IMAGE LAYER PART ROW_TILE COL_TILE N_ROWS N_COLS "
                               "BITS PIXELS WORDS NAME', got '%s'", r->path, r->ln, l->head);
    char *const *f = l->f;
    vec_entry e = {0};
    int64_t v[10];
    if (mf_name(r, f, 1, "FILE", e.file, sizeof e.file))
        return -1;
    for (int k = 0; k < 10; k++)
        if (mf_int(r, f, 2 + k, what[k], lo[k], hi[k], &v[k]))
            return -1;
    if (mf_name(r, f, 12, "NAME", e.name, sizeof e.name))
        return -1;
    e.image = (int)v[0], e.layer = (int)v[1], e.words = (long)v[9];
    if (add_entry(&r->mf->jobs, &r->mf->n_jobs, &e))
        return vec_msg(r->err, "%s: out of memory", r->path);
    return 0;
}

static int mf_out(mf_rd *r, const mf_line *l)
{
    if (l->nf != 6)
        return vec_msg(r->err, "%s: line %ld: expected 'out FILE IMAGE LAYER WORDS NAME', got '%s'", r->path, r->ln,
                       l->head);
    char *const *f = l->f;
    vec_entry e = {0};
    int64_t v[3];
    if (mf_name(r, f, 1, "FILE", e.file, sizeof e.file) || mf_int(r, f, 2, "IMAGE", 0, INT32_MAX, &v[0]) ||
        mf_int(r, f, 3, "LAYER", 0, BNN_MAX_LAYERS - 1, &v[1]) || mf_int(r, f, 4, "WORDS", 1, INT32_MAX, &v[2]) ||
        mf_name(r, f, 5, "NAME", e.name, sizeof e.name))
        return -1;
    e.image = (int)v[0], e.layer = (int)v[1], e.words = (long)v[2];
    if (add_entry(&r->mf->outs, &r->mf->n_outs, &e))
        return vec_msg(r->err, "%s: out of memory", r->path);
    return 0;
}

static int mf_end(mf_rd *r, const mf_line *l)
{
    const vec_manifest *mf = r->mf;
    int64_t v[3];
    char *const *f = l->f;
    r->ended = 1;
    if (l->nf != 4)
        return vec_msg(r->err, "%s: line %ld: expected 'end JOBS OUTS IMAGES', got '%s'", r->path, r->ln, l->head);
    if (mf_int(r, f, 1, "JOBS", 0, INT32_MAX, &v[0]) || mf_int(r, f, 2, "OUTS", 0, INT32_MAX, &v[1]) ||
        mf_int(r, f, 3, "IMAGES", 0, INT32_MAX, &v[2]))
        return -1;
    if (v[0] != mf->n_jobs || v[1] != mf->n_outs || v[2] != mf->n_images)
        return vec_msg(r->err, "%s: line %ld: 'end' counts %lld jobs, %lld outputs, %lld images; the file lists %d, %d, %d",
                       r->path, r->ln, (long long)v[0], (long long)v[1], (long long)v[2], mf->n_jobs, mf->n_outs,
                       mf->n_images);
    return 0;
}

/* One line that is neither a comment nor empty, by its first field. */
static int mf_line_parse(mf_rd *r, char *line)
{
    if (r->ended)
        return vec_msg(r->err, "%s: line %ld: expected nothing after the 'end' line", r->path, r->ln);
    mf_line l;
    bnn_quote(l.head, sizeof l.head, line, strcspn(line, "\r\n"));
    l.nf = split_fields(line, l.f, 14);
    static const struct {
        const char *kind;
        int (*parse)(mf_rd *, const mf_line *);
    } kinds[] = {{"geometry", mf_geometry}, {"image", mf_image}, {"job", mf_job}, {"out", mf_out}, {"end", mf_end}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (!strcmp(l.f[0], kinds[k].kind))
            return kinds[k].parse(r, &l);
    return vec_msg(r->err, "%s: line %ld: expected geometry, image, job, out or end, got '%s'", r->path, r->ln,
                   l.head);
}

/* Every line of f: comment lines of any length skipped, others at most 510 bytes. */
static int mf_lines(mf_rd *r, FILE *f)
{
    char line[512];
    int cont = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        int whole = len > 0 && line[len - 1] == '\n';
        int was_cont = cont;
        cont = !whole && !feof(f);
        if (was_cont)
            continue;   /* the rest of a long comment line */
        r->ln++;
        if (!whole && len < sizeof line - 1 && !feof(f))
            return vec_msg(r->err, "%s: line %ld: a NUL byte: not a manifest", r->path, r->ln);
        if (line[0] == '#')
            continue;   /* a comment line, of any length */
        if (cont)
            return vec_msg(r->err, "%s: line %ld: line longer than %zu bytes", r->path, r->ln, sizeof line - 2);
        if (line[0] == '\n')
            continue;
        if (mf_line_parse(r, line))
            return -1;
    }
    return 0;
}

/* Opens DIR/manifest.txt (path: its name), naming a directory without one. */
static FILE *mf_open(const char *dir, const char *path, bnn_error *err)
{
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        vec_msg(err, "%s: not a directory (a vector directory holds manifest.txt)", dir);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (!f && errno == ENOENT && stat(dir, &st) == 0)
        vec_msg(err, "%s: no manifest.txt: not a vector directory, or `sparsecim vectors` did not finish "
                     "writing it (the manifest is written last)", dir);
    else if (!f)
        vec_msg(err, "%s: cannot open: %s", path, strerror(errno));
    return f;
}

int vec_manifest_read(const char *dir, vec_manifest **out, bnn_error *err)
{
    *out = NULL;
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.txt", dir);
    FILE *f = mf_open(dir, path, err);
    if (!f)
        return -1;
    vec_manifest *mf = calloc(1, sizeof *mf);
    if (!mf) {
        fclose(f);
        return vec_msg(err, "%s: out of memory", path);
    }
    mf_rd r = {path, 0, err, mf, 0, 0};
    int rc = mf_lines(&r, f);
    if (!rc && ferror(f))
        rc = vec_msg(err, "%s: read error", path);
    fclose(f);
    if (!rc && !r.have_geom)
        rc = vec_msg(err, "%s: no 'geometry' line", path);
    if (!rc && !r.ended)
        rc = vec_msg(err, "%s: line %ld: file ends without the 'end' line (incomplete vector directory)", path, r.ln);
    if (rc) {
        vec_manifest_free(mf);
        return -1;
    }
    *out = mf;
    return 0;
}
