/* main.c - `sparsecim`: dispatches to the subcommands of cli.h. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_util.h"

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

static void version(void)
{
#ifdef SPARSECIM_HAVE_RTL
    printf("sparsecim (with the verilated macro)\n");
    cli_print_builds(stdout);
#else
    printf("sparsecim (built without the RTL: no verilated builds)\n");
#endif
}

enum { O_VERSION = 1 };

static const cli_opt main_opts[] = {CLI_OPT_FLAG("version", O_VERSION), CLI_OPT_END};

int main(int argc, char **argv)
{
    cli_parser p;
    cli_parse_init(&p, "", argc, argv, main_opts, NULL, 1);
    int id = cli_next(&p);   /* the program's own option, or the command */
    if (id == CLI_ERROR)
        return 2;
    if (id == CLI_DONE) {
        usage(stderr);
        return 2;
    }
    if (id == CLI_HELP || (id == CLI_ARG && !strcmp(p.val, "help"))) {
        usage(stdout);
        return 0;
    }
    if (id == O_VERSION) {
        version();
        return 0;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (!strcmp(p.val, subcommands[i].name))
            return subcommands[i].fn(argc - p.index, argv + p.index);
    fprintf(stderr, "sparsecim: unknown command '%s' (try sparsecim --help)\n", p.val);
    return 2;
}
