// cim_macro: the SRAM computing-in-memory macro (top level).
//
// An 8T SRAM array of ROWS x COLS cells whose read stacks are 2-transistor
// AND cells, with hierarchical bit lines (local lines of SEG_ROWS rows
// feeding one global line per column), gated precharge (C2) and gated
// footers (C1) per (control unit, column group), a sparse controller, and
// per-column bit-serial accumulators with thresholds. Per COMPUTE cycle and
// column j: P_j = popcount(in AND column_j), X = popcount(in), and the
// accumulator adds 2P - X over bit planes, MSB plane first
// (docs/SPEC.md sections 1 and 6).
//
//   in_i -> cim_sparse_ctrl --rwl, C1/C2--> cim_column x COLS [cim_local_bl --local counts-->
//           cim_global_bl] --P--> cim_accum --acc, bin-->   (+ cim_activity)
//           cim_cell_array: write port (wwl/wbl), cells -> AND cells, read port -> rdata
//
// Interface protocol: one operation per clock, sampled at the rising edge of
// clk_i; every output except cnt_o is a register (valid in the cycle after
// the op, held until the next op of its kind). rst_ni is asynchronous, active
// low, and clears every register (cells, accumulators, thresholds, counters).
//
//   op_i  name     uses                         effect
//   0     NOP      -                            -
//   1     WRITE    addr_i (row), wdata_i        row addr_i <= wdata_i (bit j -> column j)
//   2     READ     addr_i (row)                 rdata_o <= row addr_i, rd_valid_o = 1 next cycle
//   3     COMPUTE  in_i, first_i, last_i,       p_o/x_o <= P/X of the input on the read word lines,
//                  gate_en_i, unit_log2_i,      acc = first ? 2P-X : 2*acc + 2P-X,
//                  ncols_i                      seg_gated_o <= gated segments
//   4     SET_THR  addr_i (column), thr_i       threshold of column addr_i (ignored if >= COLS)
//   5     CLR_CNT  -                            every activity counter <= 0
//   6, 7  -        -                            as NOP
//   gate_en_i, unit_log2_i, ncols_i are used by COMPUTE; cnt_sel_i any time.
//
// A write of row r:
//
//   clk_i      __/~~\__/~~\__/~~\__
//   op_i       < WRITE >< READ  >< NOP
//   addr_i     <   r   ><   r   >
//   wdata_i    <   d   >
//   rd_valid_o _________________/~~~~~~~\____
//   rdata_o    ------------------<   d   >-----   (held until the next READ)
//
// A two-plane accumulation (bits = 2: plane 1 then plane 0) and its output:
//
//   clk_i        __/~~\__/~~\__/~~\__/~~\__
//   op_i         < CMP  >< CMP  >< NOP  >
//   in_i         < pl1  >< pl0  >
//   first_i      /~~~~~~\_______
//   last_i       _______/~~~~~~\
//   cmp_valid_o  _______/~~~~~~~~~~~~~~\______   p_o, x_o, seg_gated_o of pl1, then pl0
//   acc_valid_o  ______________/~~~~~~~\______   acc_o = 2*(2P1-X1) + (2P0-X0), bin_o
//
// A single-plane job (binary inputs) is one COMPUTE with first_i = last_i
// = 1. Masked columns (>= ncols_i) report P = 0, acc = 0. bin_o[j] =
// (acc_j >= threshold_j), signed; it follows acc_o and is meaningful with
// acc_valid_o. cnt_o = activity counter cnt_sel_i (0 for indices >= 19):
//
//   idx event                      counted per (COMPUTE unless noted)
//    0  cycles                     every clock
//    1  compute ops                1
//    2  skipped compute cycles     all-zero input with gating on
//    3  weight-row writes          WRITE
//    4  write bits flipped         WRITE: cells whose value changes
//    5  read ops                   READ
//    6  word-line pulses           X (read word lines raised)
//    7  precharges done            local lines precharged (segment x column)
//    8  precharges gated           local lines of powered groups left off by gating
//    9  local discharges           conducting cells = sum of P over all columns
//   10  local evaluations          local lines evaluated (= 7)
//   11  local evaluations gated    (= 8)
//   12  local-to-global transfers  local lines with a non-zero count (discharged)
//   13  accumulator updates        columns in use
//   14  segment-cycles active      segments whose unit is not gated
//   15  segment-cycles gated       segments whose unit is gated
//   16  controller checks          NSEG segment zero checks (gating on)
//   17  C1/C2 control toggles      segments whose gating changed since the last COMPUTE x powered groups
//   18  word lines masked          rows of gated segments
// Pairs 7/8, 10/11, 14/15: done + gated of a gated run = done of the same
// run with gate_en_i = 0. Details in cim_activity.v.
//
// Geometry: ROWS, COLS, SEG_ROWS, COL_GROUP powers of two; 8 <= SEG_ROWS <=
// min(ROWS, 64); COL_GROUP <= COLS; ACC_W > $clog2(ROWS+1) + 1.
module cim_macro #(
  parameter integer ROWS      = 256,  // word lines
  parameter integer COLS      = 64,   // columns
  parameter integer SEG_ROWS  = 16,   // rows per local bit line segment
  parameter integer COL_GROUP = 8,    // columns sharing one C1/C2 pair
  parameter integer ACC_W     = 32,   // accumulator width (signed)
  parameter integer CNT_W     = 48    // activity counter width
) (
  input  wire                                 clk_i,
  input  wire                                 rst_ni,
  input  wire [2:0]                           op_i,
  input  wire [$clog2(ROWS)-1:0]              addr_i,
  input  wire [COLS-1:0]                      wdata_i,
  input  wire [ROWS-1:0]                      in_i,
  input  wire                                 first_i,
  input  wire                                 last_i,
  input  wire [ACC_W-1:0]                     thr_i,
  input  wire                                 gate_en_i,
  input  wire [1:0]                           unit_log2_i,
  input  wire [$clog2(COLS+1)-1:0]            ncols_i,
  input  wire [4:0]                           cnt_sel_i,
  output reg                                  cmp_valid_o,
  output reg  [COLS*$clog2(ROWS+1)-1:0]       p_o,
  output reg  [$clog2(ROWS+1)-1:0]            x_o,
  output reg                                  acc_valid_o,
  output wire [COLS*ACC_W-1:0]                acc_o,
  output wire [COLS-1:0]                      bin_o,
  output reg                                  rd_valid_o,
  output reg  [COLS-1:0]                      rdata_o,
  output reg  [ROWS/SEG_ROWS-1:0]             seg_gated_o,
  output wire [CNT_W-1:0]                     cnt_o
);

  localparam integer NSEG = ROWS / SEG_ROWS;
  localparam integer NGRP = COLS / COL_GROUP;
  localparam integer PW   = $clog2(ROWS + 1);
  localparam integer XW   = $clog2(NSEG + 1);
  localparam integer AW   = $clog2(ROWS);
  localparam integer CAW  = (COLS > 1) ? $clog2(COLS) : 1;

  localparam [2:0] OP_WRITE = 3'd1, OP_READ = 3'd2, OP_COMPUTE = 3'd3,
                   OP_SET_THR = 3'd4, OP_CLR_CNT = 3'd5;

  wire do_write   = op_i == OP_WRITE;
  wire do_read    = op_i == OP_READ;
  wire do_compute = op_i == OP_COMPUTE;
  wire do_thr     = (op_i == OP_SET_THR) && ({1'b0, addr_i} < COLS[AW:0]);
  wire do_clr     = op_i == OP_CLR_CNT;

  // ---- cell array ----
  wire [COLS*ROWS-1:0] cells;
  wire [COLS-1:0]      row_bits;   // row addr_i (read port; old value on a write)
  cim_cell_array #(.ROWS(ROWS), .COLS(COLS)) u_array (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .we_i    (do_write),
    .addr_i  (addr_i),
    .wdata_i (wdata_i),
    .cells_o (cells),
    .rdata_o (row_bits)
  );

  // ---- sparse controller ----
  wire [NSEG-1:0]      seg_gated;
  wire                 skip;
  wire [ROWS-1:0]      rwl;
  wire [PW-1:0]        x;
  wire [NGRP-1:0]      grp_on;
  wire [NGRP*NSEG-1:0] c12;
  wire [COLS-1:0]      col_use;
  cim_sparse_ctrl #(.ROWS(ROWS), .COLS(COLS), .SEG_ROWS(SEG_ROWS), .COL_GROUP(COL_GROUP)) u_ctrl (
    .in_i        (in_i),
    .gate_en_i   (gate_en_i),
    .unit_log2_i (unit_log2_i),
    .ncols_i     (ncols_i),
    .seg_gated_o (seg_gated),
    .skip_o      (skip),
    .rwl_o       (rwl),
    .x_o         (x),
    .grp_on_o    (grp_on),
    .c12_o       (c12),
    .col_use_o   (col_use)
  );

  // ---- C1/C2 lines of each column group, fanned out to the rows ----
  wire [NGRP*ROWS-1:0] en_rows;
  genvar g, s, j;
  generate
    for (g = 0; g < NGRP; g = g + 1) begin : g_grp
      for (s = 0; s < NSEG; s = s + 1) begin : g_seg
        assign en_rows[g*ROWS + s*SEG_ROWS +: SEG_ROWS] = {SEG_ROWS{c12[g*NSEG + s]}};
      end
    end
  endgenerate

  // ---- bit lines, one column at a time ----
  wire [COLS*PW-1:0] p_col;     // P per column (before the column mask)
  wire [COLS*XW-1:0] xfer_col;  // discharged local lines per column
  reg  [COLS*PW-1:0] p_use;     // P per column, masked columns 0
  generate
    for (j = 0; j < COLS; j = j + 1) begin : g_col
      cim_column #(.ROWS(ROWS), .SEG_ROWS(SEG_ROWS)) u_col (
        .rwl_i   (rwl),
        .cells_i (cells[j*ROWS +: ROWS]),
        .en_i    (en_rows[(j / COL_GROUP)*ROWS +: ROWS]),
        .p_o     (p_col[j*PW +: PW]),
        .xfer_o  (xfer_col[j*XW +: XW])
      );
    end
  endgenerate

  // Column masking of P: masked columns report 0.
  integer c;
  always @* begin
    for (c = 0; c < COLS; c = c + 1) begin
      p_use[c*PW +: PW] = col_use[c] ? p_col[c*PW +: PW] : {PW{1'b0}};
    end
  end

  // ---- accumulators and thresholds ----
  cim_accum #(.COLS(COLS), .PW(PW), .ACC_W(ACC_W)) u_acc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .compute_i (do_compute),
    .first_i   (first_i),
    .p_i       (p_use),
    .x_i       (x),
    .col_use_i (col_use),
    .thr_we_i  (do_thr),
    .thr_col_i (addr_i[CAW-1:0]),
    .thr_i     (thr_i),
    .acc_o     (acc_o),
    .bin_o     (bin_o)
  );

  // ---- activity counters ----
  cim_activity #(.NSEG(NSEG), .SEG_ROWS(SEG_ROWS), .COLS(COLS), .COL_GROUP(COL_GROUP),
                 .CNT_W(CNT_W)) u_act (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clr_i       (do_clr),
    .compute_i   (do_compute),
    .skip_i      (skip),
    .gate_en_i   (gate_en_i),
    .write_i     (do_write),
    .read_i      (do_read),
    .flip_i      (row_bits ^ wdata_i),
    .x_i         (x),
    .seg_gated_i (seg_gated),
    .grp_on_i    (grp_on),
    .c12_i       (c12),
    .col_use_i   (col_use),
    .p_i         (p_col),
    .xfer_i      (xfer_col),
    .cnt_sel_i   (cnt_sel_i),
    .cnt_o       (cnt_o)
  );

  // ---- output registers ----
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cmp_valid_o <= 1'b0;
      acc_valid_o <= 1'b0;
      rd_valid_o  <= 1'b0;
      p_o         <= {COLS*PW{1'b0}};
      x_o         <= {PW{1'b0}};
      rdata_o     <= {COLS{1'b0}};
      seg_gated_o <= {NSEG{1'b0}};
    end else begin
      cmp_valid_o <= do_compute;
      acc_valid_o <= do_compute & last_i;
      rd_valid_o  <= do_read;
      if (do_compute) begin
        p_o         <= p_use;
        x_o         <= x;
        seg_gated_o <= seg_gated;
      end
      if (do_read) begin
        rdata_o <= row_bits;
      end
    end
  end

endmodule
