/* tb_cli.c - common options, table and JSON report of `sim` / `run` (see tb_cli.h). */
#include "tb_cli.h"

#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

const char tb_cli_common_help[] =
    "  --no-gating         ungated baseline: gate_en 0 (results must not change)\n"
    "  --unit 1|2|4|8      control unit of that many segments (default 1)\n"
    "  --layout channel|tap  row layout of the mapping (default channel)\n"
    "  --systemc           run the SystemC model (verilator --sc) instead of the C++ one\n"
    "  --small             the small macro 64x16x8 (same as --geometry 64x16x8)\n"
    "  --geometry RxCxS    macro of R rows, C columns, S rows per segment (default 256x64x16)\n"
    "  --waves FILE        waveform, .vcd or .fst (the build's format), of the cycles in --window\n"
    "  --window FROM:TO    cycles dumped, FROM <= cycle < TO (default 0:2000)\n"
    "  --check-px          also compare P and X of every compute cycle with the host\n"
    "  --max-mismatch N    mismatches printed in full (default 20; all are counted)\n"
    "  --report OUT.json   JSON report: per layer cycles, mismatches, gating, activity counters\n"
    "  --quiet             no per-layer table\n";

void tb_cli_common_init(tb_cli_common *c)
{
    memset(c, 0, sizeof *c);
    c->o.gate_en = 1;
    c->o.layout = MAP_CHANNEL_MAJOR;
    c->o.max_print = 20;
    c->be = &tb_backend_verilated;
    c->want = (dut_geom){256, 64, 16, 0, 32};
    c->from = 0;
    c->to = 2000;
    c->max_mismatch = 20;
}

void tb_cli_geom_name(const dut_geom *g, char *buf, size_t n) { snprintf(buf, n, "%dx%dx%d", g->rows, g->cols, g->seg_rows); }

static int parse_geom(const char *cmd, const char *v, dut_geom *g)
{
    int r, c, s;
    char tail;
    if (sscanf(v, "%dx%dx%d%c", &r, &c, &s, &tail) != 3 || r < 1 || c < 1 || s < 1) {
        fprintf(stderr, "sparsecim %s: option --geometry: expected ROWSxCOLSxSEG_ROWS (e.g. 64x16x8), got '%s'\n", cmd,
                v);
        return -1;
    }
    *g = (dut_geom){r, c, s, 0, 32};
    return 0;
}

int tb_cli_common_arg(tb_cli_common *c, const char *cmd, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    if (!strcmp(a, "--no-gating")) {
        c->o.gate_en = 0;
        return 1;
    }
    if (!strcmp(a, "--systemc")) {
        c->be = &tb_backend_systemc;
        return 1;
    }
    if (!strcmp(a, "--small")) {
        c->want = (dut_geom){64, 16, 8, 0, 32};
        return 1;
    }
    if (!strcmp(a, "--check-px")) {
        c->o.check_px = 1;
        return 1;
    }
    if (!strcmp(a, "--quiet")) {
        c->quiet = 1;
        return 1;
    }
    static const char *const with_value[] = {"--unit", "--layout", "--geometry", "--waves", "--window",
                                             "--max-mismatch", "--report"};
    int known = 0;
    for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
        known |= !strcmp(a, with_value[k]);
    if (!known)
        return 0;
    if (!(v = cli_value(cmd, argc, argv, i)))
        return -1;
    if (!strcmp(a, "--unit")) {
        long u;
        if (cli_int(cmd, a, v, 1, 8, &u) || (u & (u - 1))) {
            fprintf(stderr, "sparsecim %s: option --unit: expected 1, 2, 4 or 8, got '%s'\n", cmd, v);
            return -1;
        }
        c->o.unit_log2 = u == 1 ? 0 : u == 2 ? 1 : u == 4 ? 2 : 3;
    } else if (!strcmp(a, "--layout")) {
        if (!strcmp(v, "channel"))
            c->o.layout = MAP_CHANNEL_MAJOR;
        else if (!strcmp(v, "tap"))
            c->o.layout = MAP_TAP_MAJOR;
        else {
            fprintf(stderr, "sparsecim %s: option --layout: expected channel or tap, got '%s'\n", cmd, v);
            return -1;
        }
    } else if (!strcmp(a, "--geometry")) {
        if (parse_geom(cmd, v, &c->want))
            return -1;
    } else if (!strcmp(a, "--waves")) {
        if (dut_trace_fmt_of(v) < 0) {
            fprintf(stderr, "sparsecim %s: option --waves: '%s': name the file *.vcd or *.fst\n", cmd, v);
            return -1;
        }
        c->waves = v;
    } else if (!strcmp(a, "--window")) {
        char tail;
        long f, t;
        if (sscanf(v, "%ld:%ld%c", &f, &t, &tail) != 2 || f < 0 || t <= f) {
            fprintf(stderr, "sparsecim %s: option --window: expected FROM:TO cycles with 0 <= FROM < TO, got '%s'\n",
                    cmd, v);
            return -1;
        }
        c->from = f;
        c->to = t;
    } else if (!strcmp(a, "--max-mismatch")) {
        if (cli_int(cmd, a, v, 0, 100000000, &c->max_mismatch))
            return -1;
        c->o.max_print = (int)c->max_mismatch;
    } else {
        c->report = v;
    }
    return 1;
}

int tb_cli_resolve(tb_cli_common *c, const char *cmd)
{
    unsigned fmts = 0;
    c->geom = dut_find_build(&c->want, c->be->systemc, &fmts);
    if (!c->geom) {
        char want[32];
        tb_cli_geom_name(&c->want, want, sizeof want);
        fprintf(stderr, "sparsecim %s: no %s build of geometry %s in this program (available:", cmd,
                c->be->systemc ? "SystemC" : "verilated", want);
        for (int k = 0; dut_geom_at(k); k++) {
            char n[32];
            tb_cli_geom_name(dut_geom_at(k), n, sizeof n);
            fprintf(stderr, " %s", n);
        }
        fprintf(stderr, ")\n");
        return -1;
    }
    if (c->waves && !(fmts & (1u << dut_trace_fmt_of(c->waves)))) {
        fprintf(stderr, "sparsecim %s: option --waves: '%s': the %s build of this geometry writes only %s files\n",
                cmd, c->waves, c->be->name, (fmts & 1u) ? ".vcd" : ".fst");
        return -1;
    }
    return 0;
}

void tb_cli_table(FILE *f, const tb_layer_stats *ls, int nl)
{
    fprintf(f, "%-10s %-26s %5s %10s %10s %7s\n", "layer", "shape", "tiles", "cycles", "mismatch", "gated");
    for (int i = 0; i < nl; i++) {
        const tb_layer_stats *s = &ls[i];
        fprintf(f, "%-10s %-26s %5d %10llu %10llu %6.1f%%\n", s->name, s->shape, s->tiles,
                (unsigned long long)s->cycles, (unsigned long long)s->mismatches, 100.0 * tb_gated_fraction(s));
    }
}

/* A JSON string (quotes, backslashes and control characters escaped). */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
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

void tb_cli_json(FILE *f, const tb_cli_common *c, const tb_cli_summary *s, const tb_layer_stats *ls, int nl)
{
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
    json_str(f, s->command);
    fprintf(f, ",\n  \"source\": ");
    json_str(f, s->source);
    fprintf(f, ",\n  \"data\": ");
    if (s->data)
        json_str(f, s->data);
    else
        fprintf(f, "null");
    fprintf(f, ",\n  \"backend\": \"%s\",\n  \"geometry\": \"%s\",\n  \"col_group\": %d,\n", c->be->name, g,
            c->geom->col_group);
    fprintf(f, "  \"gating\": %s,\n  \"unit\": %d,\n  \"layout\": \"%s\",\n", c->o.gate_en ? "true" : "false",
            1 << c->o.unit_log2, c->o.layout == MAP_TAP_MAJOR ? "tap" : "channel");
    fprintf(f, "  \"images\": %d,\n  \"mismatches\": %llu,\n  \"cycles\": %llu,\n  \"macs\": %llu,\n", s->images,
            (unsigned long long)s->mismatches, (unsigned long long)cycles,
            (unsigned long long)macs * (unsigned long long)(s->images > 0 ? s->images : 0));
    if (s->label)
        fprintf(f, "  \"accuracy\": %.6f,\n", s->images ? (double)s->correct / s->images : 0.0);
    else
        fprintf(f, "  \"accuracy\": null,\n");
    fprintf(f, "  \"chained_equal\": %s,\n", s->chained_equal ? "true" : "false");
    fprintf(f, "  \"wall_seconds\": %.3f,\n", s->wall_seconds);
    json_ints(f, "predictions", s->pred, s->images);
    json_ints(f, "chained_predictions", s->chained, s->images);
    json_ints(f, "reference_predictions", s->ref_pred, s->images);
    if (s->label)
        json_ints(f, "labels", s->label, s->images);
    fprintf(f, "  \"layers\": [\n");
    for (int i = 0; i < nl; i++) {
        const tb_layer_stats *l = &ls[i];
        fprintf(f, "    {\"name\": ");
        json_str(f, l->name);
        fprintf(f, ", \"shape\": ");
        json_str(f, l->shape);
        fprintf(f, ", \"tiles\": %d, \"cycles\": %llu, \"mismatches\": %llu, \"macs\": %llu, \"gated_fraction\": %.6f, ",
                l->tiles, (unsigned long long)l->cycles, (unsigned long long)l->mismatches,
                (unsigned long long)l->macs * (unsigned long long)(s->images > 0 ? s->images : 0),
                tb_gated_fraction(l));
        json_counters(f, l->cnt);
        fprintf(f, "}%s\n", i + 1 < nl ? "," : "");
    }
    tb_layer_stats all = {.cnt = {0}};
    memcpy(all.cnt, tot, sizeof tot);
    fprintf(f, "  ],\n  \"total\": {\"gated_fraction\": %.6f, ", tb_gated_fraction(&all));
    json_counters(f, tot);
    fprintf(f, "}\n}\n");
}
