// cim_tree_sum: a field-parallel binary adder tree (bit-parallel counters).
//
// Hardware: the adder tree that turns many small counts into fewer wider
// ones, as used by the local bit line sense stage (cell currents -> local
// count), the global bit line (local counts -> P) and the ones-counters of
// the controller. The N-bit input holds N / W_IN fields of W_IN bits, each an
// unsigned count in its low bits; the output holds N / W_OUT fields of W_OUT
// bits, each the sum of the W_OUT / W_IN input fields it covers. Level l adds
// neighbouring fields pairwise: (v & M) + ((v >> w) & M), where M keeps the
// low half of every 2w-bit field. Operands never carry across a field, so
// after constant propagation every level is a row of small independent
// adders (a balanced tree), while a simulator evaluates a whole word per
// operation. Work is split into words of CHUNK bits (64 by default).
// Requirements: W_IN, W_OUT, CHUNK powers of two, W_IN <= W_OUT <= CHUNK,
// N a multiple of CHUNK. No sum can overflow its field: two W-bit values
// add to at most W+1 bits, and the field doubles to 2W bits.
// Adder-tree internals are not traced (the waveform shows the counts at
// the ports of the modules that use this one).
/* verilator tracing_off */
module cim_tree_sum #(
  parameter integer N     = 64,   // bits in and out
  parameter integer W_IN  = 1,    // input field width
  parameter integer W_OUT = 16,   // output field width
  parameter integer CHUNK = 64    // simulator word (fields never span two)
) (
  input  wire [N-1:0] v_i,        // N / W_IN counts of W_IN bits
  output wire [N-1:0] s_o         // N / W_OUT sums of W_OUT bits
);

  localparam integer LEVELS = $clog2(W_OUT / W_IN);
  localparam integer NCHUNK = N / CHUNK;

  if (!(W_IN >= 1 && (W_IN & (W_IN - 1)) == 0)) begin : g_illegal_W_IN_power_of_two
    cim_illegal_parameter_W_IN_power_of_two u_illegal ();
  end
  if (!((W_OUT & (W_OUT - 1)) == 0 && W_OUT >= W_IN)) begin : g_illegal_W_OUT_power_of_two
    cim_illegal_parameter_W_OUT_power_of_two u_illegal ();
  end
  if (!((CHUNK & (CHUNK - 1)) == 0 && CHUNK >= W_OUT)) begin : g_illegal_CHUNK_power_of_two
    cim_illegal_parameter_CHUNK_power_of_two u_illegal ();
  end
  if (!(N >= CHUNK && (N % CHUNK) == 0)) begin : g_illegal_N_multiple_of_CHUNK
    cim_illegal_parameter_N_multiple_of_CHUNK u_illegal ();
  end

  genvar c, l;
  generate
    for (c = 0; c < NCHUNK; c = c + 1) begin : g_chunk
      // lv[l*CHUNK +: CHUNK] is the chunk after l levels of the tree
      // (split_var: one variable per level for Verilator, no false loop)
      wire [(LEVELS+1)*CHUNK-1:0] lv /* verilator split_var */;
      assign lv[0 +: CHUNK] = v_i[c*CHUNK +: CHUNK];
      for (l = 0; l < LEVELS; l = l + 1) begin : g_level
        localparam integer W = W_IN << l;  // field width before this level
        // low W bits of every 2W-bit field
        localparam [CHUNK-1:0] M = {(CHUNK / (2 * W)){{W{1'b0}}, {W{1'b1}}}};
        assign lv[(l+1)*CHUNK +: CHUNK] = (lv[l*CHUNK +: CHUNK] & M) +
                                          ((lv[l*CHUNK +: CHUNK] >> W) & M);
      end
      assign s_o[c*CHUNK +: CHUNK] = lv[LEVELS*CHUNK +: CHUNK];
    end
  endgenerate

endmodule
/* verilator tracing_on */
