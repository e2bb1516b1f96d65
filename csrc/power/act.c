/* act.c - activity records and their reports (see act.h, docs/ENERGY.md). */
#include "power/act.h"

#include <stdlib.h>
#include <string.h>

#include "power/energy.h"
#include "util/jwrite.h"

/* THE event table: name (as the RTL/testbench report it) and what one event is.
 * A change of the RTL's counter names is a change here and nowhere else. */
static const struct {
    const char *name;
    const char *desc;
} act_events[ACT_NEVENTS] = {
    [ACT_CYCLES] = {"cycles", "clock cycles, every operation"},
    [ACT_COMPUTE_OPS] = {"compute_ops", "array cycles (COMPUTE operations issued)"},
    [ACT_WEIGHT_ROW_WRITES] = {"weight_row_writes", "rows written"},
    [ACT_WRITE_BITS_FLIPPED] = {"write_bits_flipped", "cells whose value a write changed"},
    [ACT_READ_OPS] = {"read_ops", "rows read through the read port"},
    [ACT_WORDLINE_PULSES] = {"wordline_pulses", "read word lines raised at the array"},
    [ACT_PRECHARGES] = {"precharges", "local lines precharged (C2 pulse x column)"},
    [ACT_LINE_RECHARGES] = {"line_recharges", "precharged local lines that had discharged (state change)"},
    [ACT_RECHARGE_STEPS] = {"recharge_steps", "cell-discharge steps of charge restored by precharges"},
    [ACT_CELL_DISCHARGES] = {"cell_discharges", "AND cells that conducted"},
    [ACT_LINE_DISCHARGES] = {"line_discharges", "local lines whose level fell in an evaluation (state change)"},
    [ACT_LOCAL_EVALS] = {"local_evals", "local lines sensed (SE x column)"},
    [ACT_TRANSFERS] = {"transfers", "sensed local lines that drove a non-zero count onto the global line"},
    [ACT_ACC_UPDATES] = {"accumulator_updates", "column accumulator updates (columns in use, per array cycle)"},
    [ACT_SEG_ACTIVE] = {"segment_cycles_active", "mapped segments not data-gated, per array cycle"},
    [ACT_SEG_GATED] = {"segment_cycles_gated", "mapped segments data-gated, per array cycle"},
    [ACT_SEG_UNMAPPED] = {"segment_cycles_unmapped", "segments holding no row in use, per array cycle"},
    [ACT_CHECKS] = {"controller_checks", "segment zero checks (mapped segments, gating on)"},
    [ACT_C1_TOGGLES] = {"c1_toggles", "C1 line transitions (segment x column group)"},
    [ACT_C2_TOGGLES] = {"c2_toggles", "C2 line transitions (segment x column group)"},
    [ACT_FOOTER_WAKEUPS] = {"footer_wakeups", "footers (segment x column) on after a cycle off"},
    [ACT_FOOTER_OFF] = {"footer_off_cycles", "footer-off segment x column clock cycles (retention leakage)"},
    [ACT_ZERO_FLAG_WRITES] = {"zero_flag_writes", "segments whose stored-zero flags a SET_ZF wrote"},
    [ACT_ZERO_FLAG_GATED] = {"zero_flag_gated",
                             "(powered group, mapped segment) pairs gated by their stored-zero flag, per array cycle"},
    [ACT_PLANES_SKIPPED] = {"planes_skipped", "all-zero bit planes not issued (counted by the driver)"},
    [ACT_INDEX_BITS] = {"index_bits", "live-channel mask bits read by the channel skip (counted by the driver)"},
};

static const char *const ref_names[ACT_NREF] = {"gated", "static", "flat"};

const char *act_ref_name(act_ref r)
{
    return ((int)r >= 0 && (int)r < ACT_NREF) ? ref_names[r] : NULL;
}

const char *act_event_name(act_event e)
{
    return ((int)e >= 0 && (int)e < ACT_NEVENTS) ? act_events[e].name : NULL;
}

const char *act_event_desc(act_event e)
{
    return ((int)e >= 0 && (int)e < ACT_NEVENTS) ? act_events[e].desc : NULL;
}

int act_event_by_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < ACT_NEVENTS; i++)
        if (strcmp(act_events[i].name, name) == 0)
            return i;
    return -1;
}

void act_add(act_counts *dst, const act_counts *src)
{
    for (int i = 0; i < ACT_NEVENTS; i++)
        dst->n[i] += src->n[i];
    dst->ops += src->ops;
}

int act_sub(act_counts *out, const act_counts *a, const act_counts *b, bnn_error *err)
{
    act_counts r;
    for (int i = 0; i < ACT_NEVENTS; i++) {
        if (b->n[i] > a->n[i]) {
            bnn_set_err(err, "activity: %s would go negative (%llu - %llu)", act_events[i].name,
                    (unsigned long long)a->n[i], (unsigned long long)b->n[i]);
            return -1;
        }
        r.n[i] = a->n[i] - b->n[i];
    }
    if (b->ops > a->ops) {
        bnn_set_err(err, "activity: ops would go negative (%llu - %llu)", (unsigned long long)a->ops,
                (unsigned long long)b->ops);
        return -1;
    }
    r.ops = a->ops - b->ops;
    *out = r;
    return 0;
}

int act_set_by_name(act_counts *c, const char *name, uint64_t value, bnn_error *err)
{
    int e = act_event_by_name(name);
    if (e < 0) {
        bnn_set_err(err, "activity: unknown event '%s'", name ? name : "(null)");
        return -1;
    }
    c->n[e] = value;
    return 0;
}

double act_gated_fraction_data(const act_counts *c)
{
    double mapped = (double)c->n[ACT_SEG_ACTIVE] + (double)c->n[ACT_SEG_GATED];
    return mapped > 0 ? (double)c->n[ACT_SEG_GATED] / mapped : 0.0;
}

double act_unmapped_fraction(const act_counts *c)
{
    double all = (double)c->n[ACT_SEG_ACTIVE] + (double)c->n[ACT_SEG_GATED] + (double)c->n[ACT_SEG_UNMAPPED];
    return all > 0 ? (double)c->n[ACT_SEG_UNMAPPED] / all : 0.0;
}

/* ---- reports ---- */

void act_report_init(act_report *r)
{
    memset(r, 0, sizeof *r);
}

void act_report_free(act_report *r)
{
    if (!r)
        return;
    free(r->layers);
    memset(r, 0, sizeof *r);
}

act_layer *act_report_layer(act_report *r, const char *name, bnn_error *err)
{
    if (!r || !name) {
        bnn_set_err(err, "act_report_layer: NULL argument");
        return NULL;
    }
    for (int i = 0; i < r->n_layers; i++)
        if (strcmp(r->layers[i].name, name) == 0)
            return &r->layers[i];
    if (strlen(name) >= sizeof r->layers[0].name) {
        bnn_set_err(err, "activity: layer name '%s' longer than %zu bytes", name, sizeof r->layers[0].name - 1);
        return NULL;
    }
    if (r->n_layers == r->cap) {
        int cap = r->cap ? 2 * r->cap : 16;
        act_layer *nl = realloc(r->layers, (size_t)cap * sizeof *nl);
        if (!nl) {
            bnn_set_err(err, "activity: out of memory");
            return NULL;
        }
        r->layers = nl;
        r->cap = cap;
    }
    act_layer *l = &r->layers[r->n_layers++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    return l;
}

void act_layer_add(act_layer *dst, const act_counts c[ACT_NREF], int have_ref)
{
    act_add(&dst->c[ACT_REF_GATED], &c[ACT_REF_GATED]);
    if (have_ref) {
        act_add(&dst->c[ACT_REF_STATIC], &c[ACT_REF_STATIC]);
        act_add(&dst->c[ACT_REF_FLAT], &c[ACT_REF_FLAT]);
    }
    dst->have_ref = (dst->parts == 0 || dst->have_ref) && have_ref;
    dst->parts++;
}

void act_report_total(const act_report *r, act_layer *total)
{
    memset(total, 0, sizeof *total);
    snprintf(total->name, sizeof total->name, "total");
    for (int i = 0; i < r->n_layers; i++)
        act_layer_add(total, r->layers[i].c, r->layers[i].have_ref);
}

/* ---- writers ---- */

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
        fprintf(f, "%s\n%s  \"%s\": %llu", i ? "," : "", pad, act_events[i].name, (unsigned long long)c->n[i]);
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

int act_write_json_entry(FILE *f, const act_layer *l, const struct energy_profile *p, const struct energy_geom *g,
                         int indent, bnn_error *err)
{
    energy_model m;
    if (!f || !l) {
        bnn_set_err(err, "act_write_json_entry: NULL argument");
        return -1;
    }
    if (energy_model_derive(p, g, &m, err) != 0)
        return -1;
    return write_entry(f, l, &m, indent, err);
}

static void json_per_event(FILE *f, const energy_table *t)
{
    fputc('{', f);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, "%s\n    \"%s\": %.10g", i ? "," : "", act_events[i].name, t->e_event_fj[i]);
    fprintf(f, ",\n    \"leak_line_active\": %.10g,\n    \"leak_line_footer_off\": %.10g\n  }", t->leak_line_active_fj,
            t->leak_line_off_fj);
}

int act_write_json(FILE *f, const act_report *r, const struct energy_profile *p, const struct energy_geom *g,
                   bnn_error *err)
{
    energy_model m;
    if (!f || !r) {
        bnn_set_err(err, "act_write_json: NULL argument");
        return -1;
    }
    if (energy_model_derive(p, g, &m, err) != 0)
        return -1;
    fputs("{\n  \"profile\": ", f);
    jw_str(f, p->name);
    fprintf(f,
            ",\n  \"geometry\": {\"rows\": %d, \"cols\": %d, \"seg_rows\": %d, \"col_group\": %d, \"acc_w\": %d, "
            "\"nseg\": %d},\n",
            g->rows, g->cols, g->seg_rows, g->col_group, g->acc_w, m.hier.nseg);
    fprintf(f, "  \"local_eval_style\": \"%s\",\n  \"sa_lsb_ref_mv\": %.10g,\n  \"sa_lsb_exponent\": %.10g,\n"
               "  \"clock_period_ns\": %.10g,\n",
            p->local_eval_style == ENERGY_EVAL_DIGITAL ? "digital" : "sar", p->sa_lsb_ref_mv, p->sa_lsb_exponent,
            p->clock_period_ns);
    fputs("  \"per_event_fj\": ", f);
    json_per_event(f, &m.hier);
    fputs(",\n  \"per_event_fj_flat\": ", f);
    json_per_event(f, &m.flat);
    fputs(",\n  \"layers\": [", f);
    for (int i = 0; i < r->n_layers; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        if (write_entry(f, &r->layers[i], &m, 4, err) != 0)
            return -1;
    }
    fputs(r->n_layers ? "\n  ],\n  \"total\": " : "],\n  \"total\": ", f);
    act_layer tot;
    act_report_total(r, &tot);
    if (write_entry(f, &tot, &m, 2, err) != 0)
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

int act_write_csv(FILE *f, const act_report *r, const struct energy_profile *p, const struct energy_geom *g,
                  bnn_error *err)
{
    energy_model m;
    if (!f || !r) {
        bnn_set_err(err, "act_write_csv: NULL argument");
        return -1;
    }
    if (energy_model_derive(p, g, &m, err) != 0)
        return -1;
    fputs("layer,ops", f);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, ",%s", act_events[i].name);
    for (int k = 0; k < ENERGY_NCOMP; k++)
        fprintf(f, ",%s_fj", energy_comp_name((energy_comp)k));
    fputs(",energy_fj,energy_fj_ungated,energy_fj_flat,fj_per_op,fj_per_op_ungated,fj_per_op_flat,"
          "saving_fraction,hierarchy_saving_fraction,gated_fraction_data,unmapped_fraction,cycles_skipped,"
          "cycles_static\n",
          f);
    for (int i = 0; i < r->n_layers; i++)
        if (csv_row(f, &r->layers[i], &m, err) != 0)
            return -1;
    act_layer tot;
    act_report_total(r, &tot);
    if (csv_row(f, &tot, &m, err) != 0)
        return -1;
    if (ferror(f)) {
        bnn_set_err(err, "activity report: write error");
        return -1;
    }
    return 0;
}
