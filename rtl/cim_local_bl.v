// cim_local_bl: the local bit lines of one column (ROWS / SEG_ROWS segments).
//
// Hardware: the column's read bit line is cut into segments of SEG_ROWS
// cells, each a short local bit line (LBL) with
//   - a precharge device whose supply is gated by C2: pch_i[s] is the
//     precharge pulse (C2 on and an array cycle);
//   - a footer under its AND cells gated by C1 (c1_i[s]): with the footer
//     off the read stacks' virtual ground floats and no cell can conduct;
//   - a local sense stage gated by SE (se_i[s]) that converts the line's
//     level into the local count and drives it onto the global line.
// The line's state is its level, counted in cell discharges below the
// precharge level: 0 = precharged, k = k cells pulled it down one step
// each, SEG_ROWS = fully discharged (it cannot go lower). One array cycle
// (stage A) is: precharge phase (clock high: lines with pch_i go to 0),
// evaluate phase (clock low: the word lines rwl_i fire, every cell whose
// word line is high, whose stored bit is 1 and whose footer is on conducts
// and lowers the level by one step), then at the next rising edge the
// sense stage latches the level onto the global line (se_i) and the line
// keeps it (lbl_q). A line that is neither precharged nor evaluated holds
// its level: a gated segment does not toggle. A line that is not
// precharged but whose footer is on still discharges if a word line rises
// (what C2-only gating risks; the controller's data gating never raises a
// word line of a gated unit).
//
// lbl_v is the waveform view of the lines (the precharge phase while the
// clock is high, the evaluated level while it is low); nothing reads it.
// The activity taps count the lines' data-dependent events: recharges (a
// precharge of a line that had discharged) and the charge they restore
// (its level), cells conducting and discharges (a line whose level fell in
// the evaluation). The events that depend only on the group's control
// lines (precharges, sense evaluations, footer wake-ups and off cycles)
// are the same at every column of a group and are counted once per
// (group, segment) line in cim_activity.
//
// Fields: segment s at [s*SEG_ROWS +: SEG_ROWS] of a ROWS-bit vector, the
// count in its low bits; the arithmetic is field-parallel on 64-bit words.
module cim_local_bl #(
  parameter integer ROWS     = 256,  // rows of the column
  parameter integer SEG_ROWS = 16    // rows per local bit line (power of two)
) (
  input  wire                                clk_i,
  input  wire                                rst_ni,
  input  wire                                eval_i,   // an array cycle (stage A holds a COMPUTE)
  input  wire [ROWS-1:0]                     rwl_i,    // read word lines (0 outside array cycles)
  input  wire [ROWS-1:0]                     cells_i,  // the column's stored bits
  input  wire [ROWS/SEG_ROWS-1:0]            c1_i,     // footer on, per segment
  input  wire [ROWS/SEG_ROWS-1:0]            pch_i,    // precharge pulse, per segment
  input  wire [ROWS/SEG_ROWS-1:0]            se_i,     // sense enable, per segment
  output wire [ROWS-1:0]                     cnt_o,    // sensed local counts (0 where not sensed)
  output wire [$clog2(ROWS/SEG_ROWS+1)-1:0]  n_rch_o,  // lines recharged (had discharged)
  output wire [$clog2(ROWS+1)-1:0]           s_rch_o,  // discharge steps restored by precharges
  output wire [$clog2(ROWS+1)-1:0]           n_cell_o, // cells that conducted
  output wire [$clog2(ROWS/SEG_ROWS+1)-1:0]  n_dis_o   // lines that discharged
);

  // Only the line state (lbl_q) and the ports are traced: the
  // field arithmetic below is the evaluation, not a net of the circuit.
  /* verilator tracing_off */
  localparam integer NSEG   = ROWS / SEG_ROWS;
  localparam integer CHUNK  = (ROWS < 64) ? ROWS : 64;
  localparam integer NCHUNK = ROWS / CHUNK;
  localparam integer NF     = CHUNK / SEG_ROWS;  // fields per word

  if (!(SEG_ROWS >= 2 && (SEG_ROWS & (SEG_ROWS - 1)) == 0)) begin : g_illegal_SEG_ROWS_power_of_two
    cim_illegal_parameter_SEG_ROWS_power_of_two u_illegal ();
  end
  if (!(SEG_ROWS <= CHUNK && (ROWS % CHUNK) == 0)) begin : g_illegal_ROWS_multiple_of_words
    cim_illegal_parameter_ROWS_multiple_of_words u_illegal ();
  end
  // per-field constants: the LSB, SEG_ROWS itself, and the bias that sets a
  // field's top bit iff its value exceeds SEG_ROWS (values stay < 2^SEG_ROWS)
  localparam [CHUNK-1:0] L   = {NF{{(SEG_ROWS-1){1'b0}}, 1'b1}};
  localparam integer SEG_I = SEG_ROWS;
  localparam [SEG_ROWS-1:0] SEGV = SEG_I[SEG_ROWS-1:0];
  localparam [CHUNK-1:0] FS  = {NF{SEGV}};
  localparam [SEG_ROWS-1:0] BIAS_NZ = {1'b0, {(SEG_ROWS-1){1'b1}}};  // 2^(SEG_ROWS-1) - 1
  localparam [SEG_ROWS-1:0] BIAS_GT = BIAS_NZ - SEGV;
  localparam [CHUNK-1:0] KNZ = {NF{BIAS_NZ}};
  localparam [CHUNK-1:0] KGT = {NF{BIAS_GT}};

  // per-segment enables spread over their fields
  wire [ROWS-1:0] foot_r, pch_f, se_f;
  genvar s, c;
  generate
    for (s = 0; s < NSEG; s = s + 1) begin : g_spread
      assign foot_r[s*SEG_ROWS +: SEG_ROWS] = {SEG_ROWS{c1_i[s]}};
      assign pch_f[s*SEG_ROWS +: SEG_ROWS]  = {SEG_ROWS{pch_i[s]}};
      assign se_f[s*SEG_ROWS +: SEG_ROWS]   = {SEG_ROWS{se_i[s]}};
    end
  endgenerate

  // ---- the line levels (state) ----
  /* verilator tracing_on */
  reg  [ROWS-1:0] lbl_q;     // level per segment after the last evaluation
  /* verilator tracing_off */
  wire [ROWS-1:0] start;     // level after the precharge phase
  wire [ROWS-1:0] level;     // level after the evaluate phase
  wire [ROWS-1:0] cnt;       // cells conducting per segment
  wire [ROWS-1:0] rch_nz;    // field LSB: precharged line had discharged
  wire [ROWS-1:0] dis_nz;    // field LSB: level fell in the evaluation
  generate
    for (c = 0; c < NCHUNK; c = c + 1) begin : g_word
      // The AND cells: conducting = word line high, stored 1, footer on.
      wire [CHUNK-1:0] conduct = rwl_i[c*CHUNK +: CHUNK] & cells_i[c*CHUNK +: CHUNK] &
                                 foot_r[c*CHUNK +: CHUNK];
      cim_tree_sum #(.N(CHUNK), .W_IN(1), .W_OUT(SEG_ROWS), .CHUNK(CHUNK)) u_count (
        .v_i (conduct),
        .s_o (cnt[c*CHUNK +: CHUNK])
      );
      wire [CHUNK-1:0] old = lbl_q[c*CHUNK +: CHUNK];
      wire [CHUNK-1:0] st  = old & ~pch_f[c*CHUNK +: CHUNK];
      // evaluate: st + cnt, saturated at SEG_ROWS (fully discharged)
      wire [CHUNK-1:0] sum = st + cnt[c*CHUNK +: CHUNK];
      wire [CHUNK-1:0] gt  = ((sum + KGT) >> (SEG_ROWS - 1)) & L;
      wire [CHUNK-1:0] gtm = (gt << SEG_ROWS) - gt;            // gt spread over its field
      assign start[c*CHUNK +: CHUNK]  = st;
      assign level[c*CHUNK +: CHUNK]  = (sum & ~gtm) | (FS & gtm);
      assign rch_nz[c*CHUNK +: CHUNK] = ((old + KNZ) >> (SEG_ROWS - 1)) & L &
                                        pch_f[c*CHUNK +: CHUNK];
      assign dis_nz[c*CHUNK +: CHUNK] = (((level[c*CHUNK +: CHUNK] - st) + KNZ) >> (SEG_ROWS - 1)) & L;
    end
  endgenerate

  // The line keeps its level after an array cycle, holds it otherwise.
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lbl_q <= {ROWS{1'b0}};       // reset precharges every line
    end else if (eval_i) begin
      lbl_q <= level;
    end
  end

  // Sense stage: the level of a sensed line onto the global line.
  assign cnt_o = level & se_f;

  // Waveform view: precharge phase while the clock is high, evaluation while low.
  /* verilator tracing_on */
  /* verilator lint_off UNUSEDSIGNAL */
  wire [ROWS-1:0] lbl_v = !eval_i ? lbl_q : (clk_i ? start : level);
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator tracing_off */

  // ---- activity taps ----
  wire [NSEG-1:0] rch_flag, dis_flag;
  generate
    for (s = 0; s < NSEG; s = s + 1) begin : g_flag
      assign rch_flag[s] = rch_nz[s*SEG_ROWS];
      assign dis_flag[s] = dis_nz[s*SEG_ROWS] & eval_i;
    end
  endgenerate
  cim_popcount #(.N(NSEG)) u_n_rch  (.v_i(rch_flag),          .cnt_o(n_rch_o));
  cim_popcount #(.N(NSEG)) u_n_dis  (.v_i(dis_flag),          .cnt_o(n_dis_o));
  cim_field_sum #(.ROWS(ROWS), .SEG_ROWS(SEG_ROWS)) u_s_rch (.v_i(lbl_q & pch_f), .sum_o(s_rch_o));
  cim_field_sum #(.ROWS(ROWS), .SEG_ROWS(SEG_ROWS)) u_n_cell (.v_i(cnt),          .sum_o(n_cell_o));

endmodule
/* verilator tracing_on */
