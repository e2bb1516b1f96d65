// cim_macro: the SRAM computing-in-memory macro (top level).
//
// An 8T SRAM array of ROWS x COLS cells whose read stacks are 2-transistor
// AND cells, with hierarchical bit lines (local lines of SEG_ROWS rows
// feeding one global line per column), a C1 line (AND-cell footer) and a
// C2 line (local precharge supply) per (segment, column group), a local
// sense stage per line with its enable SE, a sparse controller that
// decides C1/C2/SE one cycle before the word lines fire (from the word
// lines' zero flags and the host-written stored-zero flags), and
// per-column bit-serial accumulators with thresholds. Per array cycle and column j:
// P_j = popcount(in AND column_j) over the sensed segments, X =
// popcount(in), and the accumulator adds (2P - X) << plane
// (docs/SPEC.md sections 1 and 6).
//
//   in_i -> cim_sparse_ctrl [zero flags, unit decision, C1/C2/SE, lookahead register]
//           ^ cim_zero_flags [stored-zero flag per (group, segment), SET_ZF]
//        -> word lines, C1, C2, SE -> cim_column x COLS [cim_local_bl: line levels, sense
//           -> cim_global_bl: P] -> cim_accum -> acc, bin       (+ cim_activity: counters)
//           cim_cell_array: write port (wwl/wbl), cells -> AND cells, read port -> rdata
//
// Interface protocol: one operation per clock, sampled at the rising edge of
// clk_i; every output except cnt_o is a register. rst_ni is asynchronous,
// active low, and clears every register (cells, line levels, C1/C2,
// accumulators, thresholds, counters).
//
//   op_i  name     uses                             effect
//   0     NOP      -                                -
//   1     WRITE    addr_i (row), wdata_i            row addr_i <= wdata_i (bit j -> column j)
//   2     READ     addr_i (row)                     rdata_o <= row addr_i, rd_valid_o = 1 next cycle
//   3     COMPUTE  in_i, first_i, last_i, plane_i,  stage L (this cycle): zero flags, C1/C2/SE
//                  gate_i, unit_log2_i, ncols_i,    decided and registered; stage A (next cycle):
//                  nrows_i                          precharge, evaluate, sense, accumulate:
//                                                   acc = first ? T : acc + T, T = (2P-X) << plane;
//                                                   p_o/x_o/acc_o registered at its end
//   4     SET_THR  addr_i (column), thr_i           threshold of column addr_i (ignored if >= COLS)
//   5     CLR_CNT  -                                every activity counter <= 0
//   6     SET_ZF   addr_i (segment), wdata_i        stored-zero flags of segment addr_i: flag of
//                                                   (group g, segment addr_i) <= wdata_i[g]
//                                                   (ignored if addr_i >= NSEG)
//   7     -        -                                as NOP
//
// A two-plane accumulation (bits = 2: plane 1 then plane 0) and its result:
//
//   clk_i        __/~~\__/~~\__/~~\__/~~\__/~~\__
//   op_i         < CMP  >< CMP  >< ...
//   in_i         < pl1  >< pl0  >
//   plane_i      <  1   ><  0   >
//   first_i      /~~~~~~\_______
//   last_i       _______/~~~~~~\
//   (stage A)           < pl1  >< pl0  >            precharge (clk high), evaluate (clk low)
//   cmp_valid_o  ______________/~~~~~~~~~~~~~~\____ p_o, x_o, seg_gated_o of pl1, then pl0
//   acc_valid_o  _____________________/~~~~~~~\____ acc_o = 2*(2P1-X1) + (2P0-X0), bin_o
//
// Planes carry their weight, so a plane whose input is all zero need not be
// issued (it adds 0): the driver skips it and the latency and cycles fall.
// gate_i selects the lines data gating drives: bit 0 C1, bit 1 C2 (3 both,
// 2 C2 only, 1 C1 only, 0 none); results are identical in every mode.
// Rows >= nrows_i and columns >= ncols_i are configuration: their segments
// and column groups are off in every mode (never counted as gating);
// masked columns report P = 0, acc = 0. bin_o[j] = (acc_j >= threshold_j),
// signed. A (group, segment) whose stored-zero flag is set (SET_ZF; 0
// after reset) is data-gated like a segment whose unit's word lines are
// all zero, whatever the control unit: the host sets it only where the
// cells hold no 1 on a row in use (input-stationary tiles), so results
// are unchanged. cnt_o = activity counter cnt_sel_i (0 for indices >= 24; the
// list and the exact rules are in cim_activity.v): cycles, compute_ops,
// weight_row_writes, write_bits_flipped, read_ops, wordline_pulses,
// precharges, line_recharges, recharge_steps, cell_discharges,
// line_discharges, local_evals, transfers, accumulator_updates,
// segment_cycles_active / _gated / _unmapped, controller_checks,
// c1_toggles, c2_toggles, footer_wakeups, footer_off_cycles,
// zero_flag_writes, zero_flag_gated. Every
// counter counts what the array, its lines and its control registers did.
//
// Geometry: ROWS, COLS, SEG_ROWS, COL_GROUP powers of two; 8 <= SEG_ROWS <=
// min(ROWS, 32); COL_GROUP <= COLS <= ROWS (SET_THR addresses columns with
// addr_i); ACC_W > $clog2(ROWS+1) + 1 + 15 (elaboration fails otherwise:
// the parameter rules below). CELL_RESET = 0 leaves the cells
// without reset, as a real SRAM array is (unwritten cells are X under a
// 4-state simulator: the X check of tb/xcheck_tb.v); every other register
// is reset either way.
//
// Checks (rtl/cim_check.v, cim_check_known.v; simulation, and a formal
// proof's asserts and assumptions): the host protocol (op_i and the fields an op uses known,
// COMPUTEs of one accumulation from first_i to last_i, the stored-zero
// flags true), outputs known after reset (4-state simulation).
module cim_macro #(
  parameter integer ROWS      = 256,  // word lines
  parameter integer COLS      = 64,   // columns
  parameter integer SEG_ROWS  = 16,   // rows per local bit line segment
  parameter integer COL_GROUP = 8,    // columns sharing one C1/C2 pair
  parameter integer ACC_W     = 32,   // accumulator width (signed)
  parameter integer CNT_W     = 48,   // activity counter width
  parameter integer CELL_RESET = 1     // 1: reset clears the cells; 0: no cell reset (real SRAM)
) (
  input  wire                                 clk_i,
  input  wire                                 rst_ni,
  input  wire [2:0]                           op_i,
  input  wire [$clog2(ROWS)-1:0]              addr_i,
  input  wire [COLS-1:0]                      wdata_i,
  input  wire [ROWS-1:0]                      in_i,
  input  wire                                 first_i,
  input  wire                                 last_i,
  input  wire [3:0]                           plane_i,
  input  wire [ACC_W-1:0]                     thr_i,
  input  wire [1:0]                           gate_i,
  input  wire [1:0]                           unit_log2_i,
  input  wire [$clog2(COLS+1)-1:0]            ncols_i,
  input  wire [$clog2(ROWS+1)-1:0]            nrows_i,
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

  // ---- legal parameters: an illegal geometry fails elaboration ----
  if (!(ROWS >= 8 && (ROWS & (ROWS - 1)) == 0)) begin : g_illegal_ROWS_power_of_two
    cim_illegal_parameter_ROWS_power_of_two u_illegal ();
  end
  if (!(COLS >= 1 && (COLS & (COLS - 1)) == 0)) begin : g_illegal_COLS_power_of_two
    cim_illegal_parameter_COLS_power_of_two u_illegal ();
  end
  if (!((SEG_ROWS & (SEG_ROWS - 1)) == 0)) begin : g_illegal_SEG_ROWS_power_of_two
    cim_illegal_parameter_SEG_ROWS_power_of_two u_illegal ();
  end
  if (!(SEG_ROWS >= 8 && SEG_ROWS <= 32)) begin : g_illegal_SEG_ROWS_8_to_32
    cim_illegal_parameter_SEG_ROWS_8_to_32 u_illegal ();
  end
  if (!(SEG_ROWS <= ROWS && (ROWS % SEG_ROWS) == 0)) begin : g_illegal_ROWS_multiple_of_SEG_ROWS
    cim_illegal_parameter_ROWS_multiple_of_SEG_ROWS u_illegal ();
  end
  if (!(COL_GROUP >= 1 && (COL_GROUP & (COL_GROUP - 1)) == 0)) begin : g_illegal_COL_GROUP_power_of_two
    cim_illegal_parameter_COL_GROUP_power_of_two u_illegal ();
  end
  if (!(COL_GROUP <= COLS && (COLS % COL_GROUP) == 0)) begin : g_illegal_COLS_multiple_of_COL_GROUP
    cim_illegal_parameter_COLS_multiple_of_COL_GROUP u_illegal ();
  end
  if (!(COLS <= ROWS)) begin : g_illegal_COLS_at_most_ROWS
    cim_illegal_parameter_COLS_at_most_ROWS u_illegal ();
  end
  // (2P - X) << 15 of a full column, signed: PW + 1 + 15 bits and a sign
  if (!(ACC_W >= $clog2(ROWS + 1) + 17)) begin : g_illegal_ACC_W_holds_ROWS_at_plane_15
    cim_illegal_parameter_ACC_W_holds_ROWS_at_plane_15 u_illegal ();
  end
  if (!(CNT_W >= 32)) begin : g_illegal_CNT_W_at_least_32
    cim_illegal_parameter_CNT_W_at_least_32 u_illegal ();
  end

  localparam [2:0] OP_WRITE = 3'd1, OP_READ = 3'd2, OP_COMPUTE = 3'd3,
                   OP_SET_THR = 3'd4, OP_CLR_CNT = 3'd5, OP_SET_ZF = 3'd6;

  wire do_write   = op_i == OP_WRITE;
  wire do_read    = op_i == OP_READ;
  wire do_compute = op_i == OP_COMPUTE;
  wire do_thr     = (op_i == OP_SET_THR) && ({1'b0, addr_i} < COLS[AW:0]);
  wire do_clr     = op_i == OP_CLR_CNT;
  wire do_zf      = op_i == OP_SET_ZF;

  // ---- cell array ----
  wire [COLS*ROWS-1:0] cells;
  wire [COLS-1:0]      row_bits;   // row addr_i (read port; old value on a write; 0 on other ops)
  cim_cell_array #(.ROWS(ROWS), .COLS(COLS), .RESET(CELL_RESET)) u_array (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .we_i    (do_write),
    .re_i    (do_read | do_write),
    .addr_i  (addr_i),
    .wdata_i (wdata_i),
    .cells_o (cells),
    .rdata_o (row_bits)
  );

  // ---- stored-zero flags (SET_ZF) ----
  wire [NGRP*NSEG-1:0] zf;                // flag of (group g, segment s) at [g*NSEG + s]
  wire                 zf_wr;             // a SET_ZF wrote a segment's flags
  cim_zero_flags #(.NSEG(NSEG), .NGRP(NGRP), .AW(AW)) u_zf (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .we_i    (do_zf),
    .seg_i   (addr_i),
    .flags_i (wdata_i[NGRP-1:0]),
    .zf_o    (zf),
    .wr_o    (zf_wr)
  );

  // ---- sparse controller and its lookahead register (stage L) ----
  wire                 la_valid, la_first, la_last, la_gate;
  wire [ROWS-1:0]      la_rwl;
  wire [PW-1:0]        la_x;
  wire [3:0]           la_plane;
  wire [COLS-1:0]      la_col_use;
  wire [NSEG-1:0]      la_gated, la_mapped;
  wire [NGRP*NSEG-1:0] c1, c2, se;        // C1, C2, SE of (group g, segment s) at [g*NSEG + s]
  wire [NGRP*NSEG-1:0] c1_d, c2_d;        // their next values
  cim_sparse_ctrl #(.ROWS(ROWS), .COLS(COLS), .SEG_ROWS(SEG_ROWS), .COL_GROUP(COL_GROUP)) u_ctrl (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .compute_i    (do_compute),
    .in_i         (in_i),
    .first_i      (first_i),
    .last_i       (last_i),
    .plane_i      (plane_i),
    .gate_i       (gate_i),
    .unit_log2_i  (unit_log2_i),
    .ncols_i      (ncols_i),
    .nrows_i      (nrows_i),
    .zf_i         (zf),
    .la_valid_o   (la_valid),
    .la_rwl_o     (la_rwl),
    .la_x_o       (la_x),
    .la_first_o   (la_first),
    .la_last_o    (la_last),
    .la_plane_o   (la_plane),
    .la_col_use_o (la_col_use),
    .la_gate_o    (la_gate),
    .la_gated_o   (la_gated),
    .la_mapped_o  (la_mapped),
    .c1_o         (c1),
    .c2_o         (c2),
    .se_o         (se),
    .c1_d_o       (c1_d),
    .c2_d_o       (c2_d)
  );

  // ---- stage A: the array cycle ----
  // Read word lines fire only in an array cycle; the precharge pulse of a
  // segment is its C2 line in an array cycle.
  wire [ROWS-1:0] rwl = la_rwl & {ROWS{la_valid}};
  wire [COLS*PW-1:0] p_col;     // P per column (before the column mask)
  wire [NGRP*NSEG-1:0] pch = c2 & {NGRP*NSEG{la_valid}};  // precharge pulses, (g, s) at [g*NSEG + s]
  // The (group, segment) lines run along the segment's rows through the
  // group's columns: group g's C1 / precharge / SE line of each row (its
  // segment's line) at [g*ROWS + r], fanned out once per group.
  wire [NGRP*ROWS-1:0] c1_r, pch_r, se_r;
  genvar gs;
  generate
    for (gs = 0; gs < NGRP * NSEG; gs = gs + 1) begin : g_line
      assign c1_r[gs*SEG_ROWS +: SEG_ROWS]  = {SEG_ROWS{c1[gs]}};
      assign pch_r[gs*SEG_ROWS +: SEG_ROWS] = {SEG_ROWS{pch[gs]}};
      assign se_r[gs*SEG_ROWS +: SEG_ROWS]  = {SEG_ROWS{se[gs]}};
    end
  endgenerate
  wire [COLS*XW-1:0] n_xfer, n_rch, n_dis;
  wire [COLS*PW-1:0] s_rch, n_cell;
  wire [COLS*PW-1:0] p_use;     // P per column, masked columns 0
  genvar j;
  generate
    for (j = 0; j < COLS; j = j + 1) begin : g_col
      localparam integer G = j / COL_GROUP;
      cim_column #(.ROWS(ROWS), .SEG_ROWS(SEG_ROWS)) u_col (
        .clk_i    (clk_i),
        .rst_ni   (rst_ni),
        .eval_i   (la_valid),
        .rwl_i    (rwl),
        .cells_i  (cells[j*ROWS +: ROWS]),
        .c1_i     (c1_r[G*ROWS +: ROWS]),
        .pch_i    (pch_r[G*ROWS +: ROWS]),
        .se_i     (se_r[G*ROWS +: ROWS]),
        .p_o      (p_col[j*PW +: PW]),
        .n_xfer_o (n_xfer[j*XW +: XW]),
        .n_rch_o  (n_rch[j*XW +: XW]),
        .s_rch_o  (s_rch[j*PW +: PW]),
        .n_cell_o (n_cell[j*PW +: PW]),
        .n_dis_o  (n_dis[j*XW +: XW])
      );
    end
  endgenerate

  // Column masking of P: masked columns report 0. (One assign per column:
  // a procedural loop over part-selects here trips a Verilator 5.006
  // function-splitting bug on the 256x64 build.)
  genvar c;
  generate
    for (c = 0; c < COLS; c = c + 1) begin : g_mask
      assign p_use[c*PW +: PW] = la_col_use[c] ? p_col[c*PW +: PW] : {PW{1'b0}};
    end
  endgenerate

  // ---- accumulators and thresholds ----
  cim_accum #(.COLS(COLS), .PW(PW), .ACC_W(ACC_W)) u_acc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .en_i      (la_valid),
    .first_i   (la_first),
    .plane_i   (la_plane),
    .p_i       (p_use),
    .x_i       (la_x),
    .col_use_i (la_col_use),
    .thr_we_i  (do_thr),
    .thr_col_i (addr_i[CAW-1:0]),
    .thr_i     (thr_i),
    .acc_o     (acc_o),
    .bin_o     (bin_o)
  );

  // ---- activity counters ----
  cim_activity #(.NSEG(NSEG), .SEG_ROWS(SEG_ROWS), .COLS(COLS), .COL_GROUP(COL_GROUP),
                 .CNT_W(CNT_W)) u_act (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clr_i      (do_clr),
    .eval_i     (la_valid),
    .gate_on_i  (la_gate),
    .write_i    (do_write),
    .read_i     (do_read),
    .flip_i     (row_bits ^ wdata_i),
    .rwl_i      (rwl),
    .gated_i    (la_gated),
    .mapped_i   (la_mapped),
    .col_use_i  (la_col_use),
    .c1_tog_i   (c1_d ^ c1),
    .c2_tog_i   (c2_d ^ c2),
    .zf_wr_i    (zf_wr),
    .zf_i       (zf),
    .c1_i       (c1),
    .pch_i      (pch),
    .se_i       (se),
    .n_xfer_i   (n_xfer),
    .n_rch_i    (n_rch),
    .s_rch_i    (s_rch),
    .n_cell_i   (n_cell),
    .n_dis_i    (n_dis),
    .cnt_sel_i  (cnt_sel_i),
    .cnt_o      (cnt_o)
  );

  // ---- output registers (the end of stage A; READ the cycle after) ----
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
      cmp_valid_o <= la_valid;
      acc_valid_o <= la_valid & la_last;
      rd_valid_o  <= do_read;
      if (la_valid) begin
        p_o         <= p_use;
        x_o         <= la_x;
        seg_gated_o <= la_gated;
      end
      if (do_read) begin
        rdata_o <= row_bits;
      end
    end
  end

`ifndef SYNTHESIS
  // ---- checks: the host protocol and known outputs ----
  // Accumulation state of the protocol (check logic only): a COMPUTE with
  // first_i begins an accumulation, one with last_i ends it; the planes in
  // between continue it. The accumulators need this: a plane without
  // first_i adds onto the accumulator, so an accumulation that never began
  // would add onto the last one's result, and a new first_i before the
  // last_i of the open one would drop that one's result unreported.
  reg acc_open_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_open_q <= 1'b0;
    end else if (do_compute) begin
      acc_open_q <= !last_i;
    end
  end
  cim_check #(
    .NAME("compute_continues_an_open_accumulation"),
    .ASSUME(1)
  ) u_compute_continues_an_open_accumulation (
    .clk_i, .rst_ni, .prop_i(!(do_compute && !first_i && !acc_open_q)));
  cim_check #(.NAME("first_only_after_last"), .ASSUME(1)) u_first_only_after_last (
    .clk_i, .rst_ni, .prop_i(!(do_compute && first_i && acc_open_q)));

  // op_i and the fields each operation uses are known (4-state simulation);
  // the fields an operation does not use may be anything, X included.
  wire [ROWS-1:0] row_used = ~({ROWS{1'b1}} << nrows_i);  // rows < nrows_i: the COMPUTE's input bits that count
  cim_check_known #(.NAME("op_known"), .W(3)) u_op_known (
    .clk_i, .rst_ni, .en_i(1'b1), .sig_i(op_i));
  cim_check_known #(.NAME("cnt_sel_known"), .W(5)) u_cnt_sel_known (
    .clk_i, .rst_ni, .en_i(1'b1), .sig_i(cnt_sel_i));
  cim_check_known #(.NAME("compute_fields_known"), .W(8 + $clog2(COLS + 1) + PW)) u_compute_fields_known (
    .clk_i, .rst_ni, .en_i(do_compute), .sig_i({first_i, last_i, plane_i, gate_i, ncols_i, nrows_i}));
  cim_check_known #(.NAME("compute_unit_known"), .W(2)) u_compute_unit_known (
    .clk_i, .rst_ni, .en_i(do_compute && gate_i != 2'd0), .sig_i(unit_log2_i));
  cim_check_known #(.NAME("compute_inputs_known"), .W(ROWS)) u_compute_inputs_known (
    .clk_i, .rst_ni, .en_i(do_compute), .sig_i(in_i & row_used));
  cim_check_known #(.NAME("addr_known"), .W(AW)) u_addr_known (
    .clk_i, .rst_ni, .en_i(do_write || do_read || do_zf || op_i == OP_SET_THR), .sig_i(addr_i));
  cim_check_known #(.NAME("write_data_known"), .W(COLS)) u_write_data_known (
    .clk_i, .rst_ni, .en_i(do_write), .sig_i(wdata_i));
  cim_check_known #(.NAME("thr_known"), .W(ACC_W)) u_thr_known (
    .clk_i, .rst_ni, .en_i(do_thr), .sig_i(thr_i));
  cim_check_known #(.NAME("zf_data_known"), .W(NGRP)) u_zf_data_known (
    .clk_i, .rst_ni, .en_i(do_zf && zf_wr), .sig_i(wdata_i[NGRP-1:0]));

  // Outputs known after reset. The outputs that depend on the cells only
  // with a reset array: with CELL_RESET = 0 a READ of a row never written,
  // or a COMPUTE over one, gives X as the real array gives garbage (the X
  // bench checks that nothing else does).
  cim_check_known #(.NAME("valid_known"), .W(3)) u_valid_known (
    .clk_i, .rst_ni, .en_i(1'b1), .sig_i({cmp_valid_o, acc_valid_o, rd_valid_o}));
  cim_check_known #(.NAME("x_known"), .W(PW)) u_x_known (
    .clk_i, .rst_ni, .en_i(1'b1), .sig_i(x_o));
  cim_check_known #(.NAME("seg_gated_known"), .W(NSEG)) u_seg_gated_known (
    .clk_i, .rst_ni, .en_i(1'b1), .sig_i(seg_gated_o));
  if (CELL_RESET != 0) begin : g_known_data
    cim_check_known #(.NAME("p_known"), .W(COLS * PW)) u_p_known (
      .clk_i, .rst_ni, .en_i(1'b1), .sig_i(p_o));
    cim_check_known #(.NAME("acc_known"), .W(COLS * ACC_W)) u_acc_known (
      .clk_i, .rst_ni, .en_i(1'b1), .sig_i(acc_o));
    cim_check_known #(.NAME("bin_known"), .W(COLS)) u_bin_known (
      .clk_i, .rst_ni, .en_i(1'b1), .sig_i(bin_o));
    cim_check_known #(.NAME("rdata_known"), .W(COLS)) u_rdata_known (
      .clk_i, .rst_ni, .en_i(1'b1), .sig_i(rdata_o));
    cim_check_known #(.NAME("cnt_known"), .W(CNT_W)) u_cnt_known (
      .clk_i, .rst_ni, .en_i(1'b1), .sig_i(cnt_o));
  end

  // The host's stored-zero flags are true: in an array cycle with gating
  // on, no cell of a (powered group, mapped segment) gated by its
  // stored-zero flag holds a 1 on a raised word line (with C2-only gating
  // its footer is on, and such a cell would discharge an unprecharged line;
  // with C1 it would be a result the gate hid).
  // Per group: the raised word lines of its segments gated by a
  // stored-zero flag (zrwl); per column: none of them over a stored 1.
  genvar sr, zg;
  wire [NGRP*ROWS-1:0] zrwl;
  for (zg = 0; zg < NGRP; zg = zg + 1) begin : g_zf_grp
    wire [ROWS-1:0] zrows;     // rows of the group's segments gated by a stored-zero flag
    for (sr = 0; sr < NSEG; sr = sr + 1) begin : g_seg
      assign zrows[sr*SEG_ROWS +: SEG_ROWS] =
        {SEG_ROWS{zf[zg*NSEG + sr] & la_mapped[sr] & la_col_use[zg*COL_GROUP] & la_gate}};
    end
    assign zrwl[zg*ROWS +: ROWS] = rwl & zrows;
  end
  for (j = 0; j < COLS; j = j + 1) begin : g_zf_check
    localparam integer G = j / COL_GROUP;
    cim_check #(.NAME("stored_zero_flags_true"), .ASSUME(1)) u_stored_zero_flags_true (
      .clk_i, .rst_ni, .prop_i(!(la_valid && |(zrwl[G*ROWS +: ROWS] & cells[j*ROWS +: ROWS]))));
  end
`endif

endmodule
