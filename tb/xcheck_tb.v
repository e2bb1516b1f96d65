// xcheck_tb: a self-checking Icarus Verilog bench for cim_macro (4-state).
//
// Resets the macro with every input driven, writes every row, then runs a
// random mix of WRITE, READ, COMPUTE (random first/last planes, sparse
// inputs with all-zero segments and all-zero cycles), SET_THR, CLR_CNT and
// NOPs, with gating on and off, every control unit size and a varying
// number of columns in use. After every clock edge it asserts that no output
// is X or Z, and checks against a behavioural model (docs/SPEC.md sections
// 1 and 6): READ data, P, X, the accumulators, bin_o, seg_gated_o, the
// valid flags, and the activity counter selected by a random cnt_sel_i
// (all 19). At the end it checks the done + gated invariant of the counter
// pairs 7/8, 10/11 and 14/15 against the ungated counts the model kept for
// the same computes. Prints "xcheck: PASS ..." or "xcheck: FAIL ..." and
// ends with $fatal (non-zero exit status) on a failure.
`timescale 1ns / 1ps
module xcheck_tb;
  parameter integer ROWS      = 64;
  parameter integer COLS      = 16;
  parameter integer SEG_ROWS  = 8;
  parameter integer COL_GROUP = 4;
  parameter integer CYCLES    = 3000;
  parameter integer SEED      = 1;
  localparam integer AW   = $clog2(ROWS);
  localparam integer PW   = $clog2(ROWS + 1);
  localparam integer CW   = $clog2(COLS + 1);
  localparam integer ACC  = 32;
  localparam integer NSEG = ROWS / SEG_ROWS;
  localparam integer NGRP = COLS / COL_GROUP;
  localparam integer NCNT = 19;
  localparam integer PHASE = (CYCLES - ROWS) / 8 > 4 ? (CYCLES - ROWS) / 8 : 4;

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
  wire [NSEG-1:0]     seg_gated;
  wire [47:0]         cnt;

  cim_macro #(.ROWS(ROWS), .COLS(COLS), .SEG_ROWS(SEG_ROWS), .COL_GROUP(COL_GROUP)) dut (
    .clk_i(clk), .rst_ni(rst_n), .op_i(op), .addr_i(addr), .wdata_i(wdata), .in_i(in_bits),
    .first_i(first), .last_i(last), .thr_i(thr), .gate_en_i(gate_en), .unit_log2_i(unit_log2),
    .ncols_i(ncols), .cnt_sel_i(cnt_sel), .cmp_valid_o(cmp_valid), .p_o(p), .x_o(x),
    .acc_valid_o(acc_valid), .acc_o(acc), .bin_o(bin), .rd_valid_o(rd_valid), .rdata_o(rdata),
    .seg_gated_o(seg_gated), .cnt_o(cnt));

  always #5 clk = ~clk;

  // ---- behavioural model ----
  reg [COLS-1:0]        mem [0:ROWS-1];
  reg signed [ACC-1:0]  macc [0:COLS-1];
  reg signed [ACC-1:0]  mthr [0:COLS-1];
  reg [63:0]            mcnt [0:NCNT-1];
  reg [63:0]            ungated [0:NCNT-1];   // counts of the same computes with gating off
  reg [NSEG-1:0]        gexp;                 // expected gated segments
  reg [NGRP*NSEG-1:0]   c12;
  reg [NSEG-1:0]        gprev;                // gated segments of the previous compute
  reg                   zero_seg [0:NSEG-1];
  reg                   seg_any;
  reg [COLS-1:0]        old_row;
  integer i, j, k, s, g, u, cyc, errors, n_cmp, n_rd, n_cnt, n_thr, seed;
  integer pexp, xexp, ucols, pgrp, pairs_on, ngated, nflip, sum_p, n_xfer, n_tog;

  task automatic fail(input [8*64-1:0] what, input integer got, input integer want);
    begin
      $display("xcheck: FAIL: %0s: got %0d, expected %0d (cycle %0d)", what, got, want, cyc);
      errors = errors + 1;
      if (errors > 20) $fatal(1, "xcheck: FAIL: too many errors");
    end
  endtask

  initial begin
    errors = 0; n_cmp = 0; n_rd = 0; n_cnt = 0; n_thr = 0; seed = SEED;
    for (i = 0; i < ROWS; i = i + 1) mem[i] = {COLS{1'b0}};
    for (j = 0; j < COLS; j = j + 1) begin macc[j] = 0; mthr[j] = 0; end
    for (k = 0; k < NCNT; k = k + 1) begin mcnt[k] = 0; ungated[k] = 0; end
    gprev = {NSEG{1'b0}};
    k = $urandom(seed);
    repeat (3) @(posedge clk);
    #1 rst_n = 1'b1;
    for (cyc = 0; cyc < CYCLES; cyc = cyc + 1) begin
      // ---- pick an operation (inputs change away from the clock edge) ----
      @(negedge clk);
      k = $urandom % 32;
      // 8 phases after the initial writes: gating on/off x unit 1, 2, 4, 8
      gate_en   = ((cyc / PHASE) % 2) == 0;
      unit_log2 = (cyc / (2 * PHASE)) % 4;
      ncols     = ((cyc / (3 * PHASE)) % 3 == 2) ? ($urandom % (COLS + 1)) : COLS;
      cnt_sel   = $urandom % 20;
      first = $urandom; last = $urandom; thr = $urandom; in_bits = {ROWS{1'b1}};
      addr = $urandom; wdata = {$urandom, $urandom, $urandom, $urandom};
      if (cyc < ROWS) begin op = 3'd1; addr = cyc; end
      else if (k < 4) op = 3'd1;
      else if (k < 8) op = 3'd2;
      else if (k < 27) begin
        op = 3'd3;
        u = $urandom % 4;  // density class
        for (i = 0; i < ROWS; i = i + 1)
          in_bits[i] = (($urandom % (u + 2)) == 0) && ((i / SEG_ROWS) % (u + 2) != 1);
        if ((k % 7) == 0) in_bits = {ROWS{1'b0}};
        first = (k % 3) == 0 || n_cmp == 0;
        last  = (k % 4) == 0;
      end
      else if (k < 29) begin op = 3'd4; addr = $urandom % COLS; thr = $urandom % 64 - 32; end
      else if (k < 30) op = 3'd5;
      else op = $urandom % 2 ? 3'd0 : 3'd7;

      // ---- model of this operation ----
      mcnt[0] = mcnt[0] + 1;
      old_row = mem[addr];
      if (op == 3'd1) begin
        nflip = 0;
        for (j = 0; j < COLS; j = j + 1) nflip = nflip + (old_row[j] ^ wdata[j]);
        mcnt[3] = mcnt[3] + 1; mcnt[4] = mcnt[4] + nflip;
        ungated[3] = ungated[3] + 1;
      end
      if (op == 3'd2) mcnt[5] = mcnt[5] + 1;
      if (op == 3'd4) mthr[addr] = $signed(thr);
      if (op == 3'd3) begin
        xexp = 0;
        for (i = 0; i < ROWS; i = i + 1) xexp = xexp + in_bits[i];
        for (s = 0; s < NSEG; s = s + 1) zero_seg[s] = ~|in_bits[s*SEG_ROWS +: SEG_ROWS];
        for (s = 0; s < NSEG; s = s + 1) begin
          g = (s >> unit_log2) << unit_log2;
          seg_any = 1'b0;
          for (i = g; i < g + (1 << unit_log2); i = i + 1)
            if (i < NSEG) seg_any = seg_any | ~zero_seg[i];
          gexp[s] = gate_en & ~seg_any;
        end
        ucols = (ncols < COLS) ? ncols : COLS;
        pgrp = 0; pairs_on = 0; ngated = 0; sum_p = 0; n_xfer = 0; n_tog = 0;
        for (s = 0; s < NSEG; s = s + 1) ngated = ngated + gexp[s];
        for (g = 0; g < NGRP; g = g + 1) begin
          if (g * COL_GROUP < ucols) pgrp = pgrp + 1;
          for (s = 0; s < NSEG; s = s + 1)
            c12[g*NSEG + s] = (g * COL_GROUP < ucols) && !gexp[s];
        end
        for (i = 0; i < NGRP * NSEG; i = i + 1) pairs_on = pairs_on + c12[i];
        for (s = 0; s < NSEG; s = s + 1) n_tog = n_tog + (gexp[s] ^ gprev[s]);
        n_tog = n_tog * pgrp;
        gprev = gexp;
        for (j = 0; j < COLS; j = j + 1) begin
          pexp = 0;
          for (s = 0; s < NSEG; s = s + 1) begin
            u = 0;
            for (i = s * SEG_ROWS; i < (s + 1) * SEG_ROWS; i = i + 1) u = u + (in_bits[i] & mem[i][j]);
            if ((j / COL_GROUP) * COL_GROUP < ucols) begin
              pexp = pexp + u;
              if (u != 0) n_xfer = n_xfer + 1;
            end
          end
          sum_p = sum_p + pexp;
          if (j >= ucols) pexp = 0;
          macc[j] = first ? (2 * pexp - xexp) : (2 * macc[j] + 2 * pexp - xexp);
          if (j >= ucols) macc[j] = 0;
        end
        mcnt[1]  = mcnt[1] + 1;
        mcnt[2]  = mcnt[2] + (gate_en && xexp == 0);
        mcnt[6]  = mcnt[6] + xexp;
        mcnt[7]  = mcnt[7] + pairs_on * COL_GROUP;
        mcnt[8]  = mcnt[8] + (pgrp * NSEG - pairs_on) * COL_GROUP;
        mcnt[9]  = mcnt[9] + sum_p;
        mcnt[10] = mcnt[10] + pairs_on * COL_GROUP;
        mcnt[11] = mcnt[11] + (pgrp * NSEG - pairs_on) * COL_GROUP;
        mcnt[12] = mcnt[12] + n_xfer;
        mcnt[13] = mcnt[13] + ucols;
        mcnt[14] = mcnt[14] + NSEG - ngated;
        mcnt[15] = mcnt[15] + ngated;
        mcnt[16] = mcnt[16] + (gate_en ? NSEG : 0);
        mcnt[17] = mcnt[17] + n_tog;
        mcnt[18] = mcnt[18] + ngated * SEG_ROWS;
        // the same compute with gating off
        ungated[7]  = ungated[7] + pgrp * NSEG * COL_GROUP;
        ungated[10] = ungated[10] + pgrp * NSEG * COL_GROUP;
        ungated[14] = ungated[14] + NSEG;
        ungated[1]  = ungated[1] + 1;
      end
      if (op == 3'd5) begin
        for (i = 0; i < NCNT; i = i + 1) mcnt[i] = 0;
        for (i = 0; i < NCNT; i = i + 1) ungated[i] = 0;
        gprev = {NSEG{1'b0}};
      end

      @(posedge clk);
      #1;
      // ---- checks (registered outputs of the op just sampled) ----
      if ((^{cmp_valid, acc_valid, rd_valid, p, x, acc, bin, rdata, seg_gated, cnt}) === 1'bx) begin
        $display("xcheck: FAIL: X/Z on an output at cycle %0d", cyc);
        errors = errors + 1;
      end
      if (op == 3'd5) begin
        // CLR_CNT clears at this edge; the cycle counter restarts from 0
        mcnt[0] = 0;
      end
      if (cmp_valid !== (op == 3'd3)) fail("cmp_valid_o", cmp_valid, op == 3'd3);
      if (rd_valid !== (op == 3'd2)) fail("rd_valid_o", rd_valid, op == 3'd2);
      if (acc_valid !== (op == 3'd3 && last)) fail("acc_valid_o", acc_valid, op == 3'd3 && last);
      if (op == 3'd1) mem[addr] = wdata;
      if (op == 3'd2) begin
        n_rd = n_rd + 1;
        if (rdata !== mem[addr]) begin
          $display("xcheck: FAIL: READ row %0d: got %h, wrote %h (cycle %0d)", addr, rdata, mem[addr], cyc);
          errors = errors + 1;
        end
      end
      if (op == 3'd3) begin
        n_cmp = n_cmp + 1;
        if (x !== xexp[PW-1:0]) fail("X", x, xexp);
        if (seg_gated !== gexp) fail("seg_gated_o", seg_gated, gexp);
        for (j = 0; j < COLS; j = j + 1) begin
          pexp = 0;
          if (j < ucols)
            for (i = 0; i < ROWS; i = i + 1) pexp = pexp + (in_bits[i] & mem[i][j]);
          if (p[j*PW +: PW] !== pexp[PW-1:0]) fail("P", p[j*PW +: PW], pexp);
          if ($signed(acc[j*ACC +: ACC]) !== macc[j]) fail("acc", $signed(acc[j*ACC +: ACC]), macc[j]);
          if (bin[j] !== (macc[j] >= mthr[j])) fail("bin_o", bin[j], macc[j] >= mthr[j]);
        end
      end
      if (cnt_sel < NCNT) begin
        n_cnt = n_cnt + 1;
        if (cnt !== mcnt[cnt_sel][47:0]) begin
          $display("xcheck: FAIL: counter %0d: got %0d, expected %0d (cycle %0d)", cnt_sel, cnt,
                   mcnt[cnt_sel], cyc);
          errors = errors + 1;
        end
      end else if (cnt !== 48'd0) fail("counter >= 19", cnt, 0);
      if (errors > 20) $fatal(1, "xcheck: FAIL: too many errors");
    end
    // ---- done + gated invariant on the final counters ----
    for (k = 7; k <= 14; k = k + 1) begin
      if (k == 7 || k == 10 || k == 14) begin
        @(negedge clk); op = 3'd0; cnt_sel = k;
        @(posedge clk); #1 i = cnt;
        @(negedge clk); cnt_sel = k + 1;
        @(posedge clk); #1 j = cnt;
        if (i + j != ungated[k]) begin
          $display("xcheck: FAIL: counters %0d + %0d = %0d, ungated %0d", k, k + 1, i + j, ungated[k]);
          errors = errors + 1;
        end
      end
    end
    if (errors != 0) $fatal(1, "xcheck: FAIL: %0d errors", errors);
    $display("xcheck: PASS: %0dx%0d seg %0d group %0d, %0d cycles: %0d computes, %0d reads, %0d counter reads checked, no X/Z after reset",
             ROWS, COLS, SEG_ROWS, COL_GROUP, CYCLES, n_cmp, n_rd, n_cnt);
    $finish;
  end
endmodule
