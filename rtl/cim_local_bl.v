// cim_local_bl: the local bit lines of one column (ROWS / SEG_ROWS segments).
//
// Hardware: the column's read bit line is cut into segments of SEG_ROWS
// cells, each a short local bit line with its own precharge device (supply
// gated by C2) and a common footer under its AND cells (gated by C1). When
// its (unit, column group) is enabled, a segment's local line is precharged
// and every cell whose read word line is high and whose stored bit is 1
// conducts (the 2-transistor AND of the 8T read stack); the evaluation
// yields the local count of conducting cells, and the line has discharged
// when that count is non-zero. C1 and C2 of a segment switch together, so
// one enable per row (en_i: the C1/C2 of the row's segment and this column's
// group) models both: a gated segment is not precharged, no cell conducts
// (its word lines are also held low by the controller), it holds its state
// and contributes a count of 0.
//
// Output: segment s's local count in the SEG_ROWS-bit field
// cnt_o[s*SEG_ROWS +: SEG_ROWS] (count in the low bits, the rest zero), the
// form the global bit line's adder tree takes.
module cim_local_bl #(
  parameter integer ROWS     = 256,  // rows of the column
  parameter integer SEG_ROWS = 16    // rows per local bit line (power of two)
) (
  input  wire [ROWS-1:0] rwl_i,      // read word lines (inputs after masking)
  input  wire [ROWS-1:0] cells_i,    // the column's stored bits
  input  wire [ROWS-1:0] en_i,       // C1/C2 of each row's segment for this column
  output wire [ROWS-1:0] cnt_o       // local count per segment (SEG_ROWS-bit fields)
);

  localparam integer CHUNK  = (ROWS < 64) ? ROWS : 64;
  localparam integer NCHUNK = ROWS / CHUNK;

  // One word of 64 rows (whole segments) at a time.
  genvar c;
  generate
    for (c = 0; c < NCHUNK; c = c + 1) begin : g_word
      // The AND cells: conducting = word line high, stored 1, footer on.
      wire [CHUNK-1:0] conduct = rwl_i[c*CHUNK +: CHUNK] & cells_i[c*CHUNK +: CHUNK] &
                                 en_i[c*CHUNK +: CHUNK];
      // Sense stage: count the conducting cells of every segment.
      cim_tree_sum #(.N(CHUNK), .W_IN(1), .W_OUT(SEG_ROWS), .CHUNK(CHUNK)) u_count (
        .v_i (conduct),
        .s_o (cnt_o[c*CHUNK +: CHUNK])
      );
    end
  endgenerate

endmodule
