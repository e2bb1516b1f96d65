/* remap.c - input-channel remapping from calibration statistics (see remap.h). */
#include "map/remap.h"

#include <stdlib.h>

struct remap_stats {
    const bnn_model *m;
    int images;
    uint64_t **zeros;   /* per layer: in_c zero counts (CONV only) */
    uint64_t *total;    /* per layer: values counted per channel */
    int **perm;         /* per layer: permutation or NULL */
};

remap_stats *remap_new(const bnn_model *m)
{
    remap_stats *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->m = m;
    r->zeros = calloc((size_t)m->n_layers, sizeof *r->zeros);
    r->total = calloc((size_t)m->n_layers, sizeof *r->total);
    r->perm = calloc((size_t)m->n_layers, sizeof *r->perm);
    if (!r->zeros || !r->total || !r->perm) {
        remap_free(r);
        return NULL;
    }
    for (int i = 0; i < m->n_layers; i++) {
        const bnn_layer *l = &m->layers[i];
        if (l->type != BNN_CONV || l->u.conv.in_c < 2 || bnn_conv_groups(&l->u.conv) > 1)
            continue; /* a grouped conv is not remapped: its channels are its groups' (docs/SPEC.md section 5) */
        r->zeros[i] = calloc((size_t)l->u.conv.in_c, sizeof **r->zeros);
        r->perm[i] = malloc((size_t)l->u.conv.in_c * sizeof **r->perm);
        if (!r->zeros[i] || !r->perm[i]) {
            remap_free(r);
            return NULL;
        }
    }
    return r;
}

void remap_free(remap_stats *r)
{
    if (!r)
        return;
    for (int i = 0; r->zeros && r->perm && i < r->m->n_layers; i++) {
        free(r->zeros[i]);
        free(r->perm[i]);
    }
    free(r->zeros);
    free(r->total);
    free(r->perm);
    free(r);
}

void remap_add(remap_stats *r, const bnn_trace *tr)
{
    for (int i = 0; i < r->m->n_layers; i++) {
        if (!r->zeros[i])
            continue;
        const bnn_tensor *t = tr->act[i];
        size_t hw = (size_t)t->h * (size_t)t->w;
        for (int c = 0; c < t->c; c++) {
            const uint16_t *v = t->v + (size_t)c * hw;
            uint64_t z = 0;
            for (size_t p = 0; p < hw; p++)
                z += v[p] == 0;
            r->zeros[i][c] += z;
        }
        r->total[i] += hw;
    }
    r->images++;
}

int remap_images(const remap_stats *r) { return r->images; }

double remap_zero_fraction(const remap_stats *r, int li, int c)
{
    if (li < 0 || li >= r->m->n_layers || !r->zeros[li] || c < 0 || c >= r->m->layers[li].u.conv.in_c ||
        !r->total[li])
        return 0.0;
    return (double)r->zeros[li][c] / (double)r->total[li];
}

const int *const *remap_perms(remap_stats *r)
{
    for (int i = 0; i < r->m->n_layers; i++) {
        if (!r->perm[i])
            continue;
        int n = r->m->layers[i].u.conv.in_c;
        const uint64_t *z = r->zeros[i];
        /* insertion sort by falling zero count, ties by channel index (stable) */
        for (int c = 0; c < n; c++) {
            int p = c;
            while (p > 0 && z[r->perm[i][p - 1]] < z[c]) {
                r->perm[i][p] = r->perm[i][p - 1];
                p--;
            }
            r->perm[i][p] = c;
        }
    }
    return (const int *const *)r->perm;
}
