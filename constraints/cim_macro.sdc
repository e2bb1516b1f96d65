# cim_macro.sdc - timing constraints of the CIM macro.
#
# Target: 200 MHz (5 ns). At 65 nm a hierarchical-bit-line binary CIM macro
# evaluates a 16-row local bit line in well under 1 ns; the critical path is
# the digital one: the global-line adder tree (NSEG local counts per column),
# 2P - X and the ACC_W-bit shift-add of the accumulator. 5 ns leaves margin
# for that path at 65 nm and is conservative at 22 nm.
create_clock -name clk -period 5.0 [get_ports clk_i]
set_clock_uncertainty 0.2 [get_clocks clk]

# Inputs come from the macro's host interface (registered there): allow
# 40% of the period for the wires to the macro.
set_input_delay  2.0 -clock clk [remove_from_collection [all_inputs] [get_ports {clk_i rst_ni}]]
set_output_delay 1.0 -clock clk [all_outputs]

# rst_ni is asynchronous (active low); its release is synchronized outside.
set_false_path -from [get_ports rst_ni]
