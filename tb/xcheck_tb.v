// xcheck_tb: a self-checking Icarus Verilog bench for cim_macro (4-state).
//
// Resets the macro with every input driven, writes every row, then runs a
// random mix of WRITE, READ, COMPUTE, SET_THR, CLR_CNT, SET_ZF and NOPs (7
// too). COMPUTEs come back to back or spread out, with random first/last
// flags and plane weights (0..15), sparse inputs (all-zero blocks of 1..8
// segments, all-zero cycles, inputs only on rows outside the row mask), all
// four gate modes (gate_i 0..3), every control unit (1..8 segments), and a
// varying number of rows (nrows_i) and columns (ncols_i) in use, including
// values past ROWS/COLS. The COMPUTE fields are junk in every other cycle
// (they must be ignored), and so are addr_i/wdata_i/thr_i when unused.
// The cells hold all-zero (group, segment) blocks (a random zero map, whole
// segments among them, that the first fill and 3/4 of the later writes
// follow; one segment in the lower half stays zero); SET_ZF writes a segment's stored-zero flags as a random subset
// of its all-zero blocks (often all of them, sometimes for a segment past
// NSEG), and a WRITE keeps the bits of flagged blocks 0, so the flags are
// always true (the host's promise, docs/SPEC.md section 6).
//
// The behavioural model is written from the interface description, not
// from the RTL: a COMPUTE sampled at edge t loads the lookahead (stage L)
// and C1/C2 (held until the next COMPUTE) and raises SE for one cycle; the
// array evaluates in the cycle after (stage A) and the results are
// registered at edge t+1. The model keeps every local bit line's level
// (0 precharged .. SEG_ROWS), precharges it when C2 is on in an array
// cycle, lowers it by one per cell whose word line, stored bit and footer
// (C1) are on, saturating at SEG_ROWS, senses it with SE (P = sum of the
// sensed levels), and holds it otherwise. (g, s) is data-gated when its
// segment's unit is all zero or its stored-zero flag is set. The 24
// activity counters follow
// the per-edge rules of rtl/cim_activity.v's header (increments of the
// cycle ending at the edge; CLR_CNT drops that edge's increment).
//
// After every clock edge it checks: no X/Z on any output, cmp_valid_o,
// acc_valid_o, rd_valid_o, rdata_o, every column's P, X, seg_gated_o,
// every column's accumulator and bin_o, and cnt_o for a random cnt_sel_i
// (0..31; 24..31 must read 0); with INTERNAL=1 (default) also every line
// level (u_col.u_lbl.g_word[w].lbl_q, rows [w*64 +: 64]), the C1/C2/SE registers of the controller and
// the stored-zero flag bank. At the end every counter is read once more,
// and the run fails if a coverage goal was missed (every counter seen
// non-zero, gated segments in every gating mode and unit, masked rows and
// columns, (g, s) gated by a stored-zero flag in every gating mode, a
// segment data-gated by its flags alone).
// Prints "xcheck: PASS ..." or "xcheck: FAIL ..." and ends with $fatal
// (non-zero exit status) on a failure.
`include "cim_dut.vh"
`timescale 1ns / 1ps
module xcheck_tb;
  parameter integer ROWS      = 64;
  parameter integer COLS      = 16;
  parameter integer SEG_ROWS  = 8;
  parameter integer COL_GROUP = 4;
  parameter integer ACC_W     = 32;   // accumulator width (>= $clog2(ROWS+1) + 17)
  parameter integer CYCLES    = 3000;
  parameter integer SEED      = 1;
  parameter integer INTERNAL  = 1;    // also check line levels and C1/C2/SE registers
  parameter integer NORESET   = 0;    // 1: the X check (cells without reset, X on unused inputs)
  localparam integer AW   = $clog2(ROWS);
  localparam integer PW   = $clog2(ROWS + 1);
  localparam integer CW   = $clog2(COLS + 1);
  localparam integer ACC  = ACC_W;
  localparam integer CNTW = 48;
  localparam integer NSEG = ROWS / SEG_ROWS;
  localparam integer NGRP = COLS / COL_GROUP;
  localparam integer NPR  = NGRP * NSEG;     // C1 (C2, SE) lines
  localparam integer NCNT = 24;

  localparam [2:0] OP_NOP = 3'd0, OP_WRITE = 3'd1, OP_READ = 3'd2, OP_COMPUTE = 3'd3,
                   OP_SET_THR = 3'd4, OP_CLR_CNT = 3'd5, OP_SET_ZF = 3'd6;

  // the macro's ports and instance (tb/cim_dut.vh)
  `CIM_DUT_INPUT_REGS(ACC, 2'd0)
  `CIM_DUT_OUTPUTS(, ACC, CNTW)
  `CIM_DUT(dut, , ACC, CNTW, NORESET != 0 ? 0 : 1, gate, cnt_sel);

  always #5 clk = ~clk;

  // ---- internal taps (line levels, C1/C2/SE registers) ----
  wire [COLS*ROWS-1:0] t_lbl;
  wire [NPR-1:0]       t_c1, t_c2, t_se, t_zf;
  genvar gj, gw;
  localparam integer LBL_WORDS = (ROWS < 64) ? 1 : ROWS / 64;  // cim_local_bl's 64-row words
  generate
    if (INTERNAL != 0) begin : g_taps
      for (gj = 0; gj < COLS; gj = gj + 1) begin : g_col
        for (gw = 0; gw < LBL_WORDS; gw = gw + 1) begin : g_word
          assign t_lbl[gj*ROWS + gw*(ROWS/LBL_WORDS) +: ROWS/LBL_WORDS] =
            dut.g_col[gj].u_col.u_lbl.g_word[gw].lbl_q;
        end
      end
      assign t_c1 = dut.u_ctrl.c1_o;
      assign t_c2 = dut.u_ctrl.c2_o;
      assign t_se = dut.u_ctrl.se_o;
      assign t_zf = dut.u_zf.zf_o;
    end else begin : g_no_taps
      assign t_lbl = {COLS*ROWS{1'b0}};
      assign t_c1  = {NPR{1'b0}};
      assign t_c2  = {NPR{1'b0}};
      assign t_se  = {NPR{1'b0}};
      assign t_zf  = {NPR{1'b0}};
    end
  endgenerate

  // ---- behavioural model state ----
  reg [COLS-1:0]         mem [0:ROWS-1];        // cells, row-major
  integer                lvl [0:COLS*NSEG-1];   // line level of (column j, segment s) at j*NSEG + s
  reg [NPR-1:0]          m_c1, m_c2, m_se;      // C1/C2 registers, SE pulse, (group g, segment s) at g*NSEG + s
  reg [NPR-1:0]          m_c1_prev;             // C1 in the previous cycle (footer state)
  reg [NPR-1:0]          m_zf;                  // stored-zero flags, (g, s) at g*NSEG + s
  reg [NPR-1:0]          zmap;                  // stimulus: (g, s) blocks the writes keep zero
  // lookahead register (stage L -> A)
  reg                    la_valid, la_first, la_last;
  reg [ROWS-1:0]         la_in;                 // masked input (word lines of stage A)
  integer                la_x, la_plane, la_ncols, la_zfg;
  reg [NSEG-1:0]         la_gated, la_mapped;
  reg                    la_gate;
  // registered outputs
  reg                    o_cmp_valid, o_acc_valid, o_rd_valid;
  reg [COLS-1:0]         o_rdata;
  integer                o_p [0:COLS-1];
  integer                o_x;
  reg [NSEG-1:0]         o_seg_gated;
  reg signed [ACC-1:0]   macc [0:COLS-1];
  reg signed [ACC-1:0]   mthr [0:COLS-1];
  reg [CNTW-1:0]         mcnt [0:NCNT-1];
  reg [CNTW-1:0]         inc  [0:NCNT-1];
  // the controller's decisions for the COMPUTE being sampled
  reg [ROWS-1:0]         d_in;
  reg [NSEG-1:0]         d_zero, d_map, d_gated, d_unit, d_zf_all;
  reg [NPR-1:0]          d_c1, d_c2, d_se;
  integer                d_x, d_ncols, d_zfg, pw;

  // stimulus state: the current COMPUTE configuration (changes now and then)
  integer cur_gate, cur_unit, cur_ncols, cur_nrows;
  integer i, j, k, s, g, r, u, b, cyc, errors, seed, base, pj, old, st, cond, level, cls, pz, dens, cnt_seen;
  integer n_cmp, n_rd, n_wr, n_cnt, n_thr, n_clr, n_b2b, n_rowmask, n_colmask, n_hold;
  integer n_gmode [0:3];      // computes per gate mode
  integer n_gated_mode [0:3]; // computes with data-gated segments per gate mode
  integer n_gated_unit [0:3]; // computes with data-gated segments per unit
  integer n_zfg_mode [0:3];   // computes with (g, s) gated by a stored-zero flag per gate mode
  integer n_zf, n_zf_seg;     // SET_ZF ops; computes with a segment gated by its flags alone
  integer zseg;               // a segment the zero map keeps zero in every group
  reg [NCNT-1:0] cnt_nz;      // counter checked with a non-zero value
  reg signed [ACC-1:0] term;
  reg [COLS-1:0] rowv;
  reg prev_compute;
  reg m_open;                 // an accumulation is open (first seen, last not yet)
  // X check (NORESET): rows >= nw are never written (their cells stay X)
  integer nw, n_rd_x;
  reg rd_x;                   // rdata_o holds a row never written (X)
  reg cnt3_x;                 // write_bits_flipped is X (first writes of X cells) until a CLR_CNT

  task automatic fail(input [8*48-1:0] what, input integer idx, input integer got, input integer want);
    begin
      $display("xcheck: FAIL: %0s [%0d]: got %0d, expected %0d (cycle %0d, time %0t)", what, idx, got, want,
               cyc, $time);
      errors = errors + 1;
      if (errors > 20) $fatal(1, "xcheck: FAIL: too many errors");
    end
  endtask

  task automatic fail_pr(input [8*48-1:0] what, input [NPR-1:0] got, input [NPR-1:0] want);
    begin
      $display("xcheck: FAIL: %0s (bit g*NSEG+s): got %h, expected %h (cycle %0d, time %0t)", what, got, want,
               cyc, $time);
      errors = errors + 1;
      if (errors > 20) $fatal(1, "xcheck: FAIL: too many errors");
    end
  endtask

  function integer min2(input integer a, input integer bb);
    min2 = a < bb ? a : bb;
  endfunction

  function integer ones_rows(input [ROWS-1:0] v);
    integer q;
    begin
      ones_rows = 0;
      for (q = 0; q < ROWS; q = q + 1) ones_rows = ones_rows + v[q];
    end
  endfunction

  function integer ones_pr(input [NPR-1:0] v);
    integer q;
    begin
      ones_pr = 0;
      for (q = 0; q < NPR; q = q + 1) ones_pr = ones_pr + v[q];
    end
  endfunction

  function integer ones_seg(input [NSEG-1:0] v);
    integer q;
    begin
      ones_seg = 0;
      for (q = 0; q < NSEG; q = q + 1) ones_seg = ones_seg + v[q];
    end
  endfunction

  function integer ones_cols(input [COLS-1:0] v);
    integer q;
    begin
      ones_cols = 0;
      for (q = 0; q < COLS; q = q + 1) ones_cols = ones_cols + v[q];
    end
  endfunction

  // ---- the controller's decisions for the COMPUTE on the inputs now ----
  task automatic decide;
    begin
      // static row mask
      for (r = 0; r < ROWS; r = r + 1) d_in[r] = in_bits[r] && (r < nrows);
      d_x = ones_rows(d_in);
      d_ncols = min2(ncols, COLS);
      for (s = 0; s < NSEG; s = s + 1) begin
        d_zero[s] = ~|d_in[s*SEG_ROWS +: SEG_ROWS];
        d_map[s]  = s * SEG_ROWS < nrows;
      end
      // control unit of 2^unit_log2 aligned segments (segments past NSEG are zero)
      for (s = 0; s < NSEG; s = s + 1) begin
        base = (s >> unit_log2) << unit_log2;
        u = 1;
        for (i = base; i < base + (1 << unit_log2); i = i + 1)
          if (i < NSEG && !d_zero[i]) u = 0;
        d_unit[s] = u;
        // the segment's stored-zero flags set in every powered group (and a group powered)
        pw = 0;
        d_zf_all[s] = 1'b1;
        for (g = 0; g < NGRP; g = g + 1)
          if (g * COL_GROUP < ncols) begin
            pw = 1;
            if (!m_zf[g*NSEG + s]) d_zf_all[s] = 1'b0;
          end
        if (!pw) d_zf_all[s] = 1'b0;
        d_gated[s] = (u || d_zf_all[s]) && d_map[s] && (gate != 2'd0);
      end
      d_zfg = 0;
      for (g = 0; g < NGRP; g = g + 1)
        for (s = 0; s < NSEG; s = s + 1) begin
          // powered: the group's first column is in use and the segment is mapped
          u = (g * COL_GROUP < ncols) && d_map[s];
          // (g, s) gated: the unit's word lines are zero or its stored-zero flag is set
          cond = (d_unit[s] || m_zf[g*NSEG + s]) && (gate != 2'd0);
          d_c1[g*NSEG + s] = u && !(cond && gate[0]);
          d_c2[g*NSEG + s] = u && !(cond && gate[1]);
          d_se[g*NSEG + s] = u && !cond;
          if (u && m_zf[g*NSEG + s] && (gate != 2'd0)) d_zfg = d_zfg + 1;
        end
    end
  endtask

  // ---- one rising edge of the model (op_i and the other inputs sampled here) ----
  task automatic model_edge;
    begin
      for (k = 0; k < NCNT; k = k + 1) inc[k] = 0;
      inc[0] = 1;
      // stage A: the COMPUTE sampled at the previous edge evaluates in the cycle ending here
      if (la_valid) begin
        inc[1]  = 1;
        inc[5]  = ones_rows(la_in);
        inc[13] = la_ncols;
        inc[14] = ones_seg(la_mapped & ~la_gated);
        inc[15] = ones_seg(la_mapped & la_gated);
        inc[16] = NSEG - ones_seg(la_mapped);
        inc[17] = la_gate ? ones_seg(la_mapped) : 0;
        inc[23] = la_zfg;
        for (j = 0; j < COLS; j = j + 1) begin
          g = j / COL_GROUP;
          pj = 0;
          for (s = 0; s < NSEG; s = s + 1) begin
            old = lvl[j*NSEG + s];
            st = m_c2[g*NSEG + s] ? 0 : old;
            if (m_c2[g*NSEG + s]) begin
              inc[6] = inc[6] + 1;
              if (old != 0) inc[7] = inc[7] + 1;
              inc[8] = inc[8] + old;
            end
            cond = 0;
            if (m_c1[g*NSEG + s])
              for (r = s * SEG_ROWS; r < (s + 1) * SEG_ROWS; r = r + 1)
                cond = cond + (la_in[r] & mem[r][j]);
            level = st + cond > SEG_ROWS ? SEG_ROWS : st + cond;
            inc[9] = inc[9] + cond;
            if (level != st) inc[10] = inc[10] + 1;
            if (m_se[g*NSEG + s]) begin
              inc[11] = inc[11] + 1;
              pj = pj + level;
              if (level != 0) inc[12] = inc[12] + 1;
            end
            if (!m_c2[g*NSEG + s] && !m_c1[g*NSEG + s] && level == old && old != 0) n_hold = n_hold + 1;
            lvl[j*NSEG + s] = level;
          end
          o_p[j] = j < la_ncols ? pj : 0;
        end
        o_x = la_x;
        o_seg_gated = la_gated;
        for (j = 0; j < COLS; j = j + 1) begin
          term = (2 * o_p[j] - la_x);
          term = term <<< la_plane;
          if (j >= la_ncols) macc[j] = 0;
          else if (la_first) macc[j] = term;
          else macc[j] = macc[j] + term;
        end
      end
      o_cmp_valid = la_valid;
      o_acc_valid = la_valid && la_last;
      // footers: on now after a cycle off (wake-up), off now (every clock), per column
      for (i = 0; i < NPR; i = i + 1) begin
        if (m_c1[i] && !m_c1_prev[i]) inc[20] = inc[20] + COL_GROUP;
        if (!m_c1[i]) inc[21] = inc[21] + COL_GROUP;
      end
      // the op sampled at this edge
      o_rd_valid = op == OP_READ;
      if (op == OP_WRITE) begin
        inc[2] = 1;
        inc[3] = ones_cols(mem[addr] ^ wdata);
      end
      if (op == OP_READ) begin
        inc[4] = 1;
        o_rdata = mem[addr];
        rd_x = NORESET != 0 && addr >= nw;
      end
      if (op == OP_CLR_CNT) cnt3_x = 1'b0;
      if (op == OP_SET_ZF && addr < NSEG) inc[22] = 1;
      m_c1_prev = m_c1;
      if (op == OP_COMPUTE) begin
        m_open = !last;
        decide;
        inc[18] = ones_pr(d_c1 ^ m_c1);
        inc[19] = ones_pr(d_c2 ^ m_c2);
        m_c1 = d_c1;
        m_c2 = d_c2;
        m_se = d_se;
        la_valid = 1'b1;
        la_in = d_in;
        la_x = d_x;
        la_first = first;
        la_last = last;
        la_plane = plane;
        la_ncols = d_ncols;
        la_gated = d_gated;
        la_mapped = d_map;
        la_gate = gate != 2'd0;
        la_zfg = d_zfg;
      end else begin
        m_se = {NPR{1'b0}};
        la_valid = 1'b0;
      end
      if (op == OP_WRITE) mem[addr] = wdata;
      if (op == OP_SET_ZF && addr < NSEG)
        for (g = 0; g < NGRP; g = g + 1) m_zf[g*NSEG + addr] = wdata[g];
      if (op == OP_SET_THR && addr < COLS) mthr[addr] = $signed(thr);
      for (k = 0; k < NCNT; k = k + 1)
        mcnt[k] = (op == OP_CLR_CNT) ? {CNTW{1'b0}} : mcnt[k] + inc[k];
    end
  endtask

  // ---- compare every output (and the internal state) with the model ----
  task automatic check_all;
    begin
      if ((^{cmp_valid, acc_valid, rd_valid, p, x, acc, bin, seg_gated}) === 1'bx ||
          (!rd_x && (^rdata) === 1'bx) || (!(cnt3_x && cnt_sel == 5'd3) && (^cnt) === 1'bx)) begin
        $display("xcheck: FAIL: X/Z on an output at cycle %0d", cyc);
        errors = errors + 1;
      end
      // the X check means something: a row never written reads as X
      if (rd_x && rd_valid && (^rdata) !== 1'bx) begin
        $display("xcheck: FAIL: a READ of row never written gave %b, not X (cycle %0d)", rdata, cyc);
        errors = errors + 1;
      end
      if (cmp_valid !== o_cmp_valid) fail("cmp_valid_o", 0, cmp_valid, o_cmp_valid);
      if (acc_valid !== o_acc_valid) fail("acc_valid_o", 0, acc_valid, o_acc_valid);
      if (rd_valid !== o_rd_valid) fail("rd_valid_o", 0, rd_valid, o_rd_valid);
      if (!rd_x && rdata !== o_rdata) fail("rdata_o", 0, rdata, o_rdata);
      if (x !== o_x[PW-1:0]) fail("X", 0, x, o_x);
      if (seg_gated !== o_seg_gated) fail("seg_gated_o (bit s)", 0, seg_gated, o_seg_gated);
      for (j = 0; j < COLS; j = j + 1) begin
        if (p[j*PW +: PW] !== o_p[j]) fail("P of column", j, p[j*PW +: PW], o_p[j]);
        if ($signed(acc[j*ACC +: ACC]) !== macc[j]) fail("acc of column", j, $signed(acc[j*ACC +: ACC]), macc[j]);
        if (bin[j] !== (macc[j] >= mthr[j])) fail("bin_o of column", j, bin[j], macc[j] >= mthr[j]);
      end
      if (cnt3_x && cnt_sel == 5'd3) begin
        // X by design (see cnt3_x)
      end else if (cnt_sel < NCNT) begin
        n_cnt = n_cnt + 1;
        if (mcnt[cnt_sel] != 0) cnt_nz[cnt_sel] = 1'b1;
        if (cnt !== mcnt[cnt_sel]) fail("counter", cnt_sel, cnt, mcnt[cnt_sel]);
      end else if (cnt !== {CNTW{1'b0}}) fail("counter (>= NCNT)", cnt_sel, cnt, 0);
      if (INTERNAL != 0) begin
        if (t_c1 !== m_c1) fail_pr("C1 registers", t_c1, m_c1);
        if (t_c2 !== m_c2) fail_pr("C2 registers", t_c2, m_c2);
        if (t_se !== m_se) fail_pr("SE pulses", t_se, m_se);
        if (t_zf !== m_zf) fail_pr("stored-zero flags", t_zf, m_zf);
        for (j = 0; j < COLS; j = j + 1)
          for (s = 0; s < NSEG; s = s + 1)
            if (t_lbl[j*ROWS + s*SEG_ROWS +: SEG_ROWS] !== lvl[j*NSEG + s])
              fail("line level (column*NSEG+segment)", j * NSEG + s, t_lbl[j*ROWS + s*SEG_ROWS +: SEG_ROWS],
                   lvl[j*NSEG + s]);
      end
    end
  endtask

  // ---- stimulus ----
  task automatic pick_config;
    begin
      if (($urandom % 4) == 0) cur_gate = $urandom % 4;
      if (($urandom % 6) == 0) cur_unit = $urandom % 4;
      if (($urandom % 10) == 0) begin
        case ($urandom % 8)
          0: cur_ncols = 0;
          1: cur_ncols = $urandom % (COLS + 1);
          2: cur_ncols = $urandom % (1 << CW);          // may exceed COLS
          3: cur_ncols = COL_GROUP * ($urandom % NGRP) + 1;
          default: cur_ncols = COLS;
        endcase
      end
      if (($urandom % 10) == 0) begin
        case ($urandom % 8)
          0: cur_nrows = 0;
          1: cur_nrows = $urandom % (ROWS + 1);
          2: cur_nrows = $urandom % (1 << PW);          // may exceed ROWS
          3: cur_nrows = SEG_ROWS * ($urandom % NSEG);  // whole segments
          default: cur_nrows = ROWS;
        endcase
      end
    end
  endtask

  task automatic gen_input;
    begin
      cls = $urandom % 12;
      if (cls == 0) in_bits = {ROWS{1'b0}};
      else if (cls == 1) in_bits = {ROWS{1'b1}};
      else if (cls == 2) begin
        // inputs only on rows outside the row mask (all dropped)
        for (r = 0; r < ROWS; r = r + 1) in_bits[r] = (r >= cur_nrows) && ($urandom % 2);
      end else begin
        b = ($urandom % 2) ? cur_unit : $urandom % 4;  // zero blocks of 2^b segments (often the unit)
        pz = $urandom % 4;                // zero probability pz/4
        dens = 1 + $urandom % 6;          // 1 / density of the non-zero blocks
        for (s = 0; s < NSEG; s = s + (1 << b)) begin
          u = ($urandom % 4) < pz;
          for (r = s * SEG_ROWS; r < (s + (1 << b)) * SEG_ROWS && r < ROWS; r = r + 1)
            in_bits[r] = !u && (($urandom % dens) == 0);
        end
      end
    end
  endtask

  task automatic junk_compute_fields;
    begin
      for (i = 0; i < ROWS; i = i + 32) in_bits[i +: 32] = $urandom;
      first = $urandom; last = $urandom; plane = $urandom;
      gate = $urandom; unit_log2 = $urandom; ncols = $urandom; nrows = $urandom;
      if (NORESET != 0) begin
        in_bits = {ROWS{1'bx}};
        first = 1'bx; last = 1'bx; plane = 4'bx; gate = 2'bx; unit_log2 = 2'bx;
        ncols = {CW{1'bx}}; nrows = {PW{1'bx}};
      end
    end
  endtask

  // X check: X on every input bit the operation picked now does not use
  task automatic x_unused;
    begin
      if (NORESET != 0) begin
        if (op != OP_WRITE && op != OP_READ && op != OP_SET_THR && op != OP_SET_ZF) addr = {AW{1'bx}};
        if (op != OP_WRITE && op != OP_SET_ZF) wdata = {COLS{1'bx}};
        if (op == OP_SET_ZF)
          for (j = (addr < NSEG ? NGRP : 0); j < COLS; j = j + 1) wdata[j] = 1'bx;
        if (op != OP_SET_THR || addr >= COLS) thr = {ACC{1'bx}};
        if (op == OP_COMPUTE) begin
          for (r = 0; r < ROWS; r = r + 1) if (r >= nrows) in_bits[r] = 1'bx;
          if (gate == 2'd0) unit_log2 = 2'bx;
        end
      end
    end
  endtask

  // A row for row addr: random, or (follow_map) zero in the blocks of the
  // zero map; always zero in the blocks whose stored-zero flag is set and
  // in segment zseg.
  task automatic gen_row(input integer follow_map);
    begin
      case ($urandom % 6)
        0: wdata = {COLS{1'b0}};
        1: wdata = {COLS{1'b1}};
        default: for (j = 0; j < COLS; j = j + 1) wdata[j] = ($urandom % 4) != 0;
      endcase
      for (j = 0; j < COLS; j = j + 1)
        if (m_zf[(j / COL_GROUP)*NSEG + addr / SEG_ROWS] || addr / SEG_ROWS == zseg ||
            (follow_map && zmap[(j / COL_GROUP)*NSEG + addr / SEG_ROWS]))
          wdata[j] = 1'b0;
    end
  endtask

  // SET_ZF: the flags of segment addr, a random subset of its all-zero blocks.
  task automatic gen_zf;
    begin
      wdata = {COLS{1'b0}};
      cls = $urandom % 8;           // 0: none, 1..4: all zero blocks, else each with probability 1/2
      if (addr < NSEG)
        for (g = 0; g < NGRP; g = g + 1) begin
          u = 1;
          for (r = addr * SEG_ROWS; r < (addr + 1) * SEG_ROWS; r = r + 1)
            for (j = g * COL_GROUP; j < (g + 1) * COL_GROUP; j = j + 1)
              if (mem[r][j]) u = 0;
          wdata[g] = u && cls != 0 && (cls <= 4 || ($urandom % 2));
        end
      // the bits above NGRP are junk (ignored)
      for (j = NGRP; j < COLS; j = j + 1) wdata[j] = $urandom;
    end
  endtask

  initial begin
    errors = 0; n_cmp = 0; n_rd = 0; n_wr = 0; n_cnt = 0; n_thr = 0; n_clr = 0; n_b2b = 0;
    n_rowmask = 0; n_colmask = 0; n_hold = 0; cnt_nz = {NCNT{1'b0}}; prev_compute = 1'b0; m_open = 1'b0;
    for (k = 0; k < 4; k = k + 1) begin
      n_gmode[k] = 0; n_gated_mode[k] = 0; n_gated_unit[k] = 0; n_zfg_mode[k] = 0;
    end
    n_zf = 0; n_zf_seg = 0;
    // X check: rows [nw, ROWS) are never written: one segment in part, the last one whole
    nw = NORESET != 0 ? ROWS - SEG_ROWS - 3 : ROWS;
    n_rd_x = 0; rd_x = 1'b0; cnt3_x = NORESET != 0;
    seed = SEED;
    k = $urandom(seed);
    for (i = 0; i < ROWS; i = i + 1) mem[i] = {COLS{1'b0}};
    for (i = 0; i < COLS * NSEG; i = i + 1) lvl[i] = 0;
    for (j = 0; j < COLS; j = j + 1) begin macc[j] = 0; mthr[j] = 0; o_p[j] = 0; end
    for (k = 0; k < NCNT; k = k + 1) mcnt[k] = 0;
    m_c1 = 0; m_c2 = 0; m_se = 0; m_c1_prev = 0; m_zf = 0;
    // zero map: per segment all groups (1/4), none (1/4) or each group with probability 1/2
    for (s = 0; s < NSEG; s = s + 1) begin
      k = $urandom % 4;
      for (g = 0; g < NGRP; g = g + 1) zmap[g*NSEG + s] = k == 0 || (k >= 2 && ($urandom % 2));
    end
    zseg = $urandom % ((NSEG + 1) / 2);  // one whole segment, always zero (and often mapped)
    for (g = 0; g < NGRP; g = g + 1) zmap[g*NSEG + zseg] = 1'b1;
    la_valid = 0; la_first = 0; la_last = 0; la_in = 0; la_x = 0; la_plane = 0; la_ncols = 0;
    la_gated = 0; la_mapped = 0; la_gate = 0; la_zfg = 0;
    o_cmp_valid = 0; o_acc_valid = 0; o_rd_valid = 0; o_rdata = 0; o_x = 0; o_seg_gated = 0;
    cur_gate = 3; cur_unit = 0; cur_ncols = COLS; cur_nrows = ROWS;
    // reset over 3 edges with junk on the inputs (every input driven)
    op = OP_COMPUTE; junk_compute_fields;
    repeat (3) @(posedge clk);
    #1 rst_n = 1'b1;
    cyc = -1;
    check_all;
    for (cyc = 0; cyc < CYCLES + 32; cyc = cyc + 1) begin
      // ---- pick an operation (inputs change away from the clock edge) ----
      @(negedge clk);
      junk_compute_fields;
      addr = $urandom; thr = $urandom;
      for (j = 0; j < COLS; j = j + 1) wdata[j] = $urandom;
      cnt_sel = $urandom % 32;
      k = $urandom % 64;
      if (cyc >= CYCLES) begin
        // the end: every counter (and 22..31) once more
        op = ($urandom % 2) ? OP_NOP : 3'd7;
        cnt_sel = cyc - CYCLES;
      end else if (cyc < ROWS) begin
        op = OP_WRITE; addr = cyc; gen_row(1);
        if (cyc >= nw) op = OP_NOP;                 // X check: rows >= nw stay unwritten
      end else if (NORESET != 0 && cyc == ROWS) begin
        op = OP_CLR_CNT;                            // clears write_bits_flipped's X
      end else if (k < 5) begin
        op = OP_WRITE;
        if (NORESET != 0) addr = $urandom % nw;
        gen_row(($urandom % 4) != 0);
      end else if (k < 10) begin
        op = OP_READ;
        if (NORESET != 0 && ($urandom % 2)) addr = nw + $urandom % (ROWS - nw);  // a row never written
      end
      else if (k < 46) begin
        op = OP_COMPUTE;
        pick_config;
        if (NORESET != 0 && cur_nrows > nw) cur_nrows = $urandom % (nw + 1);  // rows in use are written
        gate = cur_gate; unit_log2 = cur_unit; ncols = cur_ncols; nrows = cur_nrows;
        gen_input;
        // the protocol: the first COMPUTE after a last one begins an
        // accumulation (first), the others continue it
        first = !m_open;
        last  = ($urandom % 3) == 0;
        plane = ($urandom % 2) ? $urandom % 4 : $urandom % 16;
      end else if (k < 50) begin
        op = OP_SET_THR;
        thr = ($urandom % 4) ? ($urandom % 129) - 64 : $urandom;
        if ($urandom % 4) addr = $urandom % COLS;
      end else if (k < 51) op = OP_CLR_CNT;
      else if (k < 55) begin
        op = OP_SET_ZF;
        case ($urandom % 8)
          0: ;                                  // junk address: may be past NSEG
          1, 2: addr = zseg;
          default: addr = $urandom % NSEG;
        endcase
        gen_zf;
      end
      else op = ($urandom % 2) ? OP_NOP : 3'd7;
      x_unused;

      // ---- the edge: DUT and model ----
      @(posedge clk);
      #1;
      if (op == OP_COMPUTE) begin
        n_cmp = n_cmp + 1;
        if (prev_compute) n_b2b = n_b2b + 1;
      end
      prev_compute = op == OP_COMPUTE;
      if (op == OP_READ) n_rd = n_rd + 1;
      if (op == OP_READ && NORESET != 0 && addr >= nw) n_rd_x = n_rd_x + 1;
      if (op == OP_WRITE) n_wr = n_wr + 1;
      if (op == OP_SET_THR) n_thr = n_thr + 1;
      if (op == OP_CLR_CNT) n_clr = n_clr + 1;
      if (op == OP_SET_ZF) n_zf = n_zf + 1;
      model_edge;
      if (op == OP_COMPUTE) begin
        n_gmode[gate] = n_gmode[gate] + 1;
        if (d_gated != 0) begin
          n_gated_mode[gate] = n_gated_mode[gate] + 1;
          n_gated_unit[unit_log2] = n_gated_unit[unit_log2] + 1;
        end
        if (d_zfg != 0) n_zfg_mode[gate] = n_zfg_mode[gate] + 1;
        if ((d_gated & ~d_unit) != 0) n_zf_seg = n_zf_seg + 1;
        if (nrows < ROWS && (in_bits & ~d_in) !== {ROWS{1'b0}}) n_rowmask = n_rowmask + 1;
        if (ncols < COLS) n_colmask = n_colmask + 1;
      end
      check_all;
      if (errors > 20) $fatal(1, "xcheck: FAIL: too many errors");
    end

    // ---- coverage goals ----
    for (k = 0; k < NCNT; k = k + 1)
      if (!cnt_nz[k]) begin
        $display("xcheck: FAIL: coverage: counter %0d never checked with a non-zero value", k);
        errors = errors + 1;
      end
    for (k = 1; k < 4; k = k + 1)
      if (n_gated_mode[k] == 0) begin
        $display("xcheck: FAIL: coverage: no COMPUTE with gated segments in gate mode %0d", k);
        errors = errors + 1;
      end
    for (k = 0; k < 4; k = k + 1)
      if (n_gated_unit[k] == 0 || n_gmode[k] == 0) begin
        $display("xcheck: FAIL: coverage: gate mode %0d: %0d computes, unit %0d: %0d gated computes",
                 k, n_gmode[k], 1 << k, n_gated_unit[k]);
        errors = errors + 1;
      end
    for (k = 1; k < 4; k = k + 1)
      if (n_zfg_mode[k] == 0) begin
        $display("xcheck: FAIL: coverage: no COMPUTE with a (group, segment) gated by its stored-zero flag in gate mode %0d", k);
        errors = errors + 1;
      end
    if (n_zf == 0 || n_zf_seg == 0) begin
      $display("xcheck: FAIL: coverage: %0d SET_ZF, %0d computes with a segment gated by its stored-zero flags alone",
               n_zf, n_zf_seg);
      errors = errors + 1;
    end
    if (n_rowmask == 0 || n_colmask == 0 || n_b2b == 0 || n_hold == 0) begin
      $display("xcheck: FAIL: coverage: %0d computes with masked rows, %0d with masked columns, %0d back to back, %0d held discharged lines",
               n_rowmask, n_colmask, n_b2b, n_hold);
      errors = errors + 1;
    end
    if (NORESET != 0 && n_rd_x == 0) begin
      $display("xcheck: FAIL: coverage: no READ of a row never written");
      errors = errors + 1;
    end
    if (errors != 0) $fatal(1, "xcheck: FAIL: %0d errors", errors);
    if (NORESET != 0)
      $display("xcheck: PASS (X check): cells without reset, rows %0d..%0d never written (%0d READs of them gave X), X on every input an operation does not use: no X reached an output of the written rows",
               nw, ROWS - 1, n_rd_x);
    $display("xcheck: PASS: %0dx%0d seg %0d group %0d acc %0d, %0d cycles: %0d computes (%0d back to back; gate 0/1/2/3: %0d/%0d/%0d/%0d; %0d with stored-zero gating), %0d writes, %0d SET_ZF, %0d reads, %0d counter reads (all %0d seen non-zero), %0s, no X/Z after reset",
             ROWS, COLS, SEG_ROWS, COL_GROUP, ACC, CYCLES + 32, n_cmp, n_b2b, n_gmode[0], n_gmode[1], n_gmode[2],
             n_gmode[3], n_zfg_mode[1] + n_zfg_mode[2] + n_zfg_mode[3], n_wr, n_zf, n_rd, n_cnt, NCNT,
             INTERNAL != 0 ? "line levels, C1/C2/SE and stored-zero flags checked every edge" : "outputs only");
    $finish;
  end
endmodule
