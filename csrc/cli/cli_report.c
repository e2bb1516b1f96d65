/*
 * cli_report.c - the reports of `run`, `sim` and `merge` (see cli_common.h):
 * the per-layer table, the energy table, the JSON report, the CSV. Apart
 * from the option parsing (cli_common.c) so that `sparsecim merge` is built
 * without the verilated macro: nothing here touches a DUT.
 */
#include "cli/cli_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "util/outfile.h"
#include "util/jdump.h"
#include "power/act_write.h"

int cli_report_load_profile(cli_common *c, const char *cmd, const char *path)
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

void cli_shard_block(long first, long count, int i, int n, long *b, long *len)
{
    long lo = (long)((long long)count * i / n), hi = (long)((long long)count * (i + 1) / n);
    *b = first + lo;
    *len = hi - lo;
}

const char *cli_report_gate_name(int gate)
{
    static const char *const names[] = {"none", "c1", "c2", "both"};
    return names[gate & 3];
}

void cli_report_geom_name(const dut_geom *g, char *buf, size_t n) { snprintf(buf, n, "%dx%dx%d", g->rows, g->cols, g->seg_rows); }

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

void cli_report_table(FILE *f, const tb_layer_stats *ls, int nl)
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

void cli_report_se_summary(FILE *f, const cli_common *c, const tb_layer_stats *ls, int nl)
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

int cli_report_act(const tb_layer_stats *ls, int nl, int images, act_report *r, bnn_error *err)
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

static cli_energy energy_of(const cli_common *c, const act_layer *l)
{
    cli_energy e;
    memset(&e, 0, sizeof e);
    if (!c->have_energy)
        snprintf(e.err.msg, sizeof e.err.msg, "no energy profile");
    else
        e.ok = !energy_summarize(&c->em, l->c, l->have_ref, &e.s, &e.err);
    return e;
}

/* 100 (1 - a/b), 0 when b = 0 */
static double pct_saved(double a, double b)
{
    return b > 0 ? 100.0 * (1.0 - a / b) : 0.0;
}

/* The per-layer energy table (without --quiet). */
static void energy_layer_table(FILE *f, const cli_common *c, const act_report *r)
{
    fprintf(f, "%-10s %11s %11s %11s %7s %7s %8s %7s %8s\n", "energy", "flat pJ", "static pJ", "gated pJ", "saving",
            "hier.", "fJ/op", "gated", "skipped");
    for (int i = 0; i < r->n_layers; i++) {
        cli_energy el = energy_of(c, &r->layers[i]);
        if (!el.ok) {
            fprintf(f, "%-10s energy: %s\n", r->layers[i].name, el.err.msg);
            continue;
        }
        const energy_summary *t = &el.s;
        double g = t->e[ACT_REF_GATED].total_fj, st = t->e[ACT_REF_STATIC].total_fj, fl = t->e[ACT_REF_FLAT].total_fj;
        if (t->have_ref)
            fprintf(f, "%-10s %11.2f %11.2f %11.2f %6.1f%% %6.1f%%", r->layers[i].name, fl / 1e3, st / 1e3, g / 1e3,
                    100.0 * t->saving_fraction, 100.0 * t->hierarchy_saving_fraction);
        else
            fprintf(f, "%-10s %11s %11s %11.2f %7s %7s", r->layers[i].name, "-", "-", g / 1e3, "-", "-");
        fprintf(f, " %8.3f %6.1f%% %8llu\n", t->e[ACT_REF_GATED].fj_per_op, 100.0 * t->gated_fraction_data,
                (unsigned long long)t->cycles_skipped);
    }
}

/* The one-line energy summary of the run (the total s of `images` images). */
static void energy_line(FILE *f, const cli_common *c, const energy_summary *s, int images)
{
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
                cli_report_gate_name(c->o.gate), 100.0 * s->saving_fraction, 100.0 * s->hierarchy_saving_fraction,
                eg->fj_per_op, es->fj_per_op,
                ef->fj_per_op, 100.0 * s->gated_fraction_data, saved,
                pct_saved((double)s->cycles, (double)s->cycles_static), (unsigned long long)s->cycles_skipped);
    } else {
        fprintf(f,
                "%.1f pJ/image gated (gate %s), %.3f fJ/op, data-gated %.1f%% of mapped segment-cycles, %llu "
                "planes skipped (no static/flat references)\n",
                eg->total_fj / 1e3 / n_img, cli_report_gate_name(c->o.gate), eg->fj_per_op, 100.0 * s->gated_fraction_data,
                (unsigned long long)s->cycles_skipped);
    }
}

/* --csv: the activity report r as CSV through outfile.h; "csv: PATH" on f. 0 or -1 (message). */
static int energy_csv(FILE *f, const cli_common *c, const char *cmd, const act_report *r)
{
    out_file o = {0};
    bnn_error err, oerr;
    if (out_open(&o, c->csv, NULL, 0, &oerr)) {
        fprintf(stderr, "sparsecim %s: option --csv: %s\n", cmd, oerr.msg);
        return -1;
    }
    if (act_write_csv(o.f, r, &c->em, &err)) {
        if (ferror(o.f) && out_commit(&o, &oerr))   /* a write error: out_commit says which and why */
            fprintf(stderr, "sparsecim %s: option --csv: %s\n", cmd, oerr.msg);
        else
            fprintf(stderr, "sparsecim %s: option --csv: %s\n", cmd, err.msg);
        out_abort(&o);
        return -1;
    }
    if (out_commit(&o, &oerr)) {
        fprintf(stderr, "sparsecim %s: option --csv: %s\n", cmd, oerr.msg);
        return -1;
    }
    fprintf(f, "csv: %s\n", c->csv);
    return 0;
}

int cli_report_energy(FILE *f, const cli_common *c, const char *cmd, const tb_layer_stats *ls, int nl, int images)
{
    if (!c->have_energy)
        return 0;
    act_report r;
    bnn_error err;
    if (cli_report_act(ls, nl, images, &r, &err)) {
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
    if (!c->quiet)
        energy_layer_table(f, c, &r);
    energy_line(f, c, &e.s, images);
    int rc = c->csv ? energy_csv(f, c, cmd, &r) : 0;
    act_report_free(&r);
    return rc;
}

/* ---- the JSON report: one jansson tree, dumped once (util/jdump.h) ---- */

static json_t *json_counters(const uint64_t *cnt)
{
    json_t *o = json_object();
    int bad = !o;
    for (int k = 0; o && k < DUT_NCNT; k++)
        bad |= jd_set(o, dut_cnt_names[k], jd_u64(cnt[k]));
    return bad ? (json_decref(o), NULL) : o;
}

static json_t *json_events(const act_counts *a)
{
    json_t *o = json_object();
    int bad = !o;
    for (int e = 0; o && e < ACT_NEVENTS; e++)
        bad |= jd_set(o, act_event_name((act_event)e), jd_u64(a->n[e]));
    return bad ? (json_decref(o), NULL) : o;
}

static json_t *json_shard(const cli_shard *sh)
{
    json_t *o = json_object();
    int bad = !o;
    bad = bad || jd_set(o, "index", json_integer(sh->index)) || jd_set(o, "of", json_integer(sh->of)) ||
          jd_set(o, "first", json_integer(sh->first)) || jd_set(o, "count", json_integer(sh->count)) ||
          jd_set(o, "run_first", json_integer(sh->run_first)) || jd_set(o, "run_count", json_integer(sh->run_count)) ||
          jd_set(o, "state_start", jd_hex(sh->state_start, 16)) || jd_set(o, "state_end", jd_hex(sh->state_end, 16));
    return bad ? (json_decref(o), NULL) : o;
}

/* What a merge needs beyond the report's own fields (cli_part.h). */
static json_t *json_raw(const tb_layer_stats *l)
{
    json_t *o = json_object();
    int bad = !o;
    bad = bad || jd_set(o, "macs_per_image", jd_u64(l->macs)) || jd_set(o, "planes_skipped", jd_u64(l->planes_skipped)) ||
          jd_set(o, "index_bits", jd_u64(l->index_bits)) || jd_set(o, "act_mismatches", jd_u64(l->act_mismatches)) ||
          jd_set(o, "have_ref", json_integer(l->have_ref)) || jd_set(o, "static", json_events(&l->stat)) ||
          jd_set(o, "flat", json_events(&l->flat));
    return bad ? (json_decref(o), NULL) : o;
}

/* The energy fields of a layer or the total into o (cli_common.h, cli_report_json).
 * 0 or -1 (out of memory). */
static int json_energy_fields(json_t *o, const cli_energy *e, int with_cycles)
{
    if (!e->ok)
        return jd_set(o, "energy_error", jd_str(e->err.msg));
    const energy_summary *s = &e->s;
    const energy_result *eg = &s->e[ACT_REF_GATED], *es = &s->e[ACT_REF_STATIC], *ef = &s->e[ACT_REF_FLAT];
    const int r = s->have_ref;
    int bad = jd_set(o, "energy_fj", jd_real(eg->total_fj, "%.3f")) |
              jd_set(o, "energy_fj_ungated", jd_real_or_null(r, es->total_fj, "%.3f")) |
              jd_set(o, "energy_fj_flat", jd_real_or_null(r, ef->total_fj, "%.3f")) |
              jd_set(o, "fj_per_op", jd_real_or_null(eg->has_ops, eg->fj_per_op, "%.6g")) |
              jd_set(o, "fj_per_op_ungated", jd_real_or_null(r && es->has_ops, es->fj_per_op, "%.6g")) |
              jd_set(o, "fj_per_op_flat", jd_real_or_null(r && ef->has_ops, ef->fj_per_op, "%.6g")) |
              jd_set(o, "saving_fraction", jd_real_or_null(r, s->saving_fraction, "%.6f")) |
              jd_set(o, "hierarchy_saving_fraction", jd_real_or_null(r, s->hierarchy_saving_fraction, "%.6f")) |
              jd_set(o, "gated_fraction_data", jd_real(s->gated_fraction_data, "%.6f")) |
              jd_set(o, "unmapped_fraction", jd_real(s->unmapped_fraction, "%.6f")) |
              jd_set(o, "cycles_skipped", jd_u64(s->cycles_skipped));
    if (with_cycles)
        bad |= jd_set(o, "cycles", jd_u64(s->cycles));
    return bad | jd_set(o, "cycles_static", jd_real_or_null(r, (double)s->cycles_static, "%.0f"));
}

/* One entry of "layers"; ar: the activity report (NULL without energy). */
static json_t *json_layer(const cli_common *c, const tb_layer_stats *l, int images, const act_layer *al)
{
    const uint64_t n_img = (uint64_t)(images > 0 ? images : 0);
    json_t *o = json_object();
    int bad = !o;
    bad = bad || jd_set(o, "name", jd_str(l->name)) || jd_set(o, "shape", jd_str(l->shape)) ||
          jd_set(o, "tiles", json_integer(l->tiles)) || jd_set(o, "cycles", jd_u64(l->cycles)) ||
          jd_set(o, "mismatches", jd_u64(l->mismatches)) || jd_set(o, "macs", jd_u64(l->macs * n_img)) ||
          jd_set(o, "gated_fraction", jd_real(tb_gated_fraction(l), "%.6f")) ||
          jd_set(o, "jobs_run", jd_u64(l->jobs_run)) || jd_set(o, "channels_total", jd_u64(l->ch_total)) ||
          jd_set(o, "channels_zeroed", jd_u64(l->ch_zeroed)) || jd_set(o, "channels_skipped", jd_u64(l->ch_skipped));
    if (!bad && al) {
        cli_energy e = energy_of(c, al);
        bad = json_energy_fields(o, &e, 0);   /* "cycles" is the layer's, above */
    }
    bad = bad || jd_set(o, "raw", json_raw(l)) || jd_set(o, "counters", json_counters(l->cnt));
    return bad ? (json_decref(o), NULL) : o;
}

/* "total": the run's fractions, the layers after an SE, energy, counters. */
static json_t *json_total(const cli_common *c, const tb_layer_stats *ls, int nl, const act_report *ar)
{
    tb_layer_stats all = {.cnt = {0}};
    for (int i = 0; i < nl; i++)
        for (int k = 0; k < DUT_NCNT; k++)
            all.cnt[k] += ls[i].cnt[k];
    se_totals st = se_sum(ls, nl);
    json_t *o = json_object();
    int bad = !o;
    bad = bad || jd_set(o, "gated_fraction", jd_real(tb_gated_fraction(&all), "%.6f")) ||
          jd_set(o, "after_se_layers", json_integer(st.layers)) ||
          jd_set(o, "after_se_channels_zeroed_fraction", jd_real(frac(st.ch_zeroed, st.ch_total), "%.6f")) ||
          jd_set(o, "after_se_channels_skipped_fraction", jd_real(frac(st.ch_skipped, st.ch_total), "%.6f")) ||
          jd_set(o, "after_se_gated_fraction", jd_real(frac(st.gated, st.gated + st.active), "%.6f")) ||
          jd_set(o, "after_se_jobs_run", jd_u64(st.jobs_run)) || jd_set(o, "index_bits", jd_u64(st.index_bits));
    if (!bad && ar) {
        act_layer atot;
        act_report_total(ar, &atot);
        cli_energy e = energy_of(c, &atot);
        bad = json_energy_fields(o, &e, 1);
    }
    bad = bad || jd_set(o, "counters", json_counters(all.cnt));
    return bad ? (json_decref(o), NULL) : o;
}

/* What ran: command, model, data, back end. */
static int json_head(json_t *o, const cli_common *c, const cli_summary *s)
{
    int bad = jd_set(o, "command", jd_str(s->command)) || jd_set(o, "source", jd_str(s->source));
    if (s->have_model_id)
        bad = bad || jd_set(o, "model_bytes", jd_u64(s->model_bytes)) || jd_set(o, "model_crc", jd_hex(s->model_crc, 8));
    bad = bad || jd_set(o, "data", jd_str_or_null(s->data)) ||
          jd_set(o, "backend", jd_str(c->be->name));   /* a merge writes back what a shard says */
    if (c->clock_path)
        bad = bad || jd_set(o, "clock_path", jd_str(c->clock_path));
    return bad;
}

/* How it ran: geometry, gating, mapping, remap, energy profile. */
static int json_options(json_t *o, const cli_common *c)
{
    char g[32];
    cli_report_geom_name(c->geom, g, sizeof g);
    int bad = jd_set(o, "geometry", jd_str(g)) || jd_set(o, "col_group", json_integer(c->geom->col_group)) ||
              jd_set(o, "acc_w", json_integer(c->geom->acc_w)) || jd_set(o, "gating", json_boolean(c->o.gate)) ||
              jd_set(o, "gate", jd_str(cli_report_gate_name(c->o.gate))) ||
              jd_set(o, "skip", json_boolean(c->o.gate && !c->o.no_skip)) ||
              jd_set(o, "unit", json_integer(1 << c->o.unit_log2)) ||
              jd_set(o, "layout", jd_str(map_layout_name(c->o.layout))) ||
              jd_set(o, "skip_channels", json_boolean(c->o.skip_channels)) ||
              jd_set(o, "dynamic_move", json_boolean(c->o.dynamic_move)) ||
              jd_set(o, "stationary", jd_str(c->input_stationary ? "input" : "weight")) ||
              jd_set(o, "zero_flags", json_boolean(c->input_stationary && c->o.gate && !c->o.no_zero_flags)) ||
              jd_set(o, "remap", jd_str_or_null(c->remap));
    if (c->remap)
        bad = bad || jd_set(o, "remap_images", json_integer(c->remap_images)) ||
              jd_set(o, "remap_offset", json_integer(c->remap_offset));
    bad = bad || jd_set(o, "energy_profile", c->have_energy ? jd_str(c->prof_path) : json_null());
    if (c->have_energy)
        bad = bad || jd_set(o, "energy_profile_crc", jd_hex(c->prof_crc, 8));
    return bad;
}

/* The run's results: images, totals, accuracy, the shard, the per-image arrays. */
static int json_results(json_t *o, const cli_summary *s, const tb_layer_stats *ls, int nl)
{
    uint64_t cycles = 0, macs = 0;
    for (int i = 0; i < nl; i++) {
        cycles += ls[i].cycles;
        macs += ls[i].macs;
    }
    const int n = s->images > 0 ? s->images : 0;
    int bad = jd_set(o, "images", json_integer(s->images)) || jd_set(o, "mismatches", jd_u64(s->mismatches)) ||
              jd_set(o, "cycles", jd_u64(cycles)) || jd_set(o, "macs", jd_u64(macs * (uint64_t)n)) ||
              jd_set(o, "accuracy", s->label ? jd_real(s->images ? (double)s->correct / s->images : 0.0, "%.6f")
                                             : json_null()) ||
              jd_set(o, "chained_equal", json_boolean(s->chained_equal)) ||
              jd_set(o, "wall_seconds", jd_real(s->wall_seconds, "%.3f"));
    if (s->shard)
        bad = bad || jd_set(o, "shard", json_shard(s->shard));
    bad = bad || jd_set(o, "predictions", jd_ints(s->pred, n)) ||
          jd_set(o, "chained_predictions", jd_ints(s->chained, n)) ||
          jd_set(o, "reference_predictions", jd_ints(s->ref_pred, n));
    if (s->label)
        bad = bad || jd_set(o, "labels", jd_ints(s->label, n));
    return bad;
}

/* The whole report; ar: the activity report (NULL without energy). NULL: out of memory. */
static json_t *json_report(const cli_common *c, const cli_summary *s, const tb_layer_stats *ls, int nl,
                           const act_report *ar)
{
    json_t *o = json_object(), *layers = json_array();
    int bad = !o || !layers || json_head(o, c, s) || json_options(o, c) || json_results(o, s, ls, nl);
    for (int i = 0; !bad && i < nl; i++)
        bad = jd_push(layers, json_layer(c, &ls[i], s->images, ar ? &ar->layers[i] : NULL));
    bad = bad || jd_set(o, "layers", json_incref(layers)) || jd_set(o, "total", json_total(c, ls, nl, ar));
    if (!bad && ar) {
        bnn_error aerr;
        json_t *e = act_json(ar, &c->prof, &c->em, &aerr);
        bad = jd_set(o, "energy", e ? e : json_null());
    }
    json_decref(layers);
    return bad ? (json_decref(o), NULL) : o;
}

int cli_report_json(FILE *f, const cli_common *c, const cli_summary *s, const tb_layer_stats *ls, int nl,
                bnn_error *err)
{
    act_report ar;
    bnn_error aerr;
    int have_act = c->have_energy && !cli_report_act(ls, nl, s->images, &ar, &aerr);
    json_t *doc = json_report(c, s, ls, nl, have_act ? &ar : NULL);
    if (have_act)
        act_report_free(&ar);
    int rc = jd_dump(f, doc, "report", err);
    json_decref(doc);
    return rc;
}
