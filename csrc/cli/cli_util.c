/* cli_util.c - see cli_util.h. */
#define _POSIX_C_SOURCE 200809L
#include "cli/cli_util.h"

#include "data/ds.h"
#include "util/crc.h"
#include "util/num.h"
#include "util/outfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_int(const char *cmd, const char *opt, const char *val, long lo, long hi, long *out)
{
    int64_t v;
    if (num_parse_i64(val, lo, hi, &v)) {
        fprintf(stderr, "sparsecim %s: option %s: expected an integer in %ld..%ld, got '%s'\n", cmd, opt, lo,
                hi, val);
        return -1;
    }
    *out = (long)v;
    return 0;
}

int cli_random_spec(const char *cmd, const char *spec, long *seed)
{
    if (strncmp(spec, "random", 6) || (spec[6] != 0 && spec[6] != ':'))
        return 0;
    *seed = 1;
    if (spec[6] == ':' && cli_int(cmd, "--data random:SEED", spec + 7, 0, 0x7fffffffL, seed))
        return -1;
    return 1;
}

/* ---- options (getopt_long) ---- */

/* getopt_long's value for the long option all[k]: above every char, so
 * that it tells the long options from the short ones (their letters). */
#define CLI_LONG_VAL(k) (0x100 + (k))

static const cli_opt cli_help_opts[] = {CLI_OPT_FLAG("help", CLI_HELP), CLI_OPT_FLAG("h", CLI_HELP), CLI_OPT_END};

/* "sparsecim CMD: " then the message and a newline. */
static int cli_say(const cli_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int cli_say(const cli_parser *p, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "sparsecim%s%s: ", p->cmd[0] ? " " : "", p->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_ERROR;
}

/* Appends the options of table t (to its CLI_OPT_END) to p: a long one
 * to getopt_long's table, a short one to its letters. */
static void cli_join(cli_parser *p, const cli_opt *t)
{
    for (; t && t->name; t++) {
        if (p->n == CLI_MAX_OPTS || strlen(t->name) + 3 > sizeof p->name) {
            p->overflow = 1;
            return;
        }
        int takes = t->kind != CLI_FLAG;
        if (t->name[1]) {
            p->lo[p->n_long++] = (struct option){t->name, takes ? required_argument : no_argument, NULL,
                                                 CLI_LONG_VAL(p->n)};
        } else {
            size_t s = strlen(p->shorts);
            p->shorts[s] = t->name[0];
            p->shorts[s + 1] = takes ? ':' : 0;
        }
        p->all[p->n++] = t;
    }
}

void cli_parse_init(cli_parser *p, const char *cmd, int argc, char **argv, const cli_opt *opts,
                    const cli_opt *more, int args_ok)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    p->args_ok = args_ok;
    /* '-': arguments come back in order (code 1), argv is not permuted;
     * ':': a missing value is ':', not '?' */
    memcpy(p->shorts, "-:", 3);
    cli_join(p, opts);
    cli_join(p, more);
    cli_join(p, cli_help_opts);
    optind = 0;
    opterr = 0;
}

/* The option of getopt_long's code c: a long option's value or a short letter. */
static const cli_opt *cli_of(const cli_parser *p, int c)
{
    if (c >= CLI_LONG_VAL(0) && c < CLI_LONG_VAL(p->n))
        return p->all[c - CLI_LONG_VAL(0)];
    for (int k = 0; k < p->n; k++)
        if (!p->all[k]->name[1] && p->all[k]->name[0] == c)
            return p->all[k];
    return NULL;
}

/* p->name: o as messages name it, "--count" or "-o". */
static void cli_name(cli_parser *p, const cli_opt *o)
{
    snprintf(p->name, sizeof p->name, "%s%s", o->name[1] ? "--" : "-", o->name);
}

/* getopt_long refused argv[optind - 1] ('?'): a flag given a value, an
 * unknown letter, or a long name that is no option's or the prefix of
 * several (named, in the tables' order). */
static int cli_refused(cli_parser *p)
{
    if (optopt >= CLI_LONG_VAL(0)) {
        cli_name(p, cli_of(p, optopt));
        return cli_say(p, "option %s takes no value", p->name);
    }
    if (optopt)
        return cli_say(p, "unknown option '-%c' (see --help)", optopt);
    const char *a = p->argv[optind - 1] + 2;    /* --NAME or --NAME=VALUE */
    int len = (int)strcspn(a, "="), hits = 0;
    char list[CLI_MAX_OPTS * (sizeof p->name + 2)] = "";
    for (int k = 0; k < p->n; k++) {
        const char *name = p->all[k]->name;
        if (name[1] && !strncmp(name, a, (size_t)len)) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s--%s", hits++ ? ", " : "", name);
        }
    }
    if (hits > 1)
        return cli_say(p, "option '--%.*s' is ambiguous: %s", len, a, list);
    return cli_say(p, "unknown option '--%.*s' (see --help)", len, a);
}

/* Argument argv[i] (not an option). */
static int cli_arg(cli_parser *p, int i)
{
    p->val = p->argv[i];
    p->index = i;
    if (!p->args_ok)
        return cli_say(p, "unexpected argument '%s' (see --help)", p->val);
    return CLI_ARG;
}

int cli_next(cli_parser *p)
{
    p->opt = NULL;
    p->val = NULL;
    p->num = 0;
    if (p->overflow)
        return cli_say(p, "internal error: more than %d options (CLI_MAX_OPTS) or a name of more than %d characters",
                       CLI_MAX_OPTS, (int)sizeof p->name - 3);
    if (p->rest)
        return p->rest < p->argc ? cli_arg(p, p->rest++) : CLI_DONE;
    int c = getopt_long(p->argc, p->argv, p->shorts, p->lo, NULL);
    if (c == -1) {  /* the end, or "--": what follows are arguments */
        p->rest = optind;
        return p->rest < p->argc ? cli_arg(p, p->rest++) : CLI_DONE;
    }
    if (c == 1)
        return cli_arg(p, optind - 1);
    if (c == '?')
        return cli_refused(p);
    const cli_opt *o = cli_of(p, c == ':' ? optopt : c);
    cli_name(p, o);
    if (c == ':')
        return cli_say(p, "option %s needs a value", p->name);
    p->opt = o;
    p->val = optarg;
    if (o->kind == CLI_INT && cli_int(p->cmd, p->name, p->val, o->lo, o->hi, &p->num))
        return CLI_ERROR;
    return o->id;
}

int cli_bad_value(const cli_parser *p)
{
    return cli_say(p, "option %s: expected %s, got '%s'", p->name, p->opt->what, p->val);
}

int cli_enum(const char *v, const char *const *names, int n)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(v, names[k]))
            return k;
    return -1;
}

void cli_progress(FILE *f, int is_tty, int done, int total, const char *what)
{
    if (is_tty) {
        int w = 40, fill = total ? (int)((long)done * w / total) : w;
        fprintf(f, "\r%s [", what);
        for (int i = 0; i < w; i++)
            fputc(i < fill ? '#' : '.', f);
        fprintf(f, "] %d/%d", done, total);
        if (done == total)
            fputc('\n', f);
        fflush(f);
    } else {
        int every = total >= 100 ? total / 10 : total;
        if (every < 1)
            every = 1;
        if (done == total || done % every == 0)
            fprintf(f, "%s: %d/%d\n", what, done, total);
    }
}

void cli_inputs_add(cli_inputs *in, const char *path)
{
    if (path && in->n < (int)(sizeof in->p / sizeof in->p[0]))
        in->p[in->n++] = path;
}

void cli_inputs_add_spec(cli_inputs *in, const char *spec)
{
    if (!spec || in->n_spec + 2 > (int)(sizeof in->spec / sizeof in->spec[0]))
        return;
    int k = ds_spec_files(spec, &in->spec[in->n_spec]);
    for (int i = 0; i < k; i++)
        cli_inputs_add(in, in->spec[in->n_spec + i]);
    in->n_spec += k;
}

int cli_check_outputs(const char *cmd, const cli_inputs *in, const char *const *paths, const char *const *opts,
                      int n)
{
    bnn_error err;
    for (int i = 0; i < n; i++)
        if (paths[i] && out_check(paths[i], in->p, in->n, &err)) {
            fprintf(stderr, "sparsecim %s: option %s: %s\n", cmd, opts[i], err.msg);
            return -1;
        }
    if (out_distinct(paths, opts, n, &err)) {
        fprintf(stderr, "sparsecim %s: %s\n", cmd, err.msg);
        return -1;
    }
    return 0;
}

int cli_file_crc(const char *path, long tail, uint64_t *bytes, uint32_t *crc)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        errno = EIO;
        return -1;
    }
    unsigned char buf[65536];
    uint32_t c = crc_init();
    long left = size > tail ? size - tail : 0;
    while (left > 0) {
        size_t want = left < (long)sizeof buf ? (size_t)left : sizeof buf, k = fread(buf, 1, want, f);
        if (k == 0)
            break;
        c = crc_update(c, buf, k);
        left -= (long)k;
    }
    int bad = ferror(f) || left > 0;
    fclose(f);
    if (bad) {
        errno = EIO;
        return -1;
    }
    *bytes = (uint64_t)size;
    *crc = c;
    return 0;
}
