// cim_zero_flags: the stored-zero flags, one per (column group, segment).
//
// Hardware: a bank of NGRP x NSEG flip-flops beside the sparse controller,
// written one segment at a time by the host (SET_ZF: the segment on
// seg_i, the flags of its NGRP column groups on flags_i) and cleared by
// reset. Flag (g, s) = 1 is the host's statement that no cell of segment s
// in the columns of group g holds a 1 on a row in use (rows < nrows_i): the
// local lines of (g, s) cannot discharge whatever the word lines carry, so
// the controller may gate them (input-stationary tiles, where the stored
// bits are the activations). Only a SET_ZF loads the bank (its flops are
// enabled by the write decode and hold otherwise); a SET_ZF whose segment
// is >= NSEG writes nothing. The bank's outputs are static lines into the
// controller's per-(group, segment) gating decision.
//
// Order: flag (g, s) at zf_o[g*NSEG + s] (the order of C1/C2/SE).
module cim_zero_flags #(
  parameter integer NSEG = 16,   // segments (ROWS / SEG_ROWS)
  parameter integer NGRP = 8,    // column groups (COLS / COL_GROUP)
  parameter integer AW   = 8     // width of the segment address
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 we_i,      // SET_ZF
  input  wire [AW-1:0]        seg_i,     // the segment written
  input  wire [NGRP-1:0]      flags_i,   // bit g: flag of (group g, segment seg_i)
  output wire [NGRP*NSEG-1:0] zf_o,
  output wire                 wr_o       // a SET_ZF that wrote a segment (for the counters)
);

  if (!(NSEG >= 1 && AW >= 1 && NSEG <= (1 << AW))) begin : g_illegal_AW_addresses_NSEG
    cim_illegal_parameter_AW_addresses_NSEG u_illegal ();
  end

  // write decode: one enable per segment
  wire [NSEG-1:0] seg_we;
  genvar s, g;
  generate
    for (s = 0; s < NSEG; s = s + 1) begin : g_dec
      localparam integer SEG = s;
      assign seg_we[s] = we_i && ({1'b0, seg_i} == SEG[AW:0]);
    end
  endgenerate
  assign wr_o = |seg_we;

  // the flag flip-flops of each segment's row, loaded by its enable
  // The bank in the order of its outputs: flop (g, s) at zf_q[g*NSEG + s],
  // enabled by segment s's write decode (seg_we[s], the same enable for
  // every group: {NGRP{seg_we}}) and loaded from the group's data line
  // flags_i[g] (fanned out over the group's NSEG flops: wdat).
  wire [NGRP*NSEG-1:0] wdat;
  generate
    for (g = 0; g < NGRP; g = g + 1) begin : g_dat
      assign wdat[g*NSEG +: NSEG] = {NSEG{flags_i[g]}};
    end
  endgenerate
  reg [NGRP*NSEG-1:0] zf_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      zf_q <= {NGRP*NSEG{1'b0}};
    end else if (wr_o) begin
      zf_q <= (zf_q & ~{NGRP{seg_we}}) | (wdat & {NGRP{seg_we}});
    end
  end
  assign zf_o = zf_q;

endmodule
