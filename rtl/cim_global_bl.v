// cim_global_bl: the global bit line of one column.
//
// Hardware: the column's global read bit line collects the counts that the
// local sense stages of its segments put on it (the local-to-global
// transfer of the hierarchical bit line); its result is P, the number of
// cells of the whole column that conducted. A segment whose sense stage was
// not enabled drives nothing (its field is 0). It also reports how many
// segments drove a non-zero count onto the line: the transfers of this
// cycle.
module cim_global_bl #(
  parameter integer ROWS     = 256,
  parameter integer SEG_ROWS = 16
) (
  input  wire [ROWS-1:0]                        cnt_i,   // sensed local counts (SEG_ROWS-bit fields)
  output wire [$clog2(ROWS+1)-1:0]              p_o,     // P: conducting cells of the column
  output wire [$clog2(ROWS/SEG_ROWS+1)-1:0]     xfer_o   // segments that drove a non-zero count
);

  /* verilator tracing_off */
  localparam integer NSEG   = ROWS / SEG_ROWS;
  localparam integer CHUNK  = (ROWS < 64) ? ROWS : 64;
  localparam integer NCHUNK = ROWS / CHUNK;
  localparam integer NF     = CHUNK / SEG_ROWS;  // fields per word
  localparam integer PW     = $clog2(ROWS + 1);
  localparam integer XW     = $clog2(NSEG + 1);

  if (!((ROWS % CHUNK) == 0 && (CHUNK % SEG_ROWS) == 0)) begin : g_illegal_ROWS_multiple_of_words
    cim_illegal_parameter_ROWS_multiple_of_words u_illegal ();
  end
  // no field overflows: a field of the summed words holds NCHUNK segment
  // counts of at most SEG_ROWS each
  if (!(SEG_ROWS >= 31 || NCHUNK * SEG_ROWS < (1 << SEG_ROWS))) begin : g_illegal_field_holds_word_sum
    cim_illegal_parameter_field_holds_word_sum u_illegal ();
  end
  // field LSBs, and the bias that sets a field's top bit iff it is non-zero
  localparam [CHUNK-1:0] L   = {NF{{(SEG_ROWS-1){1'b0}}, 1'b1}};
  localparam [SEG_ROWS-1:0] BIAS_NZ = {1'b0, {(SEG_ROWS-1){1'b1}}};  // 2^(SEG_ROWS-1) - 1
  localparam [CHUNK-1:0] KNZ = {NF{BIAS_NZ}};

  // The line's adder tree, word by word (64 rows: their segments' counts):
  // the words are added field-wise first (ws_p, running sums, split_var:
  // one variable per word), then the fields of the summed word. The same
  // for the transfers: a field's LSB flags a segment that drove a non-zero
  // count (ws_x).
  wire [(NCHUNK+1)*CHUNK-1:0] ws_p /* verilator split_var */;
  wire [(NCHUNK+1)*CHUNK-1:0] ws_x /* verilator split_var */;
  assign ws_p[0 +: CHUNK] = {CHUNK{1'b0}};
  assign ws_x[0 +: CHUNK] = {CHUNK{1'b0}};
  genvar c;
  generate
    for (c = 0; c < NCHUNK; c = c + 1) begin : g_word
      wire [CHUNK-1:0] w  = cnt_i[c*CHUNK +: CHUNK];
      wire [CHUNK-1:0] nz = ((w + KNZ) >> (SEG_ROWS - 1)) & L;
      assign ws_p[(c+1)*CHUNK +: CHUNK] = ws_p[c*CHUNK +: CHUNK] + w;
      assign ws_x[(c+1)*CHUNK +: CHUNK] = ws_x[c*CHUNK +: CHUNK] + nz;
    end
  endgenerate

  // only the low PW / XW bits of a total can be non-zero
  /* verilator lint_off UNUSEDSIGNAL */
  wire [CHUNK-1:0] tot_p, tot_x;
  /* verilator lint_on UNUSEDSIGNAL */
  cim_tree_sum #(.N(CHUNK), .W_IN(SEG_ROWS), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_p (
    .v_i (ws_p[NCHUNK*CHUNK +: CHUNK]), .s_o (tot_p));
  cim_tree_sum #(.N(CHUNK), .W_IN(SEG_ROWS), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_x (
    .v_i (ws_x[NCHUNK*CHUNK +: CHUNK]), .s_o (tot_x));
  assign p_o    = tot_p[PW-1:0];
  assign xfer_o = tot_x[XW-1:0];

endmodule
/* verilator tracing_on */
