// cim_activity: the macro's activity counters, one per event class of the
// energy model (docs/SPEC.md section 6, docs/ENERGY.md).
//
// Hardware: a bank of NCNT counters of CNT_W bits with a read multiplexer
// (cnt_sel_i -> cnt_o, combinational, readable at any time) and a
// synchronous clear (CLR_CNT); the per-cycle increments come from adders
// over the columns' own activity taps (cim_local_bl, cim_global_bl: what
// the lines did), the (group, segment) C1 / precharge / SE lines as they
// reach the columns (their precharges, sense evaluations, footer wake-ups
// and off cycles: one event per column of the group the line reaches,
// with the footers' virtual-ground state per C1 line), the word lines as
// they reach the array, the C1/C2 registers' transitions, the
// controller's segment states and the stored-zero flag bank
// (cim_zero_flags). Nothing is a difference of two counts. "Array cycle"
// = stage A of a COMPUTE.
//
//   idx event                 increment
//    0  cycles                1 every clock
//    1  compute_ops           1 per array cycle
//    2  weight_row_writes     WRITE: 1
//    3  write_bits_flipped    WRITE: cells whose value changes
//    4  read_ops              READ: 1
//    5  wordline_pulses       read word lines raised at the array
//    6  precharges            local lines precharged (C2 pulses x columns)
//    7  line_recharges        precharged lines that had discharged
//    8  recharge_steps        discharge steps those precharges restored
//    9  cell_discharges       cells that conducted
//   10  line_discharges       lines whose level fell in an evaluation
//   11  local_evals           local lines sensed (SE)
//   12  transfers             sensed lines that drove a non-zero count
//   13  accumulator_updates   columns in use, per array cycle
//   14  seg_cycles_active     mapped segments not data-gated, per array cycle
//   15  seg_cycles_gated      mapped segments data-gated, per array cycle
//   16  seg_cycles_unmapped   segments with no row in use, per array cycle
//   17  controller_checks     mapped segments checked (gating on), per array cycle
//   18  c1_toggles            C1 lines (segment x group) that switched
//   19  c2_toggles            C2 lines that switched
//   20  footer_wakeups        footers (segment x column) on after a cycle off
//   21  footer_off_cycles     footers off, every clock (segment x column)
//   22  zero_flag_writes      SET_ZF: 1 (a segment's flags written)
//   23  zero_flag_gated       (powered group, mapped segment) pairs whose stored-zero
//                             flag is set, per array cycle with gating on
// A segment is data-gated (14/15) when its unit is, or when every powered
// group's stored-zero flag of it is set (the controller's la_gated_o).
// The flag bank holds during an array cycle (the op sampled at its start
// was the COMPUTE), so zf_i is the bank that COMPUTE's decision used.
module cim_activity #(
  parameter integer NSEG      = 16,
  parameter integer SEG_ROWS  = 16,
  parameter integer COLS      = 64,
  parameter integer COL_GROUP = 8,
  parameter integer CNT_W     = 48
) (
  input  wire                               clk_i,
  input  wire                               rst_ni,
  input  wire                               clr_i,        // CLR_CNT op
  input  wire                               eval_i,       // array cycle
  input  wire                               gate_on_i,    // the array cycle's COMPUTE had gating on
  input  wire                               write_i,      // WRITE op
  input  wire                               read_i,       // READ op
  input  wire [COLS-1:0]                    flip_i,       // WRITE: bits that change
  input  wire [NSEG*SEG_ROWS-1:0]           rwl_i,        // word lines at the array
  input  wire [NSEG-1:0]                    gated_i,      // data-gated segments (array cycle)
  input  wire [NSEG-1:0]                    mapped_i,     // mapped segments (array cycle)
  input  wire [COLS-1:0]                    col_use_i,    // columns in use (array cycle)
  input  wire [(COLS/COL_GROUP)*NSEG-1:0]   c1_tog_i,     // C1 lines switching at this edge
  input  wire [(COLS/COL_GROUP)*NSEG-1:0]   c2_tog_i,     // C2 lines switching at this edge
  input  wire                               zf_wr_i,      // SET_ZF wrote a segment's flags
  input  wire [(COLS/COL_GROUP)*NSEG-1:0]   zf_i,         // stored-zero flags, (g, s) at [g*NSEG + s]
  input  wire [(COLS/COL_GROUP)*NSEG-1:0]   c1_i,         // C1 (footer) lines, (g, s) at [g*NSEG + s]
  input  wire [(COLS/COL_GROUP)*NSEG-1:0]   pch_i,        // precharge pulses (C2 in an array cycle)
  input  wire [(COLS/COL_GROUP)*NSEG-1:0]   se_i,         // sense enables
  input  wire [COLS*$clog2(NSEG+1)-1:0]     n_xfer_i,     // per column taps ...
  input  wire [COLS*$clog2(NSEG+1)-1:0]     n_rch_i,
  input  wire [COLS*$clog2(NSEG*SEG_ROWS+1)-1:0] s_rch_i,
  input  wire [COLS*$clog2(NSEG*SEG_ROWS+1)-1:0] n_cell_i,
  input  wire [COLS*$clog2(NSEG+1)-1:0]     n_dis_i,
  input  wire [4:0]                         cnt_sel_i,
  output reg  [CNT_W-1:0]                   cnt_o
);

  // The increments' adders are not traced; the counters are.
  /* verilator tracing_off */
  localparam integer NCNT = 24;
  localparam integer NGRP = COLS / COL_GROUP;
  localparam integer ROWS = NSEG * SEG_ROWS;
  localparam integer NPR  = (COLS / COL_GROUP) * NSEG;  // C1 (or C2) lines
  localparam integer PW   = $clog2(ROWS + 1);
  localparam integer XW   = $clog2(NSEG + 1);
  // increment width: the largest per-cycle increment is ROWS x COLS
  localparam integer IW   = $clog2(ROWS * COLS + 1);
  localparam integer SW   = $clog2(NSEG + 1);
  localparam integer RW   = $clog2(NPR + 1);
  localparam integer FW   = $clog2(COLS + 1);
  localparam integer LG   = $clog2(COL_GROUP);        // columns per line: 2^LG

  // ---- ones-counters of the status vectors ----
  wire [PW-1:0] n_wl;
  wire [SW-1:0] n_gated, n_map;
  wire [SW-1:0] n_act;
  wire [RW-1:0] n_c1, n_c2, n_zfg;
  wire [FW-1:0] n_use, n_flip;
  cim_popcount #(.N(ROWS)) u_n_wl    (.v_i(rwl_i),                 .cnt_o(n_wl));
  cim_popcount #(.N(NSEG)) u_n_gated (.v_i(gated_i & mapped_i),    .cnt_o(n_gated));
  cim_popcount #(.N(NSEG)) u_n_map   (.v_i(mapped_i),              .cnt_o(n_map));
  cim_popcount #(.N(NSEG)) u_n_act   (.v_i(~gated_i & mapped_i),   .cnt_o(n_act));
  cim_popcount #(.N(NPR))  u_n_c1    (.v_i(c1_tog_i),              .cnt_o(n_c1));
  cim_popcount #(.N(NPR))  u_n_c2    (.v_i(c2_tog_i),              .cnt_o(n_c2));
  cim_popcount #(.N(COLS)) u_n_use   (.v_i(col_use_i),             .cnt_o(n_use));
  cim_popcount #(.N(COLS)) u_n_flip  (.v_i(flip_i),                .cnt_o(n_flip));

  // (group, segment) pairs gated by their stored-zero flag: group powered
  // (its first column in use), segment mapped, gating on
  wire [NPR-1:0] zf_gated;
  genvar zg;
  generate
    for (zg = 0; zg < NGRP; zg = zg + 1) begin : g_zfg
      assign zf_gated[zg*NSEG +: NSEG] = zf_i[zg*NSEG +: NSEG] & mapped_i &
                                         {NSEG{col_use_i[zg*COL_GROUP] & gate_on_i}};
    end
  endgenerate
  cim_popcount #(.N(NPR))  u_n_zfg   (.v_i(zf_gated),              .cnt_o(n_zfg));

  // The events that depend only on the control lines: every (group,
  // segment) line drives the same precharge device, sense enable and
  // footer at each of the group's COL_GROUP columns, so a line's event is
  // COL_GROUP events of the array (one per column it reaches).
  // Footer (virtual ground) state of each C1 line's footers: on in the
  // previous cycle (a wake-up is a footer on after a cycle off).
  /* verilator tracing_on */
  reg [NPR-1:0] vgnd_q;
  /* verilator tracing_off */
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      vgnd_q <= {NPR{1'b0}};
    end else begin
      vgnd_q <= c1_i;
    end
  end
  wire [RW-1:0] l_pch, l_eval, l_wake, l_off;   // lines precharged / sensed / woken / off
  cim_popcount #(.N(NPR))  u_l_pch   (.v_i(pch_i),                 .cnt_o(l_pch));
  cim_popcount #(.N(NPR))  u_l_eval  (.v_i(se_i),                  .cnt_o(l_eval));
  cim_popcount #(.N(NPR))  u_l_wake  (.v_i(c1_i & ~vgnd_q),        .cnt_o(l_wake));
  cim_popcount #(.N(NPR))  u_l_off   (.v_i(~c1_i),                 .cnt_o(l_off));
  wire [IW-1:0] t_pch  = {{(IW-RW){1'b0}}, l_pch}  << LG;
  wire [IW-1:0] t_eval = {{(IW-RW){1'b0}}, l_eval} << LG;
  wire [IW-1:0] t_wake = {{(IW-RW){1'b0}}, l_wake} << LG;
  wire [IW-1:0] t_off  = {{(IW-RW){1'b0}}, l_off}  << LG;

  // Sums of the columns' taps.
  reg [IW-1:0] t_xfer, t_rch, t_srch, t_cell, t_dis;
  integer k;
  always @* begin
    t_xfer = {IW{1'b0}};
    t_rch  = {IW{1'b0}};
    t_srch = {IW{1'b0}};
    t_cell = {IW{1'b0}};
    t_dis  = {IW{1'b0}};
    for (k = 0; k < COLS; k = k + 1) begin
      t_xfer = t_xfer + {{(IW-XW){1'b0}}, n_xfer_i[k*XW +: XW]};
      t_rch  = t_rch  + {{(IW-XW){1'b0}}, n_rch_i[k*XW +: XW]};
      t_srch = t_srch + {{(IW-PW){1'b0}}, s_rch_i[k*PW +: PW]};
      t_cell = t_cell + {{(IW-PW){1'b0}}, n_cell_i[k*PW +: PW]};
      t_dis  = t_dis  + {{(IW-XW){1'b0}}, n_dis_i[k*XW +: XW]};
    end
  end

  wire [IW-1:0] zero = {IW{1'b0}};
  wire [IW-1:0] one  = {{(IW-1){1'b0}}, 1'b1};
  wire [IW-1:0] unmapped = NSEG[IW-1:0] - {{(IW-SW){1'b0}}, n_map};

  // ---- per-cycle increments, counter i at inc[i*IW +: IW] ----
  wire [NCNT*IW-1:0] inc;
  assign inc[ 0*IW +: IW] = one;
  assign inc[ 1*IW +: IW] = eval_i ? one : zero;
  assign inc[ 2*IW +: IW] = write_i ? one : zero;
  assign inc[ 3*IW +: IW] = write_i ? {{(IW-FW){1'b0}}, n_flip} : zero;
  assign inc[ 4*IW +: IW] = read_i ? one : zero;
  assign inc[ 5*IW +: IW] = {{(IW-PW){1'b0}}, n_wl};
  assign inc[ 6*IW +: IW] = t_pch;
  assign inc[ 7*IW +: IW] = t_rch;
  assign inc[ 8*IW +: IW] = t_srch;
  assign inc[ 9*IW +: IW] = t_cell;
  assign inc[10*IW +: IW] = t_dis;
  assign inc[11*IW +: IW] = t_eval;
  assign inc[12*IW +: IW] = t_xfer;
  assign inc[13*IW +: IW] = eval_i ? {{(IW-FW){1'b0}}, n_use} : zero;
  assign inc[14*IW +: IW] = eval_i ? {{(IW-SW){1'b0}}, n_act} : zero;
  assign inc[15*IW +: IW] = eval_i ? {{(IW-SW){1'b0}}, n_gated} : zero;
  assign inc[16*IW +: IW] = eval_i ? unmapped : zero;
  assign inc[17*IW +: IW] = (eval_i & gate_on_i) ? {{(IW-SW){1'b0}}, n_map} : zero;
  assign inc[18*IW +: IW] = {{(IW-RW){1'b0}}, n_c1};
  assign inc[19*IW +: IW] = {{(IW-RW){1'b0}}, n_c2};
  assign inc[20*IW +: IW] = t_wake;
  assign inc[21*IW +: IW] = t_off;
  assign inc[22*IW +: IW] = zf_wr_i ? one : zero;
  assign inc[23*IW +: IW] = eval_i ? {{(IW-RW){1'b0}}, n_zfg} : zero;

  /* verilator tracing_on */
  // ---- the counter bank ----
  wire [NCNT*CNT_W-1:0] cnt;
  genvar i;
  generate
    for (i = 0; i < NCNT; i = i + 1) begin : g_cnt
      reg [CNT_W-1:0] cnt_q;
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          cnt_q <= {CNT_W{1'b0}};
        end else if (clr_i) begin
          cnt_q <= {CNT_W{1'b0}};
        end else begin
          cnt_q <= cnt_q + {{(CNT_W-IW){1'b0}}, inc[i*IW +: IW]};
        end
      end
      assign cnt[i*CNT_W +: CNT_W] = cnt_q;
    end
  endgenerate

  // ---- read multiplexer (indices >= NCNT read 0) ----
  integer m;
  always @* begin
    cnt_o = {CNT_W{1'b0}};
    for (m = 0; m < NCNT; m = m + 1) begin
      if ({27'd0, cnt_sel_i} == m) cnt_o = cnt[m*CNT_W +: CNT_W];
    end
  end

endmodule
