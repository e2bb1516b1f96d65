// xsim_tb: replays golden vectors through cim_macro in Icarus Verilog.
//
// The golden vectors (csrc/vec.h, written by `sparsecim vectors` or
// `sparsecim run --vectors-out`) are read without any C code: the job list
// from DIR/manifest.txt ($fgets / $sscanf), each job file with $readmemh.
// Per job the bench does what the C testbench does (tb/tb_golden.c): writes
// the n_rows weight rows through the write port, then for every pixel and
// bit plane (MSB first) one COMPUTE with the stored word-line vector, and
// compares after the clock edge X (x_o) and every used column's P (p_o)
// with the file's values; after the last plane it waits for acc_valid_o
// (watchdog 64 cycles) and compares every column's accumulator (acc_o).
// 4-state: an X or Z on a compared output counts as a mismatch.
//
// Plusargs: +vectors=DIR (required), +gate=0|1 (sparse gating, default 1),
// +unit=0..3 (control unit log2, default 0), +max_jobs=N (0 = all),
// +max_print=N (mismatches printed, default 10).
// Prints "xsim: PASS ..." or "xsim: FAIL ..."; ends with $fatal (non-zero
// exit status) on a mismatch or bad input.
`timescale 1ns / 1ps
module xsim_tb;
  parameter integer ROWS      = 64;
  parameter integer COLS      = 16;
  parameter integer SEG_ROWS  = 8;
  parameter integer COL_GROUP = 4;
  parameter integer MAXW      = 1 << 20;   // largest job file, in words
  localparam integer AW   = $clog2(ROWS);
  localparam integer PW   = $clog2(ROWS + 1);
  localparam integer CW   = $clog2(COLS + 1);
  localparam integer ACC  = 32;
  localparam integer NSEG = ROWS / SEG_ROWS;
  localparam integer RW   = ROWS / 64;            // words per word-line vector
  localparam integer WW   = (COLS + 63) / 64;     // words per weight row
  localparam integer HDR  = 20;                   // job header words (csrc/vec.h)

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

  always #1 clk = ~clk;   // 2 ns cycle, as in the C testbench's waveforms

  reg [63:0]        mem [0:MAXW-1];
  reg [8*4096-1:0]  dir;
  reg [8*512-1:0]   line;
  reg [8*128-1:0]   fname, lname;
  reg [8*4300-1:0]  path;
  integer fd, n, g_rows, g_cols, g_seg, image, layer, part, rt, ct, nr, nc, bits, px, words;
  integer jobs, max_jobs, max_print, errors, cycles, computes, gate_arg, unit_arg, ended;
  integer r, k, pix, c, w, at, xo, wait_n, o_p, o_x, o_acc;
  reg [63:0] word;
  reg [PW-1:0] pv;
  reg [ACC-1:0] av;

  task automatic mismatch(input [8*16-1:0] what, input integer pixel, input integer col,
                          input integer want, input integer got, input integer gx);
    begin
      if (errors < max_print)
        $display("xsim: mismatch: image %0d layer %0s %0s tile r%0d/c%0d pixel %0d column %0d: expected %0d, got %0d%0s (cycle %0d)",
                 image, lname, what, rt, ct, pixel, col, want, got, gx ? " (X/Z)" : "", cycles);
      errors = errors + 1;
    end
  endtask

  // one clock edge; outputs are sampled 0.5 ns after it
  task automatic tick;
    begin
      @(posedge clk);
      #0.5;
      cycles = cycles + 1;
    end
  endtask

  task automatic run_job;
    begin
      $sformat(path, "%0s/%0s", dir, fname);
      if (words > MAXW || words < HDR + 1) begin
        $display("xsim: FAIL: %0s: %0d words (this bench holds up to MAXW = %0d)", path, words, MAXW);
        $fatal(1);
      end
      $readmemh(path, mem, 0, words - 1);
      if (mem[0] !== 64'h5343494d56454331 || mem[1] !== 64'd1 || mem[14] !== words ||
          mem[2] !== ROWS || mem[3] !== COLS || mem[4] !== SEG_ROWS ||
          mem[10] !== nr || mem[11] !== nc || mem[12] !== bits || mem[13] !== px) begin
        $display("xsim: FAIL: %0s: header (magic, version, geometry %0dx%0dx%0d, shape) differs from the manifest and this bench",
                 path, ROWS, COLS, SEG_ROWS);
        $fatal(1);
      end
      o_x = HDR + nr * WW + px * bits * RW;       // start of the X section
      o_p = o_x + px * bits;                       // P section
      o_acc = o_p + px * bits * ((nc + 3) / 4);    // accumulator section
      ncols = nc[CW-1:0];
      // weights through the write port, one row per cycle
      for (r = 0; r < nr; r = r + 1) begin
        op = 3'd1;
        addr = r[AW-1:0];
        for (w = 0; w < WW; w = w + 1)
          for (c = 0; c < 64 && 64 * w + c < COLS; c = c + 1)
            wdata[64 * w + c] = mem[HDR + r * WW + w][c];
        tick;
      end
      for (pix = 0; pix < px; pix = pix + 1) begin
        for (k = 0; k < bits; k = k + 1) begin
          at = pix * bits + k;
          op = 3'd3;
          first = (k == 0);
          last = (k == bits - 1);
          for (w = 0; w < RW; w = w + 1)
            in_bits[64 * w +: 64] = mem[HDR + nr * WW + at * RW + w];
          tick;
          computes = computes + 1;
          xo = mem[o_x + at];
          if (^x === 1'bx || x != xo[PW-1:0]) mismatch("X", pix, -1, xo, x, ^x === 1'bx);
          for (c = 0; c < nc; c = c + 1) begin
            word = mem[o_p + at * ((nc + 3) / 4) + c / 4];
            pv = p[c * PW +: PW];
            if (^pv === 1'bx || pv != word[16 * (c % 4) +: PW])
              mismatch("P", pix, c, word[16 * (c % 4) +: 16], pv, ^pv === 1'bx);
          end
        end
        op = 3'd0;
        first = 1'b0;
        last = 1'b0;
        wait_n = 0;
        while (acc_valid !== 1'b1 && wait_n < 64) begin
          tick;
          wait_n = wait_n + 1;
        end
        if (acc_valid !== 1'b1) begin
          $display("xsim: FAIL: watchdog: layer %0s tile r%0d/c%0d pixel %0d: no acc_valid within 64 cycles (cycle %0d)",
                   lname, rt, ct, pix, cycles);
          $fatal(1);
        end
        for (c = 0; c < nc; c = c + 1) begin
          word = mem[o_acc + pix * ((nc + 1) / 2) + c / 2];
          av = acc[c * ACC +: ACC];
          if (^av === 1'bx || av != word[32 * (c % 2) +: 32])
            mismatch("partial", pix, c, $signed(word[32 * (c % 2) +: 32]), $signed(av), ^av === 1'bx);
        end
      end
      op = 3'd0;
      jobs = jobs + 1;
    end
  endtask

  initial begin
    errors = 0; jobs = 0; cycles = 0; computes = 0; ended = 0;
    if (!$value$plusargs("vectors=%s", dir)) begin
      $display("xsim: FAIL: +vectors=DIR is required (a directory written by sparsecim vectors)");
      $fatal(1);
    end
    if (!$value$plusargs("gate=%d", gate_arg)) gate_arg = 1;
    if (!$value$plusargs("unit=%d", unit_arg)) unit_arg = 0;
    if (!$value$plusargs("max_jobs=%d", max_jobs)) max_jobs = 0;
    if (!$value$plusargs("max_print=%d", max_print)) max_print = 10;
    gate_en = gate_arg[0];
    unit_log2 = unit_arg[1:0];
    $sformat(path, "%0s/manifest.txt", dir);
    fd = $fopen(path, "r");
    if (fd == 0) begin
      $display("xsim: FAIL: %0s: cannot open", path);
      $fatal(1);
    end
    // reset with every input driven
    repeat (3) @(posedge clk);
    #0.5 rst_n = 1'b1;
    g_rows = -1;
    while (!$feof(fd) && !ended && (max_jobs == 0 || jobs < max_jobs)) begin
      n = $fgets(line, fd);
      if (n > 0) begin
        if ($sscanf(line, "geometry %d %d %d", g_rows, g_cols, g_seg) == 3) begin
          if (g_rows != ROWS || g_cols != COLS || g_seg != SEG_ROWS) begin
            $display("xsim: FAIL: %0s: vectors for a %0dx%0dx%0d macro, this bench is %0dx%0dx%0d (set ROWS/COLS/SEG_ROWS)",
                     path, g_rows, g_cols, g_seg, ROWS, COLS, SEG_ROWS);
            $fatal(1);
          end
        end else if ($sscanf(line, "job %s %d %d %d %d %d %d %d %d %d %d %s", fname, image, layer, part,
                             rt, ct, nr, nc, bits, px, words, lname) == 12) begin
          if (g_rows < 0) begin
            $display("xsim: FAIL: %0s: a job line before the geometry line", path);
            $fatal(1);
          end
          run_job;
        end else if ($sscanf(line, "end %d", n) == 1) begin
          ended = 1;
        end
      end
    end
    $fclose(fd);
    if (jobs == 0) begin
      $display("xsim: FAIL: %0s: no job replayed", path);
      $fatal(1);
    end
    if (errors != 0) begin
      $display("xsim: FAIL: %0d mismatches in %0d jobs (%0d compute cycles, %0d cycles), gating %0s, unit %0d",
               errors, jobs, computes, cycles, gate_en ? "on" : "off", 1 << unit_log2);
      $fatal(1);
    end
    $display("xsim: PASS: %0d jobs, %0d compute cycles, %0d cycles, %0dx%0d seg %0d, gating %0s, unit %0d: X, P and partials equal",
             jobs, computes, cycles, ROWS, COLS, SEG_ROWS, gate_en ? "on" : "off", 1 << unit_log2);
    $finish;
  end
endmodule
