// cim_check: one checked property of the RTL. No hardware: a simulation
// check, or an obligation of a formal proof; nothing in synthesis.
//
// prop_i must hold at every rising edge of clk_i while rst_ni is high (the
// values the edge samples, like the registers').
//   ASSUME = 0  an invariant of the RTL: Yosys -formal proves it (assert)
//   ASSUME = 1  an obligation of the host (the interface protocol,
//               docs/SPEC.md section 6): a formal proof assumes it
// In simulation both are checked alike: Verilator with --assert (every
// verilated build of the project has it), Icarus always. A failure prints
// "cim_assert: FAIL: <instance>: NAME" and stops the simulation ($fatal).
//
// The project's checks are instances of this module, cim_check_known and,
// for the parameter rules, a generate-if that instantiates the missing
// module cim_illegal_parameter_<rule> (every tool's elaboration error then
// names the rule). No include file and no macro: `verilator --lint-only
// -Wall rtl/*.v`, `iverilog rtl/*.v` and Yosys read the RTL with no search
// path. Logic that exists only for the checks goes under `ifndef SYNTHESIS
// (Yosys defines SYNTHESIS unless the design is read with -formal).
module cim_check #(
  parameter         NAME   = "unnamed",  // the rule, as the failure names it
  parameter integer ASSUME = 0           // 1: a host obligation (formal: assume)
) (
  input wire clk_i,
  input wire rst_ni,
  input wire prop_i   // the property, evaluated in the parent's scope
);

`ifdef FORMAL
  // every time step of the proof is one clock cycle: the values an edge samples
  if (ASSUME != 0) begin : g_assume
    always @* begin
      if (rst_ni) begin
        assume (prop_i);
      end
    end
  end else begin : g_assert
    always @* begin
      if (rst_ni) begin
        assert (prop_i);
      end
    end
  end
`elsif SYNTHESIS
  // no hardware
`else
  always @(posedge clk_i or negedge rst_ni) begin
    if (rst_ni) begin
      assert (prop_i) else $fatal(1, "cim_assert: FAIL: %m: %0s%0s", NAME,
                                  ASSUME != 0 ? " (host protocol)" : "");
    end
  end
`endif

endmodule
