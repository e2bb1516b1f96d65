/* act_write.c - the activity reports with energy: JSON and CSV writers over
 * act.h's records, billed with an energy model the caller derived once
 * (act_write.h, docs/ENERGY.md). */
#include "power/act_write.h"

#include <stdio.h>
#include <string.h>

#include "util/jwrite.h"

static void json_energy(FILE *f, const energy_result *e, const char *pad)
{
    fputc('{', f);
    for (int k = 0; k < ENERGY_NCOMP; k++)
        fprintf(f, "%s\n%s  \"%s\": %.10g", k ? "," : "", pad, energy_comp_name((energy_comp)k), e->comp_fj[k]);
    fprintf(f, ",\n%s  \"total\": %.10g\n%s}", pad, e->total_fj, pad);
}

static void json_counts(FILE *f, const act_counts *c, const char *pad)
{
    fputc('{', f);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, "%s\n%s  \"%s\": %llu", i ? "," : "", pad, act_event_name((act_event)i), (unsigned long long)c->n[i]);
    fprintf(f, "\n%s}", pad);
}

/* A number, or null when !ok. */
static void json_num(FILE *f, int ok, double v)
{
    if (ok)
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}

static int write_entry(FILE *f, const act_layer *l, const energy_model *m, int indent, bnn_error *err)
{
    energy_summary s;
    if (energy_summarize(m, l->c, l->have_ref, &s, err) != 0)
        return -1;
    char pad[64];
    if (indent < 0)
        indent = 0;
    if (indent > (int)sizeof pad - 3)
        indent = (int)sizeof pad - 3;
    memset(pad, ' ', (size_t)indent);
    pad[indent] = '\0';
    char pad2[68];
    snprintf(pad2, sizeof pad2, "%s  ", pad);
    const int r = s.have_ref;
    const energy_result *eg = &s.e[ACT_REF_GATED], *es = &s.e[ACT_REF_STATIC], *ef = &s.e[ACT_REF_FLAT];
    fputs("{\n", f);
    fprintf(f, "%s  \"name\": ", pad);
    jw_str(f, l->name);
    fprintf(f, ",\n%s  \"ops\": %llu,\n%s  \"have_ref\": %s,\n%s  \"counts\": ", pad,
            (unsigned long long)l->c[ACT_REF_GATED].ops, pad, r ? "true" : "false", pad);
    json_counts(f, &l->c[ACT_REF_GATED], pad2);
    fprintf(f, ",\n%s  \"counts_static\": ", pad);
    if (r)
        json_counts(f, &l->c[ACT_REF_STATIC], pad2);
    else
        fputs("null", f);
    fprintf(f, ",\n%s  \"counts_flat\": ", pad);
    if (r)
        json_counts(f, &l->c[ACT_REF_FLAT], pad2);
    else
        fputs("null", f);
    fprintf(f, ",\n%s  \"energy_fj\": ", pad);
    json_energy(f, eg, pad2);
    fprintf(f, ",\n%s  \"energy_fj_ungated\": ", pad);
    if (r)
        json_energy(f, es, pad2);
    else
        fputs("null", f);
    fprintf(f, ",\n%s  \"energy_fj_flat\": ", pad);
    if (r)
        json_energy(f, ef, pad2);
    else
        fputs("null", f);
    fprintf(f, ",\n%s  \"fj_per_op\": ", pad);
    json_num(f, eg->has_ops, eg->fj_per_op);
    fprintf(f, ",\n%s  \"fj_per_op_ungated\": ", pad);
    json_num(f, r && es->has_ops, es->fj_per_op);
    fprintf(f, ",\n%s  \"fj_per_op_flat\": ", pad);
    json_num(f, r && ef->has_ops, ef->fj_per_op);
    fprintf(f, ",\n%s  \"saving_fraction\": ", pad);
    json_num(f, r, s.saving_fraction);
    fprintf(f, ",\n%s  \"hierarchy_saving_fraction\": ", pad);
    json_num(f, r, s.hierarchy_saving_fraction);
    fprintf(f, ",\n%s  \"gated_fraction_data\": %.10g", pad, s.gated_fraction_data);
    fprintf(f, ",\n%s  \"unmapped_fraction\": %.10g", pad, s.unmapped_fraction);
    fprintf(f, ",\n%s  \"cycles_skipped\": %llu", pad, (unsigned long long)s.cycles_skipped);
    fprintf(f, ",\n%s  \"cycles\": %llu", pad, (unsigned long long)s.cycles);
    fprintf(f, ",\n%s  \"cycles_static\": ", pad);
    if (r)
        fprintf(f, "%llu", (unsigned long long)s.cycles_static);
    else
        fputs("null", f);
    fprintf(f, "\n%s}", pad);
    if (ferror(f)) {
        bnn_set_err(err, "activity report: write error");
        return -1;
    }
    return 0;
}

int act_write_json_entry(FILE *f, const act_layer *l, const energy_model *m, int indent, bnn_error *err)
{
    if (!f || !l || !m) {
        bnn_set_err(err, "act_write_json_entry: NULL argument");
        return -1;
    }
    return write_entry(f, l, m, indent, err);
}

static void json_per_event(FILE *f, const energy_table *t)
{
    fputc('{', f);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, "%s\n    \"%s\": %.10g", i ? "," : "", act_event_name((act_event)i), t->e_event_fj[i]);
    fprintf(f, ",\n    \"leak_line_active\": %.10g,\n    \"leak_line_footer_off\": %.10g\n  }", t->leak_line_active_fj,
            t->leak_line_off_fj);
}

int act_write_json(FILE *f, const act_report *r, const energy_profile *p, const energy_model *m, bnn_error *err)
{
    if (!f || !r || !p || !m) {
        bnn_set_err(err, "act_write_json: NULL argument");
        return -1;
    }
    const energy_geom *g = &m->hier.geom;
    fputs("{\n  \"profile\": ", f);
    jw_str(f, p->name);
    fprintf(f,
            ",\n  \"geometry\": {\"rows\": %d, \"cols\": %d, \"seg_rows\": %d, \"col_group\": %d, \"acc_w\": %d, "
            "\"nseg\": %d},\n",
            g->rows, g->cols, g->seg_rows, g->col_group, g->acc_w, m->hier.nseg);
    fprintf(f, "  \"local_eval_style\": \"%s\",\n  \"sa_lsb_ref_mv\": %.10g,\n  \"sa_lsb_exponent\": %.10g,\n"
               "  \"clock_period_ns\": %.10g,\n",
            p->local_eval_style == ENERGY_EVAL_DIGITAL ? "digital" : "sar", p->sa_lsb_ref_mv, p->sa_lsb_exponent,
            p->clock_period_ns);
    fputs("  \"per_event_fj\": ", f);
    json_per_event(f, &m->hier);
    fputs(",\n  \"per_event_fj_flat\": ", f);
    json_per_event(f, &m->flat);
    fputs(",\n  \"layers\": [", f);
    for (int i = 0; i < r->n_layers; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        if (write_entry(f, &r->layers[i], m, 4, err) != 0)
            return -1;
    }
    fputs(r->n_layers ? "\n  ],\n  \"total\": " : "],\n  \"total\": ", f);
    act_layer tot;
    act_report_total(r, &tot);
    if (write_entry(f, &tot, m, 2, err) != 0)
        return -1;
    fputs("\n}\n", f);
    if (ferror(f)) {
        bnn_set_err(err, "activity report: write error");
        return -1;
    }
    return 0;
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
