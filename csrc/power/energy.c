/* energy.c - the energy of an activity record with a derived table, the
 * geometry and the components (energy.h, docs/ENERGY.md); profiles:
 * energy_profile.c; the derivation: energy_derive.c. */
#include "power/energy.h"

#include <string.h>

/* ---- geometry ---- */

energy_geom energy_geom_default(void)
{
    energy_geom g = {.rows = 256, .cols = 64, .seg_rows = 16, .col_group = 8, .acc_w = 32};
    return g;
}

int energy_geom_check(const energy_geom *g, bnn_error *err)
{
    if (!g) {
        bnn_set_err(err, "energy geometry: NULL");
        return -1;
    }
    if (g->rows < 1 || g->cols < 1 || g->seg_rows < 1 || g->col_group < 1 || g->acc_w < 1 || g->rows > (1 << 20) ||
        g->cols > (1 << 20) || g->acc_w > 1024) {
        bnn_set_err(err, "energy geometry: rows %d, cols %d, seg_rows %d, col_group %d, acc_w %d: sizes out of range",
                g->rows, g->cols, g->seg_rows, g->col_group, g->acc_w);
        return -1;
    }
    if (g->rows % g->seg_rows != 0) {
        bnn_set_err(err, "energy geometry: seg_rows %d does not divide rows %d", g->seg_rows, g->rows);
        return -1;
    }
    if (g->cols % g->col_group != 0) {
        bnn_set_err(err, "energy geometry: col_group %d does not divide cols %d", g->col_group, g->cols);
        return -1;
    }
    return 0;
}

/* ---- components ---- */

static const char *const comp_names[ENERGY_NCOMP] = {
    "wordline", "precharge", "eval", "transfer", "accumulate", "control", "gating", "write", "read", "leakage",
};

const char *energy_comp_name(energy_comp c)
{
    return ((int)c >= 0 && (int)c < ENERGY_NCOMP) ? comp_names[c] : NULL;
}

const energy_table *energy_model_table(const energy_model *m, act_ref ref)
{
    if (!m || (int)ref < 0 || (int)ref >= ACT_NREF)
        return NULL;
    return ref == ACT_REF_FLAT ? &m->flat : &m->hier;
}

int energy_compute(const energy_table *t, const act_counts *c, energy_result *r, bnn_error *err)
{
    if (!t || !c || !r) {
        bnn_set_err(err, "energy_compute: NULL argument");
        return -1;
    }
    memset(r, 0, sizeof *r);
    for (int i = 0; i < ACT_NEVENTS; i++) {
        int comp = energy_event_comp((act_event)i);
        if (comp < 0)
            continue;
        double ej = (double)c->n[i] * t->e_event_fj[i];
        r->event_fj[i] = ej;
        r->comp_fj[comp] += ej;
    }
    /* every clock every line leaks; lines whose footer is off at the retention level */
    uint64_t per = (uint64_t)t->nseg * (uint64_t)t->geom.cols;
    uint64_t cyc = c->n[ACT_CYCLES], off = c->n[ACT_FOOTER_OFF];
    if (cyc <= UINT64_MAX / per && off > cyc * per) {
        bnn_set_err(err, "energy: %llu footer-off line-cycles exceed cycles (%llu) x lines (%llu)",
                (unsigned long long)off, (unsigned long long)cyc, (unsigned long long)per);
        return -1;
    }
    double lines = (double)cyc * (double)per;
    r->comp_fj[ENERGY_LEAKAGE] = (lines - (double)off) * t->leak_line_active_fj + (double)off * t->leak_line_off_fj;
    for (int k = 0; k < ENERGY_NCOMP; k++)
        r->total_fj += r->comp_fj[k];
    r->has_ops = c->ops > 0;
    r->fj_per_op = r->has_ops ? r->total_fj / (double)c->ops : 0.0;
    return 0;
}

int energy_summarize(const energy_model *m, const act_counts c[ACT_NREF], int have_ref, energy_summary *s,
                     bnn_error *err)
{
    if (!m || !c || !s) {
        bnn_set_err(err, "energy_summarize: NULL argument");
        return -1;
    }
    memset(s, 0, sizeof *s);
    s->have_ref = have_ref != 0;
    for (int k = 0; k < (s->have_ref ? ACT_NREF : 1); k++) {
        bnn_error e2;
        if (energy_compute(energy_model_table(m, (act_ref)k), &c[k], &s->e[k], &e2) != 0) {
            bnn_set_err(err, "%s: %s", act_ref_name((act_ref)k), e2.msg);
            return -1;
        }
    }
    const double eg = s->e[ACT_REF_GATED].total_fj, es = s->e[ACT_REF_STATIC].total_fj,
                 ef = s->e[ACT_REF_FLAT].total_fj;
    if (s->have_ref) {
        s->saving_fraction = es > 0 ? 1.0 - eg / es : 0.0;
        s->hierarchy_saving_fraction = ef > 0 ? 1.0 - es / ef : 0.0;
        s->cycles_static = c[ACT_REF_STATIC].n[ACT_CYCLES];
    }
    s->gated_fraction_data = act_gated_fraction_data(&c[ACT_REF_GATED]);
    s->unmapped_fraction = act_unmapped_fraction(&c[ACT_REF_GATED]);
    s->cycles = c[ACT_REF_GATED].n[ACT_CYCLES];
    s->cycles_skipped = c[ACT_REF_GATED].n[ACT_PLANES_SKIPPED];
    return 0;
}
