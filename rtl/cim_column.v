// cim_column: the bit-line side of one column of the macro.
//
// Hardware: the column's stack of local bit line segments (cim_local_bl:
// precharge gated by C2, AND-cell footer gated by C1, local sense stage
// gated by SE, a level per segment) and its global bit line (cim_global_bl:
// sum of the sensed local counts = P, and the number of segments that drove
// it). Inputs are the read word lines, the column's stored bits (the AND
// cells' second gate) and the C1 / precharge / SE lines of each segment for
// this column's group, at each of the segment's rows (the group's lines
// fanned out along its rows). The data-dependent activity outputs are
// counted here, at the lines, from what the column did; the events of
// the control lines alone are counted per line in cim_activity.
//
// Every column is the same circuit, so synthesis keeps this module as one
// block (keep_hierarchy) and maps it once for all COLS instances; nothing
// crosses its ports that synthesis could fold (no constant inputs).
(* keep_hierarchy *)
module cim_column #(
  parameter integer ROWS     = 256,
  parameter integer SEG_ROWS = 16
) (
  input  wire                                clk_i,
  input  wire                                rst_ni,
  input  wire                                eval_i,    // an array cycle
  input  wire [ROWS-1:0]                     rwl_i,     // read word lines
  input  wire [ROWS-1:0]                     cells_i,   // the column's stored bits
  input  wire [ROWS-1:0]                     c1_i,      // footer on (C1), at each row of the segment
  input  wire [ROWS-1:0]                     pch_i,     // precharge pulse, at each row of the segment
  input  wire [ROWS-1:0]                     se_i,      // sense enable, at each row of the segment
  output wire [$clog2(ROWS+1)-1:0]           p_o,       // P: sensed conducting cells of the column
  output wire [$clog2(ROWS/SEG_ROWS+1)-1:0]  n_xfer_o,  // local-to-global transfers
  output wire [$clog2(ROWS/SEG_ROWS+1)-1:0]  n_rch_o,
  output wire [$clog2(ROWS+1)-1:0]           s_rch_o,
  output wire [$clog2(ROWS+1)-1:0]           n_cell_o,
  output wire [$clog2(ROWS/SEG_ROWS+1)-1:0]  n_dis_o
);

  wire [ROWS-1:0] loc_cnt;   // sensed local counts, SEG_ROWS-bit field per segment
  cim_local_bl #(.ROWS(ROWS), .SEG_ROWS(SEG_ROWS)) u_lbl (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .eval_i   (eval_i),
    .rwl_i    (rwl_i),
    .cells_i  (cells_i),
    .c1_i     (c1_i),
    .pch_i    (pch_i),
    .se_i     (se_i),
    .cnt_o    (loc_cnt),
    .n_rch_o  (n_rch_o),
    .s_rch_o  (s_rch_o),
    .n_cell_o (n_cell_o),
    .n_dis_o  (n_dis_o)
  );
  cim_global_bl #(.ROWS(ROWS), .SEG_ROWS(SEG_ROWS)) u_gbl (
    .cnt_i  (loc_cnt),
    .p_o    (p_o),
    .xfer_o (n_xfer_o)
  );

endmodule
