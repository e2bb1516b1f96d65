// cim_cell_array: the 8T SRAM cell array of the macro.
//
// Hardware: ROWS x COLS 8T bit cells. The 6T core of each cell is written
// through the write port: a row decoder raises one write word line (wwl) per
// WRITE, and the write bit lines of every column carry wdata_i, so one row
// is written per cycle. The decoupled 2-transistor read stack of each cell
// (read word line on one gate, the stored bit on the other) is the AND cell
// of the compute port; the stored-bit side is what this module exports on
// cells_o. The same read port reads one row as plain memory (rdata_o = the
// row at addr_i, the value before a write in the same cycle) when it is
// used (re_i: a READ, or a WRITE, whose old row the flip count needs); its
// sensed bit lines read 0 otherwise.
//
// Storage is column-major (one ROWS-bit vector per column) so that a
// column's AND with the read word lines is a word-wide operation in
// simulation. With RESET = 1 (the default) every cell is reset to 0 so
// that no X ever leaves the array; with RESET = 0 the cells have no reset,
// as the cells of a real SRAM have none: a cell holds X under a 4-state
// simulator until it is written (tb/xcheck_tb.v's X check).
module cim_cell_array #(
  parameter integer ROWS  = 256,  // word lines (power of two)
  parameter integer COLS  = 64,   // bit-line columns
  parameter integer RESET = 1     // 1: reset clears the cells, 0: no reset
) (
  input  wire                      clk_i,
  input  wire                      rst_ni,
  input  wire                      we_i,      // WRITE op: raise the write word line
  input  wire                      re_i,      // read port used (READ, or a WRITE's old row)
  input  wire [$clog2(ROWS)-1:0]   addr_i,    // row for write and read
  input  wire [COLS-1:0]           wdata_i,   // write bit lines, bit j = column j
  output wire [COLS*ROWS-1:0]      cells_o,   // stored bits, column j at [j*ROWS +: ROWS]
  output wire [COLS-1:0]           rdata_o    // row addr_i through the read port
);

  if (!(ROWS >= 2 && (ROWS & (ROWS - 1)) == 0)) begin : g_illegal_ROWS_power_of_two
    cim_illegal_parameter_ROWS_power_of_two u_illegal ();
  end

  // Row decoder: the one-hot write word lines.
  wire [ROWS-1:0] wwl = {{(ROWS-1){1'b0}}, we_i} << addr_i;

  genvar j;
  generate
    for (j = 0; j < COLS; j = j + 1) begin : g_col
      // One column of cells on the write bit lines of column j: the cell of
      // the raised write word line takes the bit line's value.
      // (The write mux is kept inside the register process so that a
      // simulator evaluates it only on a WRITE clock edge.)
      reg [ROWS-1:0] col_q;
      if (RESET != 0) begin : g_reset
        always @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) begin
            col_q <= {ROWS{1'b0}};
          end else if (we_i) begin
            col_q <= (col_q & ~wwl) | (wwl & {ROWS{wdata_i[j]}});
          end
        end
      end else begin : g_no_reset
        wire unused_rst_ni = rst_ni;  // cells have no reset
        always @(posedge clk_i) begin
          if (we_i) begin
            col_q <= (col_q & ~wwl) | (wwl & {ROWS{wdata_i[j]}});
          end
        end
      end
      assign cells_o[j*ROWS +: ROWS] = col_q;
      // Read port: the cell of row addr_i on the column's read bit line,
      // sensed when the port is used (a simulator selects the bit only then).
      reg rd_bit;
      always @* begin
        rd_bit = 1'b0;
        if (re_i) begin
          rd_bit = col_q[addr_i];
        end
      end
      assign rdata_o[j] = rd_bit;
    end
  endgenerate

endmodule
