// cim_accum: per-column bit-serial accumulators and threshold units.
//
// Hardware: behind each global bit line, the column foot turns the count P
// into the signed term 2P - X (X from the controller), shifts it by the
// plane's weight and adds it into an accumulator; over the bit planes of
// an input this builds the multi-bit dot product:
//     first plane issued:  acc = (2P - X) << plane
//     later planes:        acc = acc + ((2P - X) << plane)
// Because every plane carries its own weight (plane_i), planes may come in
// any order and a plane that was not issued (an all-zero plane the driver
// skipped: it adds 0) costs nothing here. A threshold register per column
// (written by SET_THR) and a comparator give the binary output
// bin = (acc >= thr), signed. Masked columns (col_use_i = 0) accumulate 0.
module cim_accum #(
  parameter integer COLS  = 64,
  parameter integer PW    = 9,    // width of P and X
  parameter integer ACC_W = 32
) (
  input  wire                    clk_i,
  input  wire                    rst_ni,
  input  wire                    en_i,        // an array cycle: update the accumulators
  input  wire                    first_i,     // first plane issued of this accumulation
  input  wire [3:0]              plane_i,     // weight of the plane: 2^plane_i
  input  wire [COLS*PW-1:0]      p_i,         // P per column
  input  wire [PW-1:0]           x_i,         // X
  input  wire [COLS-1:0]         col_use_i,   // column in use
  input  wire                    thr_we_i,    // SET_THR op
  input  wire [$clog2(COLS)-1:0] thr_col_i,   // column whose threshold is written
  input  wire [ACC_W-1:0]        thr_i,       // signed threshold
  output wire [COLS*ACC_W-1:0]   acc_o,       // signed accumulator per column
  output wire [COLS-1:0]         bin_o        // acc >= thr per column
);

  // (2P - X) << 15, signed, fits: PW + 1 bits, 15 more, a sign
  if (!(ACC_W >= PW + 17)) begin : g_illegal_ACC_W_holds_plane_15
    cim_illegal_parameter_ACC_W_holds_plane_15 u_illegal ();
  end

  genvar j;
  generate
    for (j = 0; j < COLS; j = j + 1) begin : g_col
      reg  signed [ACC_W-1:0] acc_q;
      reg  signed [ACC_W-1:0] thr_q;
      // 2P - X, sign-extended to the accumulator width, times 2^plane
      wire signed [ACC_W-1:0] term =
          $signed({{(ACC_W-PW-1){1'b0}}, p_i[j*PW +: PW], 1'b0}) -
          $signed({{(ACC_W-PW){1'b0}}, x_i});
      wire signed [ACC_W-1:0] term_sh = term <<< plane_i;
      wire signed [ACC_W-1:0] acc_d = !col_use_i[j] ? {ACC_W{1'b0}} :
                                      first_i       ? term_sh :
                                                      acc_q + term_sh;
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          acc_q <= {ACC_W{1'b0}};
        end else if (en_i) begin
          acc_q <= acc_d;
        end
      end
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          thr_q <= {ACC_W{1'b0}};
        end else if (thr_we_i && thr_col_i == j[$clog2(COLS)-1:0]) begin
          thr_q <= thr_i;
        end
      end
      assign acc_o[j*ACC_W +: ACC_W] = acc_q;
      assign bin_o[j] = acc_q >= thr_q;
    end
  endgenerate

endmodule
