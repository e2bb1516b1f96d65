// fv_gating: the miter of the formal gating proof (tb/formal.sh, `make -f
// Makefile.sim formal`); read by Yosys with -formal, never simulated.
//
// Two cim_macro instances of the same geometry, both with cells without
// reset (CELL_RESET = 0), share every input but gate_i: u_gated takes
// gate_i from the miter's input (GATE_MODE < 0: any mode, changing from
// cycle to cycle as the input does) or tied to GATE_MODE (1 C1, 2 C2, 3
// both); u_ref runs with gate_i = 0 (no data gating: every mapped segment
// of every powered group is precharged, evaluated and sensed). The asserts
// say that every result output is equal (tb/formal.sh: in which cycles and
// from which states the proof checks them): cmp_valid_o, p_o,
// x_o, acc_valid_o, acc_o, bin_o, rd_valid_o, rdata_o. seg_gated_o and the
// activity counters (cnt_o) differ by design and are not compared.
//
// The macros' own checks come with them (rtl/cim_check.v under FORMAL):
// the host protocol and the stored-zero promise (a flag is set only where
// the cells under raised word lines hold no 1) are assumptions, the
// controller invariants are asserts the proof proves too.
module fv_gating #(
  parameter integer ROWS      = 32,
  parameter integer COLS      = 8,
  parameter integer SEG_ROWS  = 8,
  parameter integer COL_GROUP = 4,
  parameter integer ACC_W     = 24,
  parameter integer GATE_MODE = -1   // < 0: gate_i free; 1..3: the gated instance's mode
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  input  wire [2:0]                   op_i,
  input  wire [$clog2(ROWS)-1:0]      addr_i,
  input  wire [COLS-1:0]              wdata_i,
  input  wire [ROWS-1:0]              in_i,
  input  wire                         first_i,
  input  wire                         last_i,
  input  wire [3:0]                   plane_i,
  input  wire [ACC_W-1:0]             thr_i,
  input  wire [1:0]                   gate_i,
  input  wire [1:0]                   unit_log2_i,
  input  wire [$clog2(COLS+1)-1:0]    ncols_i,
  input  wire [$clog2(ROWS+1)-1:0]    nrows_i
);
  localparam integer PW   = $clog2(ROWS + 1);
  localparam integer NSEG = ROWS / SEG_ROWS;

  wire [1:0] gate_a = (GATE_MODE < 0) ? gate_i : GATE_MODE[1:0];

  wire                   a_cmp, b_cmp, a_accv, b_accv, a_rdv, b_rdv;
  wire [COLS*PW-1:0]     a_p, b_p;
  wire [PW-1:0]          a_x, b_x;
  wire [COLS*ACC_W-1:0]  a_acc, b_acc;
  wire [COLS-1:0]        a_bin, b_bin, a_rd, b_rd;
  wire [NSEG-1:0]        a_sg, b_sg;
  wire [31:0]            a_cnt, b_cnt;

  cim_macro #(.ROWS(ROWS), .COLS(COLS), .SEG_ROWS(SEG_ROWS), .COL_GROUP(COL_GROUP), .ACC_W(ACC_W),
              .CNT_W(32), .CELL_RESET(0)) u_gated (
    .clk_i(clk_i), .rst_ni(rst_ni), .op_i(op_i), .addr_i(addr_i), .wdata_i(wdata_i), .in_i(in_i),
    .first_i(first_i), .last_i(last_i), .plane_i(plane_i), .thr_i(thr_i), .gate_i(gate_a),
    .unit_log2_i(unit_log2_i), .ncols_i(ncols_i), .nrows_i(nrows_i), .cnt_sel_i(5'd0),
    .cmp_valid_o(a_cmp), .p_o(a_p), .x_o(a_x), .acc_valid_o(a_accv), .acc_o(a_acc), .bin_o(a_bin),
    .rd_valid_o(a_rdv), .rdata_o(a_rd), .seg_gated_o(a_sg), .cnt_o(a_cnt));

  cim_macro #(.ROWS(ROWS), .COLS(COLS), .SEG_ROWS(SEG_ROWS), .COL_GROUP(COL_GROUP), .ACC_W(ACC_W),
              .CNT_W(32), .CELL_RESET(0)) u_ref (
    .clk_i(clk_i), .rst_ni(rst_ni), .op_i(op_i), .addr_i(addr_i), .wdata_i(wdata_i), .in_i(in_i),
    .first_i(first_i), .last_i(last_i), .plane_i(plane_i), .thr_i(thr_i), .gate_i(2'b00),
    .unit_log2_i(unit_log2_i), .ncols_i(ncols_i), .nrows_i(nrows_i), .cnt_sel_i(5'd0),
    .cmp_valid_o(b_cmp), .p_o(b_p), .x_o(b_x), .acc_valid_o(b_accv), .acc_o(b_acc), .bin_o(b_bin),
    .rd_valid_o(b_rdv), .rdata_o(b_rd), .seg_gated_o(b_sg), .cnt_o(b_cnt));

  // the result outputs of the two instances are equal in every cycle
  always @* begin
    assert (a_cmp == b_cmp);
    assert (a_p == b_p);
    assert (a_x == b_x);
    assert (a_accv == b_accv);
    assert (a_acc == b_acc);
    assert (a_bin == b_bin);
    assert (a_rdv == b_rdv);
    assert (a_rd == b_rd);
  end

  // seg_gated and the activity counters differ by design between the two
  // instances (that is what gating changes): read, not compared
  wire unused_sg_cnt = ^{a_sg, b_sg, a_cnt, b_cnt};
endmodule
