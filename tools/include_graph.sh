#!/bin/sh
# tools/include_graph.sh - the include graph of csrc/ and tb/ must flow one way.
#
#   tools/include_graph.sh [--print] [ROOT]     (ROOT: the source tree, default this script's ..)
#
# Reads every `#include "..."` of csrc/**/*.{c,h} and tb/*.{c,h,cpp} (an
# include is resolved as the compiler does: the includer's folder, then
# csrc/, then tb/; one that resolves to no file of the tree, e.g.
# "verilated.h", is not an edge). A module is a .c (or .cpp) and the .h of
# the same name in the same folder (act.c + act.h); a header with no .c of
# its name (bnn_model_int.h, tb_backend.h) is an interface its includers
# share and is looked through (an include of it is an include of what it
# includes). A room is a folder of csrc/ (model, infer, map, vec, power,
# data, util, cli) or tb/. It fails when
#   (a) two files include each other, directly or round a longer circle;
#       or two modules do (act.c includes energy.h, energy.h includes
#       act.h: a circle between the modules act and energy);
#   (b) two rooms include each other, directly or round a circle;
#   (c) a library room of csrc/ (every one but cli/) or tb/ includes a
#       file of csrc/cli/ (the command line), or a library room of csrc/
#       includes a file of tb/ (the testbench sits above the libraries).
# Each finding is one line naming the files; exit status 0 clean, 2 any
# finding or a tree without csrc/. --print lists the room graph's edges.
# POSIX sh and awk only (it runs in `make -f Makefile.sim test` and `lint`).
set -u
print=0
if [ "${1:-}" = "--print" ]; then
    print=1
    shift
fi
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" 2>/dev/null || { echo "include_graph: no directory $root" >&2; exit 2; }
[ -d csrc ] || { echo "include_graph: $root has no csrc/" >&2; exit 2; }

files=$( { find csrc -type f \( -name '*.c' -o -name '*.h' \); \
           [ -d tb ] && find tb -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' \); } | LC_ALL=C sort)
[ -n "$files" ] || { echo "include_graph: no sources under $root/csrc" >&2; exit 2; }

# one line per file: "F" FILE, then one per include: "I" FILE TARGET
# shellcheck disable=SC2086
{
    for f in $files; do echo "F $f"; done
    awk 'FNR == 1 { f = FILENAME }
         /^[ \t]*#[ \t]*include[ \t]*"/ {
             s = $0; sub(/^[^"]*"/, "", s); sub(/".*$/, "", s); print "I", f, s }' $files
} | LC_ALL=C awk -v print_edges="$print" '
function dirof(p) { return (p ~ /\//) ? substr(p, 1, match(p, /\/[^\/]*$/) - 1) : "." }
function norm(p,    n, i, a, o, k) {        # a/b/../c -> a/c, ./x -> x
    n = split(p, a, "/"); k = 0
    for (i = 1; i <= n; i++) {
        if (a[i] == "." || a[i] == "") continue
        if (a[i] == ".." && k > 0) { k--; continue }
        o[++k] = a[i]
    }
    p = ""
    for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") o[i]
    return p
}
function module(p) { sub(/\.(c|h|cpp)$/, "", p); return p }
function room(p,    a) {
    if (p ~ /^tb\//) return "tb"
    if (p ~ /^csrc\/[^\/]+\//) { split(p, a, "/"); return a[2] }
    return "csrc"                            # a file directly in csrc/
}
function libroom(r) { return r != "cli" && r != "tb" }
function has_code(p,    m) { m = module(p); return (m ".c") in have || (m ".cpp") in have }
# the modules a header-only header leads to (through other header-only ones)
function reach(h,    k, t, out, n, i, a) {
    if (h in memo) return memo[h]
    memo[h] = ""                             # a circle of headers: the file check reports it
    out = ""
    for (k = 1; k <= nfe[h]; k++) {
        t = fe[h, k]
        if (has_code(t)) out = out SUBSEP module(t) SUBSEP fwhy[h, k]
        else {
            n = split(reach(t), a, SUBSEP)
            for (i = 2; i + 1 <= n; i += 2) out = out SUBSEP a[i] SUBSEP (fwhy[h, k] ", " a[i + 1])
        }
    }
    memo[h] = out
    return out
}
$1 == "F" { have[$2] = 1; next }
$1 == "I" {
    inc[++ni] = $2; tgt[ni] = $3; next
}
# depth-first search for a circle; kind "m" modules, "r" rooms
function dfs(kind, u,    v, k) {
    color[kind, u] = 1; stack[++sp] = u
    for (k = 1; k <= nadj[kind, u]; k++) {
        v = adj[kind, u, k]
        if (color[kind, v] == 1) { report_cycle(kind, v); continue }
        if (color[kind, v] == 0) dfs(kind, v)
    }
    color[kind, u] = 2; sp--
}
function report_cycle(kind, v,    i, s, j, a, b) {
    for (i = sp; i >= 1 && stack[i] != v; i--) ;
    s = ""
    for (j = i; j <= sp; j++) {
        a = stack[j]; b = (j < sp) ? stack[j + 1] : v
        s = s (j > i ? ", " : "") why[kind, a, b]
    }
    if (seen_cycle[kind, s]++) return
    if (kind == "f")
        printf "include_graph: include circle between files %s: %s\n", circle_names(i, v), s
    else if (kind == "m")
        printf "include_graph: include circle between modules %s: %s\n", circle_names(i, v), s
    else
        printf "include_graph: include circle between rooms %s: %s\n", circle_names(i, v), s
    bad++
}
function circle_names(i, v,    j, s) {
    s = ""
    for (j = i; j <= sp; j++) s = s stack[j] " -> "
    return s v
}
function edge(kind, a, b, reason) {
    if (a == b) return
    if (!((kind, a, b) in why)) {
        why[kind, a, b] = reason
        adj[kind, a, ++nadj[kind, a]] = b
        if (!((kind, a) in node)) { node[kind, a] = 1; nodes[kind, ++nn[kind]] = a }
        if (!((kind, b) in node)) { node[kind, b] = 1; nodes[kind, ++nn[kind]] = b }
    }
}
END {
    bad = 0
    for (i = 1; i <= ni; i++) {
        f = inc[i]; t = tgt[i]
        r = norm(dirof(f) "/" t)
        if (!(r in have)) { r = norm("csrc/" t); if (!(r in have)) { r = norm("tb/" t); if (!(r in have)) continue } }
        if (r == f) continue
        rf = room(f); rt = room(r)
        line = f " includes \"" t "\""
        if (rt == "cli" && rf != "cli") {
            printf "include_graph: upward include into the command line: %s (%s: only csrc/cli/ may include csrc/cli/)\n", line, r
            bad++
        } else if (rt == "tb" && libroom(rf)) {
            printf "include_graph: upward include into the testbench: %s (%s: the libraries of csrc/ may not include tb/)\n", line, r
            bad++
        }
        edge("f", f, r, line)
        fe[f, ++nfe[f]] = r; fwhy[f, nfe[f]] = line
        edge("r", rf, rt, line)
    }
    for (i = 1; i <= nn["f"]; i++) {
        f = nodes["f", i]
        if (!has_code(f)) continue
        for (k = 1; k <= nfe[f]; k++) {
            r = fe[f, k]
            if (has_code(r)) { edge("m", module(f), module(r), fwhy[f, k]); continue }
            n = split(reach(r), a, SUBSEP)
            for (j = 2; j + 1 <= n; j += 2) edge("m", module(f), a[j], fwhy[f, k] ", " a[j + 1])
        }
    }
    if (print_edges)
        for (i = 1; i <= nn["r"]; i++) {
            u = nodes["r", i]
            for (k = 1; k <= nadj["r", u]; k++) printf "%s -> %s   (e.g. %s)\n", u, adj["r", u, k], why["r", u, adj["r", u, k]]
        }
    for (kind_i = 1; kind_i <= 3; kind_i++) {
        kind = kind_i == 1 ? "f" : kind_i == 2 ? "m" : "r"
        sp = 0
        for (i = 1; i <= nn[kind]; i++) if (color[kind, nodes[kind, i]] == 0) dfs(kind, nodes[kind, i])
    }
    if (bad) {
        printf "include_graph: FAIL: %d finding(s) (the rule: docs/ARCHITECTURE.md)\n", bad
        exit 2
    }
    printf "include_graph: ok: %d includes, no circle, no upward include\n", ni
}'
