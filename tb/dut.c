/* dut.c - the C side of the DUT interface: geometry lookup and dispatch. */
#include <stdio.h>
#include <string.h>

#include "dut_impl.h"

struct cim_dut {
    dut_impl impl; /* never instantiated as such: cim_dut* is the impl's address */
};

const char *const dut_cnt_names[DUT_NCNT] = {
    "cycles", "compute_ops", "skipped_cycles", "weight_row_writes", "write_bits_flipped", "read_ops",
    "wordline_pulses", "precharges_done", "precharges_gated", "local_discharges", "local_evals_done",
    "local_evals_gated", "local_to_global_transfers", "accumulator_updates", "segment_cycles_active",
    "segment_cycles_gated", "controller_checks", "control_toggles", "wordlines_masked"};

const dut_geom *dut_geom_find(const char *name)
{
    for (int i = 0; dut_registry[i].factory; i++)
        if (!strcmp(dut_registry[i].geom.name, name))
            return &dut_registry[i].geom;
    return NULL;
}

const dut_geom *dut_geom_at(int i)
{
    for (int k = 0; dut_registry[k].factory; k++)
        if (k == i)
            return &dut_registry[k].geom;
    return NULL;
}

static dut_impl *I(cim_dut *d) { return (dut_impl *)(void *)d; }

cim_dut *dut_new(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, char *err, size_t errlen)
{
    for (int i = 0; dut_registry[i].factory; i++)
        if (&dut_registry[i].geom == g) {
            dut_impl *d = dut_registry[i].factory(g, trace, from, to, err, errlen);
            return (cim_dut *)(void *)d;
        }
    snprintf(err, errlen, "no verilated build for this geometry");
    return NULL;
}

void dut_free(cim_dut *d)
{
    if (d)
        I(d)->vt->free_(I(d));
}
void dut_config(cim_dut *d, int gate_en, int unit_log2, int ncols) { I(d)->vt->config(I(d), gate_en, unit_log2, ncols); }
void dut_step(cim_dut *d, const dut_in *in, dut_out *out) { I(d)->vt->step(I(d), in, out); }
void dut_p(cim_dut *d, int *p) { I(d)->vt->p(I(d), p); }
void dut_acc(cim_dut *d, int32_t *acc) { I(d)->vt->acc(I(d), acc); }
void dut_bin(cim_dut *d, uint64_t *bin) { I(d)->vt->bin(I(d), bin); }
void dut_rdata(cim_dut *d, uint64_t *row) { I(d)->vt->rdata(I(d), row); }
uint64_t dut_seg_gated(cim_dut *d) { return I(d)->vt->seg_gated(I(d)); }
uint64_t dut_counter(cim_dut *d, int idx) { return I(d)->vt->counter(I(d), idx); }
uint64_t dut_cycles(const cim_dut *d) { return ((const dut_impl *)(const void *)d)->cycles; }
const dut_geom *dut_geometry(const cim_dut *d) { return ((const dut_impl *)(const void *)d)->geom; }
