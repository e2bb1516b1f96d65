// cim_local_bl: one segment of local bit lines (SEG_ROWS rows x COLS columns).
//
// Hardware: each column has a short local read bit line shared by the
// SEG_ROWS cells of the segment. Its precharge supply is gated by C2 and the
// AND cells' common footer by C1; both follow en_i (the segment's control
// unit) and the column's group enable. When enabled, the local line is
// precharged and every cell whose read word line is high and whose stored
// bit is 1 conducts (the 2-transistor AND); the evaluation yields the local
// count of conducting cells. A gated segment is not precharged and not
// evaluated: it holds its state, makes no toggles and contributes 0.
module cim_local_bl #(
  parameter integer SEG_ROWS = 16,
  parameter integer COLS     = 64
) (
  input  wire [SEG_ROWS-1:0]                    rwl_i,     // read word lines of the segment
  input  wire [COLS*SEG_ROWS-1:0]               cells_i,   // column j's cells at [j*SEG_ROWS +: SEG_ROWS]
  input  wire                                   en_i,      // C1/C2 of the segment's unit
  input  wire [COLS-1:0]                        grp_en_i,  // C1/C2 of the column's group
  output wire [COLS*$clog2(SEG_ROWS+1)-1:0]     cnt_o,     // local count per column
  output wire [COLS-1:0]                        dis_o      // local line discharged (count != 0)
);

  localparam integer LW = $clog2(SEG_ROWS + 1);

  genvar j;
  generate
    for (j = 0; j < COLS; j = j + 1) begin : g_col
      wire          on  = en_i & grp_en_i[j];
      wire [LW-1:0] cnt = $countones(rwl_i & cells_i[j*SEG_ROWS +: SEG_ROWS]);
      assign cnt_o[j*LW +: LW] = on ? cnt : {LW{1'b0}};
      assign dis_o[j]          = on & (cnt != {LW{1'b0}});
    end
  endgenerate

endmodule
