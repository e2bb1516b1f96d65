/* main.c - `sparsecim`: dispatches to the subcommands of cli.h. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct subcommand {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} subcommand;

static const subcommand subcommands[] = {
    {"model", cli_model, "model random|info: make or describe a .bnn model"},
    {"infer", cli_infer, "run the C reference model on a data set"},
    {"vectors", cli_vectors, "write golden vectors (array jobs, expected P/X/partials) for replay"},
#ifdef SPARSECIM_HAVE_RTL
    {"sim", cli_sim, "replay golden vectors through the verilated macro"},
    {"run", cli_run, "model + data through reference and RTL, checked"},
#endif
    {"merge", cli_merge, "merge the JSON reports of run --shard I/N into one run's report"},
    {"saif", cli_saif, "switching activity (SAIF 2.0) from a VCD dump"},
    {"bench", cli_bench, "benchmark the reference model (packed vs naive)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: sparsecim <command> [options]   (sparsecim <command> --help; sparsecim --version: the "
               "verilated builds)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].help);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
#ifdef SPARSECIM_HAVE_RTL
        printf("sparsecim (with the verilated macro)\n");
        cli_print_builds(stdout);
#else
        printf("sparsecim (built without the RTL: no verilated builds)\n");
#endif
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "sparsecim: unknown command '%s' (try sparsecim --help)\n", argv[1]);
    return 2;
}
