// cim_local_bl: the local bit lines of one column (ROWS / SEG_ROWS segments).
//
// Hardware: the column's read bit line is cut into segments of SEG_ROWS
// cells, each a short local bit line (LBL) with
//   - a precharge device whose supply is gated by C2: the precharge pulse
//     (C2 on and an array cycle);
//   - a footer under its AND cells gated by C1: with the footer off the
//     read stacks' virtual ground floats and no cell can conduct;
//   - a local sense stage gated by SE that converts the line's level into
//     the local count and drives it onto the global line.
// The C1, precharge and SE lines of segment s arrive as the line at each
// of the segment's rows (c1_i, pch_i, se_i: bit r is the line of row r's
// segment): the group's lines fanned out along its rows, once per column
// group (cim_macro), and the field masks of the line arithmetic below.
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
// count in its low bits; the arithmetic is field-parallel on 64-bit words,
// and the column is built word by word (g_word[c]: the 64 rows
// [c*64 +: 64], their segments' line levels lbl_q and their evaluation),
// so that a simulator keeps every value of the column in 64-bit words.
module cim_local_bl #(
  parameter integer ROWS     = 256,  // rows of the column
  parameter integer SEG_ROWS = 16    // rows per local bit line (power of two)
) (
  input  wire                                clk_i,
  input  wire                                rst_ni,
  input  wire                                eval_i,   // an array cycle (stage A holds a COMPUTE)
  input  wire [ROWS-1:0]                     rwl_i,    // read word lines (0 outside array cycles)
  input  wire [ROWS-1:0]                     cells_i,  // the column's stored bits
  input  wire [ROWS-1:0]                     c1_i,     // footer on (C1), at each row of the segment
  input  wire [ROWS-1:0]                     pch_i,    // precharge pulse, at each row of the segment
  input  wire [ROWS-1:0]                     se_i,     // sense enable, at each row of the segment
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
  localparam integer PW     = $clog2(ROWS + 1);
  localparam integer XW     = $clog2(NSEG + 1);

  if (!(SEG_ROWS >= 2 && (SEG_ROWS & (SEG_ROWS - 1)) == 0)) begin : g_illegal_SEG_ROWS_power_of_two
    cim_illegal_parameter_SEG_ROWS_power_of_two u_illegal ();
  end
  if (!(SEG_ROWS <= CHUNK && (ROWS % CHUNK) == 0)) begin : g_illegal_ROWS_multiple_of_words
    cim_illegal_parameter_ROWS_multiple_of_words u_illegal ();
  end
  // no field overflows in the word sums of the taps: a field of the summed
  // words holds NCHUNK segment counts of at most SEG_ROWS each
  if (!(SEG_ROWS >= 31 || NCHUNK * SEG_ROWS < (1 << SEG_ROWS))) begin : g_illegal_field_holds_word_sum
    cim_illegal_parameter_field_holds_word_sum u_illegal ();
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

  // Running sums over the words of the taps' fields (the first level of
  // the taps' adder trees): after word c, [c*CHUNK +: CHUNK] holds the
  // field-wise sum of words 0..c-1 (split_var: one variable per word).
  wire [(NCHUNK+1)*CHUNK-1:0] ws_cell /* verilator split_var */;  // cells conducting
  wire [(NCHUNK+1)*CHUNK-1:0] ws_srch /* verilator split_var */;  // levels restored by precharges
  wire [(NCHUNK+1)*CHUNK-1:0] ws_rch  /* verilator split_var */;  // recharge flags (field LSB)
  wire [(NCHUNK+1)*CHUNK-1:0] ws_dis  /* verilator split_var */;  // discharge flags (field LSB)
  assign ws_cell[0 +: CHUNK] = {CHUNK{1'b0}};
  assign ws_srch[0 +: CHUNK] = {CHUNK{1'b0}};
  assign ws_rch[0 +: CHUNK]  = {CHUNK{1'b0}};
  assign ws_dis[0 +: CHUNK]  = {CHUNK{1'b0}};

  // Waveform view of the lines: precharge phase while the clock is high,
  // evaluation while low (per word below; nothing reads it).
  /* verilator tracing_on */
  /* verilator lint_off UNUSEDSIGNAL */
  wire [ROWS-1:0] lbl_v;
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator tracing_off */

  genvar c;
  generate
    for (c = 0; c < NCHUNK; c = c + 1) begin : g_word
      wire [CHUNK-1:0] foot = c1_i[c*CHUNK +: CHUNK];
      wire [CHUNK-1:0] pch  = pch_i[c*CHUNK +: CHUNK];
      wire [CHUNK-1:0] se   = se_i[c*CHUNK +: CHUNK];

      // ---- the line levels of the word's segments (state) ----
      /* verilator tracing_on */
      reg  [CHUNK-1:0] lbl_q;   // level per segment after the last evaluation
      /* verilator tracing_off */
      // The line keeps its level after an array cycle, holds it otherwise.
      wire [CHUNK-1:0] level;   // level after the evaluate phase
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          lbl_q <= {CHUNK{1'b0}};   // reset precharges every line
        end else if (eval_i) begin
          lbl_q <= level;
        end
      end

      // The AND cells: conducting = word line high, stored 1, footer on.
      wire [CHUNK-1:0] conduct = rwl_i[c*CHUNK +: CHUNK] & cells_i[c*CHUNK +: CHUNK] & foot;
      wire [CHUNK-1:0] cnt;     // cells conducting per segment
      cim_tree_sum #(.N(CHUNK), .W_IN(1), .W_OUT(SEG_ROWS), .CHUNK(CHUNK)) u_count (
        .v_i (conduct),
        .s_o (cnt)
      );
      // precharge phase: lines with the pulse go to 0
      wire [CHUNK-1:0] st  = lbl_q & ~pch;
      // evaluate: st + cnt, saturated at SEG_ROWS (fully discharged)
      wire [CHUNK-1:0] sum = st + cnt;
      wire [CHUNK-1:0] gt  = ((sum + KGT) >> (SEG_ROWS - 1)) & L;
      wire [CHUNK-1:0] gtm = (gt << SEG_ROWS) - gt;            // gt spread over its field
      assign level = (sum & ~gtm) | (FS & gtm);

      // Sense stage: the level of a sensed line onto the global line.
      assign cnt_o[c*CHUNK +: CHUNK] = level & se;

      assign lbl_v[c*CHUNK +: CHUNK] = !eval_i ? lbl_q : (clk_i ? st : level);

      // ---- activity taps of the word ----
      // field LSB: the precharged line had discharged / its level fell
      wire [CHUNK-1:0] rch_nz = ((lbl_q + KNZ) >> (SEG_ROWS - 1)) & L & pch;
      wire [CHUNK-1:0] dis_nz = (((level - st) + KNZ) >> (SEG_ROWS - 1)) & L & {CHUNK{eval_i}};
      assign ws_cell[(c+1)*CHUNK +: CHUNK] = ws_cell[c*CHUNK +: CHUNK] + cnt;
      assign ws_srch[(c+1)*CHUNK +: CHUNK] = ws_srch[c*CHUNK +: CHUNK] + (lbl_q & pch);
      assign ws_rch[(c+1)*CHUNK +: CHUNK]  = ws_rch[c*CHUNK +: CHUNK] + rch_nz;
      assign ws_dis[(c+1)*CHUNK +: CHUNK]  = ws_dis[c*CHUNK +: CHUNK] + dis_nz;
    end
  endgenerate

  // ---- activity taps: the adder trees over the summed word's fields ----
  // (only the low PW / XW bits of a total can be non-zero)
  /* verilator lint_off UNUSEDSIGNAL */
  wire [CHUNK-1:0] tot_cell, tot_srch, tot_rch, tot_dis;
  /* verilator lint_on UNUSEDSIGNAL */
  cim_tree_sum #(.N(CHUNK), .W_IN(SEG_ROWS), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_n_cell (
    .v_i (ws_cell[NCHUNK*CHUNK +: CHUNK]), .s_o (tot_cell));
  cim_tree_sum #(.N(CHUNK), .W_IN(SEG_ROWS), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_s_rch (
    .v_i (ws_srch[NCHUNK*CHUNK +: CHUNK]), .s_o (tot_srch));
  cim_tree_sum #(.N(CHUNK), .W_IN(SEG_ROWS), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_n_rch (
    .v_i (ws_rch[NCHUNK*CHUNK +: CHUNK]),  .s_o (tot_rch));
  cim_tree_sum #(.N(CHUNK), .W_IN(SEG_ROWS), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_n_dis (
    .v_i (ws_dis[NCHUNK*CHUNK +: CHUNK]),  .s_o (tot_dis));
  assign n_cell_o = tot_cell[PW-1:0];
  assign s_rch_o  = tot_srch[PW-1:0];
  assign n_rch_o  = tot_rch[XW-1:0];
  assign n_dis_o  = tot_dis[XW-1:0];

endmodule
/* verilator tracing_on */
