// xcheck_tb: a self-checking Icarus Verilog bench for cim_macro (4-state).
//
// Resets the macro with every input driven, then runs a random mix of
// WRITE, READ, COMPUTE (random first/last planes), SET_THR and NOPs with
// gating on and off and every control unit. At every cycle after reset it
// asserts that no output is X or Z; it checks READ against the rows it
// wrote, and P, X and the accumulators against a behavioural model of the
// arithmetic (docs/SPEC.md section 1). Prints "xcheck: PASS ..." or FAILs
// with $fatal (non-zero exit status).
`timescale 1ns / 1ps
module xcheck_tb;
  parameter integer ROWS      = 64;
  parameter integer COLS      = 16;
  parameter integer SEG_ROWS  = 8;
  parameter integer COL_GROUP = 4;
  parameter integer CYCLES    = 3000;
  localparam integer AW  = $clog2(ROWS);
  localparam integer PW  = $clog2(ROWS + 1);
  localparam integer CW  = $clog2(COLS + 1);
  localparam integer ACC = 32;

  reg                 clk = 1'b0;
  reg                 rst_n = 1'b0;
  reg  [2:0]          op = 3'd0;
  reg  [AW-1:0]       addr = {AW{1'b0}};
  reg  [COLS-1:0]     wdata = {COLS{1'b0}};
  reg  [ROWS-1:0]     in_bits = {ROWS{1'b0}};
  reg                 first = 1'b0, last = 1'b0;
  reg  [ACC-1:0]      thr = {ACC{1'b0}};
  reg                 gate_en = 1'b1;
  reg  [1:0]          unit_log2 = 2'd0;
  reg  [CW-1:0]       ncols = COLS[CW-1:0];
  reg  [4:0]          cnt_sel = 5'd0;
  wire                cmp_valid, acc_valid, rd_valid;
  wire [COLS*PW-1:0]  p;
  wire [PW-1:0]       x;
  wire [COLS*ACC-1:0] acc;
  wire [COLS-1:0]     bin, rdata;
  wire [ROWS/SEG_ROWS-1:0] seg_gated;
  wire [47:0]         cnt;

  cim_macro #(.ROWS(ROWS), .COLS(COLS), .SEG_ROWS(SEG_ROWS), .COL_GROUP(COL_GROUP)) dut (
    .clk_i(clk), .rst_ni(rst_n), .op_i(op), .addr_i(addr), .wdata_i(wdata), .in_i(in_bits),
    .first_i(first), .last_i(last), .thr_i(thr), .gate_en_i(gate_en), .unit_log2_i(unit_log2),
    .ncols_i(ncols), .cnt_sel_i(cnt_sel), .cmp_valid_o(cmp_valid), .p_o(p), .x_o(x),
    .acc_valid_o(acc_valid), .acc_o(acc), .bin_o(bin), .rd_valid_o(rd_valid), .rdata_o(rdata),
    .seg_gated_o(seg_gated), .cnt_o(cnt));

  always #5 clk = ~clk;

  // behavioural model
  reg [COLS-1:0]        mem [0:ROWS-1];
  reg signed [ACC-1:0]  macc [0:COLS-1];
  integer i, j, k, cyc, errors, n_cmp, n_rd;
  integer pexp, xexp;
  reg [COLS-1:0] last_read;

  task automatic check_no_x;
    begin
      if ((^{cmp_valid, acc_valid, rd_valid, p, x, acc, bin, rdata, seg_gated, cnt}) === 1'bx) begin
        $display("xcheck: FAIL: X/Z on an output at cycle %0d", cyc);
        errors = errors + 1;
      end
    end
  endtask

  initial begin
    errors = 0; n_cmp = 0; n_rd = 0;
    for (i = 0; i < ROWS; i = i + 1) mem[i] = {COLS{1'b0}};
    for (j = 0; j < COLS; j = j + 1) macc[j] = 0;
    repeat (3) @(posedge clk);
    #1 rst_n = 1'b1;
    for (cyc = 0; cyc < CYCLES; cyc = cyc + 1) begin
      // pick an operation (inputs change away from the clock edge)
      @(negedge clk);
      k = $urandom % 16;
      gate_en   = (cyc / 500) % 2 == 0;
      unit_log2 = (cyc / 250) % 4;
      first = 1'b0; last = 1'b0;
      if (cyc < ROWS) begin op = 3'd1; addr = cyc; wdata = {$urandom, $urandom}; end
      else if (k < 2) begin op = 3'd1; addr = $urandom; wdata = {$urandom, $urandom}; end
      else if (k < 4) begin op = 3'd2; addr = $urandom; end
      else if (k < 13) begin
        op = 3'd3;
        for (i = 0; i < ROWS; i = i + 1)
          in_bits[i] = (($urandom % 4) == 0) && ((i / SEG_ROWS) % 3 != 1);  // sparse, zero segments
        if ((k % 5) == 0) in_bits = {ROWS{1'b0}};
        first = (k % 3) == 0;
        last  = (k % 4) == 0;
      end
      else if (k < 14) begin op = 3'd4; addr = $urandom % COLS; thr = $urandom % 64 - 32; end
      else op = 3'd0;
      @(posedge clk);
      #1;
      check_no_x();
      // model update and checks (outputs are registered: valid now)
      if (op == 3'd1) mem[addr] = wdata;
      if (op == 3'd2) begin
        n_rd = n_rd + 1;
        if (!rd_valid || rdata !== mem[addr]) begin
          $display("xcheck: FAIL: READ row %0d: got %h, wrote %h (cycle %0d)", addr, rdata, mem[addr], cyc);
          errors = errors + 1;
        end
      end
      if (op == 3'd3) begin
        n_cmp = n_cmp + 1;
        xexp = 0;
        for (i = 0; i < ROWS; i = i + 1) xexp = xexp + in_bits[i];
        if (x !== xexp[PW-1:0] || !cmp_valid) begin
          $display("xcheck: FAIL: X %0d expected %0d (cycle %0d)", x, xexp, cyc);
          errors = errors + 1;
        end
        for (j = 0; j < COLS; j = j + 1) begin
          pexp = 0;
          for (i = 0; i < ROWS; i = i + 1) pexp = pexp + (in_bits[i] & mem[i][j]);
          if (p[j*PW +: PW] !== pexp[PW-1:0]) begin
            $display("xcheck: FAIL: column %0d P %0d expected %0d (cycle %0d)", j, p[j*PW +: PW], pexp, cyc);
            errors = errors + 1;
          end
          macc[j] = first ? (2 * pexp - xexp) : (2 * macc[j] + 2 * pexp - xexp);
          if ($signed(acc[j*ACC +: ACC]) !== macc[j]) begin
            $display("xcheck: FAIL: column %0d acc %0d expected %0d (cycle %0d)", j,
                     $signed(acc[j*ACC +: ACC]), macc[j], cyc);
            errors = errors + 1;
          end
        end
        if (acc_valid !== last) begin
          $display("xcheck: FAIL: acc_valid %b after last=%b (cycle %0d)", acc_valid, last, cyc);
          errors = errors + 1;
        end
      end
      if (errors > 20) $fatal(1, "xcheck: FAIL: too many errors");
    end
    if (errors != 0) $fatal(1, "xcheck: FAIL: %0d errors", errors);
    $display("xcheck: PASS: %0dx%0d seg %0d, %0d cycles, %0d computes, %0d reads checked, no X after reset",
             ROWS, COLS, SEG_ROWS, CYCLES, n_cmp, n_rd);
    $finish;
  end
endmodule
