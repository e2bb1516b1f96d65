// sc_top.cpp - the SystemC back end (tb/tb_backend.h): the verilated
// SystemC model of cim_macro (verilator --sc) inside a small SystemC top
// whose SC_THREAD runs the caller's C body (the same C driver as the plain
// back end). No sc_main: DUT_SC_RUN builds the top, calls
// sc_start(SC_ZERO_TIME) (elaboration, before a trace is attached), then
// sc_start() until the thread calls sc_stop().
//
// Compiled once per SystemC build (tb/tb.cmake) with DUT_CLASS, DUT_HEADER,
// DUT_SC_RUN, DUT_ROWS, DUT_COLS and DUT_FST_BUILD defined. The thread
// drives the clock itself: per dut_step() the inputs and clk_i = 1 are
// written together, 1 ns later clk_i = 0, 1 ns later the outputs are read -
// the same cycle and time base as tb/dut_verilated.cpp. SystemC allows one
// elaboration per process, so DUT_SC_RUN refuses a second call.
#include <atomic>
#include <cstdio>
#include <memory>
#include <type_traits>

#include <systemc.h>

#include "verilated.h"
#if DUT_FST_BUILD
#include "verilated_fst_sc.h"
using dut_sc_trace_t = VerilatedFstSc;
#else
#include "verilated_vcd_sc.h"
using dut_sc_trace_t = VerilatedVcdSc;
#endif
#include DUT_HEADER

#include "dut_port_bits.h"
#include "tb_backend.h"

namespace {

constexpr int kPw = dut_clog2(DUT_ROWS + 1);

// Port value types of the verilated SystemC model (bool, uint32_t,
// uint64_t or sc_bv<N>, depending on the width).
template <typename P>
using port_t = typename std::remove_reference_t<P>::data_type;
#define PORT_T(name) port_t<decltype(std::declval<DUT_CLASS &>().name)>

// 64-bit words <-> an SC port value.
template <typename T>
T sc_from_words(const uint64_t *src, int bits)
{
    if constexpr (std::is_same<T, bool>::value) {
        (void)bits;
        return src ? (src[0] & 1) != 0 : false;
    } else if constexpr (std::is_integral<T>::value) {
        (void)bits;
        return src ? (T)src[0] : (T)0;
    } else {
        T v;
        for (int w = 0; w < (bits + 31) / 32; w++)
            v.set_word(w, src ? (sc_dt::sc_digit)(src[w / 2] >> (32 * (w % 2))) : 0u);
        return v;
    }
}

template <typename T>
uint32_t sc_field(const T &v, int lsb, int width)
{
    uint64_t mask = width >= 32 ? 0xffffffffull : ((1ull << width) - 1);
    if constexpr (std::is_integral<T>::value) {
        return (uint32_t)(((uint64_t)v >> lsb) & mask);
    } else {
        uint64_t lo = v.get_word(lsb / 32);
        if ((lsb % 32) + width > 32)
            lo |= (uint64_t)v.get_word(lsb / 32 + 1) << 32;
        return (uint32_t)((lo >> (lsb % 32)) & mask);
    }
}

template <typename T>
void sc_to_words(const T &v, uint64_t *dst, int bits)
{
    if constexpr (std::is_integral<T>::value) {
        (void)bits;
        dst[0] = (uint64_t)v;
    } else {
        for (int w = 0; w < (bits + 63) / 64; w++)
            dst[w] = 0;
        for (int w = 0; w < (bits + 31) / 32; w++)
            dst[w / 2] |= (uint64_t)v.get_word(w) << (32 * (w % 2));
    }
}

SC_MODULE(ScTop)
{
    sc_signal<bool> clk{"clk"}, rst_n{"rst_n"};
    sc_signal<PORT_T(op_i)> op{"op"};
    sc_signal<PORT_T(addr_i)> addr{"addr"};
    sc_signal<PORT_T(wdata_i)> wdata{"wdata"};
    sc_signal<PORT_T(in_i)> in{"in"};
    sc_signal<bool> first{"first"}, last{"last"};
    sc_signal<PORT_T(thr_i)> thr{"thr"};
    sc_signal<PORT_T(plane_i)> plane{"plane"};
    sc_signal<PORT_T(gate_i)> gate{"gate"};
    sc_signal<PORT_T(unit_log2_i)> unit_log2{"unit_log2"};
    sc_signal<PORT_T(ncols_i)> ncols{"ncols"};
    sc_signal<PORT_T(nrows_i)> nrows{"nrows"};
    sc_signal<PORT_T(cnt_sel_i)> cnt_sel{"cnt_sel"};
    sc_signal<bool> cmp_valid{"cmp_valid"}, acc_valid{"acc_valid"}, rd_valid{"rd_valid"};
    sc_signal<PORT_T(p_o)> p{"p"};
    sc_signal<PORT_T(x_o)> x{"x"};
    sc_signal<PORT_T(acc_o)> acc{"acc"};
    sc_signal<PORT_T(bin_o)> bin{"bin"};
    sc_signal<PORT_T(rdata_o)> rdata{"rdata"};
    sc_signal<PORT_T(seg_gated_o)> seg_gated{"seg_gated"};
    sc_signal<PORT_T(cnt_o)> cnt{"cnt"};

    std::unique_ptr<DUT_CLASS> dut;
    std::unique_ptr<dut_sc_trace_t> tfp;
    const char *trace_path = nullptr;
    uint64_t from = 0, to = 0;
    bool trace_done = false;

    struct Handle : cim_dut {
        ScTop *top;
    } handle;
    tb_body_fn body = nullptr;
    void *arg = nullptr;
    int rc = 0;

    SC_CTOR(ScTop)
    {
        dut.reset(new DUT_CLASS("cim_macro"));
        dut->clk_i(clk);
        dut->rst_ni(rst_n);
        dut->op_i(op);
        dut->addr_i(addr);
        dut->wdata_i(wdata);
        dut->in_i(in);
        dut->first_i(first);
        dut->last_i(last);
        dut->thr_i(thr);
        dut->plane_i(plane);
        dut->gate_i(gate);
        dut->unit_log2_i(unit_log2);
        dut->ncols_i(ncols);
        dut->nrows_i(nrows);
        dut->cnt_sel_i(cnt_sel);
        dut->cmp_valid_o(cmp_valid);
        dut->p_o(p);
        dut->x_o(x);
        dut->acc_valid_o(acc_valid);
        dut->acc_o(acc);
        dut->bin_o(bin);
        dut->rd_valid_o(rd_valid);
        dut->rdata_o(rdata);
        dut->seg_gated_o(seg_gated);
        dut->cnt_o(cnt);
        SC_THREAD(run);
        set_stack_size(64 * 1024 * 1024);  // the C driver and reference model run on this stack
    }

    // Opens / closes the waveform at the window edges (dumping is per
    // SystemC time step while open).
    void trace_window()
    {
        if (!tfp || trace_done)
            return;
        if (!tfp->isOpen() && handle.cycles >= from && (to == 0 || handle.cycles < to))
            tfp->open(trace_path);
        else if (tfp->isOpen() && to != 0 && handle.cycles >= to) {
            tfp->close();
            trace_done = true;
        }
    }

    void tick()
    {
        clk.write(true);
        wait(1, SC_NS);
        clk.write(false);
        wait(1, SC_NS);
        handle.cycles++;
        trace_window();
    }

    void run()
    {
        trace_window();
        rst_n.write(false);
        tick();
        rst_n.write(true);
        wait(SC_ZERO_TIME);
        rc = body(&handle, arg);
        sc_stop();
    }
};

ScTop *top_of(cim_dut *d) { return static_cast<ScTop::Handle *>(d)->top; }

void s_free(cim_dut *) {}  // the run owns the top

void s_reset(cim_dut *d)
{
    ScTop *t = top_of(d);
    t->op.write(0);
    t->rst_n.write(false);
    t->tick();
    t->rst_n.write(true);
    wait(SC_ZERO_TIME);
}

static_assert(DUT_ACC_W >= 2 && DUT_ACC_W <= 32, "DUT_ACC_W: accumulators of 2..32 bits");
constexpr uint32_t kScAccMask = DUT_ACC_W >= 32 ? 0xffffffffu : (1u << DUT_ACC_W) - 1u;
// an ACC_W-bit two's complement field as a signed value
inline int32_t sc_acc_sext(uint32_t f)
{
    const int64_t sign = (int64_t)1 << (DUT_ACC_W - 1);
    return (int32_t)(((int64_t)(f & kScAccMask) ^ sign) - sign);
}

void s_step(cim_dut *d, const dut_in *in, dut_out *out, unsigned want)
{
    ScTop *t = top_of(d);
    t->op.write((PORT_T(op_i))(in->op & 7));
    t->addr.write((PORT_T(addr_i))((uint32_t)in->addr & (DUT_ROWS - 1)));
    t->first.write(in->first != 0);
    t->last.write(in->last != 0);
    t->thr.write((PORT_T(thr_i))((uint32_t)in->thr & kScAccMask));
    t->plane.write((PORT_T(plane_i))(in->plane & 15));
    t->gate.write((PORT_T(gate_i))(in->gate & 3));
    t->unit_log2.write((PORT_T(unit_log2_i))(in->unit_log2 & 3));
    t->ncols.write((PORT_T(ncols_i))in->ncols);
    t->nrows.write((PORT_T(nrows_i))in->nrows);
    t->cnt_sel.write((PORT_T(cnt_sel_i))(in->cnt_sel & 31));
    if (in->op == DUT_WRITE || in->op == DUT_SET_ZF)
        t->wdata.write(sc_from_words<PORT_T(wdata_i)>(in->wdata, DUT_COLS));
    if (in->op == DUT_COMPUTE)
        t->in.write(sc_from_words<PORT_T(in_i)>(in->in, DUT_ROWS));
    t->tick();
    if (!out)
        return;
    out->cmp_valid = t->cmp_valid.read();
    out->acc_valid = t->acc_valid.read();
    out->rd_valid = t->rd_valid.read();
    out->x = (int)t->x.read();
    out->seg_gated = (uint64_t)t->seg_gated.read();
    if (want & DUT_OUT_P) {
        const auto &pv = t->p.read();
        for (int j = 0; j < DUT_COLS; j++)
            out->p[j] = (int)sc_field(pv, j * kPw, kPw);
    }
    if (want & DUT_OUT_ACC) {
        const auto &av = t->acc.read();
        for (int j = 0; j < DUT_COLS; j++)
            out->acc[j] = sc_acc_sext(sc_field(av, j * DUT_ACC_W, DUT_ACC_W));
    }
    if (want & DUT_OUT_BIN)
        sc_to_words(t->bin.read(), out->bin, DUT_COLS);
    if (want & DUT_OUT_RDATA)
        sc_to_words(t->rdata.read(), out->rdata, DUT_COLS);
}

uint64_t s_counter(cim_dut *d, int idx)
{
    ScTop *t = top_of(d);
    auto keep = t->cnt_sel.read();
    t->cnt_sel.write((PORT_T(cnt_sel_i))(idx & 31));
    // signal update, model evaluation, output update: a few delta cycles
    for (int i = 0; i < 4; i++)
        wait(SC_ZERO_TIME);
    uint64_t c = (uint64_t)t->cnt.read();
    t->cnt_sel.write(keep);
    wait(SC_ZERO_TIME);
    return c;
}

const dut_ops s_ops = {s_free, s_reset, s_step, s_counter, nullptr};

std::atomic<int> g_elaborated{0};  // SystemC: one elaboration per process

}  // namespace

extern "C" int DUT_SC_RUN(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, tb_body_fn body,
                          void *arg, char *err, size_t errlen)
{
    if (g_elaborated.exchange(1)) {
        snprintf(err, errlen, "SystemC back end: one simulation per process (SystemC cannot re-elaborate)");
        return -1;
    }
    try {
        sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
        // no "Simulation stopped by user" on stdout: the body's sc_stop() is the normal end
        sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                                sc_core::SC_DO_NOTHING);
        try {
            sc_set_time_resolution(1, SC_NS);
        } catch (...) {
        }
        // A context of our own (the model attaches to the thread's current
        // one, which may be a freed context of an earlier plain run).
        std::unique_ptr<VerilatedContext> ctx(new VerilatedContext());
        Verilated::threadContextp(ctx.get());
        if (trace)
            ctx->traceEverOn(true);
        std::unique_ptr<ScTop> top(new ScTop("top"));
        top->handle.ops = &s_ops;
        top->handle.geom = g;
        top->handle.cycles = 0;
        top->handle.top = top.get();
        top->body = body;
        top->arg = arg;
        top->from = from;
        top->to = to;
        top->trace_path = trace;
        sc_start(SC_ZERO_TIME);  // elaborate before attaching a trace
        if (trace) {
            top->tfp.reset(new dut_sc_trace_t());
            top->dut->trace(top->tfp.get(), 99);
            if (from == 0) {
                top->tfp->open(trace);
                if (!top->tfp->isOpen()) {
                    snprintf(err, errlen, "%s: cannot open the waveform file", trace);
                    return -1;
                }
            }
        }
        sc_start();
        top->dut->final();
        if (top->tfp)
            top->tfp->close();
        return top->rc;
    } catch (const std::exception &e) {
        snprintf(err, errlen, "SystemC model: %s", e.what());
    } catch (...) {
        snprintf(err, errlen, "SystemC model: unknown exception");
    }
    return -1;
}
