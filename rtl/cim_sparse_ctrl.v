// cim_sparse_ctrl: the sparse controller in front of the array; it runs one
// cycle ahead of the word lines.
//
// Hardware, in the cycle a COMPUTE is presented (stage L, "lookahead"):
//  - the static row mask: rows >= nrows_i hold no weights of this tile;
//    their inputs are dropped and segments with no row < nrows_i are
//    unmapped: C1, C2 and the sense enable of an unmapped segment are off in
//    every mode (rows in use are configuration, like columns in use);
//  - a SEG_ROWS-input NOR per segment: the zero flag of its (masked) inputs;
//  - control units of 2^unit_log2_i adjacent segments (the run-time variable
//    control unit): a unit is data-gated when all its segments are zero;
//  - the stored-zero flags zf_i (cim_zero_flags, written by the host with
//    an input-stationary tile): flag (g, s) says that the cells of segment
//    s in group g hold no 1 on a row in use, so its lines cannot discharge
//    whatever the word lines carry. It gates (g, s) on its own, without the
//    control-unit rule: it is a static fact of the tile, not a lookahead
//    decision, and C1/C2/SE exist per (group, segment) anyway;
//  - per (column group, segment): C1 (AND-cell footer), C2 (local precharge
//    supply) and SE (local sense stage). A group is powered when its first
//    column is < ncols_i. (g, s) is data-gated when its segment's unit is
//    (word lines) or its stored-zero flag is set. gate_i picks the lines
//    that data gating drives: bit 0 C1, bit 1 C2 (3 both, 2 C2 only, 1 C1
//    only, 0 none); SE is gated whenever gate_i != 0 (a data-gated line is
//    never sensed);
//  - the segment status of the counters (la_gated_o): a mapped segment is
//    data-gated when its unit is, or when a group is powered and every
//    powered group's stored-zero flag of the segment is set (the segment
//    is off across the macro); otherwise it is active;
//  - X = popcount(masked input): the count the accumulator needs for 2P - X.
// At the rising edge ending stage L all of this is registered (the
// lookahead register): the word-line drivers' input latch la_rwl_o, X, the
// plane flags, and the C1/C2 lines. C1/C2 are held until the next COMPUTE
// (they are static lines that change only with the gating decision), SE is
// a pulse of the one array cycle (stage A) that follows.
// In stage A the word lines fire from la_rwl_o and the array evaluates.
module cim_sparse_ctrl #(
  parameter integer ROWS      = 256,
  parameter integer COLS      = 64,
  parameter integer SEG_ROWS  = 16,
  parameter integer COL_GROUP = 8
) (
  input  wire                             clk_i,
  input  wire                             rst_ni,
  input  wire                             compute_i,    // a COMPUTE is presented (stage L)
  input  wire [ROWS-1:0]                  in_i,         // input bits (one per row)
  input  wire                             first_i,
  input  wire                             last_i,
  input  wire [3:0]                       plane_i,      // bit plane of the input (weight 2^plane_i)
  input  wire [1:0]                       gate_i,       // lines driven by data gating: bit 0 C1, bit 1 C2
  input  wire [1:0]                       unit_log2_i,  // unit = 2^unit_log2_i segments
  input  wire [$clog2(COLS+1)-1:0]        ncols_i,      // columns in use
  input  wire [$clog2(ROWS+1)-1:0]        nrows_i,      // rows in use (static row mask)
  input  wire [(COLS/COL_GROUP)*(ROWS/SEG_ROWS)-1:0] zf_i,  // stored-zero flag of (group g, segment s) at [g*NSEG + s]
  // lookahead register (valid in stage A, the cycle after the COMPUTE)
  output reg                              la_valid_o,   // stage A holds a COMPUTE
  output reg  [ROWS-1:0]                  la_rwl_o,     // read word line drivers' inputs
  output reg  [$clog2(ROWS+1)-1:0]        la_x_o,       // X of that COMPUTE
  output reg                              la_first_o,
  output reg                              la_last_o,
  output reg  [3:0]                       la_plane_o,
  output reg  [COLS-1:0]                  la_col_use_o, // column in use (result not masked)
  output reg                              la_gate_o,    // gating was on (gate_i != 0)
  output reg  [ROWS/SEG_ROWS-1:0]         la_gated_o,   // segment data-gated (unit, or stored zeros in every powered group)
  output reg  [ROWS/SEG_ROWS-1:0]         la_mapped_o,  // segment holds weights (row mask)
  output reg  [(COLS/COL_GROUP)*(ROWS/SEG_ROWS)-1:0] c1_o,  // C1 of (group g, segment s) at [g*NSEG + s]
  output reg  [(COLS/COL_GROUP)*(ROWS/SEG_ROWS)-1:0] c2_o,  // C2, same order
  output reg  [(COLS/COL_GROUP)*(ROWS/SEG_ROWS)-1:0] se_o,  // SE pulse, same order
  output wire [(COLS/COL_GROUP)*(ROWS/SEG_ROWS)-1:0] c1_d_o, // next C1 (for the toggle counters)
  output wire [(COLS/COL_GROUP)*(ROWS/SEG_ROWS)-1:0] c2_d_o  // next C2
);

  localparam integer NSEG   = ROWS / SEG_ROWS;
  localparam integer NSEG_P = ((NSEG + 7) / 8) * 8;  // padded to whole units of 8
  localparam integer NGRP   = COLS / COL_GROUP;
  localparam integer CW     = $clog2(COLS + 1);
  localparam integer RW     = $clog2(ROWS + 1);
  localparam integer PW     = $clog2(ROWS + 1);

  if (!(SEG_ROWS >= 1 && SEG_ROWS <= ROWS && (ROWS % SEG_ROWS) == 0)) begin : g_illegal_ROWS_multiple_of_SEG_ROWS
    cim_illegal_parameter_ROWS_multiple_of_SEG_ROWS u_illegal ();
  end
  if (!(COL_GROUP >= 1 && COL_GROUP <= COLS && (COLS % COL_GROUP) == 0)) begin : g_illegal_COLS_multiple_of_COL_GROUP
    cim_illegal_parameter_COLS_multiple_of_COL_GROUP u_illegal ();
  end

  // ---- static row mask: rows >= nrows_i dropped ----
  wire [ROWS-1:0] row_use;
  wire [ROWS-1:0] in_use = in_i & row_use;
  genvar s, g;
  // row r in use iff r < nrows_i: the row mask's thermometer decoder
  // (nrows_i = ROWS shifts every one out: all rows in use)
  assign row_use = ~({ROWS{1'b1}} << nrows_i);

  // ---- zero flag per segment (NOR of its inputs), padded; mapped segments ----
  wire [NSEG_P-1:0] seg_zero;
  wire [NSEG-1:0]   seg_map;
  wire [NSEG-1:0]   seg_gated;
  generate
    for (s = 0; s < NSEG_P; s = s + 1) begin : g_zero
      if (s < NSEG) begin : g_real
        localparam integer FIRST = s * SEG_ROWS;
        assign seg_zero[s] = ~|in_use[s*SEG_ROWS +: SEG_ROWS];
        assign seg_map[s]  = FIRST[RW-1:0] < nrows_i;
      end else begin : g_pad
        assign seg_zero[s] = 1'b1;
      end
    end
    // Unit decision per segment: its unit of 1, 2, 4 or 8 segments is all zero.
    for (s = 0; s < NSEG; s = s + 1) begin : g_unit
      wire u1 = seg_zero[s];
      wire u2 = &seg_zero[(s/2)*2 +: 2];
      wire u4 = &seg_zero[(s/4)*4 +: 4];
      wire u8 = &seg_zero[(s/8)*8 +: 8];
      reg  unit_zero;
      always @* begin
        case (unit_log2_i)
          2'd0:    unit_zero = u1;
          2'd1:    unit_zero = u2;
          2'd2:    unit_zero = u4;
          default: unit_zero = u8;
        endcase
      end
      assign seg_gated[s] = unit_zero & seg_map[s];
    end
  endgenerate

  // ---- C1 / C2 / SE decisions per (group, segment) ----
  // (g, s) is data-gated when its segment's unit is (word lines) or its
  // stored-zero flag is set.
  wire [NGRP-1:0]      grp_on;
  wire [NGRP*NSEG-1:0] c1_d, c2_d, se_d;
  wire [COLS-1:0]      col_use;
  wire                 gate_any = |gate_i;
  generate
    for (g = 0; g < NGRP; g = g + 1) begin : g_grp
      localparam integer FIRST = g * COL_GROUP;
      wire [NSEG-1:0] on  = seg_map & {NSEG{grp_on[g]}};
      wire [NSEG-1:0] gat = seg_gated | zf_i[g*NSEG +: NSEG];
      assign grp_on[g] = FIRST[CW-1:0] < ncols_i;
      assign c1_d[g*NSEG +: NSEG] = on & ~(gat & {NSEG{gate_i[0]}});
      assign c2_d[g*NSEG +: NSEG] = on & ~(gat & {NSEG{gate_i[1]}});
      assign se_d[g*NSEG +: NSEG] = on & ~(gat & {NSEG{gate_any}});
    end
  endgenerate

  // ---- segment status: data-gated across the macro ----
  // A mapped segment whose every powered group has its stored-zero flag set
  // (and at least one group powered) is off everywhere, as a gated unit is.
  // a segment is off across the macro when every powered group's flag of it
  // is set: per segment the AND over the groups of (flag or group unpowered)
  wire [NSEG-1:0] seg_zf_all, seg_off;
  wire [(NGRP+1)*NSEG-1:0] zf_and /* verilator split_var */;  // AND over groups 0..g-1
  assign zf_and[0 +: NSEG] = {NSEG{1'b1}};
  generate
    for (g = 0; g < NGRP; g = g + 1) begin : g_zf_all
      assign zf_and[(g+1)*NSEG +: NSEG] = zf_and[g*NSEG +: NSEG] &
                                          (zf_i[g*NSEG +: NSEG] | {NSEG{~grp_on[g]}});
    end
  endgenerate
  assign seg_zf_all = zf_and[NGRP*NSEG +: NSEG] & {NSEG{|grp_on}} & seg_map;
  assign seg_off = seg_gated | seg_zf_all;
  // column j in use iff j < ncols_i: the column mask's thermometer decoder
  assign col_use = ~({COLS{1'b1}} << ncols_i);
  // C1/C2 change only with a COMPUTE (held otherwise)
  assign c1_d_o = compute_i ? c1_d : c1_o;
  assign c2_d_o = compute_i ? c2_d : c2_o;

  // ---- X counter ----
  wire [PW-1:0] x;
  cim_popcount #(.N(ROWS)) u_x (
    .v_i   (in_use),
    .cnt_o (x)
  );

  // ---- the lookahead register ----
  // Word-line input latch, X and plane flags: loaded by a COMPUTE; no reset
  // needed for the data (la_valid_o qualifies it), but every register is
  // cleared so that no X leaves the macro.
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      la_valid_o   <= 1'b0;
      la_rwl_o     <= {ROWS{1'b0}};
      la_x_o       <= {PW{1'b0}};
      la_first_o   <= 1'b0;
      la_last_o    <= 1'b0;
      la_plane_o   <= 4'd0;
      la_col_use_o <= {COLS{1'b0}};
      la_gate_o    <= 1'b0;
      la_gated_o   <= {NSEG{1'b0}};
      la_mapped_o  <= {NSEG{1'b0}};
    end else begin
      la_valid_o <= compute_i;
      if (compute_i) begin
        la_rwl_o     <= in_use;
        la_x_o       <= x;
        la_first_o   <= first_i;
        la_last_o    <= last_i;
        la_plane_o   <= plane_i;
        la_col_use_o <= col_use;
        la_gate_o    <= gate_any;
        la_gated_o   <= seg_off & {NSEG{gate_any}};
        la_mapped_o  <= seg_map;
      end
    end
  end

  // C1/C2 lines (off after reset: the idle macro is gated) and the SE pulse.
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c1_o <= {NGRP*NSEG{1'b0}};
      c2_o <= {NGRP*NSEG{1'b0}};
      se_o <= {NGRP*NSEG{1'b0}};
    end else begin
      c1_o <= c1_d_o;
      c2_o <= c2_d_o;
      se_o <= compute_i ? se_d : {NGRP*NSEG{1'b0}};
    end
  end

`ifndef SYNTHESIS
  // Checks: a sensed line was precharged in the same array cycle (else it
  // would sense a stale level); a segment counted as data-gated is sensed
  // in no group; C1/C2/SE are off where the geometry has no weights (rows
  // >= nrows_i).
  cim_check #(.NAME("se_only_with_c2"), .ASSUME(0)) u_se_only_with_c2 (
    .clk_i, .rst_ni, .prop_i(~|(se_o & ~c2_o)));
  cim_check #(.NAME("gated_segment_not_sensed"), .ASSUME(0)) u_gated_segment_not_sensed (
    .clk_i, .rst_ni, .prop_i(!(la_valid_o && |(se_o & {NGRP{la_gated_o}}))));
  cim_check #(.NAME("unmapped_segment_lines_off"), .ASSUME(0)) u_unmapped_segment_lines_off (
    .clk_i, .rst_ni, .prop_i(!(compute_i && |((c1_d | c2_d | se_d) & ~{NGRP{seg_map}}))));
`endif

endmodule
