// dut_verilated.cpp - the C++ shim over one plain verilated build of
// cim_macro (tb/dut.h, tb/tb_backend.h).
//
// Compiled once per verilated build (tb/tb.cmake) with
//   DUT_CLASS / DUT_HEADER   the Verilator prefix class and its header
//   DUT_FACTORY              the factory's C name (listed in dut_registry.c)
//   DUT_ROWS / DUT_COLS      the geometry (compile-time: cheap bit copies)
//   DUT_ACC_W                accumulator bits per column (2..32; acc_o fields, thr_i)
//   DUT_FST_BUILD            1: FST trace build, 0: VCD
//   DUT_TRACE_BUILD          0: verilated without tracing (no waveforms; default 1)
//   DUT_CLOCK_FN             the C name of the function naming the clock path
//   DUT_REQUIRE_FAST_CLOCK   1: no fast clock path is a compile error
// The handle owns the context, the model and the trace (unique_ptrs);
// dut_free() calls final() then closes the trace. No exception crosses
// into C: the factory catches them and reports an error string.
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <fcntl.h>
#include <unistd.h>
#include <new>
#include <type_traits>

#include "verilated.h"
#ifndef DUT_TRACE_BUILD
#define DUT_TRACE_BUILD 1
#endif
#define DUT_VCD_FILE (DUT_TRACE_BUILD && !DUT_FST_BUILD)
#if !DUT_TRACE_BUILD
// a build without tracing (verilated without --trace: the geometry matrix's
// builds compile in a third of the time); the factory refuses a waveform
struct dut_trace_t {
    void dump(uint64_t) {}
    void close() {}
};
#elif DUT_FST_BUILD
#include "verilated_fst_c.h"
using dut_trace_t = VerilatedFstC;
#else
#include "verilated_vcd_c.h"
using dut_trace_t = VerilatedVcdC;
#endif
#include DUT_HEADER
// the model's root class (its internal state), DUT_CLASS + "___024root.h"
#define DUT_STR2(x) #x
#define DUT_STR(x) DUT_STR2(x)
#define DUT_ROOT_NAME(c) DUT_STR(c##___024root.h)
#define DUT_ROOT_HEADER2(c) DUT_ROOT_NAME(c)
#define DUT_ROOT_HEADER DUT_ROOT_HEADER2(DUT_CLASS)
#if __has_include(DUT_ROOT_HEADER)
#include DUT_ROOT_HEADER
#define DUT_HAVE_ROOT 1
#else
#define DUT_HAVE_ROOT 0
#endif

#include "dut_port_bits.h"
#include "tb_backend.h"

namespace {

#if DUT_VCD_FILE
// The VCD file behind the trace. Verilator 5.006 answers a failed write
// (ENOSPC on a full disk) with vl_fatal from inside its flush, whose flush
// callbacks lock the trace mutex the flush already holds: the run hangs at
// 0% CPU. This file never reports a failure to Verilator: it keeps the first
// error, drops every later write (so the shim stops dumping, see
// Dut::in_window) and the run reports the error when the trace is closed
// (v_close_trace).
class DutVcdFile final : public VerilatedVcdFile {
  public:
    int fd = -1;
    int err = 0;   // errno of the first failed open / write / close
    bool open(const std::string &name) override
    {
        fd = ::open(name.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0)
            err = errno;
        return fd >= 0;
    }
    void close() override
    {
        if (fd < 0)
            return;
        if (::close(fd) && !err)
            err = errno;
        fd = -1;
    }
    ssize_t write(const char *p, ssize_t len) override
    {
        ssize_t done = 0;
        while (!err && done < len) {
            ssize_t n = ::write(fd, p + done, static_cast<size_t>(len - done));
            if (n > 0)
                done += n;
            else if (n < 0 && errno == EINTR)
                continue;
            else
                err = n < 0 ? errno : EIO;
        }
        return len;   // never short: Verilator would loop or call vl_fatal
    }
};
#endif

constexpr int kPw = dut_clog2(DUT_ROWS + 1);
static_assert(DUT_ACC_W >= 2 && DUT_ACC_W <= 32, "DUT_ACC_W: the shim reads accumulators of 2..32 bits");
constexpr uint32_t kAccMask = DUT_ACC_W >= 32 ? 0xffffffffu : (1u << DUT_ACC_W) - 1u;

// An ACC_W-bit two's complement field as a signed value.
inline int32_t acc_sext(uint32_t f)
{
    const int64_t sign = (int64_t)1 << (DUT_ACC_W - 1);
    return (int32_t)(((int64_t)(f & kAccMask) ^ sign) - sign);
}

// Fast clocking: the design has no register on the falling clock edge (only
// the waveform view of the local lines looks at the clock level), so
// outside the waveform window a cycle needs only the rising-edge eval()
// when the model's edge detector is told that the clock was low. That uses
// Verilator 5's internal trigger state (__Vtrigrprev__TOP__clk_i); when the
// model has no such member (another Verilator version) both edges are
// evaluated as usual.
// The model has that member or not: kFastClock, fixed when the shim is
// compiled (tb/tb.cmake also reports it at configure time; the registry's
// clock function and so `sparsecim --version` and run's report name it).
// SPARSECIM_CLOCK=two-edge (dut.h) forces the two-edge path at run time,
// which is how tests/test_rtl_clock.c compares the two.
template <typename R, typename = void>
struct has_trig_prev : std::false_type {};
template <typename R>
struct has_trig_prev<R, std::void_t<decltype(std::declval<R &>().__Vtrigrprev__TOP__clk_i)>> : std::true_type {};

#if DUT_HAVE_ROOT
using dut_root_t = std::remove_cv_t<std::remove_pointer_t<std::remove_cv_t<decltype(std::declval<DUT_CLASS &>().rootp)>>>;
constexpr bool kFastClock = has_trig_prev<dut_root_t>::value;
#else
constexpr bool kFastClock = false;
#endif
static_assert(kFastClock || !DUT_REQUIRE_FAST_CLOCK,
              "SPARSECIM_REQUIRE_FAST_CLOCK: this Verilator's model has no __Vtrigrprev__TOP__clk_i; the shim "
              "would evaluate both clock edges in every cycle");

template <typename T>
bool fast_edge(T *top)
{
#if DUT_HAVE_ROOT
    if constexpr (kFastClock) {
        top->rootp->__Vtrigrprev__TOP__clk_i = 0;
        top->clk_i = 1;
        top->eval();
        top->clk_i = 0;
        top->rootp->__Vtrigrprev__TOP__clk_i = 0;
        return true;
    }
#endif
    (void)top;
    return false;
}

struct Dut final : cim_dut {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<DUT_CLASS> top;
#if DUT_VCD_FILE
    std::unique_ptr<DutVcdFile> vfile;   // declared before tfp: outlives it
#endif
    std::unique_ptr<dut_trace_t> tfp;
    std::string trace_path;
    uint64_t from = 0, to = 0;
    bool two_edge = false;   // SPARSECIM_CLOCK=two-edge: never the fast path

    int trace_err() const
    {
#if DUT_VCD_FILE
        return vfile ? vfile->err : 0;
#else
        return 0;
#endif
    }
    bool in_window() const { return tfp && !trace_err() && cycles >= from && (to == 0 || cycles < to); }
    void eval_dump()
    {
        top->eval();
        if (in_window())
            tfp->dump(ctx->time());
    }
    // One clock cycle: rising edge at 2c+1, falling edge at 2c+2.
    void tick()
    {
        if (!two_edge && (!tfp || (to != 0 && cycles >= to) || cycles + 1 < from)) {
            // no dump in this cycle: one eval if the model allows it
            if (fast_edge(top.get())) {
                ctx->timeInc(2);
                cycles++;
                return;
            }
        }
        ctx->timeInc(1);
        top->clk_i = 1;
        eval_dump();
        ctx->timeInc(1);
        top->clk_i = 0;
        eval_dump();
        cycles++;
    }
};

Dut *as_dut(cim_dut *d) { return static_cast<Dut *>(d); }

void v_free(cim_dut *d)
{
    Dut *v = as_dut(d);
    try {
        v->top->final();
        if (v->tfp)
            v->tfp->close();
    } catch (...) {
    }
    delete v;
}

void v_reset(cim_dut *d)
{
    Dut *v = as_dut(d);
    v->top->op_i = 0;
    v->top->rst_ni = 0;
    v->eval_dump();
    v->tick();
    v->top->rst_ni = 1;
    v->top->eval();
}

void v_step(cim_dut *d, const dut_in *in, dut_out *out, unsigned want)
{
    Dut *v = as_dut(d);
    DUT_CLASS *t = v->top.get();
    t->op_i = (uint8_t)(in->op & 7);
    t->addr_i = (uint32_t)in->addr & (DUT_ROWS - 1);
    t->first_i = in->first ? 1 : 0;
    t->last_i = in->last ? 1 : 0;
    t->plane_i = (uint8_t)(in->plane & 15);
    t->thr_i = (uint32_t)in->thr & kAccMask;
    t->gate_i = (uint8_t)(in->gate & 3);
    t->unit_log2_i = (uint8_t)(in->unit_log2 & 3);
    t->ncols_i = (uint32_t)in->ncols;
    t->nrows_i = (uint32_t)in->nrows;
    t->cnt_sel_i = (uint8_t)(in->cnt_sel & 31);
    // Wide inputs only change when their op uses them (saves copies; the
    // RTL ignores them otherwise).
    if (in->op == DUT_WRITE || in->op == DUT_SET_ZF)
        dut_put_bits(t->wdata_i, in->wdata, DUT_COLS);
    if (in->op == DUT_COMPUTE)
        dut_put_bits(t->in_i, in->in, DUT_ROWS);
    v->tick();
    if (!out)
        return;
    out->cmp_valid = t->cmp_valid_o;
    out->acc_valid = t->acc_valid_o;
    out->rd_valid = t->rd_valid_o;
    out->x = (int)t->x_o;
    out->seg_gated = (uint64_t)t->seg_gated_o;
    if (want & DUT_OUT_P)
        for (int j = 0; j < DUT_COLS; j++)
            out->p[j] = (int)dut_get_field(t->p_o, j * kPw, kPw);
    if (want & DUT_OUT_ACC)
        for (int j = 0; j < DUT_COLS; j++)
            out->acc[j] = acc_sext(dut_get_field(t->acc_o, j * DUT_ACC_W, DUT_ACC_W));
    if (want & DUT_OUT_BIN)
        dut_get_bits(t->bin_o, out->bin, DUT_COLS);
    if (want & DUT_OUT_RDATA)
        dut_get_bits(t->rdata_o, out->rdata, DUT_COLS);
}

// Closes the trace (flushing it); a write error is reported naming the
// file, which is removed (it is incomplete). 0 or -1 (err filled).
int v_close_trace(cim_dut *d, char *err, size_t errlen)
{
    Dut *v = as_dut(d);
    if (!v->tfp)
        return 0;
    try {
        v->tfp->close();
    } catch (...) {
    }
    int e = v->trace_err();
    if (!e)
        return 0;
    std::remove(v->trace_path.c_str());
    snprintf(err, errlen, "%s: cannot write the waveform: %s (the incomplete file was removed)", v->trace_path.c_str(),
             std::strerror(e));
    return -1;
}

uint64_t v_counter(cim_dut *d, int idx)
{
    Dut *v = as_dut(d);
    uint8_t keep = v->top->cnt_sel_i;
    v->top->cnt_sel_i = (uint8_t)(idx & 31);
    v->top->eval();  // combinational read multiplexer, no clock edge
    uint64_t c = (uint64_t)v->top->cnt_o;
    v->top->cnt_sel_i = keep;
    return c;
}

const dut_ops v_ops = {v_free, v_reset, v_step, v_counter, v_close_trace};

}  // namespace

extern "C" cim_dut *DUT_FACTORY(const dut_geom *g, const char *trace, uint64_t from, uint64_t to, char *err,
                                size_t errlen)
{
    try {
        std::unique_ptr<Dut> v(new Dut());
        v->ops = &v_ops;
        v->geom = g;
        v->cycles = 0;
        v->from = from;
        v->to = to;
        const char *ck = std::getenv(DUT_CLOCK_ENV);
        v->two_edge = ck && !std::strcmp(ck, "two-edge");
        v->ctx.reset(new VerilatedContext());
        v->ctx->randReset(2);  // random initial state: the reset must clear what matters
        v->ctx->randSeed(1);   // ... reproducibly
        if (trace)
            v->ctx->traceEverOn(true);
        v->top.reset(new DUT_CLASS(v->ctx.get(), "cim_macro"));
        if (trace) {
#if !DUT_TRACE_BUILD
            snprintf(err, errlen, "%s: this verilated build (%dx%dx%d) was made without waveform tracing", trace,
                     DUT_ROWS, DUT_COLS, g->seg_rows);
            v->top->final();
            return nullptr;
#else
            v->trace_path = trace;
#if DUT_VCD_FILE
            v->vfile.reset(new DutVcdFile());
            v->tfp.reset(new dut_trace_t(v->vfile.get()));
#else
            v->tfp.reset(new dut_trace_t());
#endif
            v->top->trace(v->tfp.get(), 99);
            v->tfp->open(trace);
            if (!v->tfp->isOpen()) {
                snprintf(err, errlen, "%s: cannot open the waveform file: %s", trace,
                         v->trace_err() ? std::strerror(v->trace_err()) : "unknown error");
                v->top->final();
                return nullptr;
            }
#endif
        }
        DUT_CLASS *t = v->top.get();
        t->clk_i = 0;
        t->op_i = 0;
        t->rst_ni = 1;
        t->eval();
        v_reset(v.get());
        return v.release();
    } catch (const std::exception &e) {
        snprintf(err, errlen, "verilated model: %s", e.what());
    } catch (...) {
        snprintf(err, errlen, "verilated model: unknown exception");
    }
    return nullptr;
}

extern "C" const char *DUT_CLOCK_FN(void) { return kFastClock ? "fast" : "two-edge"; }
