// check_tb: the RTL's simulation checks fire (Icarus, 4-state). A check
// that cannot fail guards nothing, so each CASE breaks one rule on purpose
// after a legal start, and CASE 0 is the legal sequence alone:
//   CASE 0  write a row, one COMPUTE with first_i and last_i, NOPs: no
//           check may fire ("check_tb: PASS")
//   CASE 1  op_i X out of reset            -> cim_check_known op_known
//   CASE 2  a COMPUTE whose plane_i is X   -> compute_fields_known
//   CASE 3  a COMPUTE without first_i with no accumulation open
//           -> cim_check (host protocol) compute_continues_an_open_accumulation
//   CASE 4  first_i again while one is open -> first_only_after_last
// The failing cases end in $fatal with "cim_assert: FAIL: <instance>:
// <rule>"; make xcheck requires each message (and the rule's name).
module check_tb #(
  parameter integer CASE = 0
);
  localparam integer ROWS = 32, COLS = 8, SEG_ROWS = 8, COL_GROUP = 4, ACC = 24;
  localparam [2:0] OP_NOP = 3'd0, OP_WRITE = 3'd1, OP_COMPUTE = 3'd3;

  // the macro's ports by their own names, connected with .* (no port list
  // to keep in step with rtl/cim_macro.v)
  reg                            clk_i = 1'b0, rst_ni = 1'b0;
  reg  [2:0]                     op_i = OP_NOP;
  reg  [$clog2(ROWS)-1:0]        addr_i = '0;
  reg  [COLS-1:0]                wdata_i = '0;
  reg  [ROWS-1:0]                in_i = '0;
  reg                            first_i = 1'b0, last_i = 1'b0;
  reg  [3:0]                     plane_i = 4'd0;
  reg  [ACC-1:0]                 thr_i = '0;
  reg  [1:0]                     gate_i = 2'd0, unit_log2_i = 2'd0;
  reg  [$clog2(COLS+1)-1:0]      ncols_i = COLS;
  reg  [$clog2(ROWS+1)-1:0]      nrows_i = ROWS;
  reg  [4:0]                     cnt_sel_i = 5'd0;
  wire                           cmp_valid_o, acc_valid_o, rd_valid_o;
  wire [COLS*$clog2(ROWS+1)-1:0] p_o;
  wire [$clog2(ROWS+1)-1:0]      x_o;
  wire [COLS*ACC-1:0]            acc_o;
  wire [COLS-1:0]                bin_o, rdata_o;
  wire [ROWS/SEG_ROWS-1:0]       seg_gated_o;
  wire [47:0]                    cnt_o;

  cim_macro #(.ROWS(ROWS), .COLS(COLS), .SEG_ROWS(SEG_ROWS), .COL_GROUP(COL_GROUP),
              .ACC_W(ACC)) dut (.*);

  always #5 clk_i = ~clk_i;

  // one operation in the cycle of the next rising edge
  task automatic issue(input [2:0] o, input f, input l);
    begin
      @(negedge clk_i);
      op_i = o; first_i = f; last_i = l;
      @(posedge clk_i);
      #1 op_i = OP_NOP;
    end
  endtask

  initial begin
    repeat (2) @(posedge clk_i);
    @(negedge clk_i) rst_ni = 1'b1;
    wdata_i = 8'ha5; addr_i = 5'd3; in_i = 32'h0000_0008;
    issue(OP_WRITE, 1'b0, 1'b0);
    case (CASE)
      1: begin @(negedge clk_i) op_i = 3'bx00; @(posedge clk_i); end
      2: begin @(negedge clk_i) plane_i = 4'bx000; issue(OP_COMPUTE, 1'b1, 1'b1); end
      3: issue(OP_COMPUTE, 1'b0, 1'b1);
      4: begin issue(OP_COMPUTE, 1'b1, 1'b0); issue(OP_COMPUTE, 1'b1, 1'b1); end
      default: issue(OP_COMPUTE, 1'b1, 1'b1);
    endcase
    repeat (4) @(posedge clk_i);
    $display("check_tb: PASS (CASE %0d: no check fired)", CASE);
    $finish;
  end
endmodule
