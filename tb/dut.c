/* dut.c - the C side of the DUT interface: build registry lookup, dispatch
 * to the back end's ops, and the verilated back end's run (see dut.h,
 * tb_backend.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tb_backend.h"

static int geom_eq(const dut_geom *a, const dut_geom *b)
{
    return a->rows == b->rows && a->cols == b->cols && a->seg_rows == b->seg_rows &&
           (b->col_group == 0 || a->col_group == b->col_group) && (b->acc_w == 0 || a->acc_w == b->acc_w);
}

const dut_build *dut_build_lookup(const dut_geom *g, int systemc, int fmt)
{
    for (int i = 0; dut_builds[i].geom.rows; i++) {
        const dut_build *b = &dut_builds[i];
        if (geom_eq(&b->geom, g) && b->fmt == fmt && (systemc ? b->sc_run != NULL : b->factory != NULL))
            return b;
    }
    return NULL;
}

const dut_geom *dut_find_build(const dut_geom *want, int systemc, unsigned *fmt_mask)
{
    const dut_geom *found = NULL;
    unsigned mask = 0;
    for (int i = 0; dut_builds[i].geom.rows; i++) {
        const dut_build *b = &dut_builds[i];
        if (!geom_eq(&b->geom, want) || !(systemc ? b->sc_run != NULL : b->factory != NULL))
            continue;
        mask |= 1u << b->fmt;
        if (!found)
            found = &b->geom;
    }
    if (fmt_mask)
        *fmt_mask = mask;
    return found;
}

const dut_geom *dut_geom_at(int i)
{
    /* distinct geometries in registry order */
    int k = 0;
    for (int j = 0; dut_builds[j].geom.rows; j++) {
        int seen = 0;
        for (int m = 0; m < j; m++)
            seen |= geom_eq(&dut_builds[m].geom, &dut_builds[j].geom);
        if (!seen && k++ == i)
            return &dut_builds[j].geom;
    }
    return NULL;
}

static int clock_forced(void)
{
    const char *v = getenv(DUT_CLOCK_ENV);
    return v && !strcmp(v, "two-edge");
}

const char *dut_clock_path(const dut_geom *g, int systemc)
{
    if (systemc)
        return dut_find_build(g, 1, NULL) ? "systemc" : NULL;
    const dut_build *b = dut_build_lookup(g, 0, DUT_TRACE_VCD);
    if (!b)
        b = dut_build_lookup(g, 0, DUT_TRACE_FST);
    if (!b)
        return NULL;
    return clock_forced() ? "two-edge" : b->clock ? b->clock() : "two-edge";
}

int dut_trace_fmt_of(const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && !strcmp(path + n - 4, ".vcd"))
        return DUT_TRACE_VCD;
    if (n > 4 && !strcmp(path + n - 4, ".fst"))
        return DUT_TRACE_FST;
    return -1;
}

/* Finds the build for (g, back end, trace) or explains why there is none. */
static const dut_build *pick_build(const dut_geom *g, int systemc, const char *trace, char *err, size_t errlen)
{
    int fmt = DUT_TRACE_VCD;
    if (trace) {
        fmt = dut_trace_fmt_of(trace);
        if (fmt < 0) {
            snprintf(err, errlen, "%s: waveform file must end in .vcd or .fst", trace);
            return NULL;
        }
    }
    const dut_build *b = dut_build_lookup(g, systemc, fmt);
    if (!b && !trace) /* no trace wanted: any format will do */
        b = dut_build_lookup(g, systemc, DUT_TRACE_FST);
    if (!b) {
        unsigned mask = 0;
        if (!dut_find_build(g, systemc, &mask))
            snprintf(err, errlen, "no %s build of geometry %dx%d (segment %d rows) in this program",
                     systemc ? "SystemC" : "verilated", g->rows, g->cols, g->seg_rows);
        else
            snprintf(err, errlen, "%s: the %s build of geometry %dx%d dumps only %s waveforms (use a .%s file)",
                     trace, systemc ? "SystemC" : "verilated", g->rows, g->cols,
                     (mask & 1u) ? "VCD" : "FST", (mask & 1u) ? "vcd" : "fst");
    }
    return b;
}

/* SPARSECIM_CLOCK unset, two-edge or fast; else -1 with err (every back end
 * refuses a bad value; the SystemC one has no clock path to choose). */
static int clock_env_ok(char *err, size_t errlen)
{
    const char *ck = getenv(DUT_CLOCK_ENV);
    if (ck && strcmp(ck, "two-edge") && strcmp(ck, "fast")) {
        snprintf(err, errlen, "environment %s='%.64s': expected two-edge or fast", DUT_CLOCK_ENV, ck);
        return -1;
    }
    return 0;
}

cim_dut *dut_new(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, char *err, size_t errlen)
{
    if (clock_env_ok(err, errlen))
        return NULL;
    const dut_build *b = pick_build(g, 0, trace, err, errlen);
    return b ? b->factory(&b->geom, trace, from, to, err, errlen) : NULL;
}

void dut_free(cim_dut *d)
{
    if (d)
        d->ops->free_(d);
}
void dut_reset(cim_dut *d) { d->ops->reset(d); }
void dut_step(cim_dut *d, const dut_in *in, dut_out *out, unsigned want) { d->ops->step(d, in, out, want); }
uint64_t dut_counter(cim_dut *d, int idx) { return d->ops->counter(d, idx); }
uint64_t dut_cycles(const cim_dut *d) { return d->cycles; }
const dut_geom *dut_geometry(const cim_dut *d) { return d->geom; }

static int run_verilated(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, tb_body_fn body,
                         void *arg, char *err, size_t errlen)
{
    cim_dut *d = dut_new(g, trace, from, to, err, errlen);
    if (!d)
        return -1;
    int rc = body(d, arg);
    /* a waveform write error (disk full) fails the run, after the body */
    char terr[512];
    if (d->ops->close_trace && d->ops->close_trace(d, terr, sizeof terr) && rc == 0) {
        snprintf(err, errlen, "%s", terr);
        rc = -1;
    }
    dut_free(d);
    return rc;
}

static int run_systemc(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, tb_body_fn body,
                       void *arg, char *err, size_t errlen)
{
    if (clock_env_ok(err, errlen))
        return -1;
    const dut_build *b = pick_build(g, 1, trace, err, errlen);
    return b ? b->sc_run(&b->geom, trace, from, to, body, arg, err, errlen) : -1;
}

const tb_backend tb_backend_verilated = {"verilated", 0, run_verilated};
const tb_backend tb_backend_systemc = {"systemc", 1, run_systemc};
