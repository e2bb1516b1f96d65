// cim_sparse_ctrl: the sparse controller in front of the array.
//
// Hardware, per compute cycle:
//  - a SEG_ROWS-input NOR per segment: the zero flag of its inputs;
//  - control units of 2^unit_log2_i adjacent segments (the run-time variable
//    control unit): a unit is gated when all its segments are zero;
//  - C1 (AND-cell footer) and C2 (local precharge supply) lines per
//    (segment, column group): since the unit size is set at run time, every
//    segment has its own pair per group and a unit drives its segments'
//    pairs together. A pair is on when its unit is not gated and its group
//    has a column in use (< ncols_i);
//  - word-line masking: a gated unit's read word lines are held low (they
//    are all zero anyway, so no result changes);
//  - a cycle whose whole input is zero is skipped (every unit gated: no
//    precharge, no evaluation anywhere);
//  - column masks: columns >= ncols_i are masked in the results, groups
//    with no column in use are never powered (with or without gating: the
//    number of columns is configuration, not sparsity);
//  - X = popcount(input), the count the accumulator needs for 2P - X.
// gate_en_i = 0 keeps every segment of every powered group active, with no
// skip: the ungated A/B baseline, bit-identical in its results.
// Segments are padded to a multiple of 8 with always-zero segments so that a
// unit of 8 is defined for any ROWS / SEG_ROWS.
module cim_sparse_ctrl #(
  parameter integer ROWS      = 256,
  parameter integer COLS      = 64,
  parameter integer SEG_ROWS  = 16,
  parameter integer COL_GROUP = 8
) (
  input  wire [ROWS-1:0]                                in_i,         // input bits (one per row)
  input  wire                                           gate_en_i,    // 1: sparse gating on
  input  wire [1:0]                                     unit_log2_i,  // unit = 2^unit_log2_i segments
  input  wire [$clog2(COLS+1)-1:0]                      ncols_i,      // columns in use
  output wire [ROWS/SEG_ROWS-1:0]                       seg_gated_o,  // segment's unit gated
  output wire                                           skip_o,       // whole cycle skipped
  output wire [ROWS-1:0]                                rwl_o,        // read word lines after masking
  output wire [$clog2(ROWS+1)-1:0]                      x_o,          // X = popcount(in_i)
  output wire [(COLS+COL_GROUP-1)/COL_GROUP-1:0]        grp_on_o,     // group has a column in use
  output wire [((COLS+COL_GROUP-1)/COL_GROUP)*(ROWS/SEG_ROWS)-1:0] c12_o,  // C1/C2 of (group g, segment s) at [g*NSEG + s]
  output wire [COLS-1:0]                                col_use_o     // column in use (result not masked)
);

  localparam integer NSEG   = ROWS / SEG_ROWS;
  localparam integer NSEG_P = ((NSEG + 7) / 8) * 8;  // padded to whole units of 8
  localparam integer NGRP   = (COLS + COL_GROUP - 1) / COL_GROUP;
  localparam integer CW     = $clog2(COLS + 1);

  // Zero flag per segment (the NOR of the segment's inputs), padded.
  wire [NSEG_P-1:0] seg_zero;
  genvar s, g, j;
  generate
    for (s = 0; s < NSEG_P; s = s + 1) begin : g_zero
      if (s < NSEG) begin : g_real
        assign seg_zero[s] = ~|in_i[s*SEG_ROWS +: SEG_ROWS];
      end else begin : g_pad
        assign seg_zero[s] = 1'b1;
      end
    end
    // Gating decision per segment: its unit of 1, 2, 4 or 8 segments is all zero.
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
      assign seg_gated_o[s] = gate_en_i & unit_zero;
      // Word-line masking: a gated unit's read word lines stay low.
      assign rwl_o[s*SEG_ROWS +: SEG_ROWS] = in_i[s*SEG_ROWS +: SEG_ROWS] & {SEG_ROWS{~seg_gated_o[s]}};
    end
    // Column groups: powered when their first column is in use.
    for (g = 0; g < NGRP; g = g + 1) begin : g_grp
      localparam integer FIRST = g * COL_GROUP;
      assign grp_on_o[g] = FIRST[CW-1:0] < ncols_i;
      assign c12_o[g*NSEG +: NSEG] = ~seg_gated_o & {NSEG{grp_on_o[g]}};
    end
    for (j = 0; j < COLS; j = j + 1) begin : g_cols
      localparam integer COL = j;
      assign col_use_o[j] = COL[CW-1:0] < ncols_i;
    end
  endgenerate

  assign skip_o = gate_en_i & ~|in_i;

  cim_popcount #(.N(ROWS)) u_x (
    .v_i   (in_i),
    .cnt_o (x_o)
  );

endmodule
