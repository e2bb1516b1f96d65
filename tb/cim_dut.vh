// cim_dut.vh - the one DUT port block of the Verilog benches: the signals
// of one cim_macro (rtl/cim_macro.v) and its instance, as macros, included
// by tb/xcheck_tb.v, tb/xsim_tb.v (Icarus: iverilog -I tb) and
// tb/fv_gating.v (Yosys). A port of the macro is added or changed here only.
//
// The including module defines ROWS, COLS, SEG_ROWS and COL_GROUP. Input
// signals are named clk, rst_n, op, addr, wdata, in_bits, first, last,
// plane, thr, gate, unit_log2, ncols, nrows, cnt_sel (one set per module,
// shared by its instances); output signals O<name>, O a prefix (may be
// empty): cmp_valid, p, x, acc_valid, acc, bin, rd_valid, rdata, seg_gated,
// cnt. ACCW: the accumulator width (ACC_W), CNTW: the counter width (CNT_W).
//
//   `CIM_DUT_INPUT_REGS(ACCW, GATE)  the inputs as regs with their reset values
//                                    (op NOP, everything 0 but ncols = COLS,
//                                    nrows = ROWS, gate = GATE): a bench that drives them
//   `CIM_DUT_INPUT_PORTS(ACCW)       the inputs but cnt_sel as ANSI input ports
//                                    (comma-separated): a miter whose inputs are free
//   `CIM_DUT_OUTPUTS(O, ACCW, CNTW)  the output wires
//   `CIM_DUT(NAME, O, ACCW, CNTW, CRST, GATE, CNT_SEL)
//                                    the instance NAME (CELL_RESET = CRST): inputs from the signals above
//                                    but gate_i = GATE and cnt_sel_i = CNT_SEL, outputs
//                                    to O<name>
`ifndef CIM_DUT_VH
`define CIM_DUT_VH

`define CIM_DUT_INPUT_REGS(ACCW, GATE) \
  reg                          clk = 1'b0; \
  reg                          rst_n = 1'b0; \
  reg  [2:0]                   op = 3'd0; \
  reg  [$clog2(ROWS)-1:0]      addr = {$clog2(ROWS){1'b0}}; \
  reg  [COLS-1:0]              wdata = {COLS{1'b0}}; \
  reg  [ROWS-1:0]              in_bits = {ROWS{1'b0}}; \
  reg                          first = 1'b0, last = 1'b0; \
  reg  [3:0]                   plane = 4'd0; \
  reg  [ACCW-1:0]              thr = {ACCW{1'b0}}; \
  reg  [1:0]                   gate = GATE; \
  reg  [1:0]                   unit_log2 = 2'd0; \
  reg  [$clog2(COLS+1)-1:0]    ncols = COLS[$clog2(COLS+1)-1:0]; \
  reg  [$clog2(ROWS+1)-1:0]    nrows = ROWS[$clog2(ROWS+1)-1:0]; \
  reg  [4:0]                   cnt_sel = 5'd0;

`define CIM_DUT_INPUT_PORTS(ACCW) \
  input  wire                         clk, \
  input  wire                         rst_n, \
  input  wire [2:0]                   op, \
  input  wire [$clog2(ROWS)-1:0]      addr, \
  input  wire [COLS-1:0]              wdata, \
  input  wire [ROWS-1:0]              in_bits, \
  input  wire                         first, \
  input  wire                         last, \
  input  wire [3:0]                   plane, \
  input  wire [ACCW-1:0]              thr, \
  input  wire [1:0]                   gate, \
  input  wire [1:0]                   unit_log2, \
  input  wire [$clog2(COLS+1)-1:0]    ncols, \
  input  wire [$clog2(ROWS+1)-1:0]    nrows

`define CIM_DUT_OUTPUTS(O, ACCW, CNTW) \
  wire                               O``cmp_valid, O``acc_valid, O``rd_valid; \
  wire [COLS*$clog2(ROWS+1)-1:0]     O``p; \
  wire [$clog2(ROWS+1)-1:0]          O``x; \
  wire [COLS*(ACCW)-1:0]             O``acc; \
  wire [COLS-1:0]                    O``bin, O``rdata; \
  wire [ROWS/SEG_ROWS-1:0]           O``seg_gated; \
  wire [(CNTW)-1:0]                  O``cnt;

`define CIM_DUT(NAME, O, ACCW, CNTW, CRST, GATE, CNT_SEL) \
  cim_macro #(.ROWS(ROWS), .COLS(COLS), .SEG_ROWS(SEG_ROWS), .COL_GROUP(COL_GROUP), .ACC_W(ACCW), \
              .CNT_W(CNTW), .CELL_RESET(CRST)) NAME ( \
    .clk_i(clk), .rst_ni(rst_n), .op_i(op), .addr_i(addr), .wdata_i(wdata), .in_i(in_bits), \
    .first_i(first), .last_i(last), .plane_i(plane), .thr_i(thr), .gate_i(GATE), \
    .unit_log2_i(unit_log2), .ncols_i(ncols), .nrows_i(nrows), .cnt_sel_i(CNT_SEL), \
    .cmp_valid_o(O``cmp_valid), .p_o(O``p), .x_o(O``x), .acc_valid_o(O``acc_valid), .acc_o(O``acc), \
    .bin_o(O``bin), .rd_valid_o(O``rd_valid), .rdata_o(O``rdata), .seg_gated_o(O``seg_gated), .cnt_o(O``cnt))

`endif
