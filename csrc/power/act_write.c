/* act_write.c - the activity reports with energy: JSON and CSV writers over
 * act.h's records, billed with an energy model the caller derived once
 * (act_write.h, docs/ENERGY.md). */
#include "power/act_write.h"

#include <stdio.h>
#include <string.h>

#include "util/jdump.h"

static json_t *json_energy(const energy_result *e)
{
    json_t *o = json_object();
    int bad = !o;
    for (int k = 0; !bad && k < ENERGY_NCOMP; k++)
        bad = jd_set(o, energy_comp_name((energy_comp)k), jd_real(e->comp_fj[k], "%.10g"));
    bad = bad || jd_set(o, "total", jd_real(e->total_fj, "%.10g"));
    return bad ? (json_decref(o), NULL) : o;
}

static json_t *json_counts(const act_counts *c)
{
    json_t *o = json_object();
    int bad = !o;
    for (int i = 0; !bad && i < ACT_NEVENTS; i++)
        bad = jd_set(o, act_event_name((act_event)i), jd_u64(c->n[i]));
    return bad ? (json_decref(o), NULL) : o;
}

/* The three references' counts and energies of entry o. */
static int entry_refs(json_t *o, const act_layer *l, const energy_summary *s)
{
    const int r = s->have_ref;
    return jd_set(o, "counts", json_counts(&l->c[ACT_REF_GATED])) ||
           jd_set(o, "counts_static", r ? json_counts(&l->c[ACT_REF_STATIC]) : json_null()) ||
           jd_set(o, "counts_flat", r ? json_counts(&l->c[ACT_REF_FLAT]) : json_null()) ||
           jd_set(o, "energy_fj", json_energy(&s->e[ACT_REF_GATED])) ||
           jd_set(o, "energy_fj_ungated", r ? json_energy(&s->e[ACT_REF_STATIC]) : json_null()) ||
           jd_set(o, "energy_fj_flat", r ? json_energy(&s->e[ACT_REF_FLAT]) : json_null());
}

/* The figures of entry o: per op, savings, fractions, cycles. */
static int entry_figures(json_t *o, const energy_summary *s)
{
    const int r = s->have_ref;
    const energy_result *eg = &s->e[ACT_REF_GATED], *es = &s->e[ACT_REF_STATIC], *ef = &s->e[ACT_REF_FLAT];
    return jd_set(o, "fj_per_op", jd_real_or_null(eg->has_ops, eg->fj_per_op, "%.10g")) ||
           jd_set(o, "fj_per_op_ungated", jd_real_or_null(r && es->has_ops, es->fj_per_op, "%.10g")) ||
           jd_set(o, "fj_per_op_flat", jd_real_or_null(r && ef->has_ops, ef->fj_per_op, "%.10g")) ||
           jd_set(o, "saving_fraction", jd_real_or_null(r, s->saving_fraction, "%.10g")) ||
           jd_set(o, "hierarchy_saving_fraction", jd_real_or_null(r, s->hierarchy_saving_fraction, "%.10g")) ||
           jd_set(o, "gated_fraction_data", jd_real(s->gated_fraction_data, "%.10g")) ||
           jd_set(o, "unmapped_fraction", jd_real(s->unmapped_fraction, "%.10g")) ||
           jd_set(o, "cycles_skipped", jd_u64(s->cycles_skipped)) || jd_set(o, "cycles", jd_u64(s->cycles)) ||
           jd_set(o, "cycles_static", r ? jd_u64(s->cycles_static) : json_null());
}

json_t *act_json_entry(const act_layer *l, const energy_model *m, bnn_error *err)
{
    energy_summary s;
    if (!l || !m) {
        bnn_set_err(err, "act_json_entry: NULL argument");
        return NULL;
    }
    if (energy_summarize(m, l->c, l->have_ref, &s, err) != 0)
        return NULL;
    json_t *o = json_object();
    if (!o || jd_set(o, "name", jd_str(l->name)) || jd_set(o, "ops", jd_u64(l->c[ACT_REF_GATED].ops)) ||
        jd_set(o, "have_ref", json_boolean(s.have_ref)) || entry_refs(o, l, &s) || entry_figures(o, &s)) {
        json_decref(o);
        bnn_set_err(err, "activity report: " JD_BUILD_ERROR);
        return NULL;
    }
    return o;
}

static json_t *json_per_event(const energy_table *t)
{
    json_t *o = json_object();
    int bad = !o;
    for (int i = 0; !bad && i < ACT_NEVENTS; i++)
        bad = jd_set(o, act_event_name((act_event)i), jd_real(t->e_event_fj[i], "%.10g"));
    bad = bad || jd_set(o, "leak_line_active", jd_real(t->leak_line_active_fj, "%.10g")) ||
          jd_set(o, "leak_line_footer_off", jd_real(t->leak_line_off_fj, "%.10g"));
    return bad ? (json_decref(o), NULL) : o;
}

/* The profile and geometry fields of the report. */
static int report_head(json_t *o, const energy_profile *p, const energy_model *m)
{
    const energy_geom *g = &m->hier.geom;
    json_t *geom = json_object();
    int bad = !geom || jd_set(geom, "rows", json_integer(g->rows)) || jd_set(geom, "cols", json_integer(g->cols)) ||
              jd_set(geom, "seg_rows", json_integer(g->seg_rows)) ||
              jd_set(geom, "col_group", json_integer(g->col_group)) || jd_set(geom, "acc_w", json_integer(g->acc_w)) ||
              jd_set(geom, "nseg", json_integer(m->hier.nseg));
    if (bad) {
        json_decref(geom);
        return -1;
    }
    return jd_set(o, "profile", jd_str(p->name)) || jd_set(o, "geometry", geom) ||
           jd_set(o, "local_eval_style", jd_str(p->local_eval_style == ENERGY_EVAL_DIGITAL ? "digital" : "sar")) ||
           jd_set(o, "sa_lsb_ref_mv", jd_real(p->sa_lsb_ref_mv, "%.10g")) ||
           jd_set(o, "sa_lsb_exponent", jd_real(p->sa_lsb_exponent, "%.10g")) ||
           jd_set(o, "clock_period_ns", jd_real(p->clock_period_ns, "%.10g")) ||
           jd_set(o, "per_event_fj", json_per_event(&m->hier)) ||
           jd_set(o, "per_event_fj_flat", json_per_event(&m->flat));
}

json_t *act_json(const act_report *r, const energy_profile *p, const energy_model *m, bnn_error *err)
{
    if (!r || !p || !m) {
        bnn_set_err(err, "act_json: NULL argument");
        return NULL;
    }
    bnn_set_err(err, "activity report: " JD_BUILD_ERROR);   /* what a failure is, unless an entry says */
    json_t *o = json_object(), *layers = json_array();
    int bad = !o || !layers || report_head(o, p, m) || jd_set(o, "layers", json_incref(layers));
    for (int i = 0; !bad && i < r->n_layers; i++)
        bad = jd_push(layers, act_json_entry(&r->layers[i], m, err));
    act_layer tot;
    act_report_total(r, &tot);
    bad = bad || jd_set(o, "total", act_json_entry(&tot, m, err));
    json_decref(layers);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static void csv_name(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* ",v" or "," (empty) */
static void csv_num(FILE *f, int ok, double v)
{
    fputc(',', f);
    if (ok)
        fprintf(f, "%.10g", v);
}

static int csv_row(FILE *f, const act_layer *l, const energy_model *m, bnn_error *err)
{
    energy_summary s;
    if (energy_summarize(m, l->c, l->have_ref, &s, err) != 0)
        return -1;
    const act_counts *c = &l->c[ACT_REF_GATED];
    const energy_result *eg = &s.e[ACT_REF_GATED], *es = &s.e[ACT_REF_STATIC], *ef = &s.e[ACT_REF_FLAT];
    const int r = s.have_ref;
    csv_name(f, l->name);
    fprintf(f, ",%llu", (unsigned long long)c->ops);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, ",%llu", (unsigned long long)c->n[i]);
    for (int k = 0; k < ENERGY_NCOMP; k++)
        fprintf(f, ",%.10g", eg->comp_fj[k]);
    csv_num(f, 1, eg->total_fj);
    csv_num(f, r, es->total_fj);
    csv_num(f, r, ef->total_fj);
    csv_num(f, eg->has_ops, eg->fj_per_op);
    csv_num(f, r && es->has_ops, es->fj_per_op);
    csv_num(f, r && ef->has_ops, ef->fj_per_op);
    csv_num(f, r, s.saving_fraction);
    csv_num(f, r, s.hierarchy_saving_fraction);
    csv_num(f, 1, s.gated_fraction_data);
    csv_num(f, 1, s.unmapped_fraction);
    fprintf(f, ",%llu,", (unsigned long long)s.cycles_skipped);
    if (r)
        fprintf(f, "%llu", (unsigned long long)s.cycles_static);
    fputc('\n', f);
    return 0;
}

int act_write_csv(FILE *f, const act_report *r, const energy_model *m, bnn_error *err)
{
    if (!f || !r || !m) {
        bnn_set_err(err, "act_write_csv: NULL argument");
        return -1;
    }
    fputs("layer,ops", f);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, ",%s", act_event_name((act_event)i));
    for (int k = 0; k < ENERGY_NCOMP; k++)
        fprintf(f, ",%s_fj", energy_comp_name((energy_comp)k));
    fputs(",energy_fj,energy_fj_ungated,energy_fj_flat,fj_per_op,fj_per_op_ungated,fj_per_op_flat,"
          "saving_fraction,hierarchy_saving_fraction,gated_fraction_data,unmapped_fraction,cycles_skipped,"
          "cycles_static\n",
          f);
    for (int i = 0; i < r->n_layers; i++)
        if (csv_row(f, &r->layers[i], m, err) != 0)
            return -1;
    act_layer tot;
    act_report_total(r, &tot);
    if (csv_row(f, &tot, m, err) != 0)
        return -1;
    if (ferror(f)) {
        bnn_set_err(err, "activity report: write error");
        return -1;
    }
    return 0;
}
