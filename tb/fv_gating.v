// fv_gating: the miter of the formal gating proof (tb/formal.sh, `make -f
// Makefile.sim formal`); read by Yosys with -formal, never simulated.
//
// Two cim_macro instances of the same geometry, both with cells without
// reset (CELL_RESET = 0), share every input but gate_i: u_gated takes
// gate_i from the miter's input gate (GATE_MODE < 0: any mode, changing from
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
`include "cim_dut.vh"
module fv_gating #(
  parameter integer ROWS      = 32,
  parameter integer COLS      = 8,
  parameter integer SEG_ROWS  = 8,
  parameter integer COL_GROUP = 4,
  parameter integer ACC_W     = 24,
  parameter integer GATE_MODE = -1   // < 0: gate_i free; 1..3: the gated instance's mode
) (
  `CIM_DUT_INPUT_PORTS(ACC_W)     // the miter's inputs: free (tb/cim_dut.vh)
);
  wire [1:0] gate_a = (GATE_MODE < 0) ? gate : GATE_MODE[1:0];

  // the two macros' ports and instances (tb/cim_dut.vh)
  `CIM_DUT_OUTPUTS(a_, ACC_W, 32)
  `CIM_DUT_OUTPUTS(b_, ACC_W, 32)
  `CIM_DUT(u_gated, a_, ACC_W, 32, 0, gate_a, 5'd0);
  `CIM_DUT(u_ref, b_, ACC_W, 32, 0, 2'b00, 5'd0);

  // the result outputs of the two instances are equal in every cycle
  always @* begin
    assert (a_cmp_valid == b_cmp_valid);
    assert (a_p == b_p);
    assert (a_x == b_x);
    assert (a_acc_valid == b_acc_valid);
    assert (a_acc == b_acc);
    assert (a_bin == b_bin);
    assert (a_rd_valid == b_rd_valid);
    assert (a_rdata == b_rdata);
  end

  // seg_gated and the activity counters differ by design between the two
  // instances (that is what gating changes): read, not compared
  wire unused_sg_cnt = ^{a_seg_gated, b_seg_gated, a_cnt, b_cnt};
endmodule
