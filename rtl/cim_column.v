// cim_column: the bit-line side of one column of the macro.
//
// Hardware: the column's stack of local bit line segments (cim_local_bl:
// precharge gated by C2, AND-cell footer gated by C1, local count per
// segment) and its global bit line (cim_global_bl: sum of the local counts
// = P, and the number of local lines that discharged onto it). Inputs are
// the read word lines, the column's stored bits (the AND cells' second
// gate) and the C1/C2 enable of each row's segment for this column's group.
//
// Every column is the same circuit, so synthesis keeps this module as one
// block (keep_hierarchy) and maps it once for all COLS instances; nothing
// crosses its ports that synthesis could fold (no constant inputs).
(* keep_hierarchy *)
module cim_column #(
  parameter integer ROWS     = 256,
  parameter integer SEG_ROWS = 16
) (
  input  wire [ROWS-1:0]                     rwl_i,    // read word lines (inputs after masking)
  input  wire [ROWS-1:0]                     cells_i,  // the column's stored bits
  input  wire [ROWS-1:0]                     en_i,     // C1/C2 of each row's segment, this column's group
  output wire [$clog2(ROWS+1)-1:0]           p_o,      // P: conducting cells of the column
  output wire [$clog2(ROWS/SEG_ROWS+1)-1:0]  xfer_o    // local lines that discharged
);

  wire [ROWS-1:0] loc_cnt;   // local counts, SEG_ROWS-bit field per segment
  cim_local_bl #(.ROWS(ROWS), .SEG_ROWS(SEG_ROWS)) u_lbl (
    .rwl_i   (rwl_i),
    .cells_i (cells_i),
    .en_i    (en_i),
    .cnt_o   (loc_cnt)
  );
  cim_global_bl #(.ROWS(ROWS), .SEG_ROWS(SEG_ROWS)) u_gbl (
    .cnt_i  (loc_cnt),
    .p_o    (p_o),
    .xfer_o (xfer_o)
  );

endmodule
