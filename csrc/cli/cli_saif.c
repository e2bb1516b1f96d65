/* cli_saif.c - `sparsecim saif`: SAIF 2.0 switching activity from a VCD (csrc/power/saif.h). */
#include <stdio.h>
#include <string.h>

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

int cli_saif(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    saif_opts o = {-1, -1, NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(a, "--vcd") && strcmp(a, "-o") && strcmp(a, "--start") && strcmp(a, "--end") &&
            strcmp(a, "--design"))
            return fprintf(stderr, "sparsecim saif: %s '%s' (see --help)\n",
                           a[0] == '-' ? "unknown option" : "unexpected argument", a), 2;
        if (!(v = cli_value("saif", argc, argv, &i)))
            return 2;
        long t;
        if (!strcmp(a, "--vcd"))
            in = v;
        else if (!strcmp(a, "-o"))
            out = v;
        else if (!strcmp(a, "--design"))
            o.design = v;
        else if (cli_int("saif", a, v, 0, 0x7fffffffffffL, &t))
            return 2;
        else if (!strcmp(a, "--start"))
            o.start = t;
        else
            o.end = t;
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
