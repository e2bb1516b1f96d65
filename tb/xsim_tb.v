// xsim_tb: replays golden vectors through cim_macro in Icarus Verilog.
//
// The golden vectors (csrc/vec/vec.h, written by `sparsecim vectors` or
// `sparsecim run --vectors-out`) are read without any C code: the job list
// from DIR/manifest.txt ($fgets / $sscanf), each job file with $readmemh.
// Per job the bench writes the n_rows weight rows through the write port,
// then streams the bit planes of every pixel (MSB first) as back-to-back
// COMPUTEs, one per cycle, with nrows_i = n_rows, ncols_i = n_cols and
// plane_i = the plane's weight (the first of a `bits`-bit input has
// weight bits-1). With gating on (+gate != 0) an all-zero plane is not
// issued (it adds 0): first_i / last_i mark the first and last plane that
// is issued, and a pixel whose planes are all zero issues nothing (its
// expected partial must then be 0). A COMPUTE sampled at edge t has its
// results registered at edge t+1 (lookahead + array cycle), so each
// plane's X (x_o) and P (p_o, every used column; masked columns 0) are
// compared one step after it was issued, while the next plane is already
// being presented (a NOP after a job's last plane), and the pixel's partial
// accumulators (acc_o, masked columns 0) are compared with acc_valid_o in
// the step after its last plane. cmp_valid_o and acc_valid_o must be high
// exactly then and low otherwise (the latency is fixed, so this replaces
// the old acc_valid watchdog). A skipped plane's expected X and P must be
// 0 in the vectors.
// 4-state: an X or Z on a compared output counts as a mismatch.
//
// Plusargs: +vectors=DIR (required), +gate=0..3 (gate_i: bit 0 C1, bit 1
// C2; default 3), +unit=0..3 (control unit log2, default 0), +max_jobs=N
// (0 = all), +max_print=N (mismatches printed, default 10).
// Prints "xsim: PASS ..." or "xsim: FAIL ..."; ends with $fatal (non-zero
// exit status) on a mismatch or bad input.
`include "cim_dut.vh"
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
  localparam integer HDR  = 20;                   // job header words (csrc/vec/vec.h)

  localparam [2:0] OP_NOP = 3'd0, OP_WRITE = 3'd1, OP_COMPUTE = 3'd3;

  // the macro's ports and instance (tb/cim_dut.vh)
  `CIM_DUT_INPUT_REGS(ACC, 2'd3)
  `CIM_DUT_OUTPUTS(, ACC, 48)
  `CIM_DUT(dut, , ACC, 48, 1, gate, cnt_sel);

  always #1 clk = ~clk;   // 2 ns cycle, as in the C testbench's waveforms

  reg [63:0]        mem [0:MAXW-1];
  reg [8*4096-1:0]  dir;
  reg [8*512-1:0]   line;
  reg [8*128-1:0]   fname, lname;
  reg [8*4300-1:0]  path;
  integer fd, n, g_rows, g_cols, g_seg, image, layer, part, rt, ct, nr, nc, bits, px, words;
  integer jobs, max_jobs, max_print, errors, cycles, computes, skipped, empty_px, gate_arg, unit_arg, ended;
  integer r, k, pix, c, w, at, o_p, o_x, o_acc, kf, kl, any_nz;
  reg [63:0] word;
  reg [PW-1:0] pv;
  reg [ACC-1:0] av;
  reg [ROWS-1:0] wl;
  reg [63:0] nzmask;         // bit k: plane k of the pixel is issued
  integer xo_chk;

  // The COMPUTE in flight (issued at the last edge): what to expect after the next one.
  reg                 pend, pend_last;
  integer             pend_pix, pend_plane, pend_x, pend_nc, pend_rt, pend_ct, pend_image;
  integer             pend_p [0:COLS-1];
  reg [ACC-1:0]       pend_acc [0:COLS-1];
  reg [8*128-1:0]     pend_lname;

  task automatic mismatch(input [8*32-1:0] what, input integer pixel, input integer col,
                          input integer want, input integer got, input integer gx);
    begin
      if (errors < max_print)
        $display("xsim: mismatch: image %0d layer %0s %0s tile r%0d/c%0d pixel %0d column %0d: expected %0d, got %0d%0s (plane %0d, cycle %0d)",
                 pend_image, pend_lname, what, pend_rt, pend_ct, pixel, col, want, got,
                 gx ? " (X/Z)" : "", pend_plane, cycles);
      else if (errors == max_print)
        $display("xsim: more mismatches are counted, not printed");
      errors = errors + 1;
    end
  endtask

  // One clock edge; outputs are sampled 0.5 ns after it. Then the results of
  // the COMPUTE issued at the previous edge are checked (or their absence).
  task automatic tick;
    begin
      @(posedge clk);
      #0.5;
      cycles = cycles + 1;
      if (!pend) begin
        if (cmp_valid !== 1'b0) mismatch("cmp_valid_o", -1, -1, 0, cmp_valid, ^cmp_valid === 1'bx);
        if (acc_valid !== 1'b0) mismatch("acc_valid_o", -1, -1, 0, acc_valid, ^acc_valid === 1'bx);
      end else begin
        if (cmp_valid !== 1'b1) mismatch("cmp_valid_o", pend_pix, -1, 1, cmp_valid, ^cmp_valid === 1'bx);
        if (acc_valid !== pend_last)
          mismatch("acc_valid_o", pend_pix, -1, pend_last, acc_valid, ^acc_valid === 1'bx);
        if (^x === 1'bx || x != pend_x[PW-1:0]) mismatch("X", pend_pix, -1, pend_x, x, ^x === 1'bx);
        for (c = 0; c < COLS; c = c + 1) begin
          pv = p[c * PW +: PW];
          if (^pv === 1'bx || pv != (c < pend_nc ? pend_p[c] : 0))
            mismatch(c < pend_nc ? "P" : "P (masked)", pend_pix, c, c < pend_nc ? pend_p[c] : 0, pv,
                     ^pv === 1'bx);
        end
        if (pend_last)
          for (c = 0; c < COLS; c = c + 1) begin
            av = acc[c * ACC +: ACC];
            if (^av === 1'bx || av != (c < pend_nc ? pend_acc[c] : 0))
              mismatch(c < pend_nc ? "partial" : "partial (masked)", pend_pix, c,
                       c < pend_nc ? $signed(pend_acc[c]) : 0, $signed(av), ^av === 1'bx);
          end
      end
      pend = 1'b0;
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
      if (nr < 0 || nr > ROWS || nc < 0 || nc > COLS || bits < 1 || bits > 16) begin
        $display("xsim: FAIL: %0s: %0d rows x %0d columns x %0d bits does not fit the %0dx%0d macro (planes 1..16)",
                 path, nr, nc, bits, ROWS, COLS);
        $fatal(1);
      end
      o_x = HDR + nr * WW + px * bits * RW;       // start of the X section
      o_p = o_x + px * bits;                       // P section
      o_acc = o_p + px * bits * ((nc + 3) / 4);    // accumulator section
      // weights through the write port, one row per cycle
      for (r = 0; r < nr; r = r + 1) begin
        op = OP_WRITE;
        addr = r[AW-1:0];
        wdata = {COLS{1'b0}};
        for (w = 0; w < WW; w = w + 1)
          for (c = 0; c < 64 && 64 * w + c < COLS; c = c + 1)
            wdata[64 * w + c] = mem[HDR + r * WW + w][c];
        tick;
      end
      ncols = nc[CW-1:0];
      nrows = nr[PW-1:0];
      for (pix = 0; pix < px; pix = pix + 1) begin
        // planes to issue: all of them, or (gating on) the non-zero ones
        nzmask = 64'd0;
        for (k = 0; k < bits; k = k + 1) begin
          at = pix * bits + k;
          for (w = 0; w < RW; w = w + 1) wl[64 * w +: 64] = mem[HDR + nr * WW + at * RW + w];
          any_nz = 0;
          for (r = 0; r < nr; r = r + 1) if (wl[r]) any_nz = 1;
          nzmask[k] = any_nz != 0 || gate == 2'd0;
        end
        kf = -1; kl = -1;
        for (k = 0; k < bits; k = k + 1)
          if (nzmask[k]) begin
            if (kf < 0) kf = k;
            kl = k;
          end
        if (kf < 0) begin
          // nothing issued: the partial must be 0 (every plane adds 0)
          empty_px = empty_px + 1;
          for (c = 0; c < nc; c = c + 1) begin
            word = mem[o_acc + pix * ((nc + 1) / 2) + c / 2];
            if (word[32 * (c % 2) +: 32] != 32'd0) begin
              pend_image = image; pend_lname = lname; pend_rt = rt; pend_ct = ct; pend_plane = -1;
              mismatch("partial", pix, c, $signed(word[32 * (c % 2) +: 32]), 0, 0);
            end
          end
        end
        for (k = 0; k < bits; k = k + 1) begin
          at = pix * bits + k;
          if (!nzmask[k]) begin
            skipped = skipped + 1;
            xsim_check_zero_x;
          end else begin
            op = OP_COMPUTE;
            first = (k == kf);
            last = (k == kl);
            plane = bits - 1 - k;
            for (w = 0; w < RW; w = w + 1)
              in_bits[64 * w +: 64] = mem[HDR + nr * WW + at * RW + w];
            tick;    // this edge samples the plane (and shows the previous one's results)
            computes = computes + 1;
            // expected results, checked after the next edge
            pend = 1'b1;
            pend_last = (k == kl);
            pend_pix = pix; pend_plane = bits - 1 - k; pend_nc = nc;
            pend_image = image; pend_lname = lname; pend_rt = rt; pend_ct = ct;
            pend_x = mem[o_x + at];
            for (c = 0; c < COLS; c = c + 1) begin
              pend_p[c] = 0;
              pend_acc[c] = {ACC{1'b0}};
            end
            for (c = 0; c < nc; c = c + 1) begin
              word = mem[o_p + at * ((nc + 3) / 4) + c / 4];
              pend_p[c] = word[16 * (c % 4) +: 16];
              word = mem[o_acc + pix * ((nc + 1) / 2) + c / 2];
              pend_acc[c] = word[32 * (c % 2) +: 32];
            end
          end
        end
      end
      // the last plane's results (one NOP, as the C testbench does)
      op = OP_NOP;
      first = 1'b0;
      last = 1'b0;
      if (pend) tick;
      jobs = jobs + 1;
    end
  endtask

  // A skipped plane (all-zero input) must have X = 0 and P = 0 in the
  // vectors: that is what the macro would have computed had it been issued.
  task automatic xsim_check_zero_x;
    begin
      pend_image = image; pend_lname = lname; pend_rt = rt; pend_ct = ct; pend_plane = bits - 1 - k;
      xo_chk = mem[o_x + at];
      if (xo_chk != 0) mismatch("X", pix, -1, xo_chk, 0, 0);
      for (c = 0; c < nc; c = c + 1) begin
        word = mem[o_p + at * ((nc + 3) / 4) + c / 4];
        if (word[16 * (c % 4) +: 16] != 16'd0) mismatch("P", pix, c, word[16 * (c % 4) +: 16], 0, 0);
      end
    end
  endtask

  initial begin
    errors = 0; jobs = 0; cycles = 0; computes = 0; skipped = 0; empty_px = 0; ended = 0; pend = 1'b0;
    pend_last = 1'b0; pend_image = 0; pend_lname = ""; pend_rt = 0; pend_ct = 0; pend_plane = 0;
    if (!$value$plusargs("vectors=%s", dir)) begin
      $display("xsim: FAIL: +vectors=DIR is required (a directory written by sparsecim vectors)");
      $fatal(1);
    end
    if (!$value$plusargs("gate=%d", gate_arg)) gate_arg = 3;
    if (!$value$plusargs("unit=%d", unit_arg)) unit_arg = 0;
    if (!$value$plusargs("max_jobs=%d", max_jobs)) max_jobs = 0;
    if (!$value$plusargs("max_print=%d", max_print)) max_print = 10;
    if (gate_arg < 0 || gate_arg > 3 || unit_arg < 0 || unit_arg > 3) begin
      $display("xsim: FAIL: +gate=%0d +unit=%0d: both must be 0..3", gate_arg, unit_arg);
      $fatal(1);
    end
    gate = gate_arg[1:0];
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
    tick;   // nothing in flight: cmp_valid_o and acc_valid_o low
    if (jobs == 0) begin
      $display("xsim: FAIL: %0s: no job replayed", path);
      $fatal(1);
    end
    if (errors != 0) begin
      $display("xsim: FAIL: %0d mismatches in %0d jobs (%0d compute cycles, %0d planes skipped, %0d cycles), gate %0d, gating %0s, unit %0d",
               errors, jobs, computes, skipped, cycles, gate, gate != 2'd0 ? "on" : "off", 1 << unit_log2);
      $fatal(1);
    end
    $display("xsim: PASS: %0d jobs, %0d compute cycles (%0d all-zero planes skipped, %0d pixels with none issued), %0d cycles, %0dx%0d seg %0d, gate %0d (%0s), gating %0s, unit %0d: X, P and partials equal",
             jobs, computes, skipped, empty_px, cycles, ROWS, COLS, SEG_ROWS, gate,
             gate == 2'd3 ? "C1+C2" : gate == 2'd2 ? "C2 only" : gate == 2'd1 ? "C1 only" : "none",
             gate != 2'd0 ? "on" : "off", 1 << unit_log2);
    $finish;
  end
endmodule
