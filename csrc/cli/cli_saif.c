/* cli_saif.c - `sparsecim saif`: SAIF 2.0 switching activity from a VCD (csrc/power/saif.h). */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "power/saif.h"

static const char *usage_text =
    "usage: sparsecim saif --vcd IN.vcd -o OUT.saif [--start T] [--end T] [--design NAME]\n"
    "\n"
    "Writes the switching activity of every net bit of a VCD dump as a backward SAIF 2.0 file:\n"
    "per net T0, T1, TX (time at 0, 1, X/Z) and TC (0<->1 transitions), with the VCD's scopes as\n"
    "instances. The window [T_start, T_end) is in the VCD's time units; default: from the first\n"
    "to the last timestamp. `sparsecim run/sim --saif OUT.saif --window A:B` does the same for a\n"
    "window of macro cycles without keeping the VCD.\n";

enum { A_VCD = 1, A_OUT, A_START, A_END, A_DESIGN };

static const cli_opt saif_cli_opts[] = {
    CLI_OPT_STR("vcd", A_VCD, NULL),
    CLI_OPT_STR("o", A_OUT, NULL),
    CLI_OPT_INT("start", A_START, 0, 0x7fffffffffffL),
    CLI_OPT_INT("end", A_END, 0, 0x7fffffffffffL),
    CLI_OPT_STR("design", A_DESIGN, NULL),
    CLI_OPT_END,
};

int cli_saif(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    saif_opts o = {-1, -1, NULL};
    cli_parser p;
    cli_parse_init(&p, "saif", argc, argv, saif_cli_opts, NULL, 0);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        switch (id) {
        case CLI_HELP: fputs(usage_text, stdout); return 0;
        case CLI_ERROR: return 2;
        case A_VCD: in = p.val; break;
        case A_OUT: out = p.val; break;
        case A_START: o.start = p.num; break;
        case A_END: o.end = p.num; break;
        default: o.design = p.val; /* A_DESIGN */
        }
    }
    if (!in || !out)
        return fprintf(stderr, "sparsecim saif: --vcd IN.vcd and -o OUT.saif are required (see --help)\n"), 2;
    cli_inputs ins = {.n = 0};
    cli_inputs_add(&ins, in);
    const char *outs[] = {out}, *names[] = {"-o"};
    if (cli_check_outputs("saif", &ins, outs, names, 1))
        return 2;
    bnn_error err;
    saif_stats st;
    if (saif_from_vcd(in, out, &o, &st, &err))
        return fprintf(stderr, "sparsecim saif: %s\n", err.msg), 2;
    printf("wrote %s: %ld net bits of %ld variables, %ld value changes, duration %lld x %s\n", out, st.nets, st.vars,
           st.changes, (long long)st.duration, st.timescale);
    return 0;
}
