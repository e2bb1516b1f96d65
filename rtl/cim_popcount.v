// cim_popcount: a ones-counter (population count) of an N-bit vector.
//
// Hardware: a balanced adder tree over the N bits: cim_tree_sum within words
// of up to 64 bits, then an adder over the words' counts. It stands for the
// controller's X counter (read word lines raised) and the ones-counters of
// the activity unit. N need not be a power of two (zero padded).
// Adder-tree internals are not traced (the waveform shows the counts at
// the ports of the modules that use this one).
/* verilator tracing_off */
module cim_popcount #(
  parameter integer N  = 64,              // bits counted
  parameter integer CW = $clog2(N + 1)    // count width (>= $clog2(N+1))
) (
  input  wire [N-1:0]  v_i,
  output wire [CW-1:0] cnt_o
);

  localparam integer NP     = (N <= 1) ? 2 : (1 << $clog2(N));  // padded width
  localparam integer CHUNK  = (NP < 64) ? NP : 64;
  localparam integer NCHUNK = NP / CHUNK;
  localparam integer SW     = $clog2(CHUNK + 1);                // one word's count
  localparam integer TW     = $clog2(NP + 1) > CW ? $clog2(NP + 1) : CW;

  if (!(N >= 1 && CW >= $clog2(N + 1))) begin : g_illegal_CW_holds_N
    cim_illegal_parameter_CW_holds_N u_illegal ();
  end

  wire [NP-1:0] pad;
  generate
    if (NP > N) begin : g_pad
      assign pad = {{(NP-N){1'b0}}, v_i};
    end else begin : g_nopad
      assign pad = v_i;
    end
  endgenerate

  // Only the low SW bits of each word's sum can be non-zero.
  /* verilator lint_off UNUSEDSIGNAL */
  wire [NP-1:0] sums;
  /* verilator lint_on UNUSEDSIGNAL */
  cim_tree_sum #(.N(NP), .W_IN(1), .W_OUT(CHUNK), .CHUNK(CHUNK)) u_tree (
    .v_i (pad),
    .s_o (sums)
  );

  // adder over the words' counts (the total never exceeds N, so the bits of
  // the sum above CW are always zero)
  /* verilator lint_off UNUSEDSIGNAL */
  reg [TW-1:0] total;
  /* verilator lint_on UNUSEDSIGNAL */
  integer c;
  always @* begin
    total = {TW{1'b0}};
    for (c = 0; c < NCHUNK; c = c + 1) begin
      total = total + {{(TW-SW){1'b0}}, sums[c*CHUNK +: SW]};
    end
  end
  assign cnt_o = total[CW-1:0];

endmodule
/* verilator tracing_on */
