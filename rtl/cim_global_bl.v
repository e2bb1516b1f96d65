// cim_global_bl: the global bit line of one column.
//
// Hardware: the column's global read bit line collects the local counts of
// the segments stacked on it (the local-to-global transfer of the
// hierarchical bit line); its result is P, the number of cells of the whole
// column that conducted. Gated segments contribute 0. It also reports how
// many local lines discharged (non-zero local count) and so drove the
// global line: the local-to-global transfers of this cycle.
//
// Input: local counts in SEG_ROWS-bit fields (cim_local_bl). The adder tree
// first adds the fields of the 64-row words together (NSEG/words <= 2^SEG_ROWS
// holds for SEG_ROWS >= 8 up to 1024 rows), then the fields of one word.
module cim_global_bl #(
  parameter integer ROWS     = 256,
  parameter integer SEG_ROWS = 16
) (
  input  wire [ROWS-1:0]                        cnt_i,   // local counts (SEG_ROWS-bit fields)
  output wire [$clog2(ROWS+1)-1:0]              p_o,     // P: conducting cells of the column
  output wire [$clog2(ROWS/SEG_ROWS+1)-1:0]     xfer_o   // local lines that discharged
);

  localparam integer CHUNK  = (ROWS < 64) ? ROWS : 64;
  localparam integer NCHUNK = ROWS / CHUNK;
  localparam integer NF     = CHUNK / SEG_ROWS;           // fields per word
  localparam integer PW     = $clog2(ROWS + 1);
  localparam integer XW     = $clog2(ROWS / SEG_ROWS + 1);
  // count + (2^(SEG_ROWS-1) - 1) has its field's top bit set iff count >= 1
  localparam [CHUNK-1:0] K  = {NF{1'b0, {(SEG_ROWS-1){1'b1}}}};
  localparam [CHUNK-1:0] L  = {NF{{(SEG_ROWS-1){1'b0}}, 1'b1}};

  // Per word: the discharge flag of every local line (1 in the field's LSB).
  wire [ROWS-1:0] dis;
  genvar c;
  generate
    for (c = 0; c < NCHUNK; c = c + 1) begin : g_word
      assign dis[c*CHUNK +: CHUNK] = ((cnt_i[c*CHUNK +: CHUNK] + K) >> (SEG_ROWS - 1)) & L;
    end
  endgenerate

  // Add the words field by field, then the fields of the word.
  reg [CHUNK-1:0] cnt_w, dis_w;
  integer k;
  always @* begin
    cnt_w = {CHUNK{1'b0}};
    dis_w = {CHUNK{1'b0}};
    for (k = 0; k < NCHUNK; k = k + 1) begin
      cnt_w = cnt_w + cnt_i[k*CHUNK +: CHUNK];
      dis_w = dis_w + dis[k*CHUNK +: CHUNK];
    end
  end

  // Only the low PW / XW bits of the totals can be non-zero.
  /* verilator lint_off UNUSEDSIGNAL */
  wire [CHUNK-1:0] p_tot, x_tot;
  /* verilator lint_on UNUSEDSIGNAL */
  cim_tree_sum #(.N(CHUNK), .W_IN(SEG_ROWS), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_p (
    .v_i (cnt_w),
    .s_o (p_tot)
  );
  cim_tree_sum #(.N(CHUNK), .W_IN(SEG_ROWS), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_x (
    .v_i (dis_w),
    .s_o (x_tot)
  );
  assign p_o    = p_tot[PW-1:0];
  assign xfer_o = x_tot[XW-1:0];

endmodule
