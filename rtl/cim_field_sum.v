// cim_field_sum: the sum of the SEG_ROWS-bit fields of a ROWS-bit vector.
//
// Hardware: the adder tree behind a stack of local bit lines: each field
// is one segment's count (in its low bits, the rest zero) and the output
// is their sum over the whole column (at most ROWS, so $clog2(ROWS+1)
// bits). The global bit line uses it to collect the sensed local counts
// (P); the array's activity taps use it for the cells that conducted and
// the charge restored by precharges. The fields of the 64-row words are
// added first (no field overflows: the words' sum of one field is at most
// (ROWS/64)*SEG_ROWS < 2^SEG_ROWS, e.g. 32 for 256 rows of 8-row segments),
// then the fields of the word.
// Adder-tree internals are not traced (the waveform shows the counts at
// the ports of the modules that use this one).
/* verilator tracing_off */
module cim_field_sum #(
  parameter integer ROWS     = 256,
  parameter integer SEG_ROWS = 16
) (
  input  wire [ROWS-1:0]             v_i,    // SEG_ROWS-bit fields, each a count
  output wire [$clog2(ROWS+1)-1:0]   sum_o   // sum of all fields
);

  localparam integer CHUNK  = (ROWS < 64) ? ROWS : 64;
  localparam integer NCHUNK = ROWS / CHUNK;
  localparam integer PW     = $clog2(ROWS + 1);

  // no field overflows: a field of the summed words holds NCHUNK segment
  // counts of at most SEG_ROWS each
  if (!(SEG_ROWS >= 31 || NCHUNK * SEG_ROWS < (1 << SEG_ROWS))) begin : g_illegal_field_holds_word_sum
    cim_illegal_parameter_field_holds_word_sum u_illegal ();
  end
  if (!((ROWS % CHUNK) == 0 && (CHUNK % SEG_ROWS) == 0)) begin : g_illegal_ROWS_multiple_of_words
    cim_illegal_parameter_ROWS_multiple_of_words u_illegal ();
  end

  reg [CHUNK-1:0] w;
  integer k;
  always @* begin
    w = {CHUNK{1'b0}};
    for (k = 0; k < NCHUNK; k = k + 1) begin
      w = w + v_i[k*CHUNK +: CHUNK];
    end
  end

  // Only the low PW bits of the total can be non-zero.
  /* verilator lint_off UNUSEDSIGNAL */
  wire [CHUNK-1:0] tot;
  /* verilator lint_on UNUSEDSIGNAL */
  cim_tree_sum #(.N(CHUNK), .W_IN(SEG_ROWS), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_sum (
    .v_i (w),
    .s_o (tot)
  );
  assign sum_o = tot[PW-1:0];

endmodule
/* verilator tracing_on */
