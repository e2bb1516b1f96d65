/* cli_common.c - the common options of `sim` / `run`, their checks, SAIF, the report written (see cli_common.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "util/num.h"
#include "util/outfile.h"
#include "power/saif.h"

const char cli_common_help[] =
    "  --gate both|c2|c1|none  lines the sparse controller drives from the data: C1 (footer) and C2\n"
    "                      (precharge) (default both); the sense stage is gated in every mode but none;\n"
    "                      results are identical in every mode, energy is not\n"
    "  --no-gating         the static reference run: same as --gate none (no data gating, no skip)\n"
    "  --no-skip           issue all-zero bit planes too (default: not issued when gating is on)\n"
    "  --unit 1|2|4|8      control unit of that many segments (default 1)\n"
    "  --layout channel|tap|aligned  row layout of the mapping (default channel); aligned: no input\n"
    "                      channel straddles a segment (a zeroed channel gates whole segments)\n"
    "  --skip-channels     per image, map only the input channels an SE left on (layers after an SE)\n"
    "  --dynamic-move      per image, order those layers' input channels by the ones they carry\n"
    "                      (the SE's squeeze count; zeroed channels first), so sparse ones share segments\n"
    "  --systemc           run the SystemC model (verilator --sc) instead of the C++ one\n"
    "  --small             the small macro 64x16x8 (same as --geometry 64x16x8)\n"
    "  --geometry RxCxS    macro of R rows, C columns, S rows per segment (default 256x64x16)\n"
    "  --waves FILE        waveform, .vcd or .fst (the build's format), of the cycles in --window\n"
    "  --window FROM:TO    cycles dumped, FROM <= cycle < TO (default 0:2000)\n"
    "  --check-px          also compare P and X of every compute cycle with the host\n"
    "  --max-mismatch N    mismatches printed in full (default 20; all are counted)\n"
    "  --report OUT.json   JSON report: per layer cycles, mismatches, gating, activity counters, energy\n"
    "  --energy FILE|none  technology profile for the energy report (default: the source tree's\n"
    "                      constraints/energy-65nm.txt; also energy-22nm.txt; none: no energy)\n"
    "  --csv OUT.csv       per-layer events and energy (gated and ungated) as CSV\n"
    "  --saif OUT.saif     switching activity (SAIF 2.0: T0, T1, TX, TC per net bit) of the cycles\n"
    "                      in --window, from a VCD of that window (kept only with --waves F.vcd)\n"
    "  --quiet             no per-layer table\n";

void cli_common_init(cli_common *c)
{
    memset(c, 0, sizeof *c);
    c->o.gate = DUT_GATE_BOTH;
    c->o.layout = MAP_CHANNEL_MAJOR;
    c->o.max_print = 20;
    c->be = &tb_backend_verilated;
    c->want = (dut_geom){256, 64, 16, 0, 0};
    c->from = 0;
    c->to = 2000;
    c->max_mismatch = 20;
}

/* ROWSxCOLSxSEG_ROWS, each 1..65536 (num.h: decimal, no wrap). 0 or -1. */
static int parse_geom(const char *v, dut_geom *g)
{
    int64_t d[3];
    const char *p = v;
    for (int k = 0; k < 3 && p; k++) {
        p = num_i64(p, 1, 65536, &d[k]);
        if (p && k < 2)
            p = *p == 'x' ? p + 1 : NULL;
    }
    if (!p || *p)
        return -1;
    *g = (dut_geom){(int)d[0], (int)d[1], (int)d[2], 0, 0};
    return 0;
}

/* Cycles of --window: FROM:TO, 0 <= FROM < TO <= TB_MAX_CYCLE. 0 or -1. */
#define TB_MAX_CYCLE ((int64_t)1 << 52)
static int parse_window(const char *v, long *from, long *to)
{
    int64_t f = 0, t = 0;
    const char *p = num_i64(v, 0, TB_MAX_CYCLE, &f);
    if (p && *p == ':')
        p = num_i64(p + 1, 0, TB_MAX_CYCLE, &t);
    else
        p = NULL;
    if (!p || *p || t <= f)
        return -1;
    *from = (long)f;
    *to = (long)t;
    return 0;
}

enum {
    T_GATE = CLI_COMMON_OPT_ID0, T_NO_GATING, T_NO_SKIP, T_UNIT, T_LAYOUT, T_SKIP_CHANNELS, T_DYNAMIC_MOVE, T_SYSTEMC,
    T_SMALL, T_GEOMETRY, T_WAVES, T_WINDOW, T_CHECK_PX, T_MAX_MISMATCH, T_REPORT, T_ENERGY, T_CSV, T_SAIF, T_QUIET
};

const cli_opt cli_common_opts[] = {
    CLI_OPT_STR("gate", T_GATE, "both, c2, c1 or none"),
    CLI_OPT_FLAG("no-gating", T_NO_GATING),
    CLI_OPT_FLAG("no-skip", T_NO_SKIP),
    CLI_OPT_STR("unit", T_UNIT, "1, 2, 4 or 8"),
    CLI_OPT_STR("layout", T_LAYOUT, CLI_LAYOUTS),
    CLI_OPT_FLAG("skip-channels", T_SKIP_CHANNELS),
    CLI_OPT_FLAG("dynamic-move", T_DYNAMIC_MOVE),
    CLI_OPT_FLAG("systemc", T_SYSTEMC),
    CLI_OPT_FLAG("small", T_SMALL),
    CLI_OPT_STR("geometry", T_GEOMETRY, "ROWSxCOLSxSEG_ROWS, each 1..65536 (e.g. 64x16x8)"),
    CLI_OPT_STR("waves", T_WAVES, NULL),
    CLI_OPT_STR("window", T_WINDOW, "FROM:TO cycles with 0 <= FROM < TO <= 2^52"),
    CLI_OPT_FLAG("check-px", T_CHECK_PX),
    CLI_OPT_INT("max-mismatch", T_MAX_MISMATCH, 0, 100000000),
    CLI_OPT_STR("report", T_REPORT, NULL),
    CLI_OPT_STR("energy", T_ENERGY, NULL),
    CLI_OPT_STR("csv", T_CSV, NULL),
    CLI_OPT_STR("saif", T_SAIF, NULL),
    CLI_OPT_FLAG("quiet", T_QUIET),
    CLI_OPT_END,
};

/* A common option without a value: 1, or 0 when id is none of them. */
static int common_flag(cli_common *c, int id)
{
    switch (id) {
    case T_NO_GATING: c->o.gate = DUT_GATE_NONE; break;
    case T_NO_SKIP: c->o.no_skip = 1; break;
    case T_SKIP_CHANNELS: c->o.skip_channels = 1; break;
    case T_DYNAMIC_MOVE: c->o.dynamic_move = 1; break;
    case T_SYSTEMC: c->be = &tb_backend_systemc; break;
    case T_SMALL: c->want = (dut_geom){64, 16, 8, 0, 0}; break;
    case T_CHECK_PX: c->o.check_px = 1; break;
    case T_QUIET: c->quiet = 1; break;
    default: return 0;
    }
    return 1;
}

/* A common option with a value that must be one of a set: 1, 0 when id is
 * none of them, -1 on a bad value (message printed). */
static int common_choice(cli_common *c, const cli_parser *p, int id)
{
    const char *v = p->val;
    int64_t u;
    switch (id) {
    case T_GATE: {
        int m = -1;
        for (int k = 0; k < 4; k++)
            if (!strcmp(v, cli_report_gate_name(k)))
                m = k;
        if (m < 0)
            return cli_bad_value(p);
        c->o.gate = m;
        return 1;
    }
    case T_UNIT:
        if (num_parse_i64(v, 1, 8, &u) || (u & (u - 1)))
            return cli_bad_value(p);
        c->o.unit_log2 = u == 1 ? 0 : u == 2 ? 1 : u == 4 ? 2 : 3;
        return 1;
    case T_LAYOUT:
        return map_layout_parse(v, &c->o.layout) ? cli_bad_value(p) : 1;
    case T_GEOMETRY:
        return parse_geom(v, &c->want) ? cli_bad_value(p) : 1;
    case T_WINDOW:
        return parse_window(v, &c->from, &c->to) ? cli_bad_value(p) : 1;
    default:
        return 0;
    }
}

int cli_common_opt(cli_common *c, const cli_parser *p, int id)
{
    int k = common_flag(c, id);
    if (!k)
        k = common_choice(c, p, id);
    if (k)
        return k;
    switch (id) {
    case T_WAVES:
        if (dut_trace_fmt_of(p->val) < 0) {
            fprintf(stderr, "sparsecim %s: option --waves: '%s': name the file *.vcd or *.fst\n", p->cmd, p->val);
            return -1;
        }
        c->waves = p->val;
        return 1;
    case T_MAX_MISMATCH:
        c->max_mismatch = p->num;
        c->o.max_print = (int)p->num;
        return 1;
    case T_REPORT: c->report = p->val; return 1;
    case T_ENERGY: c->energy = p->val; return 1;
    case T_CSV: c->csv = p->val; return 1;
    case T_SAIF: c->saif = p->val; return 1;
    default: return 0;
    }
}

int cli_common_resolve(cli_common *c, const char *cmd)
{
    unsigned fmts = 0;
    c->geom = dut_find_build(&c->want, c->be->systemc, &fmts);
    c->clock_path = c->geom ? dut_clock_path(c->geom, c->be->systemc) : NULL;
    if (!c->geom) {
        char want[32];
        cli_report_geom_name(&c->want, want, sizeof want);
        fprintf(stderr, "sparsecim %s: no %s build of geometry %s in this program (available:", cmd,
                c->be->systemc ? "SystemC" : "verilated", want);
        int listed = 0;
        for (int k = 0; dut_geom_at(k); k++) {
            unsigned m;
            if (!dut_find_build(dut_geom_at(k), c->be->systemc, &m))
                continue;   /* only builds of this back end */
            char n[32];
            cli_report_geom_name(dut_geom_at(k), n, sizeof n);
            fprintf(stderr, " %s", n);
            listed++;
        }
        fprintf(stderr, "%s)\n", listed ? "" : " none");
        return -1;
    }
    if (c->saif && c->waves && dut_trace_fmt_of(c->waves) != DUT_TRACE_VCD) {
        fprintf(stderr, "sparsecim %s: option --saif: made from a VCD, but --waves '%s' is not one\n", cmd, c->waves);
        return -1;
    }
    if (c->saif && !c->waves && !(fmts & (1u << DUT_TRACE_VCD))) {
        fprintf(stderr, "sparsecim %s: option --saif: made from a VCD, but the %s build of this geometry writes only "
                        ".fst files\n", cmd, c->be->name);
        return -1;
    }
    if (c->waves && !(fmts & (1u << dut_trace_fmt_of(c->waves)))) {
        fprintf(stderr, "sparsecim %s: option --waves: '%s': the %s build of this geometry writes only %s files\n",
                cmd, c->waves, c->be->name, (fmts & 1u) ? ".vcd" : ".fst");
        return -1;
    }
    if (c->saif) {
        if (!c->waves) {
            /* the window's VCD goes into a fresh directory beside the SAIF
             * file (DIR/.NAME.XXXXXX/window.vcd), removed after the conversion */
            const char *slash = strrchr(c->saif, '/');
            int dl = slash ? (int)(slash - c->saif) : 1;
            snprintf(c->saif_dir, sizeof c->saif_dir, "%.*s/.%.200s.XXXXXX", dl > 4000 ? 4000 : dl,
                     slash ? (slash == c->saif ? "/" : c->saif) : ".", slash ? slash + 1 : c->saif);
            if (!mkdtemp(c->saif_dir)) {
                fprintf(stderr, "sparsecim %s: option --saif: %s: cannot create a temporary directory beside it: %s\n",
                        cmd, c->saif, strerror(errno));
                c->saif_dir[0] = 0;
                return -1;
            }
            snprintf(c->saif_vcd, sizeof c->saif_vcd, "%s/window.vcd", c->saif_dir);
            c->waves = c->saif_vcd;
            c->saif_tmp = 1;
        } else {
            snprintf(c->saif_vcd, sizeof c->saif_vcd, "%.4000s", c->waves);
        }
    }
    const char *prof = c->energy;
    if (!prof && access(SPARSECIM_DEFAULT_PROFILE, R_OK) == 0)
        prof = SPARSECIM_DEFAULT_PROFILE;
    c->have_energy = 0;
    if (prof && strcmp(prof, "none") && cli_report_load_profile(c, cmd, prof))
        return -1;
    if (c->csv && !c->have_energy) {
        fprintf(stderr, "sparsecim %s: option --csv: needs an energy profile (--energy FILE; the default %s is %s)\n",
                cmd, SPARSECIM_DEFAULT_PROFILE, c->energy ? "turned off" : "missing");
        return -1;
    }
    return 0;
}

void cli_common_cleanup(cli_common *c)
{
    if (!c->saif_tmp)
        return;
    remove(c->saif_vcd);
    rmdir(c->saif_dir);
    c->saif_tmp = 0;
}

int cli_common_check_outputs(const cli_common *c, const char *cmd, cli_inputs *in)
{
    if (c->energy && strcmp(c->energy, "none"))
        cli_inputs_add(in, c->energy);
    else if (!c->energy)
        cli_inputs_add(in, SPARSECIM_DEFAULT_PROFILE);
    const char *outs[] = {c->report, c->csv, c->saif, c->waves};
    const char *names[] = {"--report", "--csv", "--saif", "--waves"};
    return cli_check_outputs(cmd, in, outs, names, 4);
}

int cli_common_saif(cli_common *c, const char *cmd)
{
    if (!c->saif)
        return 0;
    /* cycle k has its rising edge at 2k+1 (tb/dut.h): the window [from, to)
     * of cycles is [2*from+1, 2*to+1) in the VCD's nanoseconds */
    saif_opts o = {2 * (int64_t)c->from + 1, 2 * (int64_t)c->to + 1, "cim_macro"};
    saif_stats st;
    bnn_error err;
    int rc = saif_from_vcd(c->saif_vcd, c->saif, &o, &st, &err);
    cli_common_cleanup(c);
    if (rc) {
        fprintf(stderr, "sparsecim %s: option --saif: %s\n", cmd, err.msg);
        return -1;
    }
    printf("saif: %s: %ld net bits, cycles %ld..%ld (%lld %s)\n", c->saif, st.nets, c->from, c->to,
           (long long)st.duration, st.timescale);
    return 0;
}

int cli_common_report(const cli_common *c, const char *cmd, const cli_summary *s, const tb_layer_stats *ls, int nl)
{
    if (!c->report)
        return 0;
    out_file o;
    bnn_error err;
    if (out_open(&o, c->report, NULL, 0, &err)) {
        fprintf(stderr, "sparsecim %s: option --report: %s\n", cmd, err.msg);
        return -1;
    }
    if (cli_report_json(o.f, c, s, ls, nl, &err)) {
        out_abort(&o);
        fprintf(stderr, "sparsecim %s: option --report: %s: %s\n", cmd, c->report, err.msg);
        return -1;
    }
    if (out_commit(&o, &err)) {
        fprintf(stderr, "sparsecim %s: option --report: %s\n", cmd, err.msg);
        return -1;
    }
    printf("report: %s\n", c->report);
    return 0;
}

const char *cli_common_error(const cli_common *c, const char *msg, char *buf, size_t n)
{
    size_t k = strlen(c->saif_vcd);
    if (!c->saif_tmp || !k || strncmp(msg, c->saif_vcd, k))
        return msg;
    snprintf(buf, n, "option --saif: %s: the VCD of the window (a temporary file beside it)%s", c->saif, msg + k);
    return buf;
}

void cli_print_builds(FILE *f)
{
    for (int i = 0; dut_builds[i].geom.rows; i++) {
        const dut_build *b = &dut_builds[i];
        const char *ck = b->sc_run ? "systemc" : b->clock ? b->clock() : "two-edge";
        fprintf(f, "  %s %dx%dx%d col_group %d acc_w %d, %s: clock %s%s\n", b->sc_run ? "systemc" : "verilated",
                b->geom.rows, b->geom.cols, b->geom.seg_rows, b->geom.col_group, b->geom.acc_w,
                b->fmt == DUT_TRACE_FST ? "FST" : "VCD", ck,
                !strcmp(ck, "fast")       ? " (one evaluation per cycle outside the waveform window)"
                : !strcmp(ck, "two-edge") ? " (both edges every cycle: FALLBACK, this Verilator's model has no "
                                            "__Vtrigrprev__TOP__clk_i)"
                                          : "");
    }
    const char *ck = getenv(DUT_CLOCK_ENV);
    if (ck)
        fprintf(f, "  environment %s=%s%s\n", DUT_CLOCK_ENV, ck,
                !strcmp(ck, "two-edge") ? ": every plain build evaluates both edges" : "");
}
