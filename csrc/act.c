/* act.c - activity records and their reports (see act.h, docs/ENERGY.md). */
#include "act.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "energy.h"

static void set_err(bnn_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* THE event table: name (as the RTL/testbench report it) and what one event is.
 * A change of the RTL's counter names is a change here and nowhere else. */
static const struct {
    const char *name;
    const char *desc;
} act_events[ACT_NEVENTS] = {
    [ACT_CYCLES] = {"cycles", "clock cycles, every operation"},
    [ACT_COMPUTE_OPS] = {"compute_ops", "COMPUTE operations"},
    [ACT_SKIPPED_CYCLES] = {"skipped_cycles", "COMPUTE cycles skipped (all-zero input, gating on)"},
    [ACT_WEIGHT_ROW_WRITES] = {"weight_row_writes", "rows written"},
    [ACT_WRITE_BITS_FLIPPED] = {"write_bits_flipped", "cells whose value a write changed"},
    [ACT_READ_OPS] = {"read_ops", "rows read through the read port"},
    [ACT_WORDLINE_PULSES] = {"wordline_pulses", "read word lines raised (input bits = 1)"},
    [ACT_PRECHARGES_DONE] = {"precharges_done", "local bit lines precharged (active segment x powered column)"},
    [ACT_PRECHARGES_GATED] = {"precharges_gated", "local bit-line precharges saved by gating"},
    [ACT_LOCAL_DISCHARGES] = {"local_discharges", "conducting AND cells (sum of P)"},
    [ACT_LOCAL_EVALS_DONE] = {"local_evals_done", "local evaluations (active segment x powered column)"},
    [ACT_LOCAL_EVALS_GATED] = {"local_evals_gated", "local evaluations saved by gating"},
    [ACT_TRANSFERS] = {"local_to_global_transfers", "local lines that discharged and drove the global line"},
    [ACT_ACC_UPDATES] = {"accumulator_updates", "column accumulator updates (columns in use)"},
    [ACT_SEG_ACTIVE] = {"segment_cycles_active", "segments active in a COMPUTE cycle"},
    [ACT_SEG_GATED] = {"segment_cycles_gated", "segments gated in a COMPUTE cycle"},
    [ACT_CHECKS] = {"controller_checks", "segment zero checks (gating on)"},
    [ACT_CTRL_TOGGLES] = {"control_toggles", "C1/C2 transitions (segment x column group)"},
    [ACT_WL_MASKED] = {"wordlines_masked", "word lines of gated segments held low"},
};

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
            set_err(err, "activity: %s would go negative (%llu - %llu)", act_events[i].name,
                    (unsigned long long)a->n[i], (unsigned long long)b->n[i]);
            return -1;
        }
        r.n[i] = a->n[i] - b->n[i];
    }
    if (b->ops > a->ops) {
        set_err(err, "activity: ops would go negative (%llu - %llu)", (unsigned long long)a->ops,
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
        set_err(err, "activity: unknown event '%s'", name ? name : "(null)");
        return -1;
    }
    c->n[e] = value;
    return 0;
}

void act_ungated(const act_counts *in, act_counts *out)
{
    act_counts u = *in;
    u.n[ACT_PRECHARGES_DONE] += u.n[ACT_PRECHARGES_GATED];
    u.n[ACT_PRECHARGES_GATED] = 0;
    u.n[ACT_LOCAL_EVALS_DONE] += u.n[ACT_LOCAL_EVALS_GATED];
    u.n[ACT_LOCAL_EVALS_GATED] = 0;
    u.n[ACT_SEG_ACTIVE] += u.n[ACT_SEG_GATED];
    u.n[ACT_SEG_GATED] = 0;
    u.n[ACT_SKIPPED_CYCLES] = 0;
    u.n[ACT_CHECKS] = 0;
    u.n[ACT_CTRL_TOGGLES] = 0;
    u.n[ACT_WL_MASKED] = 0;
    *out = u;
}

double act_gated_fraction(const act_counts *c)
{
    double all = (double)c->n[ACT_SEG_ACTIVE] + (double)c->n[ACT_SEG_GATED];
    return all > 0 ? (double)c->n[ACT_SEG_GATED] / all : 0.0;
}

double act_skipped_fraction(const act_counts *c)
{
    return c->n[ACT_COMPUTE_OPS] ? (double)c->n[ACT_SKIPPED_CYCLES] / (double)c->n[ACT_COMPUTE_OPS] : 0.0;
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

act_counts *act_report_layer(act_report *r, const char *name, bnn_error *err)
{
    if (!r || !name) {
        set_err(err, "act_report_layer: NULL argument");
        return NULL;
    }
    for (int i = 0; i < r->n_layers; i++)
        if (strcmp(r->layers[i].name, name) == 0)
            return &r->layers[i].c;
    if (strlen(name) >= sizeof r->layers[0].name) {
        set_err(err, "activity: layer name '%s' longer than %zu bytes", name, sizeof r->layers[0].name - 1);
        return NULL;
    }
    if (r->n_layers == r->cap) {
        int cap = r->cap ? 2 * r->cap : 16;
        act_layer *nl = realloc(r->layers, (size_t)cap * sizeof *nl);
        if (!nl) {
            set_err(err, "activity: out of memory");
            return NULL;
        }
        r->layers = nl;
        r->cap = cap;
    }
    act_layer *l = &r->layers[r->n_layers++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    return &l->c;
}

void act_report_total(const act_report *r, act_counts *total)
{
    memset(total, 0, sizeof *total);
    for (int i = 0; i < r->n_layers; i++)
        act_add(total, &r->layers[i].c);
}

/* ---- writers ---- */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void json_energy(FILE *f, const energy_result *e, const char *pad)
{
    fputc('{', f);
    for (int k = 0; k < ENERGY_NCOMP; k++)
        fprintf(f, "%s\n%s  \"%s\": %.10g", k ? "," : "", pad, energy_comp_name((energy_comp)k), e->comp_fj[k]);
    fprintf(f, ",\n%s  \"total\": %.10g\n%s}", pad, e->total_fj, pad);
}

static void json_per_op(FILE *f, const energy_result *e)
{
    if (e->has_ops)
        fprintf(f, "%.10g", e->fj_per_op);
    else
        fputs("null", f);
}

static double saving(const energy_result *gated, const energy_result *ungated)
{
    return ungated->total_fj > 0 ? 1.0 - gated->total_fj / ungated->total_fj : 0.0;
}

/* Energy of c with gating as run and ungated, from a derived table. */
static int both_energies(const energy_table *t, const act_counts *c, energy_result *g, energy_result *u,
                         bnn_error *err)
{
    if (energy_compute(t, c, g, err) != 0)
        return -1;
    return energy_compute_ungated(t, c, u, err);
}

static int write_entry(FILE *f, const char *name, const act_counts *c, const energy_table *t, int indent,
                       bnn_error *err)
{
    energy_result g, u;
    if (both_energies(t, c, &g, &u, err) != 0)
        return -1;
    char pad[64];
    if (indent < 0)
        indent = 0;
    if (indent > (int)sizeof pad - 1)
        indent = (int)sizeof pad - 1;
    memset(pad, ' ', (size_t)indent);
    pad[indent] = '\0';
    char pad2[68];
    snprintf(pad2, sizeof pad2, "%s  ", pad);
    fputs("{\n", f);
    fprintf(f, "%s  \"name\": ", pad);
    json_str(f, name ? name : "");
    fprintf(f, ",\n%s  \"ops\": %llu,\n%s  \"counts\": {", pad, (unsigned long long)c->ops, pad);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, "%s\n%s    \"%s\": %llu", i ? "," : "", pad, act_events[i].name, (unsigned long long)c->n[i]);
    fprintf(f, "\n%s  },\n%s  \"energy_fj\": ", pad, pad);
    json_energy(f, &g, pad2);
    fprintf(f, ",\n%s  \"fj_per_op\": ", pad);
    json_per_op(f, &g);
    fprintf(f, ",\n%s  \"ungated_energy_fj\": ", pad);
    json_energy(f, &u, pad2);
    fprintf(f, ",\n%s  \"ungated_fj_per_op\": ", pad);
    json_per_op(f, &u);
    fprintf(f, ",\n%s  \"saving_fraction\": %.10g", pad, saving(&g, &u));
    fprintf(f, ",\n%s  \"gated_fraction\": %.10g", pad, act_gated_fraction(c));
    fprintf(f, ",\n%s  \"skipped_cycle_fraction\": %.10g\n%s}", pad, act_skipped_fraction(c), pad);
    if (ferror(f)) {
        set_err(err, "activity report: write error");
        return -1;
    }
    return 0;
}

int act_write_json_entry(FILE *f, const char *name, const act_counts *c, const struct energy_profile *p,
                         const struct energy_geom *g, int indent, bnn_error *err)
{
    energy_table t;
    if (!f || !c) {
        set_err(err, "act_write_json_entry: NULL argument");
        return -1;
    }
    if (energy_table_derive(p, g, &t, err) != 0)
        return -1;
    return write_entry(f, name, c, &t, indent, err);
}

int act_write_json(FILE *f, const act_report *r, const struct energy_profile *p, const struct energy_geom *g,
                   bnn_error *err)
{
    energy_table t;
    if (!f || !r) {
        set_err(err, "act_write_json: NULL argument");
        return -1;
    }
    if (energy_table_derive(p, g, &t, err) != 0)
        return -1;
    fputs("{\n  \"profile\": ", f);
    json_str(f, p->name);
    fprintf(f, ",\n  \"geometry\": {\"rows\": %d, \"cols\": %d, \"seg_rows\": %d, \"col_group\": %d, \"acc_w\": %d},\n",
            g->rows, g->cols, g->seg_rows, g->col_group, g->acc_w);
    fputs("  \"per_event_fj\": {", f);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, "%s\n    \"%s\": %.10g", i ? "," : "", act_events[i].name, t.e_event_fj[i]);
    fprintf(f, ",\n    \"leak_active_segment_cycle\": %.10g,\n    \"leak_gated_segment_cycle\": %.10g\n  },\n",
            t.leak_active_fj, t.leak_gated_fj);
    fputs("  \"layers\": [", f);
    for (int i = 0; i < r->n_layers; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        if (write_entry(f, r->layers[i].name, &r->layers[i].c, &t, 4, err) != 0)
            return -1;
    }
    fputs(r->n_layers ? "\n  ],\n  \"total\": " : "],\n  \"total\": ", f);
    act_counts tot;
    act_report_total(r, &tot);
    if (write_entry(f, "total", &tot, &t, 2, err) != 0)
        return -1;
    fputs("\n}\n", f);
    if (ferror(f)) {
        set_err(err, "activity report: write error");
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

static int csv_row(FILE *f, const char *name, const act_counts *c, const energy_table *t, bnn_error *err)
{
    energy_result g, u;
    if (both_energies(t, c, &g, &u, err) != 0)
        return -1;
    csv_name(f, name);
    fprintf(f, ",%llu", (unsigned long long)c->ops);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, ",%llu", (unsigned long long)c->n[i]);
    for (int k = 0; k < ENERGY_NCOMP; k++)
        fprintf(f, ",%.10g", g.comp_fj[k]);
    fprintf(f, ",%.10g,", g.total_fj);
    if (g.has_ops)
        fprintf(f, "%.10g", g.fj_per_op);
    fprintf(f, ",%.10g,", u.total_fj);
    if (u.has_ops)
        fprintf(f, "%.10g", u.fj_per_op);
    fprintf(f, ",%.10g,%.10g,%.10g\n", saving(&g, &u), act_gated_fraction(c), act_skipped_fraction(c));
    return 0;
}

int act_write_csv(FILE *f, const act_report *r, const struct energy_profile *p, const struct energy_geom *g,
                  bnn_error *err)
{
    energy_table t;
    if (!f || !r) {
        set_err(err, "act_write_csv: NULL argument");
        return -1;
    }
    if (energy_table_derive(p, g, &t, err) != 0)
        return -1;
    fputs("layer,ops", f);
    for (int i = 0; i < ACT_NEVENTS; i++)
        fprintf(f, ",%s", act_events[i].name);
    for (int k = 0; k < ENERGY_NCOMP; k++)
        fprintf(f, ",%s_fj", energy_comp_name((energy_comp)k));
    fputs(",total_fj,fj_per_op,ungated_total_fj,ungated_fj_per_op,saving_fraction,gated_fraction,"
          "skipped_cycle_fraction\n",
          f);
    for (int i = 0; i < r->n_layers; i++)
        if (csv_row(f, r->layers[i].name, &r->layers[i].c, &t, err) != 0)
            return -1;
    act_counts tot;
    act_report_total(r, &tot);
    if (csv_row(f, "total", &tot, &t, err) != 0)
        return -1;
    if (ferror(f)) {
        set_err(err, "activity report: write error");
        return -1;
    }
    return 0;
}
