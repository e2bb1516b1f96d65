// cim_activity: the macro's activity counters, one per event class of the
// energy model (docs/SPEC.md section 6, docs/ENERGY.md).
//
// Hardware: a bank of CNT_W-bit event counters with a read multiplexer
// (cnt_sel_i -> cnt_o, readable at any time) and a synchronous clear. The
// per-cycle increments are computed here from the controller's and the
// bit lines' status. "gated" counters record work the ungated macro would
// have done, so that done + gated of a gated run equals done of the same
// run with gating off (pairs 7/8, 10/11, 14/15).
//
//   idx event                      increment per cycle
//    0  cycles                     1
//    1  compute ops                COMPUTE
//    2  skipped compute cycles     COMPUTE with all-zero input and gating on
//    3  weight-row writes          WRITE
//    4  write bits flipped         WRITE: cells whose value changes
//    5  read ops                   READ
//    6  word-line pulses           COMPUTE: input bits = 1 (read word lines raised)
//    7  precharges done            COMPUTE: active segments x powered columns
//    8  precharges gated           COMPUTE: gated segments x powered columns
//    9  local discharges           COMPUTE: conducting cells (sum of P)
//   10  local evaluations          COMPUTE: active segments x powered columns
//   11  local evaluations gated    COMPUTE: gated segments x powered columns
//   12  local-to-global transfers  COMPUTE: local lines that discharged (count != 0)
//   13  accumulator updates        COMPUTE: columns in use
//   14  segment-cycles active      COMPUTE: active segments
//   15  segment-cycles gated       COMPUTE: gated segments
//   16  controller checks          COMPUTE with gating on: segments checked
//   17  C1/C2 control toggles      COMPUTE: segments whose gating changed x powered groups
//   18  word lines masked          COMPUTE: rows of gated segments
module cim_activity #(
  parameter integer NSEG      = 16,
  parameter integer SEG_ROWS  = 16,
  parameter integer COLS      = 64,
  parameter integer COL_GROUP = 8,
  parameter integer PW        = 9,
  parameter integer CNT_W     = 48
) (
  input  wire                         clk_i,
  input  wire                         rst_ni,
  input  wire                         clr_i,        // CLR_CNT op
  input  wire                         compute_i,
  input  wire                         skip_i,
  input  wire                         gate_en_i,
  input  wire                         write_i,
  input  wire                         read_i,
  input  wire [COLS-1:0]              flip_i,       // WRITE: bits that change
  input  wire [PW-1:0]                x_i,
  input  wire [NSEG-1:0]              seg_gated_i,
  input  wire [COLS-1:0]              grp_en_i,
  input  wire [COLS-1:0]              col_use_i,
  input  wire [COLS*PW-1:0]           p_i,
  input  wire [NSEG*COLS-1:0]         dis_i,        // local lines discharged
  input  wire [4:0]                   cnt_sel_i,
  output reg  [CNT_W-1:0]             cnt_o
);

  localparam integer NCNT = 19;
  // increment width: the largest per-cycle increment is ROWS x COLS (discharges)
  localparam integer IW   = $clog2(NSEG * SEG_ROWS * COLS + 1) + 1;

  // ---- per-cycle increments (combinational) ----
  // Population counts of the status vectors: a ones-counter per vector.
  reg [NSEG-1:0] prev_gated_q;
  wire [IW-1:0] n_gated = IW'($countones(seg_gated_i));
  wire [IW-1:0] n_chg   = IW'($countones(seg_gated_i ^ prev_gated_q));
  wire [IW-1:0] n_act   = NSEG[IW-1:0] - n_gated;
  wire [IW-1:0] n_cols  = IW'($countones(grp_en_i));
  wire [IW-1:0] n_use   = IW'($countones(col_use_i));
  wire [IW-1:0] n_flip  = IW'($countones(flip_i));
  wire [IW-1:0] n_dis   = IW'($countones(dis_i));
  wire [IW-1:0] n_grp   = n_cols / COL_GROUP[IW-1:0];
  // Sum of P over the columns: the adder that totals the conducting cells.
  reg  [IW-1:0] p_sum;
  integer k;
  always @* begin
    p_sum = {IW{1'b0}};
    for (k = 0; k < COLS; k = k + 1) begin
      p_sum = p_sum + {{(IW-PW){1'b0}}, p_i[k*PW +: PW]};
    end
  end

  reg [IW-1:0] inc [0:NCNT-1];
  always @* begin
    inc[0]  = 1;
    inc[1]  = {{(IW-1){1'b0}}, compute_i};
    inc[2]  = {{(IW-1){1'b0}}, compute_i & skip_i};
    inc[3]  = {{(IW-1){1'b0}}, write_i};
    inc[4]  = write_i ? n_flip : {IW{1'b0}};
    inc[5]  = {{(IW-1){1'b0}}, read_i};
    inc[6]  = compute_i ? {{(IW-PW){1'b0}}, x_i} : {IW{1'b0}};
    inc[7]  = compute_i ? n_act * n_cols : {IW{1'b0}};
    inc[8]  = compute_i ? n_gated * n_cols : {IW{1'b0}};
    inc[9]  = compute_i ? p_sum : {IW{1'b0}};
    inc[10] = inc[7];
    inc[11] = inc[8];
    inc[12] = compute_i ? n_dis : {IW{1'b0}};
    inc[13] = compute_i ? n_use : {IW{1'b0}};
    inc[14] = compute_i ? n_act : {IW{1'b0}};
    inc[15] = compute_i ? n_gated : {IW{1'b0}};
    inc[16] = (compute_i && gate_en_i) ? NSEG[IW-1:0] : {IW{1'b0}};
    inc[17] = compute_i ? n_chg * n_grp : {IW{1'b0}};
    inc[18] = compute_i ? n_gated * SEG_ROWS[IW-1:0] : {IW{1'b0}};
  end

  // ---- the counter bank ----
  reg [CNT_W-1:0] cnt_q [0:NCNT-1];
  integer i;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (i = 0; i < NCNT; i = i + 1) cnt_q[i] <= {CNT_W{1'b0}};
      prev_gated_q <= {NSEG{1'b0}};
    end else if (clr_i) begin
      for (i = 0; i < NCNT; i = i + 1) cnt_q[i] <= {CNT_W{1'b0}};
      prev_gated_q <= {NSEG{1'b0}};
    end else begin
      for (i = 0; i < NCNT; i = i + 1) cnt_q[i] <= cnt_q[i] + {{(CNT_W-IW){1'b0}}, inc[i]};
      if (compute_i) prev_gated_q <= seg_gated_i;
    end
  end

  // ---- read multiplexer ----
  always @* begin
    cnt_o = {CNT_W{1'b0}};
    for (i = 0; i < NCNT; i = i + 1) begin
      if (cnt_sel_i == i[4:0]) cnt_o = cnt_q[i];
    end
  end

endmodule
