// cim_check_known: no bit of sig_i is X or Z at a rising edge of clk_i out
// of reset while en_i is 1 (an operation's fields, the outputs after reset).
// No hardware. Only a 4-state simulator (Icarus) can see X: in Verilator,
// synthesis and formal (2-state) the module checks nothing. A failure
// prints "cim_assert: FAIL: <instance>: NAME (X or Z: <bits>)" and stops
// the simulation ($fatal). See cim_check for the family.
module cim_check_known #(
  // (only Icarus prints NAME: Verilator sees it unused)
  /* verilator lint_off UNUSEDPARAM */
  parameter         NAME = "unnamed",  // the rule, as the failure names it
  /* verilator lint_on UNUSEDPARAM */
  parameter integer W    = 1           // width of sig_i
) (
  input wire         clk_i,
  input wire         rst_ni,
  input wire         en_i,    // the check applies in this cycle
  input wire [W-1:0] sig_i
);

`ifdef VERILATOR
  // 2-state: nothing to check
  wire unused_inputs = ^{clk_i, rst_ni, en_i, sig_i};
`elsif FORMAL
`elsif SYNTHESIS
`else
  always @(posedge clk_i or negedge rst_ni) begin
    if (rst_ni && en_i && ((^sig_i) === 1'bx)) begin
      $fatal(1, "cim_assert: FAIL: %m: %0s (X or Z: %b)", NAME, sig_i);
    end
  end
`endif

endmodule
