/* tb_cli.c - common options, table and JSON report of `sim` / `run` (see tb_cli.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli/tb_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "util/num.h"
#include "util/outfile.h"
#include "power/saif.h"

const char tb_cli_common_help[] =
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

void tb_cli_common_init(tb_cli_common *c)
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

/* ROWSxCOLSxSEG_ROWS, each 1..65536 (num.h: decimal, no wrap). */
static int parse_geom(const char *cmd, const char *v, dut_geom *g)
{
    int64_t d[3];
    const char *p = v;
    for (int k = 0; k < 3 && p; k++) {
        p = num_i64(p, 1, 65536, &d[k]);
        if (p && k < 2)
            p = *p == 'x' ? p + 1 : NULL;
    }
    if (!p || *p) {
        fprintf(stderr,
                "sparsecim %s: option --geometry: expected ROWSxCOLSxSEG_ROWS, each 1..65536 (e.g. 64x16x8), got "
                "'%s'\n",
                cmd, v);
        return -1;
    }
    *g = (dut_geom){(int)d[0], (int)d[1], (int)d[2], 0, 0};
    return 0;
}

/* Cycles of --window: FROM:TO, 0 <= FROM < TO <= TB_MAX_CYCLE. */
#define TB_MAX_CYCLE ((int64_t)1 << 52)
static int parse_window(const char *cmd, const char *v, long *from, long *to)
{
    int64_t f = 0, t = 0;
    const char *p = num_i64(v, 0, TB_MAX_CYCLE, &f);
    if (p && *p == ':')
        p = num_i64(p + 1, 0, TB_MAX_CYCLE, &t);
    else
        p = NULL;
    if (!p || *p || t <= f) {
        fprintf(stderr, "sparsecim %s: option --window: expected FROM:TO cycles with 0 <= FROM < TO <= 2^52, got "
                        "'%s'\n",
                cmd, v);
        return -1;
    }
    *from = (long)f;
    *to = (long)t;
    return 0;
}

int tb_cli_common_arg(tb_cli_common *c, const char *cmd, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    if (!strcmp(a, "--no-gating")) {
        c->o.gate = DUT_GATE_NONE;
        return 1;
    }
    if (!strcmp(a, "--no-skip")) {
        c->o.no_skip = 1;
        return 1;
    }
    if (!strcmp(a, "--skip-channels")) {
        c->o.skip_channels = 1;
        return 1;
    }
    if (!strcmp(a, "--dynamic-move")) {
        c->o.dynamic_move = 1;
        return 1;
    }
    if (!strcmp(a, "--systemc")) {
        c->be = &tb_backend_systemc;
        return 1;
    }
    if (!strcmp(a, "--small")) {
        c->want = (dut_geom){64, 16, 8, 0, 0};
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
    static const char *const with_value[] = {"--gate", "--unit", "--layout", "--geometry", "--waves", "--window",
                                             "--max-mismatch", "--report", "--energy", "--csv", "--saif"};
    int known = 0;
    for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
        known |= !strcmp(a, with_value[k]);
    if (!known)
        return 0;
    if (!(v = cli_value(cmd, argc, argv, i)))
        return -1;
    if (!strcmp(a, "--gate")) {
        static const char *const modes[] = {"none", "c1", "c2", "both"};
        int m = -1;
        for (int k = 0; k < 4; k++)
            if (!strcmp(v, modes[k]))
                m = k;
        if (m < 0) {
            fprintf(stderr, "sparsecim %s: option --gate: expected both, c2, c1 or none, got '%s'\n", cmd, v);
            return -1;
        }
        c->o.gate = m;
    } else if (!strcmp(a, "--unit")) {
        int64_t u;
        if (num_parse_i64(v, 1, 8, &u) || (u & (u - 1))) {
            fprintf(stderr, "sparsecim %s: option --unit: expected 1, 2, 4 or 8, got '%s'\n", cmd, v);
            return -1;
        }
        c->o.unit_log2 = u == 1 ? 0 : u == 2 ? 1 : u == 4 ? 2 : 3;
    } else if (!strcmp(a, "--layout")) {
        if (map_layout_parse(v, &c->o.layout)) {
            fprintf(stderr, "sparsecim %s: option --layout: expected channel, tap or aligned, got '%s'\n", cmd, v);
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
        if (parse_window(cmd, v, &c->from, &c->to))
            return -1;
    } else if (!strcmp(a, "--max-mismatch")) {
        if (cli_int(cmd, a, v, 0, 100000000, &c->max_mismatch))
            return -1;
        c->o.max_print = (int)c->max_mismatch;
    } else if (!strcmp(a, "--energy")) {
        c->energy = v;
    } else if (!strcmp(a, "--csv")) {
        c->csv = v;
    } else if (!strcmp(a, "--saif")) {
        c->saif = v;
    } else {
        c->report = v;
    }
    return 1;
}

int tb_cli_resolve(tb_cli_common *c, const char *cmd)
{
    unsigned fmts = 0;
    c->geom = dut_find_build(&c->want, c->be->systemc, &fmts);
    c->clock_path = c->geom ? dut_clock_path(c->geom, c->be->systemc) : NULL;
    if (!c->geom) {
        char want[32];
        tb_cli_geom_name(&c->want, want, sizeof want);
        fprintf(stderr, "sparsecim %s: no %s build of geometry %s in this program (available:", cmd,
                c->be->systemc ? "SystemC" : "verilated", want);
        int listed = 0;
        for (int k = 0; dut_geom_at(k); k++) {
            unsigned m;
            if (!dut_find_build(dut_geom_at(k), c->be->systemc, &m))
                continue;   /* only builds of this back end */
            char n[32];
            tb_cli_geom_name(dut_geom_at(k), n, sizeof n);
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
    if (prof && strcmp(prof, "none") && tb_cli_load_profile(c, cmd, prof))
        return -1;
    if (c->csv && !c->have_energy) {
        fprintf(stderr, "sparsecim %s: option --csv: needs an energy profile (--energy FILE; the default %s is %s)\n",
                cmd, SPARSECIM_DEFAULT_PROFILE, c->energy ? "turned off" : "missing");
        return -1;
    }
    return 0;
}

void tb_cli_cleanup(tb_cli_common *c)
{
    if (!c->saif_tmp)
        return;
    remove(c->saif_vcd);
    rmdir(c->saif_dir);
    c->saif_tmp = 0;
}

int tb_cli_check_outputs(const tb_cli_common *c, const char *cmd, cli_inputs *in)
{
    if (c->energy && strcmp(c->energy, "none"))
        cli_inputs_add(in, c->energy);
    else if (!c->energy)
        cli_inputs_add(in, SPARSECIM_DEFAULT_PROFILE);
    const char *outs[] = {c->report, c->csv, c->saif, c->waves};
    const char *names[] = {"--report", "--csv", "--saif", "--waves"};
    return cli_check_outputs(cmd, in, outs, names, 4);
}

int tb_cli_saif(tb_cli_common *c, const char *cmd)
{
    if (!c->saif)
        return 0;
    /* cycle k has its rising edge at 2k+1 (tb/dut.h): the window [from, to)
     * of cycles is [2*from+1, 2*to+1) in the VCD's nanoseconds */
    saif_opts o = {2 * (int64_t)c->from + 1, 2 * (int64_t)c->to + 1, "cim_macro"};
    saif_stats st;
    bnn_error err;
    int rc = saif_from_vcd(c->saif_vcd, c->saif, &o, &st, &err);
    tb_cli_cleanup(c);
    if (rc) {
        fprintf(stderr, "sparsecim %s: option --saif: %s\n", cmd, err.msg);
        return -1;
    }
    printf("saif: %s: %ld net bits, cycles %ld..%ld (%lld %s)\n", c->saif, st.nets, c->from, c->to,
           (long long)st.duration, st.timescale);
    return 0;
}

int tb_cli_report(const tb_cli_common *c, const char *cmd, const tb_cli_summary *s, const tb_layer_stats *ls, int nl)
{
    if (!c->report)
        return 0;
    out_file o;
    bnn_error err;
    if (out_open(&o, c->report, NULL, 0, &err)) {
        fprintf(stderr, "sparsecim %s: option --report: %s\n", cmd, err.msg);
        return -1;
    }
    if (tb_cli_json(o.f, c, s, ls, nl, &err)) {
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

const char *tb_cli_error(const tb_cli_common *c, const char *msg, char *buf, size_t n)
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
