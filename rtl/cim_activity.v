// cim_activity: the macro's activity counters, one per event class of the
// energy model (docs/SPEC.md section 6, docs/ENERGY.md).
//
// Hardware: a bank of NCNT counters of CNT_W bits with a read multiplexer
// (cnt_sel_i -> cnt_o, combinational, readable at any time) and a
// synchronous clear (CLR_CNT); the per-cycle increments come from ones-
// counters and adders on the controller's and the bit lines' status.
// "gated" counters record the work the ungated macro would have done, so
// that done + gated of a gated run equals done of the same run with
// gate_en_i = 0 (pairs 7/8, 10/11, 14/15). Per COMPUTE unless noted:
//
//   idx event                      increment
//    0  cycles                     1 every clock
//    1  compute ops                1
//    2  skipped compute cycles     1 if the input is all zero and gating is on
//    3  weight-row writes          WRITE: 1
//    4  write bits flipped         WRITE: cells whose value changes
//    5  read ops                   READ: 1
//    6  word-line pulses           X (input bits = 1 driven on read word lines)
//    7  precharges done            local lines precharged: on C1/C2 pairs x COL_GROUP
//    8  precharges gated           pairs of powered groups that are off x COL_GROUP
//    9  local discharges           conducting cells (sum of P over all columns)
//   10  local evaluations          = 7 (every precharged line is evaluated)
//   11  local evaluations gated    = 8
//   12  local-to-global transfers  local lines with a non-zero count (discharged)
//   13  accumulator updates        columns in use
//   14  segment-cycles active      segments whose unit is not gated
//   15  segment-cycles gated       segments whose unit is gated
//   16  controller checks          segment zero checks: NSEG if gating is on
//   17  C1/C2 control toggles      C1/C2 pairs switched by the gating:
//                                  segments whose gated state differs from
//                                  the previous COMPUTE x powered groups
//                                  (not gated after reset / CLR_CNT; groups
//                                  switched by ncols_i are not counted, so
//                                  an ungated run has 0)
//   18  word lines masked          rows of gated segments (held low)
// "powered" groups have a column < ncols_i; a powered group's columns are
// all precharged, used or not (COLS must be a multiple of COL_GROUP).
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
  input  wire                               compute_i,    // COMPUTE op
  input  wire                               skip_i,       // all-zero input, gating on
  input  wire                               gate_en_i,
  input  wire                               write_i,      // WRITE op
  input  wire                               read_i,       // READ op
  input  wire [COLS-1:0]                    flip_i,       // WRITE: bits that change
  input  wire [$clog2(NSEG*SEG_ROWS+1)-1:0] x_i,          // X
  input  wire [NSEG-1:0]                    seg_gated_i,
  input  wire [(COLS/COL_GROUP)-1:0]        grp_on_i,     // powered groups
  input  wire [(COLS/COL_GROUP)*NSEG-1:0]   c12_i,        // C1/C2 pairs (on = 1)
  input  wire [COLS-1:0]                    col_use_i,
  input  wire [COLS*$clog2(NSEG*SEG_ROWS+1)-1:0] p_i,     // P per column (unmasked)
  input  wire [COLS*$clog2(NSEG+1)-1:0]     xfer_i,       // discharged local lines per column
  input  wire [4:0]                         cnt_sel_i,
  output reg  [CNT_W-1:0]                   cnt_o
);

  localparam integer NCNT = 19;
  localparam integer ROWS = NSEG * SEG_ROWS;
  localparam integer NGRP = COLS / COL_GROUP;
  localparam integer NPR  = NGRP * NSEG;                // C1/C2 pairs
  localparam integer PW   = $clog2(ROWS + 1);
  localparam integer XW   = $clog2(NSEG + 1);
  // increment width: the largest per-cycle increment is ROWS x COLS (discharges)
  localparam integer IW   = $clog2(ROWS * COLS + 1);
  localparam integer SW   = $clog2(NSEG + 1);
  localparam integer GW   = $clog2(NGRP + 1);
  localparam integer RW   = $clog2(NPR + 1);
  localparam integer FW   = $clog2(COLS + 1);

  // ---- ones-counters of the status vectors ----
  wire [SW-1:0] n_gated;
  wire [GW-1:0] n_grp;
  wire [SW-1:0] n_chg;
  wire [RW-1:0] n_on;
  wire [FW-1:0] n_use, n_flip;
  reg  [NSEG-1:0] gated_prev_q;
  cim_popcount #(.N(NSEG)) u_n_gated (.v_i(seg_gated_i),        .cnt_o(n_gated));
  cim_popcount #(.N(NGRP)) u_n_grp   (.v_i(grp_on_i),           .cnt_o(n_grp));
  cim_popcount #(.N(NPR))  u_n_on    (.v_i(c12_i),              .cnt_o(n_on));
  cim_popcount #(.N(NSEG)) u_n_chg   (.v_i(seg_gated_i ^ gated_prev_q), .cnt_o(n_chg));
  cim_popcount #(.N(COLS)) u_n_use   (.v_i(col_use_i),          .cnt_o(n_use));
  cim_popcount #(.N(COLS)) u_n_flip  (.v_i(flip_i),             .cnt_o(n_flip));

  // Sums over the columns: conducting cells (P) and discharged local lines.
  reg [IW-1:0] p_sum, xfer_sum;
  integer k;
  always @* begin
    p_sum    = {IW{1'b0}};
    xfer_sum = {IW{1'b0}};
    for (k = 0; k < COLS; k = k + 1) begin
      p_sum    = p_sum    + {{(IW-PW){1'b0}}, p_i[k*PW +: PW]};
      xfer_sum = xfer_sum + {{(IW-XW){1'b0}}, xfer_i[k*XW +: XW]};
    end
  end

  // pairs of powered groups that are off: NSEG x powered groups - pairs on
  wire [IW-1:0] pairs_pow = NSEG[IW-1:0] * {{(IW-GW){1'b0}}, n_grp};
  wire [IW-1:0] pairs_on  = {{(IW-RW){1'b0}}, n_on};
  wire [IW-1:0] pch_done  = pairs_on * COL_GROUP[IW-1:0];
  wire [IW-1:0] pch_gated = (pairs_pow - pairs_on) * COL_GROUP[IW-1:0];
  wire [IW-1:0] seg_gated = {{(IW-SW){1'b0}}, n_gated};
  wire [IW-1:0] seg_act   = NSEG[IW-1:0] - seg_gated;
  wire [IW-1:0] zero      = {IW{1'b0}};
  wire [IW-1:0] one       = {{(IW-1){1'b0}}, 1'b1};

  // ---- per-cycle increments, counter i at inc[i*IW +: IW] ----
  wire [NCNT*IW-1:0] inc;
  assign inc[ 0*IW +: IW] = one;
  assign inc[ 1*IW +: IW] = compute_i ? one : zero;
  assign inc[ 2*IW +: IW] = (compute_i & skip_i) ? one : zero;
  assign inc[ 3*IW +: IW] = write_i ? one : zero;
  assign inc[ 4*IW +: IW] = write_i ? {{(IW-FW){1'b0}}, n_flip} : zero;
  assign inc[ 5*IW +: IW] = read_i ? one : zero;
  assign inc[ 6*IW +: IW] = compute_i ? {{(IW-PW){1'b0}}, x_i} : zero;
  assign inc[ 7*IW +: IW] = compute_i ? pch_done : zero;
  assign inc[ 8*IW +: IW] = compute_i ? pch_gated : zero;
  assign inc[ 9*IW +: IW] = compute_i ? p_sum : zero;
  assign inc[10*IW +: IW] = compute_i ? pch_done : zero;
  assign inc[11*IW +: IW] = compute_i ? pch_gated : zero;
  assign inc[12*IW +: IW] = compute_i ? xfer_sum : zero;
  assign inc[13*IW +: IW] = compute_i ? {{(IW-FW){1'b0}}, n_use} : zero;
  assign inc[14*IW +: IW] = compute_i ? seg_act : zero;
  assign inc[15*IW +: IW] = compute_i ? seg_gated : zero;
  assign inc[16*IW +: IW] = (compute_i & gate_en_i) ? NSEG[IW-1:0] : zero;
  assign inc[17*IW +: IW] = compute_i ? {{(IW-SW){1'b0}}, n_chg} * {{(IW-GW){1'b0}}, n_grp} : zero;
  assign inc[18*IW +: IW] = compute_i ? seg_gated * SEG_ROWS[IW-1:0] : zero;

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

  // gated segments of the previous COMPUTE (for the toggle count)
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gated_prev_q <= {NSEG{1'b0}};
    end else if (clr_i) begin
      gated_prev_q <= {NSEG{1'b0}};
    end else if (compute_i) begin
      gated_prev_q <= seg_gated_i;
    end
  end

  // ---- read multiplexer (indices >= NCNT read 0) ----
  integer m;
  always @* begin
    cnt_o = {CNT_W{1'b0}};
    for (m = 0; m < NCNT; m = m + 1) begin
      if ({27'd0, cnt_sel_i} == m) cnt_o = cnt[m*CNT_W +: CNT_W];
    end
  end

endmodule
