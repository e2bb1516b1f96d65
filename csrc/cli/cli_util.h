/*
 * cli_util.h - small helpers shared by the subcommands: the option parser
 * (one convention for every subcommand), option values with range checks
 * (num.h: decimal only, no wrap), a progress line. Output files: outfile.h.
 */
#ifndef SPARSECIM_CLI_UTIL_H
#define SPARSECIM_CLI_UTIL_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

/* ---- options ----
 * Every subcommand declares a table of cli_opt and reads its arguments
 * with cli_next, which is glibc's getopt_long behind one set of rules and
 * messages: --opt value and --opt=value, unambiguous prefixes of a long
 * name (--cou for --count), one-letter options (-o FILE, -oFILE), `--`
 * ends the options (what follows is an argument even if it starts with
 * '-'), -h and --help in every table. Arguments that are no option come
 * back in their order (the argv is not permuted). Errors are one line on
 * stderr, "sparsecim CMD: ...":
 *   unknown option '--foo' (see --help)      unknown option '-x' (see --help)
 *   option '--re' is ambiguous: --remap, --remap-count, --remap-offset, --report
 *   option --count needs a value             option --quiet takes no value
 *   option --count: expected an integer in 1..100000000, got 'x'
 *   option --gate: expected both, c2, c1 or none, got 'all'   (cli_bad_value)
 *   unexpected argument 'x' (see --help)     (a command that takes none)
 * getopt_long keeps its state in globals (optind, optarg, ...): a parse
 * resets them (optind = 0, opterr = 0: getopt prints nothing) and one
 * parse at a time runs (the command line is read once, before any work). */

enum cli_kind {
    CLI_FLAG,   /* no value */
    CLI_STR,    /* a value, checked by the subcommand (cli_bad_value when it is bad) */
    CLI_INT     /* a decimal integer in [lo, hi], checked by cli_next (cli_int) */
};

/* One option of a table. Tables end with CLI_OPT_END. */
typedef struct cli_opt {
    const char *name;   /* the long name without "--" ("count": --count); one letter: the short option ("o": -o) */
    int id;             /* what cli_next returns for it, > 0; aliases (-o and --output) share one */
    int kind;           /* enum cli_kind */
    const char *what;   /* CLI_STR: the text its value must be, for messages ("both, c2, c1 or none"); or NULL */
    long lo, hi;        /* CLI_INT: the range */
} cli_opt;

#define CLI_OPT_FLAG(name, id) {name, id, CLI_FLAG, NULL, 0, 0}
#define CLI_OPT_STR(name, id, what) {name, id, CLI_STR, what, 0, 0}
#define CLI_OPT_INT(name, id, lo, hi) {name, id, CLI_INT, NULL, lo, hi}
#define CLI_OPT_END {NULL, 0, CLI_FLAG, NULL, 0, 0}

/* What cli_next returns beside the ids of the tables. */
enum { CLI_DONE = 0, CLI_ERROR = -1, CLI_ARG = -2, CLI_HELP = -3 };

/* Options of all joined tables, -h and --help included. */
#define CLI_MAX_OPTS 64

/* A parse of one command line, on the caller's stack: nothing is
 * allocated; val points into argv, opt into the tables (both the
 * caller's, alive during the parse). The fields above the line are what
 * the caller reads after cli_next; the rest is the parser's. */
typedef struct cli_parser {
    const char *cmd;        /* "run", "model random"; "" for the program itself */
    const cli_opt *opt;     /* the option cli_next returned (NULL after CLI_ARG) */
    const char *val;        /* its value (NULL for a flag), or the argument (CLI_ARG) */
    long num;               /* a CLI_INT option's value */
    int index;              /* CLI_ARG: the argument is argv[index] */
    char name[40];          /* the option as messages name it: "--count", "-o" */
    /* ---- */
    int argc;
    char **argv;
    int n, n_long, overflow;
    int rest;               /* rest: after "--", the index of the next argument (0: not yet) */
    int args_ok;            /* the command takes arguments (else each is refused) */
    const cli_opt *all[CLI_MAX_OPTS];
    struct option lo[CLI_MAX_OPTS + 1];
    char shorts[3 + 2 * CLI_MAX_OPTS];
} cli_parser;

/* Starts a parse of argv[1..argc-1] (argv[0] is the command's name) over
 * the options of `opts` and `more` (NULL: none; the common options of run
 * and sim) and -h/--help. args_ok: the command takes arguments beside the
 * options (CLI_ARG); otherwise each is refused as unexpected. */
void cli_parse_init(cli_parser *p, const char *cmd, int argc, char **argv, const cli_opt *opts,
                    const cli_opt *more, int args_ok);

/* The next option (its id; p->opt, p->val, p->num, p->name filled),
 * CLI_ARG (an argument, p->val and p->index), CLI_HELP (-h, --help),
 * CLI_DONE at the end, or CLI_ERROR (the one-line message printed). */
int cli_next(cli_parser *p);

/* Prints "sparsecim CMD: option NAME: expected WHAT, got 'VALUE'" for the
 * option cli_next returned (WHAT: its table's text) and returns -1. */
int cli_bad_value(const cli_parser *p);

/* The index of v in names[0..n-1], or -1. */
int cli_enum(const char *v, const char *const *names, int n);

/* The what of a --layout option (map_layout_parse's names). */
#define CLI_LAYOUTS "channel, tap or aligned"

/* Parses a decimal integer option value in [lo, hi] (num_parse_i64). On error prints
 * "sparsecim CMD: option OPT: expected an integer in lo..hi, got 'V'" and
 * returns -1. */
int cli_int(const char *cmd, const char *opt, const char *val, long lo, long hi, long *out);

/* A --data SPEC of random images, "random" or "random:SEED" (SEED
 * 0..2^31-1, default 1): 1 (*seed set), 0 when spec is no such spec, -1 on
 * a bad SEED ("sparsecim CMD: option --data random:SEED: ..." printed). */
int cli_random_spec(const char *cmd, const char *spec, long *seed);

/* The input files of a command (outputs must not be one of them). */
typedef struct cli_inputs {
    const char *p[64];
    int n;
    char spec[4][4096];     /* storage for the files of data specs */
    int n_spec;
} cli_inputs;
/* Adds a path (NULL ignored). */
void cli_inputs_add(cli_inputs *in, const char *path);
/* Adds the files a data spec reads (ds_spec_files). */
void cli_inputs_add_spec(cli_inputs *in, const char *spec);

/* Checks every output before any work is done: each path (NULL: not given)
 * with out_check against the inputs, and all of them distinct
 * (out_distinct). On error prints one line "sparsecim CMD: option OPT:
 * why" and returns -1. */
int cli_check_outputs(const char *cmd, const cli_inputs *in, const char *const *paths, const char *const *opts,
                      int n);

/* Size of a file and the CRC-32 (zlib) of its bytes but the last `tail`
 * (a .bnn ends with the CRC-32 of what precedes it, and the CRC of a
 * message followed by its own CRC is the same for every message: pass 4,
 * and *crc is the model's own CRC). 0, or -1 (errno set). */
int cli_file_crc(const char *path, long tail, uint64_t *bytes, uint32_t *crc);

/* Progress: a bar on a terminal, a plain line every `every` items otherwise. */
void cli_progress(FILE *f, int is_tty, int done, int total, const char *what);

#endif
