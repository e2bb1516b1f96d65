# cim_macro.sdc - timing constraints of the CIM macro.
#
# Target: 100 MHz (10 ns), the one clock period of the whole flow: the
# energy profiles (constraints/energy-*.txt, clock_period_ns = 10) bill
# leakage per clock cycle with this period, so timing and energy describe
# the same macro. Why 10 ns: one array cycle (stage A) holds the local
# line's precharge (clock high), its evaluation (clock low: word lines
# fire, cells discharge the line step by step) and, at the next rising
# edge, the local sense stage resolving SEG_ROWS+1 levels (a SAR sense of
# bitlen(SEG_ROWS) latch comparisons: 5 at SEG_ROWS = 16, 9 for the flat
# reference line of 256 cells), then the digital path of the global-line
# adder tree (NSEG local counts per column), 2P - X and the ACC_W-bit
# shift-add of the accumulator. Half a period (5 ns) per analog phase is
# comfortable at 65 nm and conservative at 22 nm.
create_clock -name clk -period 10.0 [get_ports clk_i]
# jitter + skew: an absolute budget, not scaled with the period
set_clock_uncertainty 0.2 [get_clocks clk]

# Inputs come from the macro's host interface (registered there): allow
# 40% of the period (4 ns) for the wires to the macro; outputs are
# registered and leave 20% (2 ns) to the host's capture. Both scale with
# the period (they were 2.0 / 1.0 ns at the former 5 ns).
set_input_delay  4.0 -clock clk [remove_from_collection [all_inputs] [get_ports {clk_i rst_ni}]]
set_output_delay 2.0 -clock clk [all_outputs]

# rst_ni is asynchronous (active low); its release is synchronized outside.
set_false_path -from [get_ports rst_ni]
