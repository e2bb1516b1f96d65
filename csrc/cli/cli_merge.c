/*
 * cli_merge.c - `sparsecim merge`: the shard reports of one run (run
 * --shard I/N) merged into the report the run would have written in one
 * process (cli_part.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_util.h"
#include "util/outfile.h"
#include "cli/cli_part.h"

static const char usage_text[] =
    "usage: sparsecim merge R1.json R2.json ... -o OUT.json [--csv OUT.csv] [--energy FILE]\n"
    "\n"
    "Merges the JSON reports of the shards of one run (sparsecim run --shard I/N --report Ri.json, every\n"
    "I of 0..N-1) into the report the run writes in one process (run --jobs uses the same merge): the\n"
    "per-image predictions in image order, every counter of the run and of its static and flat\n"
    "references summed per layer, the energies recomputed from the summed counters with the energy\n"
    "profile (never averaged). The result equals the single run's report field for field but for\n"
    "wall_seconds (here the longest shard's) and the shard field (absent).\n"
    "\n"
    "Refused, with one line naming the report and exit status 2: reports of different model files (size\n"
    "and CRC-32 of the .bnn), data, back ends, geometries, options or energy profiles (CRC-32); a report\n"
    "that is no shard report; shards of different runs; overlapping shards or missing images; a shard\n"
    "whose warm-up did not reproduce the macro state its predecessor ended in.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUT.json  the merged report (required)\n"
    "  --csv OUT.csv       per-layer events and energies of the merged report (as run --csv)\n"
    "  --energy FILE       read the energy profile from FILE instead of the path in the reports (it\n"
    "                      must be the same file: its CRC-32 is checked); the merged report names FILE\n"
    "  --quiet             no summary line\n"
    "\n"
    "Exit status: 0 merged (the run had no mismatches), 1 merged, the run had mismatches, 2 refused or error.\n";

typedef struct merge_args {
    const char *out, *csv, *energy;
    int quiet, n;
    const char **in;
} merge_args;

enum { G_OUT = 1, G_CSV, G_ENERGY, G_QUIET };

static const cli_opt merge_opts[] = {
    CLI_OPT_STR("o", G_OUT, NULL),
    CLI_OPT_STR("output", G_OUT, NULL),
    CLI_OPT_STR("csv", G_CSV, NULL),
    CLI_OPT_STR("energy", G_ENERGY, NULL),
    CLI_OPT_FLAG("quiet", G_QUIET),
    CLI_OPT_END,
};

/* The command line into a: 0, 1 (help printed) or -1 (message printed). */
static int parse_args(int argc, char **argv, merge_args *a)
{
    cli_parser p;
    cli_parse_init(&p, "merge", argc, argv, merge_opts, NULL, 1);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        switch (id) {
        case CLI_HELP: fputs(usage_text, stdout); return 1;
        case CLI_ERROR: return -1;
        case CLI_ARG: a->in[a->n++] = p.val; break;
        case G_OUT: a->out = p.val; break;
        case G_CSV: a->csv = p.val; break;
        case G_ENERGY: a->energy = p.val; break;
        default: a->quiet = 1; /* G_QUIET */
        }
    }
    if (!a->out || a->n < 1) {
        fprintf(stderr, "sparsecim merge: expected reports R1.json ... and -o OUT.json (see sparsecim merge --help)\n");
        return -1;
    }
    return 0;
}

/* Writes the merged report (and CSV) of m; 0 or -1 (message printed). */
static int write_merged(const merge_args *a, const cli_part *m)
{
    cli_common c;
    tb_backend be;
    dut_geom g;
    if (cli_part_common(m, "merge", a->energy, &c, &be, &g))
        return -1;
    c.csv = a->csv;
    if (c.csv && !c.have_energy) {
        fprintf(stderr, "sparsecim merge: option --csv: the reports have no energy profile (run --energy none)\n");
        return -1;
    }
    cli_summary s = cli_part_summary(m);
    FILE *log = a->quiet ? NULL : stdout;
    if (log) {
        printf("merged %d images (%ld..%ld) of %s: %llu mismatches, RTL-chained = reference on %d/%d", m->images,
               m->sh.first, m->sh.first + m->images - 1, s.source ? s.source : "?",
               (unsigned long long)m->mismatches, cli_part_chained_equal(m), m->images);
        if (m->label && m->images)
            printf(", accuracy %.2f%%", 100.0 * s.correct / m->images);
        printf("\n");
    }
    if (c.have_energy && (c.csv || log)) {
        FILE *sink = log ? log : fopen("/dev/null", "w");
        int rc = sink ? cli_report_energy(sink, &c, "merge", m->ls, m->nl, m->images) : -1;
        if (sink && sink != log)
            fclose(sink);
        if (rc)
            return -1;
    }
    out_file o;
    bnn_error err;
    if (out_open(&o, a->out, a->in, a->n, &err)) {
        fprintf(stderr, "sparsecim merge: option -o: %s\n", err.msg);
        return -1;
    }
    if (cli_report_json(o.f, &c, &s, m->ls, m->nl, &err)) {
        out_abort(&o);
        fprintf(stderr, "sparsecim merge: option -o: %s: %s\n", a->out, err.msg);
        return -1;
    }
    if (out_commit(&o, &err)) {
        fprintf(stderr, "sparsecim merge: option -o: %s\n", err.msg);
        return -1;
    }
    if (log)
        printf("report: %s\n", a->out);
    return 0;
}

int cli_merge(int argc, char **argv)
{
    merge_args a = {0};
    a.in = calloc((size_t)argc, sizeof *a.in);
    cli_part *parts = calloc((size_t)argc, sizeof *parts);
    cli_part m = {0};
    char msg[1024] = "";
    int rc = 2, loaded = 0;
    if (!a.in || !parts) {
        fprintf(stderr, "sparsecim merge: out of memory\n");
        goto done;
    }
    int k = parse_args(argc, argv, &a);
    if (k) {
        rc = k > 0 ? 0 : 2;
        goto done;
    }
    {   /* every output checked before any report is read: not an input, not a device, not twice */
        cli_inputs in = {.n = 0};
        for (int i = 0; i < a.n; i++)
            cli_inputs_add(&in, a.in[i]);
        cli_inputs_add(&in, a.energy);
        const char *outs[] = {a.out, a.csv}, *names[] = {"-o", "--csv"};
        if (cli_check_outputs("merge", &in, outs, names, 2))
            goto done;
    }
    for (; loaded < a.n; loaded++)
        if (cli_part_load(a.in[loaded], &parts[loaded], msg, sizeof msg)) {
            loaded++;
            break;
        }
    if (msg[0] || cli_part_merge(parts, a.n, &m, msg, sizeof msg)) {
        fprintf(stderr, "sparsecim merge: %s\n", msg);
        goto done;
    }
    if (write_merged(&a, &m) == 0)
        rc = m.mismatches || cli_part_chained_equal(&m) != m.images ? 1 : 0;
done:
    m.doc = NULL; /* borrowed */
    cli_part_free(&m);
    for (int i = 0; i < loaded; i++)
        cli_part_free(&parts[i]);
    free(parts);
    free(a.in);
    return rc;
}
