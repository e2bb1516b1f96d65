// cim_global_bl: the global bit lines, one per column.
//
// Hardware: each column's global read bit line collects the local counts
// of the segments stacked on it (the local-to-global transfer of the
// hierarchical bit line); the column's result is P, the number of cells in
// the whole column that conducted. Gated segments contribute 0.
module cim_global_bl #(
  parameter integer NSEG     = 16,
  parameter integer SEG_ROWS = 16,
  parameter integer COLS     = 64
) (
  // local counts: segment s, column j at [(s*COLS + j)*LW +: LW]
  input  wire [NSEG*COLS*$clog2(SEG_ROWS+1)-1:0]  cnt_i,
  output reg  [COLS*$clog2(NSEG*SEG_ROWS+1)-1:0]  p_o     // P per column
);

  localparam integer LW = $clog2(SEG_ROWS + 1);
  localparam integer PW = $clog2(NSEG * SEG_ROWS + 1);

  integer s, j;
  reg [PW-1:0] sum;
  always @* begin
    p_o = {COLS*PW{1'b0}};
    for (j = 0; j < COLS; j = j + 1) begin
      sum = {PW{1'b0}};
      for (s = 0; s < NSEG; s = s + 1) begin
        sum = sum + {{(PW-LW){1'b0}}, cnt_i[(s*COLS + j)*LW +: LW]};
      end
      p_o[j*PW +: PW] = sum;
    end
  end

endmodule
