# tb/tb.cmake - verilated builds of rtl/*.v (top cim_macro), the C shim and
# SystemC top over them, and the testbench library `sparsecim_tb` (driver,
# back ends, checks: what `sparsecim sim|run` drive; it links the library rooms,
# never csrc/cli/). Included by the top CMakeLists.txt.
#
# One verilated build = one geometry x one back end x one trace format
# (Verilator fixes the trace format per build):
#   sparsecim_verilate(NAME ROWS COLS SEG_ROWS COL_GROUP [ACC_W A] [SYSTEMC] [FST] [NOTRACE] [PREFIX P])
# adds library dut_NAME (Verilator PREFIX P, default Vcim_NAME) and a row of the
# generated registry (dut_registry.c) through which tb/dut.c finds it. The
# geometry (ACC_W: accumulator bits, default 32, 2..32 for the shim) goes
# to Verilator as -G parameters and to the shim as DUT_* definitions.
# NOTRACE: verilated without --trace (no waveforms, compiles much faster).
# Adding a geometry is one line below.
#
# Options: SPARSECIM_TB_FST   also an FST-tracing build of the default geometry (ON;
#                               a whole-image waveform is about 36x smaller than its VCD)
#          SPARSECIM_TB_SWEEP SEG_ROWS = 8 and 32 builds of 256x64 (control-unit sweeps)
#          SPARSECIM_RTL_DIR  the Verilog the builds are made from (default rtl/)
#          SPARSECIM_TB_ONLY_SMALL  only the 64x16s8 VCD build, with ACC_W 24 (make mutate)
#          SPARSECIM_TB_GEOMS  extra plain builds without tracing, a list of
#                              ROWSxCOLSxSEG_ROWSxCOL_GROUPxACC_W (e.g.
#                              "64x16x16x4x24;128x32x32x8x32"; make geom-matrix)
#          SPARSECIM_TB_ONLY_GEOMS  only the SPARSECIM_TB_GEOMS builds
#          SPARSECIM_REQUIRE_FAST_CLOCK  a build whose model has no fast clock path
#                              (tb/dut_verilated.cpp) is a compile error, not a warning
find_package(verilator 5.006 REQUIRED HINTS $ENV{VERILATOR_ROOT} /usr/share/verilator)

option(SPARSECIM_TB_FST "FST-tracing verilated build of the default geometry (make waves writes FST)" ON)
option(SPARSECIM_TB_SWEEP "Verilated builds of 256x64 with SEG_ROWS 8 and 32" OFF)

set_property(GLOBAL PROPERTY SPARSECIM_DUT_LIBS "")
set_property(GLOBAL PROPERTY SPARSECIM_DUT_DECLS "")
set_property(GLOBAL PROPERTY SPARSECIM_DUT_ROWS "")

function(sparsecim_verilate name rows cols seg grp)
  cmake_parse_arguments(A "SYSTEMC;FST;NOTRACE" "PREFIX;ACC_W" "" ${ARGN})
  set(acc 32)
  if(A_ACC_W)
    set(acc ${A_ACC_W})
  endif()
  if(acc LESS 2 OR acc GREATER 32)
    message(FATAL_ERROR "verilated build ${name}: ACC_W ${acc}: the shim reads accumulators of 2..32 bits")
  endif()
  set(tgt dut_${name})
  set(prefix Vcim_${name})
  if(A_PREFIX)
    set(prefix ${A_PREFIX})
  endif()
  set(fmt 0)
  set(trace_kind TRACE)
  if(A_FST)
    set(fmt 1)
    set(trace_kind TRACE_FST)
  endif()
  set(traced 1)
  if(A_NOTRACE)
    set(trace_kind "")
    set(traced 0)
  endif()
  # --output-split-cfuncs: Verilator makes functions of at most that many
  # statements (the 256x64 macro's evaluation is otherwise one function of
  # ~17,000 lines that takes g++ minutes)
  # --assert: the RTL's checks (rtl/cim_check.v: host protocol, stored-zero
  # flags, controller invariants) run in every build; a failed one prints
  # "cim_assert: FAIL: ..." and aborts the program
  set(vargs -Wall --assert --no-timing --x-assign unique --x-initial unique -O3 --timescale 1ns/1ns
            --output-split 20000 --output-split-cfuncs 1000
            -GROWS=${rows} -GCOLS=${cols} -GSEG_ROWS=${seg} -GCOL_GROUP=${grp} -GACC_W=${acc}
            ${SPARSECIM_VL_ARGS})
  set(defs DUT_CLASS=${prefix} DUT_HEADER="${prefix}.h" DUT_ROWS=${rows} DUT_COLS=${cols} DUT_ACC_W=${acc}
           DUT_FST_BUILD=${fmt} DUT_TRACE_BUILD=${traced})
  if(A_SYSTEMC)
    add_library(${tgt} STATIC ${CMAKE_SOURCE_DIR}/tb/sc_top.cpp)
    target_compile_definitions(${tgt} PRIVATE ${defs} DUT_SC_RUN=dut_sc_run_${name})
    verilate(${tgt} SYSTEMC SOURCES ${SPARSECIM_RTL_SRC} PREFIX ${prefix} TOP_MODULE cim_macro ${trace_kind}
             VERILATOR_ARGS ${vargs})
    verilator_link_systemc(${tgt})
    set(decl "int dut_sc_run_${name}(const dut_geom *, const char *, uint64_t, uint64_t, tb_body_fn, void *, char *, size_t);")
    set(row "{{${rows}, ${cols}, ${seg}, ${grp}, ${acc}}, ${fmt}, 0, dut_sc_run_${name}, 0},")
  else()
    add_library(${tgt} STATIC ${CMAKE_SOURCE_DIR}/tb/dut_verilated.cpp)
    target_compile_definitions(${tgt} PRIVATE ${defs} DUT_FACTORY=dut_new_${name} DUT_CLOCK_FN=dut_clock_${name}
                               DUT_REQUIRE_FAST_CLOCK=$<BOOL:${SPARSECIM_REQUIRE_FAST_CLOCK}>)
    verilate(${tgt} SOURCES ${SPARSECIM_RTL_SRC} PREFIX ${prefix} TOP_MODULE cim_macro ${trace_kind}
             VERILATOR_ARGS ${vargs})
    # The shim's fast clock path (one evaluation per cycle) needs the
    # model's clock-edge trigger state; tb/dut_verilated.cpp detects it at
    # compile time, this says it at configure time (Verilator has run).
    set(root_h ${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${tgt}.dir/${prefix}.dir/${prefix}___024root.h)
    set(fast_clock OFF)
    if(EXISTS ${root_h})
      file(STRINGS ${root_h} trig REGEX "__Vtrigrprev__TOP__clk_i")
      if(trig)
        set(fast_clock ON)
      endif()
    endif()
    if(fast_clock)
      message(STATUS "verilated build ${name}: fast clock path (one evaluation per cycle outside the waveform window)")
    else()
      message(WARNING "verilated build ${name}: Verilator ${verilator_VERSION} generates no __Vtrigrprev__TOP__clk_i "
              "in ${prefix}___024root.h: the shim falls back to two evaluations per cycle (slower, same results; "
              "`sparsecim --version` and run's report say clock_path two-edge). -DSPARSECIM_REQUIRE_FAST_CLOCK=ON "
              "makes this an error.")
    endif()
    set(decl "cim_dut *dut_new_${name}(const dut_geom *, const char *, uint64_t, uint64_t, char *, size_t);\nconst char *dut_clock_${name}(void);")
    set(row "{{${rows}, ${cols}, ${seg}, ${grp}, ${acc}}, ${fmt}, dut_new_${name}, 0, dut_clock_${name}},")
  endif()
  target_include_directories(${tgt} PRIVATE ${CMAKE_SOURCE_DIR}/tb)
  set_target_properties(${tgt} PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON)
  # the verilated C++ is generated code: optimize it, do not lint it, and
  # skip its debug info (a third of the compile time of a 256x64 build)
  target_compile_options(${tgt} PRIVATE ${SPARSECIM_VL_CXXFLAGS} -g0 -w)
  # under SPARSECIM_SANITIZE the testbench, driver and reference are
  # instrumented; the generated model is not (it is 30x slower instrumented
  # and its bugs are Verilator's)
  if(SPARSECIM_SANITIZE)
    target_compile_options(${tgt} PRIVATE -fno-sanitize=all)
  endif()
  set_property(GLOBAL APPEND PROPERTY SPARSECIM_DUT_LIBS ${tgt})
  set_property(GLOBAL APPEND_STRING PROPERTY SPARSECIM_DUT_DECLS "${decl}\n")
  set_property(GLOBAL APPEND_STRING PROPERTY SPARSECIM_DUT_ROWS "    ${row}\n")
endfunction()

# ---- the builds (one line per geometry / back end / trace format) ----
# SPARSECIM_RTL_DIR: the Verilog every build is made from (tools/mutate.sh
# points it at a mutated copy). SPARSECIM_TB_ONLY_SMALL: only the 64x16s8
# VCD build (no SystemC, no FST; SPARSECIM_TB_FST/SWEEP ignored): a build
# of a minute or two, for `make -f Makefile.sim mutate`.
set(SPARSECIM_RTL_DIR ${CMAKE_SOURCE_DIR}/rtl CACHE PATH "Directory of the Verilog (*.v) the verilated builds are made from")
option(SPARSECIM_TB_ONLY_SMALL "Only the 64x16s8 VCD verilated build (ACC_W 24)" OFF)
set(SPARSECIM_TB_GEOMS "" CACHE STRING "Extra plain verilated builds (no tracing): ROWSxCOLSxSEG_ROWSxCOL_GROUPxACC_W, ';'-separated")
option(SPARSECIM_TB_ONLY_GEOMS "Only the SPARSECIM_TB_GEOMS verilated builds" OFF)
set(SPARSECIM_VL_ARGS "" CACHE STRING "Extra Verilator arguments of every verilated build (';'-separated)")
set(SPARSECIM_VL_CXXFLAGS "-O2" CACHE STRING "C++ optimization flags of the generated model (';'-separated)")
option(SPARSECIM_REQUIRE_FAST_CLOCK "A verilated build without the shim's fast clock path is an error" OFF)
file(GLOB SPARSECIM_RTL_SRC CONFIGURE_DEPENDS ${SPARSECIM_RTL_DIR}/*.v)
if(NOT SPARSECIM_RTL_SRC)
  message(FATAL_ERROR "SPARSECIM_RTL_DIR=${SPARSECIM_RTL_DIR}: no *.v files")
endif()
# the extra geometries (SPARSECIM_TB_GEOMS), each named RxCxS (distinct
# from every other build's rows x cols x segment rows: --geometry RxCxS
# picks a build by those three)
set(extra_geoms "")
foreach(spec ${SPARSECIM_TB_GEOMS})
  if(NOT spec MATCHES "^([0-9]+)x([0-9]+)x([0-9]+)x([0-9]+)x([0-9]+)$")
    message(FATAL_ERROR "SPARSECIM_TB_GEOMS: '${spec}': expected ROWSxCOLSxSEG_ROWSxCOL_GROUPxACC_W (e.g. 64x16x16x4x24)")
  endif()
  list(APPEND extra_geoms "${CMAKE_MATCH_1};${CMAKE_MATCH_2};${CMAKE_MATCH_3};${CMAKE_MATCH_4};${CMAKE_MATCH_5}")
  set(gname ${CMAKE_MATCH_1}x${CMAKE_MATCH_2}s${CMAKE_MATCH_3})
  if(gname IN_LIST extra_names)
    message(FATAL_ERROR "SPARSECIM_TB_GEOMS: two geometries ${CMAKE_MATCH_1}x${CMAKE_MATCH_2}x${CMAKE_MATCH_3}")
  endif()
  list(APPEND extra_names ${gname})
endforeach()
if(SPARSECIM_TB_ONLY_GEOMS)
  if(NOT SPARSECIM_TB_GEOMS)
    message(FATAL_ERROR "SPARSECIM_TB_ONLY_GEOMS: SPARSECIM_TB_GEOMS is empty")
  endif()
elseif(SPARSECIM_TB_ONLY_SMALL)
  sparsecim_verilate(64x16s8 64 16 8 4 ACC_W 24)         # small macro, VCD, narrowest accumulator
else()
  sparsecim_verilate(256x64s16 256 64 16 8 PREFIX Vcim_macro)  # default macro, VCD
  sparsecim_verilate(64x16s8 64 16 8 4)                    # small macro for property tests, VCD
  sparsecim_verilate(64x16s8_fst 64 16 8 4 FST)            # small macro, FST
  sparsecim_verilate(256x64s16_sc 256 64 16 8 SYSTEMC)     # default macro, SystemC
  if(SPARSECIM_TB_FST)
    sparsecim_verilate(256x64s16_fst 256 64 16 8 FST)
  endif()
  if(SPARSECIM_TB_SWEEP)
    sparsecim_verilate(256x64s8 256 64 8 8)
    sparsecim_verilate(256x64s32 256 64 32 8)
  endif()
endif()

while(extra_geoms)
  list(POP_FRONT extra_geoms r c sg gr ac)
  if(NOT SPARSECIM_TB_ONLY_GEOMS AND ("${r}x${c}x${sg}" STREQUAL "256x64x16" OR "${r}x${c}x${sg}" STREQUAL "64x16x8"))
    message(FATAL_ERROR "SPARSECIM_TB_GEOMS: ${r}x${c}x${sg} is a default build (use SPARSECIM_TB_ONLY_GEOMS)")
  endif()
  sparsecim_verilate(${r}x${c}s${sg}g${gr}a${ac} ${r} ${c} ${sg} ${gr} ACC_W ${ac} NOTRACE)
endwhile()

# ---- the registry tb/dut.c searches ----
get_property(dut_libs GLOBAL PROPERTY SPARSECIM_DUT_LIBS)
get_property(dut_decls GLOBAL PROPERTY SPARSECIM_DUT_DECLS)
get_property(dut_rows GLOBAL PROPERTY SPARSECIM_DUT_ROWS)
file(WRITE ${CMAKE_BINARY_DIR}/dut_registry.c.in
"/* generated by tb/tb.cmake: the verilated builds linked into this program */\n#include \"tb_backend.h\"\n\n${dut_decls}\nconst dut_build dut_builds[] = {\n${dut_rows}    {{0, 0, 0, 0, 0}, 0, 0, 0, 0}};\n")
configure_file(${CMAKE_BINARY_DIR}/dut_registry.c.in ${CMAKE_BINARY_DIR}/dut_registry.c COPYONLY)

# ---- the testbench library (C11) ----
file(GLOB TB_C_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tb/*.c)
list(REMOVE_ITEM TB_C_SRC ${CMAKE_SOURCE_DIR}/tb/sc_stub.c)
add_library(sparsecim_tb STATIC ${TB_C_SRC} ${CMAKE_BINARY_DIR}/dut_registry.c)
# libsystemc.so's main() references sc_main: every program linking the
# SystemC back end gets the stub compiled in (an archive member would not
# be pulled in by a shared library's reference).
target_sources(sparsecim_tb INTERFACE ${CMAKE_SOURCE_DIR}/tb/sc_stub.c)
target_include_directories(sparsecim_tb PUBLIC ${CMAKE_SOURCE_DIR}/tb)
target_compile_options(sparsecim_tb PRIVATE ${SPARSECIM_C_FLAGS} -O2)
# the rooms' arrows (docs/ARCHITECTURE.md): the testbench links the library
# rooms and its verilated builds only, never the command line's files
target_link_libraries(sparsecim_tb PUBLIC sparsecim_core ${dut_libs})
