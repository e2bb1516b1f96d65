/*
 * test_rtl_saif.c - `sparsecim run --saif` on the verilated macro: a window
 * of cycles is dumped as VCD and as SAIF from the same run; the SAIF's
 * structure is checked by an independent reader (tests/saif_read.h) and,
 * for every port bit of the macro, its toggle count and time at 1 are
 * recomputed here from the VCD by a separate, plain scan and must agree;
 * the clock toggles twice per cycle of the window. A SAIF without --waves
 * leaves no VCD behind; --saif with an FST is refused.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saif_read.h"
#include "test_util.h"

static char out[1 << 16];

/* A top-level port of the VCD (the first scope's direct $vars). */
typedef struct port {
    char id[16], name[64];
    int width;
    char *val;          /* current value, width chars, MSB first */
    long long *tc, *t1, *since;
} port;

/* Plain VCD scan: toggles and time at 1 per bit of the first scope's vars within [start, end). */
static int scan_vcd(const char *path, port *p, int max, long long start, long long end)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static char line[1 << 16];
    int n = 0, depth = 0, in_defs = 1;
    long long now = 0;
    while (fgets(line, sizeof line, f)) {
        if (in_defs) {
            if (strstr(line, "$scope"))
                depth++;
            else if (strstr(line, "$upscope"))
                depth--;
            else if (strstr(line, "$enddefinitions"))
                in_defs = 0;
            else if (depth == 1 && strstr(line, "$var") && n < max) {
                char type[16], id[16], name[64];
                int w;
                cr_assert_eq(sscanf(line, " $var %15s %d %15s %63s", type, &w, id, name), 4, "%s", line);
                snprintf(p[n].id, sizeof p[n].id, "%s", id);
                snprintf(p[n].name, sizeof p[n].name, "%s", name);
                p[n].width = w;
                p[n].val = calloc((size_t)w + 1, 1);
                memset(p[n].val, 'x', (size_t)w);
                p[n].tc = calloc((size_t)w, sizeof *p[n].tc);
                p[n].t1 = calloc((size_t)w, sizeof *p[n].t1);
                p[n].since = calloc((size_t)w, sizeof *p[n].since);
                n++;
            }
            continue;
        }
        line[strcspn(line, "\r\n")] = 0;
        const char *val, *id;
        char one[2] = {0, 0};
        if (line[0] == '#') {
            now = atoll(line + 1);
            continue;
        } else if (line[0] == 'b') {
            char *sp = strchr(line, ' ');
            cr_assert_not_null(sp);
            *sp = 0;
            val = line + 1;
            id = sp + 1;
        } else if (line[0] == '0' || line[0] == '1' || line[0] == 'x' || line[0] == 'z') {
            one[0] = line[0];
            val = one;
            id = line + 1;
        } else {
            continue;
        }
        for (int k = 0; k < n; k++) {
            if (strcmp(p[k].id, id))
                continue;
            int w = p[k].width, len = (int)strlen(val);
            for (int b = 0; b < w; b++) {   /* b = position from the LSB */
                char nv = b < len ? val[len - 1 - b] : (val[0] == '1' ? '0' : val[0]);
                char *ov = &p[k].val[w - 1 - b];
                if (nv == *ov)
                    continue;
                long long a = p[k].since[b] > start ? p[k].since[b] : start, z = now < end ? now : end;
                if (*ov == '1' && z > a)
                    p[k].t1[b] += z - a;
                if ((*ov == '0' || *ov == '1') && (nv == '0' || nv == '1') && now >= start && now < end)
                    p[k].tc[b]++;
                *ov = nv;
                p[k].since[b] = now;
            }
        }
    }
    fclose(f);
    for (int k = 0; k < n; k++)
        for (int b = 0; b < p[k].width; b++) {
            long long a = p[k].since[b] > start ? p[k].since[b] : start;
            if (p[k].val[p[k].width - 1 - b] == '1' && end > a)
                p[k].t1[b] += end - a;
        }
    return n;
}

Test(rtl_saif, saif_agrees_with_vcd_of_the_same_window, .timeout = 120)
{
    char model[256], vcd[256], saif[256], cmd[2048];
    tu_tmp_path(model, sizeof model, "smodel");
    tu_tmp_path(vcd, sizeof vcd, "svcd");
    tu_tmp_path(saif, sizeof saif, "ssaif");
    strcat(vcd, ".vcd");
    snprintf(cmd, sizeof cmd, "%s/sparsecim model random --depth 8 --width 8 --se --input 8x8x1 --seed 3 -o %s 2>&1",
             tu_bin_dir(), model);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    const long from = 300, to = 700;
    snprintf(cmd, sizeof cmd,
             "%s/sparsecim run --model %s --data random:2 --small --quiet --energy none --waves %s --saif %s "
             "--window %ld:%ld 2>&1",
             tu_bin_dir(), model, vcd, saif, from, to);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "saif: "), "%s", out);

    char *text = sr_slurp(saif);
    sr_file f;
    sr_parse(text, &f);
    cr_assert_eq(f.duration, (unsigned long long)(2 * (to - from)), "DURATION %llu", f.duration);
    cr_assert_str_eq(f.timescale, "1 ns");
    cr_assert_str_eq(f.design, "cim_macro");

    long long start = 2 * from + 1, end = 2 * to + 1;
    static port p[64];
    int n = scan_vcd(vcd, p, 64, start, end);
    cr_assert_gt(n, 20, "ports found: %d", n);
    long compared = 0, toggling = 0;
    for (int k = 0; k < n; k++)
        for (int b = 0; b < p[k].width; b++) {
            char path[256];
            if (p[k].width == 1)
                snprintf(path, sizeof path, "cim_macro/%s", p[k].name);
            else
                snprintf(path, sizeof path, "cim_macro/%s\\[%d\\]", p[k].name, b);
            const sr_net *s = sr_find(&f, path);
            cr_assert_not_null(s, "no SAIF net %s", path);
            cr_assert_eq(s->tc, (unsigned long long)p[k].tc[b], "%s: SAIF TC %llu, VCD scan %lld", path, s->tc,
                         p[k].tc[b]);
            cr_assert_eq(s->t1, (unsigned long long)p[k].t1[b], "%s: SAIF T1 %llu, VCD scan %lld", path, s->t1,
                         p[k].t1[b]);
            compared++;
            toggling += s->tc > 0;
        }
    cr_assert_gt(compared, 500, "compared %ld port bits", compared);
    cr_assert_gt(toggling, 20, "only %ld port bits toggled: the window shows no activity", toggling);
    const sr_net *clk = sr_find(&f, "cim_macro/clk_i");
    cr_assert_not_null(clk);
    cr_assert_eq(clk->t0 + clk->t1, (unsigned long long)(2 * (to - from)));
    cr_assert_eq(clk->t1, (unsigned long long)(to - from), "clk T1 %llu", clk->t1);
    cr_assert(clk->tc >= (unsigned long long)(2 * (to - from) - 1), "clk TC %llu", clk->tc);
    /* internal instances are there too */
    long internal = 0;
    for (long i = 0; i < f.n; i++)
        internal += strncmp(f.nets[i].path, "cim_macro/cim_macro/", 20) == 0;
    cr_assert_gt(internal, compared, "internal nets: %ld", internal);
    for (int k = 0; k < n; k++) {
        free(p[k].val);
        free(p[k].tc);
        free(p[k].t1);
        free(p[k].since);
    }
    free(text);
    free(f.nets);

    /* without --waves the VCD is temporary; an FST is refused */
    remove(saif);
    snprintf(cmd, sizeof cmd,
             "%s/sparsecim run --model %s --data random:2 --small --quiet --energy none --saif %s --window 10:20 2>&1",
             tu_bin_dir(), model, saif);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "ls %s* | wc -l", saif);
    tu_run(cmd, out, sizeof out);
    cr_assert_eq(atoi(out), 1, "files left: %s", out);
    snprintf(cmd, sizeof cmd, "%s/sparsecim run --model %s --data random --small --saif %s --waves w.fst 2>&1",
             tu_bin_dir(), model, saif);
    cr_assert_eq(tu_run(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "option --saif: made from a VCD"), "%s", out);
    remove(saif);
    remove(vcd);
    remove(model);
}
