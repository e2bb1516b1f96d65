/* act.c - activity records: event counts per layer and in total (see act.h,
 * docs/ENERGY.md); their JSON / CSV reports with energy are act_write.c. */
#include "power/act.h"

#include <stdlib.h>
#include <string.h>

#include <stdio.h>

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

const char *const act_rtl_counter_names[ACT_RTL_NCNT] = {
    "cycles", "compute_ops", "weight_row_writes", "write_bits_flipped", "read_ops", "wordline_pulses",
    "precharges", "line_recharges", "recharge_steps", "cell_discharges", "line_discharges", "local_evals",
    "transfers", "accumulator_updates", "segment_cycles_active", "segment_cycles_gated",
    "segment_cycles_unmapped", "controller_checks", "c1_toggles", "c2_toggles", "footer_wakeups",
    "footer_off_cycles", "zero_flag_writes", "zero_flag_gated"};

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
