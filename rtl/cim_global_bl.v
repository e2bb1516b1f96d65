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
  localparam integer NSEG = ROWS / SEG_ROWS;

  cim_field_sum #(.ROWS(ROWS), .SEG_ROWS(SEG_ROWS)) u_p (
    .v_i   (cnt_i),
    .sum_o (p_o)
  );

  wire [NSEG-1:0] nz;
  genvar s;
  generate
    for (s = 0; s < NSEG; s = s + 1) begin : g_seg
      assign nz[s] = |cnt_i[s*SEG_ROWS +: SEG_ROWS];
    end
  endgenerate
  cim_popcount #(.N(NSEG)) u_x (
    .v_i   (nz),
    .cnt_o (xfer_o)
  );

endmodule
/* verilator tracing_on */
