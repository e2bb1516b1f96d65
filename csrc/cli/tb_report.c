/*
 * tb_report.c - the reports of `run`, `sim` and `merge` (see tb_cli.h):
 * the per-layer table, the energy table, the JSON report, the CSV. Apart
 * from the option parsing (tb_cli.c) so that `sparsecim merge` is built
 * without the verilated macro: nothing here touches a DUT.
 */
#include "cli/tb_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "util/outfile.h"
#include "util/jwrite.h"
#include "power/act_write.h"

int tb_cli_load_profile(tb_cli_common *c, const char *cmd, const char *path)
{
    bnn_error err;
    uint64_t bytes;
    energy_geom g = {c->geom->rows, c->geom->cols, c->geom->seg_rows, c->geom->col_group, c->geom->acc_w};
    if (cli_file_crc(path, 0, &bytes, &c->prof_crc)) {
        fprintf(stderr, "sparsecim %s: option --energy: %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    if (energy_profile_load(path, &c->prof, &err) || energy_model_derive(&c->prof, &g, &c->em, &err)) {
        fprintf(stderr, "sparsecim %s: option --energy: %s\n", cmd, err.msg);
        return -1;
    }
    c->prof_path = path;
    c->have_energy = 1;
    return 0;
}

void tb_shard_block(long first, long count, int i, int n, long *b, long *len)
{
    long lo = (long)((long long)count * i / n), hi = (long)((long long)count * (i + 1) / n);
    *b = first + lo;
    *len = hi - lo;
}

const char *tb_gate_name(int gate)
{
    static const char *const names[] = {"none", "c1", "c2", "both"};
    return names[gate & 3];
}

void tb_cli_geom_name(const dut_geom *g, char *buf, size_t n) { snprintf(buf, n, "%dx%dx%d", g->rows, g->cols, g->seg_rows); }

double tb_gated_fraction(const tb_layer_stats *s)
{
    uint64_t mapped = s->cnt[DUT_CNT_SEG_ACTIVE] + s->cnt[DUT_CNT_SEG_GATED];
    return mapped ? (double)s->cnt[DUT_CNT_SEG_GATED] / (double)mapped : 0.0;
}

/* The gated run's counts of one layer: the RTL counters by name, the
 * driver's skipped planes, `ops` binary ops. 0 or -1 (a counter name that is
 * no event: err filled). */
static int gated_counts(const tb_layer_stats *s, uint64_t ops, act_counts *a, bnn_error *err)
{
    memset(a, 0, sizeof *a);
    for (int k = 0; k < DUT_NCNT; k++)
        if (act_set_by_name(a, dut_cnt_names[k], s->cnt[k], err))
            return -1;
    a->n[ACT_PLANES_SKIPPED] = s->planes_skipped;
    a->n[ACT_INDEX_BITS] = s->index_bits;
    a->ops = ops;
    return 0;
}

void tb_cli_table(FILE *f, const tb_layer_stats *ls, int nl)
{
    fprintf(f, "%-10s %-26s %5s %10s %10s %7s\n", "layer", "shape", "tiles", "cycles", "mismatch", "gated");
    for (int i = 0; i < nl; i++) {
        const tb_layer_stats *s = &ls[i];
        act_counts a;
        bnn_error err;
        /* gated: data-gated over mapped segment-cycles (unmapped segments are configuration) */
        double gated = gated_counts(s, 0, &a, &err) ? 0.0 : act_gated_fraction_data(&a);
        fprintf(f, "%-10s %-26s %5d %10llu %10llu %6.1f%%\n", s->name, s->shape, s->tiles,
                (unsigned long long)s->cycles, (unsigned long long)s->mismatches, 100.0 * gated);
    }
}

/* The layers right after an SE (those with ch_total > 0), summed. */
typedef struct se_totals {
    int layers;
    uint64_t ch_total, ch_zeroed, ch_skipped, gated, active, jobs_run, index_bits;
} se_totals;

static se_totals se_sum(const tb_layer_stats *ls, int nl)
{
    se_totals t = {0};
    for (int i = 0; i < nl; i++) {
        const tb_layer_stats *s = &ls[i];
        if (!s->ch_total)
            continue;
        t.layers++;
        t.ch_total += s->ch_total;
        t.ch_zeroed += s->ch_zeroed;
        t.ch_skipped += s->ch_skipped;
        t.gated += s->cnt[DUT_CNT_SEG_GATED];
        t.active += s->cnt[DUT_CNT_SEG_ACTIVE];
        t.jobs_run += s->jobs_run;
        t.index_bits += s->index_bits;
    }
    return t;
}

static double frac(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

void tb_cli_se_summary(FILE *f, const tb_cli_common *c, const tb_layer_stats *ls, int nl)
{
    se_totals t = se_sum(ls, nl);
    if (!t.layers)
        return;
    fprintf(f,
            "SE sparsity: the SE gates zeroed %.1f%% of the input channels of the %d layers after an SE; those "
            "layers data-gated %.1f%% of their mapped segment-cycles (layout %s%s%s)",
            100.0 * frac(t.ch_zeroed, t.ch_total), t.layers, 100.0 * frac(t.gated, t.gated + t.active),
            map_layout_name(c->o.layout), c->o.skip_channels ? ", channel skip" : "",
            c->o.dynamic_move ? ", dynamic move" : "");
    if (c->o.skip_channels || c->o.dynamic_move)
        fprintf(f, "; %.1f%% of their channels not mapped, %llu jobs run, %llu index bits read",
                100.0 * frac(t.ch_skipped, t.ch_total), (unsigned long long)t.jobs_run,
                (unsigned long long)t.index_bits);
    fprintf(f, "\n");
}

static void json_ints(FILE *f, const char *key, const int *v, int n)
{
    fprintf(f, "  \"%s\": [", key);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%d", i ? ", " : "", v[i]);
    fprintf(f, "],\n");
}

static void json_counters(FILE *f, const uint64_t *cnt)
{
    fprintf(f, "\"counters\": {");
    for (int k = 0; k < DUT_NCNT; k++)
        fprintf(f, "%s\"%s\": %llu", k ? ", " : "", dut_cnt_names[k], (unsigned long long)cnt[k]);
    fprintf(f, "}");
}

static void json_shard(FILE *f, const tb_shard *sh)
{
    fprintf(f,
            "  \"shard\": {\"index\": %d, \"of\": %d, \"first\": %ld, \"count\": %ld, \"run_first\": %ld, "
            "\"run_count\": %ld, \"state_start\": \"%016llx\", \"state_end\": \"%016llx\"},\n",
            sh->index, sh->of, sh->first, sh->count, sh->run_first, sh->run_count,
            (unsigned long long)sh->state_start, (unsigned long long)sh->state_end);
}

static void json_events(FILE *f, const char *key, const act_counts *a)
{
    fprintf(f, "\"%s\": {", key);
    for (int e = 0; e < ACT_NEVENTS; e++)
        fprintf(f, "%s\"%s\": %llu", e ? ", " : "", act_event_name((act_event)e), (unsigned long long)a->n[e]);
    fprintf(f, "}");
}

/* What a merge needs beyond the report's own fields (tb_merge.h). */
static void json_raw(FILE *f, const tb_layer_stats *l)
{
    fprintf(f, "\"raw\": {\"macs_per_image\": %llu, \"planes_skipped\": %llu, \"index_bits\": %llu, "
               "\"act_mismatches\": %llu, \"have_ref\": %d, ",
            (unsigned long long)l->macs, (unsigned long long)l->planes_skipped, (unsigned long long)l->index_bits,
            (unsigned long long)l->act_mismatches, l->have_ref);
    json_events(f, "static", &l->stat);
    fprintf(f, ", ");
    json_events(f, "flat", &l->flat);
    fprintf(f, "}, ");
}

int tb_cli_act(const tb_layer_stats *ls, int nl, int images, act_report *r, bnn_error *err)
{
    act_report_init(r);
    const uint64_t n_img = (uint64_t)(images > 0 ? images : 0);
    for (int i = 0; i < nl; i++) {
        act_layer *l = act_report_layer(r, ls[i].name, err);   /* layer names are unique */
        act_counts c[ACT_NREF];
        const uint64_t ops = ls[i].macs * n_img;
        if (!l || gated_counts(&ls[i], ops, &c[ACT_REF_GATED], err)) {
            act_report_free(r);
            return -1;
        }
        c[ACT_REF_STATIC] = ls[i].stat;
        c[ACT_REF_FLAT] = ls[i].flat;
        /* the references did the same logical work: the same binary ops */
        c[ACT_REF_STATIC].ops = c[ACT_REF_FLAT].ops = ops;
        act_layer_add(l, c, ls[i].have_ref);
    }
    return 0;
}

/* The three references of one layer (or the total) billed. */
typedef struct cli_energy {
    energy_summary s;
    int ok;
    bnn_error err;          /* !ok: why */
} cli_energy;

static cli_energy energy_of(const tb_cli_common *c, const act_layer *l)
{
    cli_energy e;
    memset(&e, 0, sizeof e);
    if (!c->have_energy)
        snprintf(e.err.msg, sizeof e.err.msg, "no energy profile");
    else
        e.ok = !energy_summarize(&c->em, l->c, l->have_ref, &e.s, &e.err);
    return e;
}

/* fmt with v, or null */
static void json_opt(FILE *f, const char *key, int ok, const char *fmt, double v)
{
    fprintf(f, "\"%s\": ", key);
    if (ok)
        fprintf(f, fmt, v);
    else
        fputs("null", f);
    fputs(", ", f);
}

/* The energy fields of a layer or the total (tb_cli.h, tb_cli_json). */
static void json_energy_fields(FILE *f, const cli_energy *e, int with_cycles)
{
    if (!e->ok) {
        fprintf(f, "\"energy_error\": ");
        jw_str(f, e->err.msg);
        fputs(", ", f);
        return;
    }
    const energy_summary *s = &e->s;
    const energy_result *eg = &s->e[ACT_REF_GATED], *es = &s->e[ACT_REF_STATIC], *ef = &s->e[ACT_REF_FLAT];
    const int r = s->have_ref;
    json_opt(f, "energy_fj", 1, "%.3f", eg->total_fj);
    json_opt(f, "energy_fj_ungated", r, "%.3f", es->total_fj);
    json_opt(f, "energy_fj_flat", r, "%.3f", ef->total_fj);
    json_opt(f, "fj_per_op", eg->has_ops, "%.6g", eg->fj_per_op);
    json_opt(f, "fj_per_op_ungated", r && es->has_ops, "%.6g", es->fj_per_op);
    json_opt(f, "fj_per_op_flat", r && ef->has_ops, "%.6g", ef->fj_per_op);
    json_opt(f, "saving_fraction", r, "%.6f", s->saving_fraction);
    json_opt(f, "hierarchy_saving_fraction", r, "%.6f", s->hierarchy_saving_fraction);
    json_opt(f, "gated_fraction_data", 1, "%.6f", s->gated_fraction_data);
    json_opt(f, "unmapped_fraction", 1, "%.6f", s->unmapped_fraction);
    fprintf(f, "\"cycles_skipped\": %llu, ", (unsigned long long)s->cycles_skipped);
    if (with_cycles)
        fprintf(f, "\"cycles\": %llu, ", (unsigned long long)s->cycles);
    json_opt(f, "cycles_static", r, "%.0f", (double)s->cycles_static);
}

/* 100 (1 - a/b), 0 when b = 0 */
static double pct_saved(double a, double b)
{
    return b > 0 ? 100.0 * (1.0 - a / b) : 0.0;
}

int tb_cli_energy(FILE *f, const tb_cli_common *c, const char *cmd, const tb_layer_stats *ls, int nl, int images)
{
    if (!c->have_energy)
        return 0;
    act_report r;
    bnn_error err;
    if (tb_cli_act(ls, nl, images, &r, &err)) {
        fprintf(stderr, "sparsecim %s: %s\n", cmd, err.msg);
        return -1;
    }
    act_layer tot;
    act_report_total(&r, &tot);
    cli_energy e = energy_of(c, &tot);
    if (!e.ok) {
        act_report_free(&r);
        fprintf(stderr, "sparsecim %s: energy: %s\n", cmd, e.err.msg);
        return -1;
    }
    const energy_summary *s = &e.s;
    if (!c->quiet) {
        fprintf(f, "%-10s %11s %11s %11s %7s %7s %8s %7s %8s\n", "energy", "flat pJ", "static pJ", "gated pJ",
                "saving", "hier.", "fJ/op", "gated", "skipped");
        for (int i = 0; i < r.n_layers; i++) {
            cli_energy el = energy_of(c, &r.layers[i]);
            if (!el.ok) {
                fprintf(f, "%-10s energy: %s\n", r.layers[i].name, el.err.msg);
                continue;
            }
            const energy_summary *t = &el.s;
            double g = t->e[ACT_REF_GATED].total_fj, st = t->e[ACT_REF_STATIC].total_fj,
                   fl = t->e[ACT_REF_FLAT].total_fj;
            if (t->have_ref)
                fprintf(f, "%-10s %11.2f %11.2f %11.2f %6.1f%% %6.1f%%", r.layers[i].name, fl / 1e3, st / 1e3,
                        g / 1e3, 100.0 * t->saving_fraction, 100.0 * t->hierarchy_saving_fraction);
            else
                fprintf(f, "%-10s %11s %11s %11.2f %7s %7s", r.layers[i].name, "-", "-", g / 1e3, "-", "-");
            fprintf(f, " %8.3f %6.1f%% %8llu\n", t->e[ACT_REF_GATED].fj_per_op, 100.0 * t->gated_fraction_data,
                    (unsigned long long)t->cycles_skipped);
        }
    }
    const double n_img = images > 0 ? images : 1;
    const energy_result *eg = &s->e[ACT_REF_GATED], *es = &s->e[ACT_REF_STATIC], *ef = &s->e[ACT_REF_FLAT];
    fprintf(f, "energy (%s, %dx%dx%d): ", c->prof.name, c->geom->rows, c->geom->cols, c->geom->seg_rows);
    if (s->have_ref) {
        double saved = (double)s->cycles_static - (double)s->cycles;
        fprintf(f,
                "%.1f pJ/image flat, %.1f static, %.1f gated (gate %s: saving %.1f%% vs static; hierarchy %.1f%% "
                "vs flat), %.3f fJ/op (static %.3f, flat %.3f), data-gated %.1f%% of mapped segment-cycles, cycles "
                "saved %.0f (%.1f%%, %llu planes skipped)\n",
                ef->total_fj / 1e3 / n_img, es->total_fj / 1e3 / n_img, eg->total_fj / 1e3 / n_img,
                tb_gate_name(c->o.gate), 100.0 * s->saving_fraction, 100.0 * s->hierarchy_saving_fraction,
                eg->fj_per_op, es->fj_per_op,
                ef->fj_per_op, 100.0 * s->gated_fraction_data, saved,
                pct_saved((double)s->cycles, (double)s->cycles_static), (unsigned long long)s->cycles_skipped);
    } else {
        fprintf(f,
                "%.1f pJ/image gated (gate %s), %.3f fJ/op, data-gated %.1f%% of mapped segment-cycles, %llu "
                "planes skipped (no static/flat references)\n",
                eg->total_fj / 1e3 / n_img, tb_gate_name(c->o.gate), eg->fj_per_op, 100.0 * s->gated_fraction_data,
                (unsigned long long)s->cycles_skipped);
    }
    int rc = 0;
    if (c->csv) {
        out_file o = {0};
        bnn_error oerr;
        if (out_open(&o, c->csv, NULL, 0, &oerr)) {
            fprintf(stderr, "sparsecim %s: option --csv: %s\n", cmd, oerr.msg);
            rc = -1;
        } else if (act_write_csv(o.f, &r, &c->em, &err)) {
            if (ferror(o.f) && out_commit(&o, &oerr))   /* a write error: out_commit says which and why */
                fprintf(stderr, "sparsecim %s: option --csv: %s\n", cmd, oerr.msg);
            else
                fprintf(stderr, "sparsecim %s: option --csv: %s\n", cmd, err.msg);
            out_abort(&o);
            rc = -1;
        } else if (out_commit(&o, &oerr)) {
            fprintf(stderr, "sparsecim %s: option --csv: %s\n", cmd, oerr.msg);
            rc = -1;
        } else {
            fprintf(f, "csv: %s\n", c->csv);
        }
    }
    act_report_free(&r);
    return rc;
}

void tb_cli_json(FILE *f, const tb_cli_common *c, const tb_cli_summary *s, const tb_layer_stats *ls, int nl)
{
    act_report ar;
    bnn_error aerr;
    int have_act = c->have_energy && !tb_cli_act(ls, nl, s->images, &ar, &aerr);
    uint64_t cycles = 0, macs = 0, tot[DUT_NCNT] = {0};
    for (int i = 0; i < nl; i++) {
        cycles += ls[i].cycles;
        macs += ls[i].macs;
        for (int k = 0; k < DUT_NCNT; k++)
            tot[k] += ls[i].cnt[k];
    }
    char g[32];
    tb_cli_geom_name(c->geom, g, sizeof g);
    fprintf(f, "{\n  \"command\": ");
    jw_str(f, s->command);
    fprintf(f, ",\n  \"source\": ");
    jw_str(f, s->source);
    if (s->have_model_id)
        fprintf(f, ",\n  \"model_bytes\": %llu,\n  \"model_crc\": \"%08x\"", (unsigned long long)s->model_bytes,
                (unsigned)s->model_crc);
    fprintf(f, ",\n  \"data\": ");
    if (s->data)
        jw_str(f, s->data);
    else
        fprintf(f, "null");
    fprintf(f, ",\n  \"backend\": ");    /* a merge writes back what a shard says: escaped */
    jw_str(f, c->be->name);
    fprintf(f, ",\n");
    if (c->clock_path) {
        fprintf(f, "  \"clock_path\": ");
        jw_str(f, c->clock_path);
        fprintf(f, ",\n");
    }
    fprintf(f, "  \"geometry\": \"%s\",\n  \"col_group\": %d,\n  \"acc_w\": %d,\n", g, c->geom->col_group,
            c->geom->acc_w);
    fprintf(f, "  \"gating\": %s,\n  \"gate\": \"%s\",\n  \"skip\": %s,\n  \"unit\": %d,\n  \"layout\": \"%s\",\n",
            c->o.gate ? "true" : "false", tb_gate_name(c->o.gate),
            c->o.gate && !c->o.no_skip ? "true" : "false", 1 << c->o.unit_log2,
            map_layout_name(c->o.layout));
    fprintf(f, "  \"skip_channels\": %s,\n  \"dynamic_move\": %s,\n", c->o.skip_channels ? "true" : "false",
            c->o.dynamic_move ? "true" : "false");
    fprintf(f, "  \"stationary\": \"%s\",\n", c->input_stationary ? "input" : "weight");
    fprintf(f, "  \"zero_flags\": %s,\n",
            c->input_stationary && c->o.gate && !c->o.no_zero_flags ? "true" : "false");
    fprintf(f, "  \"remap\": ");
    if (c->remap) {
        jw_str(f, c->remap);
        fprintf(f, ",\n  \"remap_images\": %d,\n  \"remap_offset\": %ld,\n", c->remap_images, c->remap_offset);
    } else {
        fprintf(f, "null,\n");
    }
    fprintf(f, "  \"energy_profile\": ");
    if (c->have_energy) {
        jw_str(f, c->prof_path);
        fprintf(f, ",\n  \"energy_profile_crc\": \"%08x\",\n", (unsigned)c->prof_crc);
    } else {
        fprintf(f, "null,\n");
    }
    fprintf(f, "  \"images\": %d,\n  \"mismatches\": %llu,\n  \"cycles\": %llu,\n  \"macs\": %llu,\n", s->images,
            (unsigned long long)s->mismatches, (unsigned long long)cycles,
            (unsigned long long)macs * (unsigned long long)(s->images > 0 ? s->images : 0));
    if (s->label)
        fprintf(f, "  \"accuracy\": %.6f,\n", s->images ? (double)s->correct / s->images : 0.0);
    else
        fprintf(f, "  \"accuracy\": null,\n");
    fprintf(f, "  \"chained_equal\": %s,\n", s->chained_equal ? "true" : "false");
    fprintf(f, "  \"wall_seconds\": %.3f,\n", s->wall_seconds);
    if (s->shard)
        json_shard(f, s->shard);
    json_ints(f, "predictions", s->pred, s->images);
    json_ints(f, "chained_predictions", s->chained, s->images);
    json_ints(f, "reference_predictions", s->ref_pred, s->images);
    if (s->label)
        json_ints(f, "labels", s->label, s->images);
    fprintf(f, "  \"layers\": [\n");
    for (int i = 0; i < nl; i++) {
        const tb_layer_stats *l = &ls[i];
        fprintf(f, "    {\"name\": ");
        jw_str(f, l->name);
        fprintf(f, ", \"shape\": ");
        jw_str(f, l->shape);
        fprintf(f, ", \"tiles\": %d, \"cycles\": %llu, \"mismatches\": %llu, \"macs\": %llu, \"gated_fraction\": %.6f, ",
                l->tiles, (unsigned long long)l->cycles, (unsigned long long)l->mismatches,
                (unsigned long long)l->macs * (unsigned long long)(s->images > 0 ? s->images : 0),
                tb_gated_fraction(l));
        fprintf(f, "\"jobs_run\": %llu, \"channels_total\": %llu, \"channels_zeroed\": %llu, \"channels_skipped\": %llu, ",
                (unsigned long long)l->jobs_run, (unsigned long long)l->ch_total, (unsigned long long)l->ch_zeroed,
                (unsigned long long)l->ch_skipped);
        if (have_act) {
            cli_energy e = energy_of(c, &ar.layers[i]);
            json_energy_fields(f, &e, 0);   /* "cycles" is the layer's, above */
        }
        json_raw(f, l);
        json_counters(f, l->cnt);
        fprintf(f, "}%s\n", i + 1 < nl ? "," : "");
    }
    tb_layer_stats all = {.cnt = {0}};
    memcpy(all.cnt, tot, sizeof tot);
    se_totals st = se_sum(ls, nl);
    fprintf(f, "  ],\n  \"total\": {\"gated_fraction\": %.6f, ", tb_gated_fraction(&all));
    fprintf(f, "\"after_se_layers\": %d, \"after_se_channels_zeroed_fraction\": %.6f, "
               "\"after_se_channels_skipped_fraction\": %.6f, \"after_se_gated_fraction\": %.6f, "
               "\"after_se_jobs_run\": %llu, \"index_bits\": %llu, ",
            st.layers, frac(st.ch_zeroed, st.ch_total), frac(st.ch_skipped, st.ch_total),
            frac(st.gated, st.gated + st.active), (unsigned long long)st.jobs_run, (unsigned long long)st.index_bits);
    if (have_act) {
        act_layer atot;
        act_report_total(&ar, &atot);
        cli_energy e = energy_of(c, &atot);
        json_energy_fields(f, &e, 1);
    }
    json_counters(f, tot);
    fprintf(f, "}");
    if (have_act) {
        fprintf(f, ",\n  \"energy\": ");
        if (act_write_json(f, &ar, &c->prof, &c->em, &aerr))
            fprintf(f, "null");
        act_report_free(&ar);
    }
    fprintf(f, "\n}\n");
}
