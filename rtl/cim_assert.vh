// cim_assert.vh: the assertion macros of the macro's RTL. Every module that
// checks anything includes this file and uses these forms only, so that a
// check means the same in every tool:
//
//   `CIM_ASSERT_PARAM(NAME, COND)
//       Elaboration: a parameter set for which COND is false fails
//       elaboration in Verilator, Icarus and Yosys alike (a generate-if
//       instantiates the module cim_illegal_parameter_NAME, which does not
//       exist, so the tool's error names the rule). Use at module level.
//   `CIM_ASSERT(NAME, PROP)
//       An invariant of the RTL: PROP holds at every rising edge of clk_i
//       while rst_ni is high (sampled values: an immediate assertion in a
//       process of the clock and the reset, like the registers'). Verilator: checked only with --assert (the
//       test builds turn it on); Icarus: always; on failure it prints
//       "cim_assert: FAIL: <instance>: NAME" and stops the simulation
//       ($fatal). Yosys -formal: an assert the proof must prove.
//   `CIM_ASSUME(NAME, PROP)
//       An obligation of the host (the interface protocol, docs/SPEC.md
//       section 6): checked like CIM_ASSERT in simulation, an assumption of
//       a formal proof (Yosys -formal: assume).
//   `CIM_ASSERT_KNOWN(NAME, SIG)
//   `CIM_ASSERT_KNOWN_IF(NAME, SIG, EN)
//       No bit of SIG is X or Z at every rising edge out of reset (when EN
//       is 1). Only a 4-state simulator (Icarus) can see X: in a 2-state
//       simulation (Verilator), synthesis or formal they expand to nothing.
//
// The macros use the module's clk_i and rst_ni. Logic that exists only for
// the checks (protocol state) goes under `ifdef CIM_CHECKS_ON, which is set
// in simulation and in formal, never in synthesis (Yosys defines SYNTHESIS
// unless the design is read with -formal, which defines FORMAL).
`ifndef CIM_ASSERT_VH
`define CIM_ASSERT_VH

`ifdef FORMAL
  `define CIM_CHECKS_ON
`elsif SYNTHESIS
`else
  `define CIM_CHECKS_ON
`endif

`define CIM_ASSERT_PARAM(__name, __cond) \
  if (!(__cond)) begin : g_illegal_``__name \
    cim_illegal_parameter_``__name u_illegal (); \
  end

`ifdef FORMAL
  // (every time step of the proof is one clock cycle: the values an edge samples)
  `define CIM_ASSERT(__name, __prop) \
    always @* begin \
      if (rst_ni) begin \
        assert (__prop); \
      end \
    end
  `define CIM_ASSUME(__name, __prop) \
    always @* begin \
      if (rst_ni) begin \
        assume (__prop); \
      end \
    end
`elsif SYNTHESIS
  `define CIM_ASSERT(__name, __prop)
  `define CIM_ASSUME(__name, __prop)
`else
  `define CIM_ASSERT(__name, __prop) \
    always @(posedge clk_i or negedge rst_ni) begin \
      if (rst_ni) begin \
        assert (__prop) else $fatal(1, "cim_assert: FAIL: %m: %s", `"__name`"); \
      end \
    end
  `define CIM_ASSUME(__name, __prop) \
    always @(posedge clk_i or negedge rst_ni) begin \
      if (rst_ni) begin \
        assert (__prop) else $fatal(1, "cim_assert: FAIL: %m: %s (host protocol)", `"__name`"); \
      end \
    end
`endif

`ifdef CIM_CHECKS_ON
`ifndef VERILATOR
`ifndef FORMAL
  `define CIM_KNOWN_4STATE
`endif
`endif
`endif

`ifdef CIM_KNOWN_4STATE
  `define CIM_ASSERT_KNOWN_IF(__name, __sig, __en) \
    always @(posedge clk_i or negedge rst_ni) begin \
      if (rst_ni && (__en) && ((^(__sig)) === 1'bx)) begin \
        $fatal(1, "cim_assert: FAIL: %m: %s (X or Z: %b)", `"__name`", __sig); \
      end \
    end
`else
  `define CIM_ASSERT_KNOWN_IF(__name, __sig, __en)
`endif
`define CIM_ASSERT_KNOWN(__name, __sig) `CIM_ASSERT_KNOWN_IF(__name, __sig, 1'b1)

`endif  // CIM_ASSERT_VH
