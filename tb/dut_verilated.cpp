// dut_verilated.cpp - the C++ shim over one verilated build of cim_macro.
//
// Compiled once per geometry with DUT_CLASS (the Verilator prefix),
// DUT_HEADER and DUT_FACTORY defined; tb/dut_registry.c (generated) lists
// the factories. Owns the context, the model and the trace; catches every
// exception at the C boundary.
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

#include "verilated.h"
#include "verilated_vcd_c.h"
#include DUT_HEADER

#include "dut_impl.h"

namespace {

// Copies `bits` bits from 64-bit words into a Verilator port (integral or VlWide).
template <typename W>
void put_bits(W &dst, const uint64_t *src, int bits)
{
    if constexpr (std::is_integral<W>::value) {
        dst = src ? (W)src[0] : (W)0;
        (void)bits;
    } else {
        for (int w = 0; w < (bits + 31) / 32; w++)
            dst[w] = src ? (uint32_t)(src[w / 2] >> (32 * (w % 2))) : 0u;
    }
}

// Reads a field of up to 32 bits from a Verilator port (integral or VlWide).
template <typename W>
uint32_t get_field(const W &v, int lsb, int width)
{
    uint64_t mask = (width >= 32) ? 0xffffffffull : ((1ull << width) - 1);
    if constexpr (std::is_integral<W>::value) {
        return (uint32_t)(((uint64_t)v >> lsb) & mask);
    } else {
        uint64_t lo = v[lsb / 32];
        if ((lsb % 32) + width > 32)
            lo |= (uint64_t)v[lsb / 32 + 1] << 32;
        return (uint32_t)((lo >> (lsb % 32)) & mask);
    }
}

int clog2(int v)
{
    int b = 0;
    while ((1 << b) < v)
        b++;
    return b;
}

struct Impl final : dut_impl {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<DUT_CLASS> top;
    std::unique_ptr<VerilatedVcdC> tfp;
    uint64_t from = 0, to = 0;
    int pw = 0;

    void eval_dump()
    {
        top->eval();
        if (tfp && cycles >= from && (to == 0 || cycles < to))
            tfp->dump(ctx->time());
    }
    void tick()
    {
        top->clk_i = 1;
        ctx->timeInc(1);
        eval_dump();
        top->clk_i = 0;
        ctx->timeInc(1);
        eval_dump();
        cycles++;
    }
};

}  // namespace

#define IMPL(d) static_cast<Impl *>(d)


static void impl_free(dut_impl *di)
{
    Impl *d = IMPL(di);
    try {
        d->top->final();
        if (d->tfp)
            d->tfp->close();
    } catch (...) {
    }
    delete d;
}

static void impl_config(dut_impl *di, int gate_en, int unit_log2, int ncols)
{
    Impl *d = IMPL(di);
    d->top->gate_en_i = gate_en ? 1 : 0;
    d->top->unit_log2_i = (uint8_t)(unit_log2 & 3);
    d->top->ncols_i = (uint32_t)ncols;
}

static void impl_step(dut_impl *di, const dut_in *in, dut_out *out)
{
    Impl *d = IMPL(di);
    auto *t = d->top.get();
    t->op_i = (uint8_t)in->op;
    t->addr_i = (uint32_t)in->addr;
    t->first_i = in->first ? 1 : 0;
    t->last_i = in->last ? 1 : 0;
    t->thr_i = (uint32_t)in->thr;
    if (in->op == DUT_WRITE) {
        put_bits(t->wdata_i, in->wdata, DUT_COLS);
    }
    if (in->op == DUT_COMPUTE) {
        put_bits(t->in_i, in->in, DUT_ROWS);
    }
    d->tick();
    if (out) {
        out->cmp_valid = t->cmp_valid_o;
        out->acc_valid = t->acc_valid_o;
        out->rd_valid = t->rd_valid_o;
        out->x = (int)t->x_o;
    }
}

static void impl_p(dut_impl *di, int *p)
{
    Impl *d = IMPL(di);
    for (int j = 0; j < DUT_COLS; j++)
        p[j] = (int)get_field(d->top->p_o, j * d->pw, d->pw);
}

static void impl_acc(dut_impl *di, int32_t *acc)
{
    Impl *d = IMPL(di);
    for (int j = 0; j < DUT_COLS; j++)
        acc[j] = (int32_t)get_field(d->top->acc_o, j * 32, 32);
}

static void get_bits_cols(const Impl *d, uint64_t *dst, int which)
{
    for (int w = 0; w < (DUT_COLS + 63) / 64; w++) {
        int n = DUT_COLS - 64 * w < 64 ? DUT_COLS - 64 * w : 64;
        uint64_t lo = which ? get_field(d->top->rdata_o, 64 * w, n < 32 ? n : 32)
                            : get_field(d->top->bin_o, 64 * w, n < 32 ? n : 32);
        uint64_t hi = n <= 32 ? 0
                    : which ? get_field(d->top->rdata_o, 64 * w + 32, n - 32)
                            : get_field(d->top->bin_o, 64 * w + 32, n - 32);
        dst[w] = lo | (hi << 32);
    }
}

static void impl_bin(dut_impl *di, uint64_t *bin) { get_bits_cols(IMPL(di), bin, 0); }
static void impl_rdata(dut_impl *di, uint64_t *row) { get_bits_cols(IMPL(di), row, 1); }
static uint64_t impl_seg_gated(dut_impl *di) { return (uint64_t)IMPL(di)->top->seg_gated_o; }

static uint64_t impl_counter(dut_impl *di, int idx)
{
    Impl *d = IMPL(di);
    d->top->cnt_sel_i = (uint8_t)idx;
    d->top->eval();  // combinational read multiplexer, no clock edge
    return (uint64_t)d->top->cnt_o;
}

const dut_vtbl dut_vtbl_local = {impl_free, impl_config, impl_step, impl_p, impl_acc,
                                      impl_bin, impl_rdata, impl_seg_gated, impl_counter};


extern "C" dut_impl *DUT_FACTORY(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, char *err,
                                 size_t errlen)
{
    try {
        auto d = std::unique_ptr<Impl>(new Impl());
        d->geom = g;
        d->vt = &dut_vtbl_local;
        d->cycles = 0;
        d->pw = clog2(g->rows + 1);
        d->ctx.reset(new VerilatedContext());
        d->ctx->randReset(2);  // random initial values: reset must clear everything
        if (trace)
            d->ctx->traceEverOn(true);
        d->top.reset(new DUT_CLASS(d->ctx.get(), "cim_macro"));
        if (trace) {
            d->tfp.reset(new VerilatedVcdC());
            d->top->trace(d->tfp.get(), 99);
            d->tfp->open(trace);
            if (!d->tfp->isOpen()) {
                snprintf(err, errlen, "%s: cannot open the waveform file", trace);
                return nullptr;
            }
        }
        d->from = from;
        d->to = to;
        d->top->clk_i = 0;
        d->top->op_i = 0;
        d->top->rst_ni = 0;
        d->top->eval();
        d->top->rst_ni = 1;
        d->eval_dump();
        return d.release();
    } catch (const std::exception &e) {
        snprintf(err, errlen, "verilated model: %s", e.what());
    } catch (...) {
        snprintf(err, errlen, "verilated model: unknown exception");
    }
    return nullptr;
}

