// cim_sparse_ctrl: the sparse controller in front of the array.
//
// Hardware, per compute cycle:
//  - a SEG_ROWS-input NOR per segment: zero flag of the segment's inputs;
//  - control units of 2^unit_log2_i adjacent segments (the run-time
//    variable control unit): a unit is gated when all its segments are zero;
//  - the C1 (AND-cell footer) and C2 (local precharge supply) lines of a
//    gated unit are switched off, for every column group; the unit's read
//    word lines are held low (word-line masking);
//  - a cycle whose whole input is zero is skipped: no precharge, no
//    evaluation anywhere;
//  - column groups of COL_GROUP columns with no column in use (>= ncols_i)
//    are switched off; columns >= ncols_i are masked in the results;
//  - X = popcount(input), the count the accumulator needs for 2P - X.
// gate_en_i = 0 keeps every segment active (the ungated A/B baseline).
// Segments are padded to a multiple of 8 with always-zero segments so that a
// unit of 8 is defined for any ROWS / SEG_ROWS.
module cim_sparse_ctrl #(
  parameter integer ROWS      = 256,
  parameter integer COLS      = 64,
  parameter integer SEG_ROWS  = 16,
  parameter integer COL_GROUP = 8
) (
  input  wire [ROWS-1:0]              in_i,         // input bits (one per row)
  input  wire                         gate_en_i,    // 1: sparse gating on
  input  wire [1:0]                   unit_log2_i,  // control unit = 2^unit_log2_i segments
  input  wire [$clog2(COLS+1)-1:0]    ncols_i,      // columns in use
  output wire [ROWS/SEG_ROWS-1:0]     seg_gated_o,  // segment's unit gated (C1/C2 off)
  output wire                         skip_o,       // whole cycle skipped
  output wire [ROWS-1:0]              rwl_o,        // read word lines after masking
  output wire [$clog2(ROWS+1)-1:0]    x_o,          // X = popcount(in_i)
  output wire [COLS-1:0]              grp_en_o,     // column's group powered (C1/C2 of the group)
  output wire [COLS-1:0]              col_use_o     // column in use (result not masked)
);

  localparam integer NSEG   = ROWS / SEG_ROWS;
  localparam integer NSEG_P = ((NSEG + 7) / 8) * 8;  // padded to whole units of 8

  // Zero flag per segment (the NOR of the segment's inputs), padded.
  wire [NSEG_P-1:0] seg_zero;
  genvar s, j;
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
    // Column groups and column masks from the number of columns in use.
    for (j = 0; j < COLS; j = j + 1) begin : g_cols
      assign grp_en_o[j]  = ((j / COL_GROUP) * COL_GROUP) < ncols_i;
      assign col_use_o[j] = j < ncols_i;
    end
  endgenerate

  assign skip_o = gate_en_i & ~|in_i;
  assign x_o    = $countones(in_i);

endmodule
