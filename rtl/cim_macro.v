// cim_macro: the SRAM computing-in-memory macro (top level).
//
// An 8T SRAM array of ROWS x COLS cells whose read stacks are 2-transistor
// AND cells, with hierarchical bit lines (local lines of SEG_ROWS rows
// feeding one global line per column), gated precharge (C2) and gated
// footers (C1) per (control unit, column group), a sparse controller, and
// per-column bit-serial accumulators. It computes, per column j and compute
// cycle, P_j = popcount(in AND column_j) and X = popcount(in), and
// accumulates 2P - X over bit planes (docs/SPEC.md sections 1, 6).
//
// Interface protocol: one operation per clock, sampled at the rising edge
// of clk_i; all outputs are registered (valid the cycle after the op).
//
//   op_i  name     uses                         effect
//   0     NOP      -                            -
//   1     WRITE    addr_i (row), wdata_i        row addr_i <= wdata_i (bit j -> column j)
//   2     READ     addr_i (row)                 rdata_o <= row addr_i, rd_valid_o = 1 next cycle
//   3     COMPUTE  in_i, first_i, last_i        P/X of the input on the read word lines,
//                                               acc = first ? 2P-X : 2*acc + 2P-X
//   4     SET_THR  addr_i (column), thr_i       threshold of column addr_i
//   5     CLR_CNT  -                            all activity counters <= 0
//   static: gate_en_i, unit_log2_i, ncols_i (sampled with every COMPUTE), cnt_sel_i
//
// Write of row r, then a two-plane accumulation and its output:
//
//   clk_i      _/~\_/~\_/~\_/~\_/~\_
//   op_i       WRITE CMP   CMP   NOP
//   addr_i     r     -     -
//   in_i       -     pl1   pl0
//   first_i    0     1     0
//   last_i     0     0     1
//   cmp_valid_o      0     1     1     0      (p_o, x_o of the previous COMPUTE)
//   acc_valid_o      0     0     0     1      (acc_o, bin_o final: 2*(2P1-X1) + 2P0-X0)
//
// Masked columns (>= ncols_i) report P = 0 and acc = 0. The activity
// counters are listed in cim_activity.v; cnt_o shows counter cnt_sel_i.
module cim_macro #(
  parameter integer ROWS      = 256,  // word lines (power of two)
  parameter integer COLS      = 64,   // columns (power of two, <= ROWS)
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
  localparam integer PW   = $clog2(ROWS + 1);
  localparam integer LW   = $clog2(SEG_ROWS + 1);
  localparam integer AW   = $clog2(ROWS);
  localparam integer CAW  = $clog2(COLS);

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
  wire [NSEG-1:0] seg_gated;
  wire            skip;
  wire [ROWS-1:0] rwl;
  wire [PW-1:0]   x;
  wire [COLS-1:0] grp_en, col_use;
  cim_sparse_ctrl #(.ROWS(ROWS), .COLS(COLS), .SEG_ROWS(SEG_ROWS), .COL_GROUP(COL_GROUP)) u_ctrl (
    .in_i        (in_i),
    .gate_en_i   (gate_en_i),
    .unit_log2_i (unit_log2_i),
    .ncols_i     (ncols_i),
    .seg_gated_o (seg_gated),
    .skip_o      (skip),
    .rwl_o       (rwl),
    .x_o         (x),
    .grp_en_o    (grp_en),
    .col_use_o   (col_use)
  );

  // ---- local bit line segments ----
  wire [NSEG*COLS*LW-1:0] loc_cnt;
  wire [NSEG*COLS-1:0]    loc_dis;
  genvar s, j;
  generate
    for (s = 0; s < NSEG; s = s + 1) begin : g_seg
      wire [COLS*SEG_ROWS-1:0] seg_cells;
      for (j = 0; j < COLS; j = j + 1) begin : g_slice
        assign seg_cells[j*SEG_ROWS +: SEG_ROWS] = cells[j*ROWS + s*SEG_ROWS +: SEG_ROWS];
      end
      cim_local_bl #(.SEG_ROWS(SEG_ROWS), .COLS(COLS)) u_lbl (
        .rwl_i    (rwl[s*SEG_ROWS +: SEG_ROWS]),
        .cells_i  (seg_cells),
        .en_i     (do_compute & ~seg_gated[s]),
        .grp_en_i (grp_en),
        .cnt_o    (loc_cnt[s*COLS*LW +: COLS*LW]),
        .dis_o    (loc_dis[s*COLS +: COLS])
      );
    end
  endgenerate

  // ---- global bit lines ----
  wire [COLS*PW-1:0] p_glob;
  cim_global_bl #(.NSEG(NSEG), .SEG_ROWS(SEG_ROWS), .COLS(COLS)) u_gbl (
    .cnt_i (loc_cnt),
    .p_o   (p_glob)
  );

  // Column masking of P: masked columns report 0.
  reg [COLS*PW-1:0] p_use;
  integer c;
  always @* begin
    for (c = 0; c < COLS; c = c + 1) begin
      p_use[c*PW +: PW] = col_use[c] ? p_glob[c*PW +: PW] : {PW{1'b0}};
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
                 .PW(PW), .CNT_W(CNT_W)) u_act (
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
    .grp_en_i    (grp_en),
    .col_use_i   (col_use),
    .p_i         (p_glob),
    .dis_i       (loc_dis),
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
