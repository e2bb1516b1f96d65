#!/usr/bin/python3
"""train.py - trains the binarized (SE-)ResNet of docs/SPEC.md.

Usage (Fashion-MNIST from Debian's dataset-fashion-mnist, CPU):
  tools/train.py --se --out run/se.pt --time-budget 90
  tools/train.py --no-se --out run/plain.pt --epochs 15
  tools/train.py --data cifar10 --cifar-dir DIR --se --out run/c10.pt

The learning rate follows a cosine schedule over the epochs that fit in
--time-budget minutes (measured after the first epoch) or --epochs, whichever
is smaller. A checkpoint is written after every epoch, so a run cut short
still leaves a usable model. Export with tools/export.py.

  tools/train.py --init-bnn vectors/models/se-resnet14-fmnist.bnn --gate-warmup 0 ... --out run/ft.pt
starts from a .bnn file (no checkpoint needed): the network computes exactly
what the file computes (checked on every reachable dot at start), its BN
statistics calibrated on training images (tools/TRAINING.md "Fine-tuning from
a .bnn file"). --distill also takes a .bnn file.

Segment gating (--seg-reg, --skip-reg; tools/TRAINING.md "Training for the
gating the macro sees"): a differentiable estimate of the fraction of mapped
segment-cycles the macro data-gates, per binary CONV, for a row layout,
SEG_ROWS and control unit; `train.py --check-estimator` compares it with a
brute-force loop over pixels and segments and exits 0 only if they agree.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bnn_torch import (BinConv, BinResNet, calibrate_bnn_bn, conv_mults, grow_model, load_data, model_from_bnn,  # noqa: E402
                       set_conv_mults)
from export import parse_bnn  # noqa: E402  (the one .bnn reader)

# ------------------------------------------------- segment-gating estimate ----
# Macro geometry (docs/SPEC.md section 6 defaults): rows per array tile,
# columns per tile, columns per C1/C2 group.
ARRAY_ROWS, ARRAY_COLS, COL_GROUP = 256, 64, 8
SEG_LAYOUTS = ("channel", "aligned", "tap")
DEFAULT_PROFILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "constraints",
                               "energy-65nm.txt")


def row_positions(in_c, kk, layout, seg, rows):
    """Array position (tile * rows + row) of every canonical element i = c*kk + tap
    (docs/SPEC.md section 5; "aligned": channel-major, no channel straddles a
    segment (floor(seg/kk) whole channels per segment, the rest padding), or
    for kk > seg each channel from a segment boundary over ceil(kk/seg)
    segments and never across a tile)."""
    c = np.repeat(np.arange(in_c), kk)
    t = np.tile(np.arange(kk), in_c)
    if layout == "channel":
        return c * kk + t
    if layout == "tap":
        return t * in_c + c
    if layout != "aligned":
        raise ValueError(f"unknown row layout {layout}")
    if kk <= seg:
        cps = seg // kk
        return (c // cps) * seg + (c % cps) * kk + t
    spc = -(-kk // seg)
    cpt = (rows // seg) // spc
    if cpt < 1:
        raise ValueError(f"aligned layout: a channel of {kk} rows does not fit a tile of {rows} rows")
    return (c // cpt) * rows + (c % cpt) * spc * seg + t


class PieceZero(torch.autograd.Function):
    """Straight-through all-zero indicator of every piece (its taps of one
    channel, zero padding) at every output pixel. Forward: exactly
    (window sum of a == 0), a in {0,1}. Backward: the gradient, with respect
    to the pre-step values y, of the soft product
    prod over the taps of (1 - clip((y+1)/2, 0, 1)) = exp(window sum of
    log(1 - clip(...))) (the log floored at log 1e-6)."""

    @staticmethod
    def forward(ctx, y, a, layer):
        z = (layer._window_sums(a) == 0).to(a.dtype)
        u = ((1.0 - y) * 0.5).clamp_(1e-6, 1.0)                 # 1 - clip((y+1)/2, 0, 1)
        dead = (u == 1.0) | (u == 1e-6)                         # clipped: no gradient
        zs = layer._window_sums(torch.log(u)).exp_()
        ctx.save_for_backward(u, dead, zs)
        ctx.layer = layer
        return z

    @staticmethod
    def backward(ctx, gz):
        u, dead, zs = ctx.saved_tensors
        gl = ctx.layer._window_sums_adjoint(gz * zs, u.shape)    # d/d log(u) of the soft product
        # d log(u) / dy = -1 / (2u) where the clip is not active
        return gl.div_(u).mul_(-0.5).masked_fill_(dead, 0.0), None, None


class SegLayer:
    """One binary CONV's mapping for the estimate: the mapped segments of its
    row tiles, and per segment the pieces (channel, tap mask) whose rows it
    holds. A segment is all zero for an output pixel iff every piece is:
    the gate of its channel is 0, or the channel's input is 0 at every tap of
    the mask (zero padding counts as zero input; padding rows and rows not
    mapped hold no input)."""

    def __init__(self, name, in_c, out_c, k, stride, pad, in_h, in_w, layout, seg, unit, rows, cols, col_group):
        self.name, self.in_c, self.k, self.stride, self.pad = name, in_c, k, stride, pad
        self.layout, self.seg, self.rows = layout, seg, rows
        kk = k * k
        self.n = in_c * kk
        self.out_h = (in_h + 2 * pad - k) // stride + 1
        self.out_w = (in_w + 2 * pad - k) // stride + 1
        pos = row_positions(in_c, kk, layout, seg, rows)
        tile, row = pos // rows, pos % rows
        nseg = rows // seg
        segs = {}                               # (tile, segment in tile) -> {channel: [taps]}
        for i in range(self.n):
            segs.setdefault((int(tile[i]), int(row[i]) // seg), {}).setdefault(i // kk, []).append(i % kk)
        mapped = []                             # every mapped segment: first row < the tile's nrows
        for tt in range(int(tile.max()) + 1):
            nrows = int(row[tile == tt].max()) + 1
            mapped += [(tt, s_) for s_ in range((nrows + seg - 1) // seg)]
        # pieces: (channel, tap mask); the ones covering a whole channel first (their
        # window sums come from one pooling of the whole tensor), then the partial ones
        raw = []
        for si, key in enumerate(mapped):
            for ch, taps in sorted(segs.get(key, {}).items()):
                raw.append((len(taps) < kk, ch, tuple(taps), si))
        raw.sort(key=lambda r_: (r_[0], r_[1], r_[3]))
        seg_pieces = [[] for _ in mapped]
        for pi, (_, _, _, si) in enumerate(raw):
            seg_pieces[si].append(pi)
        P, S = len(raw), len(mapped)
        self.n_pieces, self.n_seg = P, S
        self.piece_c = torch.tensor([r_[1] for r_ in raw], dtype=torch.long)
        self.n_full = sum(1 for r_ in raw if not r_[0])
        self.full_identity = self.n_full == in_c and all(r_[1] == c_ for c_, r_ in zip(range(in_c), raw))
        part = [r_ for r_ in raw if r_[0]]
        self.part_c = torch.tensor([r_[1] for r_ in part], dtype=torch.long)
        m = np.zeros((len(part), kk), np.float32)
        for j, r_ in enumerate(part):
            m[j, list(r_[2])] = 1.0
        self.mask = torch.from_numpy(m.reshape(len(part), 1, k, k))
        mp = max(1, max(len(v) for v in seg_pieces))
        self.seg_idx = torch.tensor([v + [P] * (mp - len(v)) for v in seg_pieces], dtype=torch.long)
        self.seg_identity = mp == 1 and S == P and all(v == [i_] for i_, v in enumerate(seg_pieces))
        # control units: unit j of a tile = its segments j*U .. j*U+U-1 (unmapped ones are zero)
        units = {}
        for si, (tt, s_) in enumerate(mapped):
            units.setdefault((tt, s_ // unit), []).append(si)
        uv = list(units.values())
        mu = max(len(v) for v in uv)
        self.unit = unit
        self.unit_idx = torch.tensor([v + [S] * (mu - len(v)) for v in uv], dtype=torch.long)
        self.unit_n = torch.tensor([float(len(v)) for v in uv])
        self.nseg_tile = nseg
        self.n_row_tiles = int(tile.max()) + 1
        # powered lines per segment-cycle over the column tiles (C1/C2 groups of col_group columns)
        self.lines = sum(-(-min(cols, out_c - c0) // col_group) * col_group for c0 in range(0, out_c, cols))
        self.pixels = self.out_h * self.out_w
        self.seg_cycles = S * self.pixels       # mapped segment-cycles per image (binary input: 1 plane)
        self.line_cycles = self.seg_cycles * self.lines
        self.row_pixel_cols = self.n * self.pixels * self.lines

    def _window_sums(self, t):
        """Per piece, the sum of t over the piece's taps of its channel at every
        output pixel (zero padding): N x pieces x out_h x out_w."""
        parts = []
        if self.n_full:
            full = F.conv2d(t, t.new_ones(t.shape[1], 1, self.k, self.k), stride=self.stride, padding=self.pad,
                            groups=t.shape[1])
            parts.append(full if self.full_identity else full.index_select(1, self.piece_c[:self.n_full].to(t.device)))
        if self.n_pieces > self.n_full:
            parts.append(F.conv2d(t.index_select(1, self.part_c.to(t.device)), self.mask.to(t.dtype),
                                  stride=self.stride, padding=self.pad, groups=len(self.part_c)))
        return parts[0] if len(parts) == 1 else torch.cat(parts, 1)

    def _window_sums_same_adj(self, g, shape):
        out = None
        k, p = self.k, self.pad
        if self.n_full:
            pf = self.n_full
            gi = F.conv2d(g[:, :pf], g.new_ones(pf, 1, k, k), padding=p, groups=pf)
            out = gi if self.full_identity else g.new_zeros(shape).index_add_(1, self.piece_c[:pf].to(g.device), gi)
        if self.n_pieces > self.n_full:
            pp = self.n_pieces - self.n_full
            gi = F.conv2d(g[:, self.n_full:], self.mask.to(g.dtype).flip(2, 3), padding=p, groups=pp)
            out = (g.new_zeros(shape) if out is None else out).index_add_(1, self.part_c.to(g.device), gi)
        return out

    def _window_sums_adjoint(self, g, shape):
        """The adjoint of _window_sums: N x pieces x out_h x out_w -> shape (N x C x H x W)."""
        n, c, h, w = shape
        if self.stride == 1 and 2 * self.pad == self.k - 1:
            # stride 1, "same" padding: the adjoint is the correlation with the kernel
            # turned by 180 degrees (ones: itself), cheaper as a forward conv
            return self._window_sums_same_adj(g, shape)
        out = None
        if self.n_full:
            gf = g[:, :self.n_full]
            if self.full_identity:
                out = torch.nn.grad.conv2d_input(shape, g.new_ones(c, 1, self.k, self.k), gf.contiguous(),
                                                 stride=self.stride, padding=self.pad, groups=c)
            else:
                pf = self.n_full
                gi = torch.nn.grad.conv2d_input((n, pf, h, w), g.new_ones(pf, 1, self.k, self.k), gf.contiguous(),
                                                stride=self.stride, padding=self.pad, groups=pf)
                out = g.new_zeros(shape).index_add_(1, self.piece_c[:pf].to(g.device), gi)
        if self.n_pieces > self.n_full:
            pp = self.n_pieces - self.n_full
            gi = torch.nn.grad.conv2d_input((n, pp, h, w), self.mask.to(g.dtype), g[:, self.n_full:].contiguous(),
                                            stride=self.stride, padding=self.pad, groups=pp)
            out = (g.new_zeros(shape) if out is None else out).index_add_(1, self.part_c.to(g.device), gi)
        return out

    def gated(self, a, y=None, g=None):
        """Sum over the batch of the gated mapped segment-cycles (a tensor; exact
        in the forward pass) for input a * g (a: N x C x H x W in {0,1}).
        With y (the pre-step values), the straight-through gradient of each
        piece's all-zero indicator is that of prod(1 - clip((y+1)/2, 0, 1))
        over its taps; the gate's is GateSTE's."""
        if y is not None:
            z = PieceZero.apply(y, a.detach(), self)        # exact forward, soft straight-through backward
        else:
            with torch.no_grad():
                z = (self._window_sums(a.detach()) == 0).to(a.dtype)
        if g is not None:
            gp = g.index_select(1, self.piece_c.to(g.device))[:, :, None, None]
            z = 1.0 - gp * (1.0 - z)
        n, _, oh, ow = z.shape
        one = torch.ones(n, 1, oh, ow, dtype=z.dtype, device=z.device)
        if self.seg_identity:
            pseg = z
        else:
            zs_ = torch.cat([z, one], 1)[:, self.seg_idx.to(z.device)]   # N x S x pieces x H x W
            pseg = zs_[:, :, 0] if zs_.shape[2] == 1 else zs_.prod(2)
        if self.unit == 1:
            return pseg.sum()
        uz = torch.cat([pseg, one], 1)[:, self.unit_idx.to(z.device)]    # N x units x U x H x W
        punit = uz[:, :, 0] if uz.shape[2] == 1 else uz.prod(2)
        return (punit * self.unit_n.to(z.dtype)[None, :, None, None]).sum()


def seg_line_energy(path, seg):
    """What one data-gated (segment, column) line-cycle saves with both gating
    lines (C1+C2): its precharge and its local evaluation (no word line fires,
    the line stays at level 0: no restore, no transfer either way), derived
    from the profile's primitives by csrc/power/energy.c's formulas. Returns
    (E_precharge, E_local_eval) in fJ."""
    p = {}
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if "=" not in line:
                raise ValueError(f"{path}:{ln}: expected 'key = value'")
            k, v = (x.strip() for x in line.split("=", 1))
            p[k] = float(v)
    need = ["vdd_v", "pch_gate_cap_ff", "cell_width_um", "wire_cap_ff_per_um", "local_eval_style", "sa_cap_ff",
            "sa_lsb_ref_mv", "sa_lsb_exponent", "lbl_swing_v", "popcount_ge_per_row", "logic_activity",
            "logic_cap_ff_per_ge"]
    miss = [k for k in need if k not in p]
    if miss:
        raise ValueError(f"{path}: missing key(s) {', '.join(miss)}")
    v2 = p["vdd_v"] ** 2
    e_pch = (p["pch_gate_cap_ff"] + p["cell_width_um"] * p["wire_cap_ff_per_um"]) * v2
    if int(p["local_eval_style"]) == 1:
        e_eval = (seg - 1) * p["popcount_ge_per_row"] * p["logic_activity"] * 0.5 * p["logic_cap_ff_per_ge"] * v2
    else:
        lsb_mv = 1000.0 * p["lbl_swing_v"] / seg
        e_eval = seg.bit_length() * p["sa_cap_ff"] * v2 * (p["sa_lsb_ref_mv"] / lsb_mv) ** p["sa_lsb_exponent"]
    return e_pch, e_eval


class SegEstimator:
    """Per-layer gated fraction of the model's binary CONVs and the weighted
    totals the penalties use. Layer weight = powered lines x mapped
    segment-cycles per image (what a gated segment-cycle saves is the same
    E_line per line in every layer of one geometry)."""

    def __init__(self, model, in_h, in_w, layout, seg, unit, e_line=None, rows=ARRAY_ROWS, cols=ARRAY_COLS,
                 col_group=COL_GROUP):
        self.layout, self.seg, self.unit, self.e_line = layout, seg, unit, e_line
        self.layers = []
        h, w = in_h, in_w
        for i, blk in enumerate(model.blocks):
            nm = f"s{i // model.n}b{i % model.n}"
            for cv, sfx in ((blk.conv_a, "a"), (blk.conv_b, "b")):
                o, c, kh, kw = cv.weight.shape
                if kh != kw:
                    raise ValueError("square kernels only")
                L = SegLayer(nm + sfx, c, o, kh, cv.stride, cv.pad, h, w, layout, seg, unit, rows, cols, col_group)
                self.layers.append(L)
                h, w = L.out_h, L.out_w
        self.names = [L.name for L in self.layers]
        tot = float(sum(L.line_cycles for L in self.layers))
        self.w_seg = torch.tensor([L.line_cycles / tot for L in self.layers])
        tot2 = float(sum(L.row_pixel_cols for L in self.layers))
        self.w_skip = torch.tensor([L.row_pixel_cols / tot2 for L in self.layers])

    def fractions(self, recs, soft, nb=0):
        """Per-layer gated fraction of mapped segment-cycles (tensor, batch mean;
        nb > 0: over the first nb images of the batch only)."""
        out = []
        for L, r in zip(self.layers, recs):
            a, y, g = r.a, r.y, r.g
            if nb and nb < a.shape[0]:
                a, y, g = a[:nb], y[:nb], (g[:nb] if g is not None else None)
            out.append(L.gated(a, y if soft else None, g) / float(a.shape[0] * L.seg_cycles))
        return torch.stack(out)

    def skip_fractions(self, recs):
        """Per-layer fraction of input channels an SE zeroed (0 where no SE precedes)."""
        return torch.stack([(1.0 - r.g).mean() if r.g is not None else r.a.new_zeros(()) for r in recs])

    def summary(self, per_layer):
        """Log fields from per-layer fractions (floats)."""
        fr = torch.tensor(per_layer, dtype=torch.float64)
        wf = float((fr * self.w_seg.double()).sum())
        d = {"seg_gated_per_layer": dict(zip(self.names, [float(v) for v in per_layer])),
             "seg_gated_weighted": wf}
        if self.e_line is not None:
            d["seg_saved_nj_per_image"] = wf * sum(L.line_cycles for L in self.layers) * self.e_line * 1e-6
        return d


# ---------------------------------------------- brute-force check of it ----

def brute_layout(in_c, kk, layout, seg, rows):
    """Written independently of row_positions: the array rows, built by
    walking the channels, as tiles of (channel, tap) or None (padding); each
    tile stripped of trailing padding (its rows >= nrows are not mapped)."""
    order = []
    if layout == "channel":
        order = [(c, t) for c in range(in_c) for t in range(kk)]
    elif layout == "tap":
        order = [(c, t) for t in range(kk) for c in range(in_c)]
    else:
        for c in range(in_c):
            if kk <= seg:
                left = seg - len(order) % seg
                if left < kk:                   # would straddle the segment: pad to its end
                    order += [None] * left
            else:
                if len(order) % seg:            # start on a segment boundary
                    order += [None] * (seg - len(order) % seg)
                if rows - len(order) % rows < kk:   # would straddle the tile
                    order += [None] * (rows - len(order) % rows)
            order += [(c, t) for t in range(kk)]
    tiles = []
    for i in range(0, len(order), rows):
        t = order[i:i + rows]
        while t and t[-1] is None:
            t.pop()
        tiles.append(t)
    return tiles


def brute_gated(x, k, stride, pad, layout, seg, unit, rows):
    """Gated and mapped segment-cycles of a binary input x (numpy N x C x H x W,
    the conv input itself, gates applied) by loops over images, output
    pixels, tiles and segments."""
    n_img, in_c, h, w = x.shape
    kk = k * k
    oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    tiles = brute_layout(in_c, kk, layout, seg, rows)
    gated = total = 0
    for n in range(n_img):
        for oy in range(oh):
            for ox in range(ow):
                for tile in tiles:
                    nrows = len(tile)
                    wl = [0] * rows
                    for r, e in enumerate(tile):
                        if e is None:
                            continue
                        c, t = e
                        iy, ix = oy * stride + t // k - pad, ox * stride + t % k - pad
                        if 0 <= iy < h and 0 <= ix < w:
                            wl[r] = int(x[n, c, iy, ix])
                    zero = [not any(wl[s * seg:(s + 1) * seg]) for s in range(rows // seg)]
                    for s in range(rows // seg):
                        if s * seg >= nrows:
                            continue            # unmapped: configuration, not counted
                        total += 1
                        u0 = (s // unit) * unit
                        if all(zero[u0:u0 + unit]):
                            gated += 1
    return gated, total


def check_estimator():
    """Estimator vs brute force, forward pass, exactly: synthetic layers over
    layouts, segment sizes, units, kernels, strides, gates and row tiles, then
    every binary CONV of a small random SE-ResNet (its real conv inputs,
    captured by hooks, against the estimate from its records)."""
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    bad = 0

    def one(label, L, a, y, g, x):
        nonlocal bad
        y = y.detach().clone().requires_grad_(True)
        est = L.gated(a.detach(), y, g)         # with the straight-through soft path
        est.backward()
        est_n = float(est.detach())
        hard_n = float(L.gated(a.detach(), None, g))
        bg, bt = brute_gated(x, L.k, L.stride, L.pad, L.layout, L.seg, L.unit, L.rows)
        tot = a.shape[0] * L.seg_cycles
        ok = bt == tot and est_n == float(bg) and hard_n == est_n and bool(torch.isfinite(y.grad).all())
        bad += not ok
        print(f"check: {label:44s} estimator {est_n / tot:.6f} ({est_n:.0f}/{tot}) "
              f"brute force {bg / max(1, bt):.6f} ({bg}/{bt}) {'ok' if ok else 'MISMATCH'}", flush=True)

    cases = []
    for layout in SEG_LAYOUTS:
        for seg, unit, c, kk_k, stride, rows in ((16, 1, 5, 3, 1, 256), (16, 2, 11, 3, 2, 64), (8, 4, 9, 3, 1, 64),
                                                   (16, 1, 40, 3, 1, 256), (8, 2, 6, 5, 1, 64), (16, 8, 20, 1, 1, 64),
                                                   (32, 1, 13, 3, 2, 128)):
            cases.append((layout, seg, unit, c, kk_k, stride, rows))
    for layout, seg, unit, c, k, stride, rows in cases:
        for gated_in in (False, True):
            n, h = 2, 6
            y = torch.randn(n, c, h, h) - 1.2   # sparse: about 12% ones
            a = (y >= 0).float()
            g = (torch.rand(n, c) < 0.6).float() if gated_in else None
            x = (a * g[:, :, None, None] if g is not None else a).numpy()
            L = SegLayer("t", c, 24, k, stride, k // 2, h, h, layout, seg, unit, rows, 64, 8)
            one(f"{layout} seg {seg} unit {unit} C {c} k {k} s {stride} rows {rows}{' gated' if gated_in else ''}",
                L, a, y, g, x)
    # the model: records vs the tensors its convs actually receive
    model = BinResNet(in_c=1, width=8, n=1, se=True, se_div=2, classes=10, gate_bias=0.0)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.bias.data.uniform_(-1.5, 0.3)
    model.eval()
    seen = {}
    hooks = []
    for i, blk in enumerate(model.blocks):
        for cv, sfx in ((blk.conv_a, "a"), (blk.conv_b, "b")):
            hooks.append(cv.register_forward_pre_hook(
                lambda mod, inp, nm=f"s{i}b0{sfx}": seen.__setitem__(nm, inp[0].detach().numpy().copy())))
    xb = torch.from_numpy(rng.integers(0, 256, (2, 1, 12, 12)).astype(np.float32))
    with torch.no_grad():
        _, _, recs = model(xb, record=True)
    for hk in hooks:
        hk.remove()
    for layout, seg, unit, rows in (("channel", 16, 1, 64), ("aligned", 16, 1, 64), ("aligned", 8, 2, 64),
                                    ("tap", 16, 4, 64), ("channel", 16, 2, 256), ("aligned", 16, 1, 256)):
        est = SegEstimator(model, 12, 12, layout, seg, unit, rows=rows, cols=64)
        for L, r in zip(est.layers, recs):
            x = seen[r.name]
            if set(np.unique(x)) - {0.0, 1.0}:
                print(f"check: {r.name}: conv input not binary")
                bad += 1
                continue
            one(f"model {r.name} {layout} seg {seg} unit {unit} rows {rows}", L, r.a, r.y, r.g, x)
    print(f"check-estimator: {'all agree' if not bad else f'{bad} MISMATCH(ES)'}", flush=True)
    return bad == 0


def augment(xb, pad, flip, gen):
    """Random crop with zero padding and horizontal flip (uint8-valued floats)."""
    n, _, h, w = xb.shape
    if pad:
        xp = F.pad(xb, (pad, pad, pad, pad))
        dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
        dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
        rows = (torch.arange(h)[None, :] + dy[:, None])
        cols = (torch.arange(w)[None, :] + dx[:, None])
        idx_n = torch.arange(n)[:, None, None]
        xb = xp.permute(0, 2, 3, 1)[idx_n, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)
    if flip:
        m = torch.rand(n, generator=gen) < 0.5
        xb = torch.where(m[:, None, None, None], xb.flip(3), xb)
    return xb.contiguous()


def spare_channels(conv, rows=ARRAY_ROWS):
    """Input channels of conv whose rows fit a second copy in the rows its
    row tiles leave unused: n = in_c*kh*kw rows take ceil(n/rows) tiles;
    (tiles*rows - n) // (kh*kw) more channels fit without another tile."""
    cin, kh, kw = conv.weight.shape[1], conv.weight.shape[2], conv.weight.shape[3]
    n = cin * kh * kw
    return min(cin, ((n + rows - 1) // rows * rows - n) // (kh * kw))


def choose_mults(model, x, y, batches, bs, gen, rows=ARRAY_ROWS, frac=1.0):
    """--mult-spare: per binary ungrouped CONV after conv1, doubles the input
    channels that gain most, as many as fit the spare rows of its tiles
    (spare_channels; with frac < 1 (--mult-frac) that many times frac,
    rounded down). Gain = the first-order loss decrease of m[c] 1 -> 2:
    -dL/dm[c] at m = 1, averaged over `batches` training batches with the
    network in evaluation mode (BN statistics fixed); only channels with a
    positive gain are doubled. Sets conv.mult; returns {name: (K, doubled)}."""
    convs = [(nm, mod) for nm, mod in model.named_modules()
             if isinstance(mod, BinConv) and mod.groups == 1 and nm != "conv1" and not mod.real]
    for _, conv in convs:
        conv.mult = torch.ones(conv.weight.shape[1], requires_grad=True)
    model.eval()
    grads = {nm: torch.zeros(conv.weight.shape[1]) for nm, conv in convs}
    perm = torch.randperm(len(x), generator=gen).numpy()
    for bi in range(batches):
        idx = perm[bi * bs:(bi + 1) * bs]
        scores, _ = model(torch.from_numpy(x[idx]).float())
        loss = F.cross_entropy(scores, torch.from_numpy(y[idx]))
        model.zero_grad()
        for _, conv in convs:
            conv.mult.grad = None
        loss.backward()
        for nm, conv in convs:
            grads[nm] += conv.mult.grad.detach() / batches
    out = {}
    for nm, conv in convs:
        k = int(spare_channels(conv, rows) * frac)
        gain = -grads[nm]
        order = [int(c) for c in torch.argsort(gain, descending=True)[:k] if gain[c] > 0]
        m = torch.ones(conv.weight.shape[1])
        m[order] = 2.0
        conv.mult = m if order else None   # none doubled: no multiplicities (export writes flag 0)
        out[nm] = (k, len(order))
    model.zero_grad()
    return out


def evaluate(model, x, y, bs=1000, est=None):
    """Test accuracy, SE zero fraction per block and, with a SegEstimator, the
    exact gated fraction of mapped segment-cycles per binary CONV (hard
    forward pass: what the macro sees on these images) and the fraction of
    input channels an SE zeroed per CONV."""
    model.eval()
    correct, zeros, blocks = 0, None, 0
    seg_n, skip_n = None, None
    with torch.no_grad():
        for i in range(0, len(x), bs):
            xb = torch.from_numpy(x[i:i + bs]).float()
            if est is not None:
                s, gates, recs = model(xb, record=True)
                f = est.fractions(recs, soft=False).double() * len(xb)
                k = est.skip_fractions(recs).double() * len(xb)
                seg_n = f if seg_n is None else seg_n + f
                skip_n = k if skip_n is None else skip_n + k
            else:
                s, gates = model(xb)
            correct += (s.argmax(1).numpy() == y[i:i + bs]).sum()
            if gates:
                z = np.array([(1 - g.mean().item()) * len(xb) for _, g in gates])
                zeros = z if zeros is None else zeros + z
    model.train()
    acc = correct / len(x)
    per_block = (zeros / len(x)).tolist() if zeros is not None else []
    if est is None:
        return acc, per_block
    return acc, per_block, (seg_n / len(x)).tolist(), (skip_n / len(x)).tolist()


def seg_fields(est, seg_l, skip_l):
    """Per-epoch log fields of the gating estimate (evaluate()'s last two values)."""
    d = est.summary(seg_l)
    d["skip_channel_fraction_per_layer"] = dict((nm, float(v)) for nm, v in zip(est.names, skip_l))
    d["skip_weighted"] = float(sum(float(w) * v for w, v in zip(est.w_skip, skip_l)))
    return d


def bn_recalibrate(model, x, batches, bs, gen, only=None, alpha=1.0):
    """Re-estimates every BN's running mean and variance as the plain average
    over `batches` training batches (train-mode forward, no gradient). The
    exponential running averages of the last steps lag the weights, which
    moves the exported thresholds; this is what the file then encodes. With
    `only` (a set of module names), those BNs only: the others' running
    statistics are kept and they normalize with them during the pass
    (evaluation mode), so the new statistics are those of the network as
    evaluated. alpha: the SE gates' blend during the pass (1: hard, as
    evaluated and exported)."""
    bns, keep = [], []
    for nm, m in model.named_modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            (bns if only is None or nm in only else keep).append(m)
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average
    model.train()
    for m in keep:
        m.eval()           # running statistics used, not updated
    model.set_gate_alpha(alpha)
    perm = torch.randperm(len(x), generator=gen).numpy()
    with torch.no_grad():
        for bi in range(min(batches, len(x) // bs)):
            model(torch.from_numpy(x[perm[bi * bs:(bi + 1) * bs]]).float())
    for m, mom in zip(bns, saved):
        m.momentum = mom
    model.train()


def load_teacher(path):
    """A trained checkpoint, or a .bnn file (the network that computes exactly
    the file's integer scores), as a model in evaluation mode (distillation
    teacher)."""
    if path.endswith(".bnn"):
        with open(path, "rb") as f:
            return model_from_bnn(parse_bnn(f.read()))[0]
    return BinResNet.from_checkpoint(torch.load(path, map_location="cpu"))


def teacher_scores(teacher, a, xtr):
    """The teacher's scores on the (un-augmented) training images. For a .bnn
    teacher they are a function of the file's bytes only: cached next to
    --out as .teacher-<crc32 of the file>-<data>.pt (written via a temporary
    file), so the runs of one recipe compute them once."""
    if not a.distill.endswith(".bnn"):
        return scores_of(teacher, xtr)
    import zlib
    with open(a.distill, "rb") as f:
        crc = zlib.crc32(f.read()) & 0xFFFFFFFF
    path = os.path.join(os.path.dirname(os.path.abspath(a.out)), f".teacher-{crc:08x}-{a.data}.pt")
    if os.path.exists(path):
        ts = torch.load(path)
        if ts.shape == (len(xtr), teacher.classes):
            print(f"train: teacher scores from {path}", flush=True)
            return ts
    ts = scores_of(teacher, xtr)
    tmp = f"{path}.{os.getpid()}.tmp"   # one per process: parallel recipes share the cache
    torch.save(ts, tmp)
    os.replace(tmp, path)
    return ts


def read_pred(path):
    """A tools/export.py .pred file: '#' header lines, then one class per line."""
    with open(path) as f:
        return np.array([int(ln) for ln in f if ln.strip() and not ln.startswith("#")], dtype=np.int64)


def init_from_bnn(a, ap, xtr, xte):
    """--init-bnn: the model that computes exactly what the file computes
    (bnn_torch.model_from_bnn), its BN statistics calibrated on training
    images, checked exhaustively per threshold and against the file's .pred."""
    try:
        with open(a.init_bnn, "rb") as f:
            im = parse_bnn(f.read())
        model, cfg, thr = model_from_bnn(im, a.init_bnn_mag)
    except (OSError, ValueError) as e:
        ap.error(f"--init-bnn {a.init_bnn}: {e}")
    if (cfg["in_c"], cfg["in_h"], cfg["in_w"]) != tuple(int(v) for v in xtr.shape[1:]):
        ap.error(f"--init-bnn {a.init_bnn}: input {cfg['in_c']}x{cfg['in_h']}x{cfg['in_w']}, "
                 f"data {'x'.join(str(v) for v in xtr.shape[1:])}")
    a.width, a.depth, a.se, a.se_div = cfg["width"], 6 * cfg["n"] + 2, cfg["se"], cfg["se_div"]
    a.depthwise, a.bottleneck = cfg["depthwise"], cfg["bottleneck"]
    if (a.depthwise or a.bottleneck) and (a.seg_reg > 0 or a.skip_reg > 0):
        ap.error(f"--init-bnn {a.init_bnn}: a {'depthwise-separable' if a.depthwise else 'bottleneck'} model: "
                 "not with --seg-reg or --skip-reg (the gating estimate models basic blocks only)")
    inexact = sum(t.inexact for t in thr)
    if a.init_bnn_calib > 0:
        g = torch.Generator().manual_seed(a.seed + 1000)
        idx = torch.randperm(len(xtr), generator=g).numpy()[:a.init_bnn_calib * a.batch]
        calibrate_bnn_bn(model, thr, xtr[idx], a.batch)
    bad = [(t.name, t.check()) for t in thr]
    nbad = sum(b for _, b in bad)
    ncase = sum(len(t.s) * (2 * t.reach + 1) * (2 if t.residual else 1) for t in thr)
    print(f"train: --init-bnn {a.init_bnn}: depth {a.depth} width {a.width} se={a.se} se_div {a.se_div}, "
          f"latent weights +-{a.init_bnn_mag}, BN statistics from {a.init_bnn_calib} training batches; "
          f"{len(thr)} thresholds, every reachable integer dot checked: {ncase - nbad}/{ncase} equal"
          + (f" ({', '.join(f'{nm} {b}' for nm, b in bad if b)} differ)" if nbad else "")
          + (f"; {inexact} residual channels with T1 > T0 approximated" if inexact else ""), flush=True)
    pred_path = (a.init_bnn[:-4] if a.init_bnn.endswith(".bnn") else a.init_bnn) + ".pred"
    if os.path.exists(pred_path):
        want = read_pred(pred_path)
        k = min(len(want), len(xte))
        with torch.no_grad():
            got = torch.cat([model(torch.from_numpy(xte[i:min(k, i + 1000)]).float())[0].argmax(1)
                             for i in range(0, k, 1000)]).numpy()
        same = int((got == want[:k]).sum())
        print(f"train: --init-bnn predictions == {pred_path} on {same}/{k} test images", flush=True)
    model.train()
    return model, cfg


def grow(model, a, ap, se_div_cli, xtr, xte, yte, gen):
    """--grow-depth / --add-se: the trained start grown (bnn_torch.grow_model:
    new blocks start as the identity, new SE layers mostly open), its BN
    statistics re-estimated and its test accuracy printed next to the
    start's. Updates a.depth, a.se, a.se_div; returns (model, n)."""
    depth = a.grow_depth or a.depth
    if depth < a.depth:
        ap.error(f"--grow-depth {depth}: the start is deeper (depth {a.depth})")
    if a.add_se and model.has_se:
        ap.error("--add-se: the start has SE layers already")
    se = model.has_se or a.add_se
    se_div = a.se_div if model.has_se else se_div_cli
    if model.has_se and a.gate_warmup > 0:
        print(f"train: note: --gate-warmup {a.gate_warmup} blends every SE gate open at the start, the start's "
              "trained ones too (--gate-warmup 0 keeps the start's function)", flush=True)
    acc0 = evaluate(model, xte, yte)[0]
    try:
        model, fresh = grow_model(model, (depth - 2) // 6, se, se_div, a.gate_bias, a.grow_res_scale)
    except ValueError as e:
        ap.error(str(e))
    a.depth, a.se, a.se_div = depth, se, se_div
    # the new layers' BN statistics only (the start's stay as they were), fresh
    # SE gates open as at the start of the warm-up
    bn_recalibrate(model, xtr, max(1, a.init_bnn_calib), a.batch, gen, only=fresh,
                   alpha=0.0 if a.add_se and a.gate_warmup > 0 else 1.0)
    acc1 = evaluate(model, xte, yte)[0]
    print(f"train: grown to depth {depth} se={se}" + (f" se_div {se_div}" if se else "")
          + f": test {acc1 * 100:.2f}% (start {acc0 * 100:.2f}%"
          + ("; new SE gates hard" if a.add_se else "") + ")", flush=True)
    return model, (depth - 2) // 6


def shift_gates(model, spec, n, ap):
    """--gate-shift: z = BN(fc2) and the gate is z >= 0, so lowering the BN
    bias by d * |gamma| moves every gate's threshold up by d standard
    deviations of fc2's batch statistics."""
    try:
        d = [float(v) for v in spec.split(",")]
    except ValueError:
        d = []
    if len(d) != 3:
        ap.error(f"--gate-shift {spec}: expected three numbers D0,D1,D2 (one per stage)")
    if not model.has_se:
        ap.error("--gate-shift needs an SE model")
    for i, blk in enumerate(model.blocks):
        bn = blk.se.bn2
        bn.bias.data -= d[i // n] * bn.weight.data.abs()
    print(f"train: SE gate BN biases lowered by {d} x |scale| per stage", flush=True)


def scores_of(model, x, bs=1000):
    """The model's scores on all of x (no gradient)."""
    with torch.no_grad():
        return torch.cat([model(torch.from_numpy(x[i:i + bs]).float())[0] for i in range(0, len(x), bs)])


def stage_fracs(per_block, n):
    return [float(np.mean(per_block[s * n:(s + 1) * n])) for s in range(3)] if per_block else []


def nonneg_float(v):
    """argparse type: a finite number >= 0."""
    try:
        f = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number: '{v}'")
    if not math.isfinite(f) or f < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got '{v}'")
    return f


def seg_rows_arg(v):
    """argparse type: SEG_ROWS, a power of two 8..32 (docs/SPEC.md section 6)."""
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer: '{v}'")
    if n not in (8, 16, 32):
        raise argparse.ArgumentTypeError(f"must be 8, 16 or 32 (a power of two, 8 <= SEG_ROWS <= 32), got '{v}'")
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="fashion-mnist", choices=["fashion-mnist", "cifar10"])
    ap.add_argument("--cifar-dir", help="directory with CIFAR-10 binary batches")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--se", dest="se", action="store_true", default=True, help="SE attention in every block (default)")
    g.add_argument("--no-se", dest="se", action="store_false")
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--real", action="store_true",
                    help="full-precision twin (real weights, ReLU, no SE; with --no-se): a distillation "
                    "teacher for --distill, not exportable")
    ap.add_argument("--depth", type=int, default=14, help="6n+2")
    ap.add_argument("--depthwise", action="store_true",
                    help="depthwise-separable blocks: each 3x3 conv becomes a depthwise 3x3 (the stride) "
                    "and a pointwise 1x1 (threshold or residual), MobileNet-style")
    ap.add_argument("--bottleneck", action="store_true",
                    help="bottleneck blocks (docs/SPEC.md section 3): 1x1 reduce to C/4, 3x3 with the stride, "
                    "1x1 expand with the residual")
    ap.add_argument("--se-div", type=int, default=4, help="SE hidden = C / se-div")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--time-budget", type=float, default=0, help="minutes; 0 = no limit")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=5e-3)
    ap.add_argument("--gate-reg", type=float, default=0.0,
                    help="weight of the SE gate-density penalty (mean soft gate density)")
    ap.add_argument("--gate-target", type=float, default=0.0,
                    help="with --gate-reg: penalize only the soft gate density above this value")
    ap.add_argument("--gate-bias", type=float, default=1.5,
                    help="initial bias of the SE gate BN (z = BN(fc2)); > 0 starts with most gates open")
    ap.add_argument("--gate-reg-mode", default="block", choices=["block", "mean"],
                    help="block: the density penalty applies to every SE block separately (each block is "
                    "pushed to the target); mean: to the mean density over all blocks")
    ap.add_argument("--gate-reg-area", action="store_true",
                    help="weight each block's density penalty by its feature-map area relative to the last "
                    "stage (x16, x4, x1 for 28x28, 14x14, 7x7): the task gradient on a gate sums over the "
                    "area it gates, so without this the first stages' gates hardly close")
    ap.add_argument("--distill", metavar="CKPT",
                    help="distillation: add the KL divergence to this trained model's softened scores")
    ap.add_argument("--distill-weight", type=float, default=0.5,
                    help="with --distill: loss = (1-w)*CE + w*T^2*KL")
    ap.add_argument("--distill-temp", type=float, default=2.0)
    ap.add_argument("--bn-recal", type=int, default=0, metavar="BATCHES",
                    help="after training, re-estimate all BN statistics over this many training batches "
                    "(with --epochs 0: recalibrate the --init checkpoint only)")
    ap.add_argument("--gate-shift", metavar="D0,D1,D2",
                    help="with --init: lower every SE gate's BN bias in stage s by Ds times the BN's |scale| "
                    "before training (closes more gates; with --epochs 0 --bn-recal N a post-hoc sparsity knob)")
    ap.add_argument("--gate-warmup", type=float, default=0.4,
                    help="fraction of training over which SE gating is blended in (0 = gate from the start)")
    ap.add_argument("--no-augment", dest="augment", action="store_false", default=True,
                    help="no random crop / horizontal flip (short schedules of a narrow binary net underfit "
                    "with them)")
    ap.add_argument("--seg-reg", type=nonneg_float, default=0.0, metavar="L",
                    help="segment-gating reward: loss += L * (1 - estimated weighted fraction of mapped "
                    "segment-cycles the macro data-gates) over the binary CONVs (not conv1), each layer weighted "
                    "by its powered lines x mapped segment-cycles per image; 0 = off (default). Beside or "
                    "instead of --gate-reg")
    ap.add_argument("--seg-layout", default="aligned", choices=SEG_LAYOUTS,
                    help="row layout the estimate maps with: channel (row = c*k*k + tap), tap (tap*C + c) or "
                    "aligned (channel-major, no channel straddles a segment: one 3x3 channel per 16-row "
                    "segment); default aligned")
    ap.add_argument("--seg-rows", type=seg_rows_arg, default=16, metavar="N",
                    help="SEG_ROWS of the estimate: 8, 16 (default) or 32")
    ap.add_argument("--seg-unit", type=int, default=1, choices=[1, 2, 4, 8],
                    help="control unit of the estimate in segments (a unit gates only if all its segments are "
                    "zero): 1 (default), 2, 4 or 8")
    ap.add_argument("--seg-energy", metavar="PROFILE", default=DEFAULT_PROFILE,
                    help="energy profile whose precharge + local-evaluation energy per line prices a gated "
                    "segment-cycle in the log's seg_saved_nj_per_image (default: the source tree's "
                    "constraints/energy-65nm.txt)")
    ap.add_argument("--seg-batch", type=int, default=0, metavar="N",
                    help="with --seg-reg: compute the estimate on the first N images of each (shuffled) batch "
                    "only, an unbiased estimate of the batch mean at about N/batch of the cost (the estimate "
                    "of a whole batch of 256 roughly doubles the step time on one CPU thread); 0 = the whole "
                    "batch (default)")
    ap.add_argument("--skip-reg", type=nonneg_float, default=0.0, metavar="L2",
                    help="channel-skip reward (needs SE): loss += L2 * (1 - weighted fraction of input channels "
                    "an SE zeroed) over the CONVs that follow an SE, each weighted by its rows x output pixels "
                    "x columns (a zeroed channel's k*k rows need no writes and no compute); 0 = off")
    ap.add_argument("--check-estimator", action="store_true",
                    help="compare the gating estimate with a brute-force loop over pixels and segments on small "
                    "random inputs and a small random model, print both, exit 0 only if all agree exactly")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--progress", type=int, default=0, help="print a progress line every N steps (0 = off)")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after N steps (smoke tests)")
    ap.add_argument("--out", help="checkpoint path (.pt); required unless --check-estimator")
    ap.add_argument("--mult-spare", type=int, default=0, metavar="BATCHES",
                    help="multi-value weights (docs/SPEC.md): before training, double the input channels of every "
                    "binary ungrouped conv after conv1 that gain most (first-order loss decrease over BATCHES "
                    "training batches), as many as fit the rows its 256-row tiles leave unused; the checkpoint "
                    "and the exported .bnn (version 3) carry them (default 0: none)")
    ap.add_argument("--mult-frac", type=float, default=1.0, metavar="F",
                    help="with --mult-spare: double at most F times the channels that fit each conv's spare rows "
                    "(0 < F <= 1; default 1: as many as fit)")
    ap.add_argument("--init", help="start from this checkpoint's weights (same architecture); "
                    "the schedule, warm-up and log start afresh")
    ap.add_argument("--init-bnn", metavar="FILE.bnn",
                    help="start from a .bnn file instead of a checkpoint: the same architecture (width, depth, "
                    "SE, se-div taken from the file), latent weights +-M (--init-bnn-mag) with the file's "
                    "signs, every folded threshold turned back into BN parameters so that evaluation computes "
                    "exactly what the file computes, BN statistics calibrated on training images")
    ap.add_argument("--init-bnn-mag", type=float, default=0.05, metavar="M",
                    help="with --init-bnn: magnitude of the latent weights (default 0.05; clipped to [-1, 1] "
                    "in training, a weight flips once its latent crosses 0)")
    ap.add_argument("--init-bnn-calib", type=int, default=8, metavar="BATCHES",
                    help="with --init-bnn: training batches whose per-channel dot mean / variance become the "
                    "BN running statistics (gamma / beta follow so that evaluation stays exact); with --grow-depth / "
                    "--add-se also the batches that estimate the new layers' BN statistics; default 8")
    ap.add_argument("--init-partial", action="store_true",
                    help="with --init: load matching tensors only (e.g. a no-SE model into an SE model); "
                    "the SE layers start fresh")
    ap.add_argument("--grow-depth", type=int, default=0, metavar="D",
                    help="with --init or --init-bnn: grow the network to depth D (6n+2, at least the start's): "
                    "each stage keeps its trained blocks first, the new blocks after them start as the "
                    "identity (residual BN scale --grow-res-scale, bias -0.5), so training starts from the "
                    "start's accuracy (default 0: no growing)")
    ap.add_argument("--add-se", action="store_true",
                    help="with --init or --init-bnn of a model without SE: add a fresh SE to every block "
                    "(hidden C / --se-div, gate BN bias --gate-bias; blend the gates in with --gate-warmup)")
    ap.add_argument("--grow-res-scale", type=float, default=0.1, metavar="S",
                    help="with --grow-depth: the new blocks' residual BN scale (default 0.1: the block passes "
                    "its input through unless its normalized dot exceeds 5 standard deviations)")
    ap.add_argument("--hard-stop", action="store_true",
                    help="with --time-budget: the LR schedule follows elapsed time / budget and training "
                    "stops (checkpoint saved) when the budget is spent, even mid-epoch")
    a = ap.parse_args()

    if a.check_estimator:
        torch.set_num_threads(a.threads)
        sys.exit(0 if check_estimator() else 1)
    if not a.out:
        ap.error("the following arguments are required: --out")
    if (a.depth - 2) % 6:
        ap.error("--depth must be 6n+2")
    if a.real and a.se:
        ap.error("--real needs --no-se (the full-precision teacher has no SE)")
    if a.init and a.init_bnn:
        ap.error("--init and --init-bnn exclude each other")
    if a.init_bnn and a.real:
        ap.error("--init-bnn builds a binary model (--real is a full-precision one)")
    if a.init_bnn and a.init_partial:
        ap.error("--init-partial goes with --init (a .bnn file holds every layer)")
    if (a.grow_depth or a.add_se) and not (a.init or a.init_bnn):
        ap.error("--grow-depth / --add-se need --init or --init-bnn (they grow a trained model)")
    if a.grow_depth and ((a.grow_depth - 2) % 6 or a.grow_depth < 8):
        ap.error(f"--grow-depth {a.grow_depth}: expected 6n+2 with n >= 1 (8, 14, 20, 32, ...)")
    if not 0.0 < a.grow_res_scale < 0.5:
        ap.error(f"--grow-res-scale {a.grow_res_scale}: expected 0 < S < 0.5")
    if a.gate_shift and not (a.init or a.init_bnn):
        ap.error("--gate-shift needs --init or --init-bnn (it shifts a trained model's gates)")
    if a.depthwise and (a.seg_reg > 0 or a.skip_reg > 0):
        ap.error("--depthwise: not with --seg-reg or --skip-reg (not implemented)")
    if a.bottleneck and (a.seg_reg > 0 or a.skip_reg > 0 or a.depthwise):
        ap.error("--bottleneck: not with --depthwise, --seg-reg or --skip-reg (not implemented)")
    if a.real and (a.seg_reg > 0 or a.skip_reg > 0):
        ap.error("--seg-reg / --skip-reg need a binary model (the --real teacher has no binary inputs)")
    if a.seg_batch < 0:
        ap.error(f"--seg-batch must be >= 0, got {a.seg_batch}")
    if a.skip_reg > 0 and not (a.se or a.add_se):
        ap.error("--skip-reg needs --se (it rewards channels the SE gates zero)")
    e_line = None
    if not a.real:
        try:
            e_line = sum(seg_line_energy(a.seg_energy, a.seg_rows))
        except (OSError, ValueError) as e:
            ap.error(f"--seg-energy {a.seg_energy}: {e}")
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(a.seed)

    xtr, ytr = load_data(a.data, "train", a.cifar_dir)
    xte, yte = load_data(a.data, "test", a.cifar_dir)
    prior_log = []
    se_div_cli = a.se_div
    if a.init_bnn:
        model, _ = init_from_bnn(a, ap, xtr, xte)
        n = (a.depth - 2) // 6
        if a.gate_warmup > 0 and a.se:
            print(f"train: note: --gate-warmup {a.gate_warmup} blends the file's SE gates open at the start "
                  "(--gate-warmup 0 keeps its function)", flush=True)
    else:
        if a.init and (a.grow_depth or a.add_se) and not a.init_partial:
            # growing a checkpoint: the start's architecture is the checkpoint's
            cf = torch.load(a.init, map_location="cpu")["cfg"]
            a.width, a.depth, a.se = cf["width"], 6 * cf["n"] + 2, cf["se"]
            a.se_div = cf.get("se_div", a.se_div)
            a.depthwise, a.bottleneck = cf.get("depthwise", False), cf.get("bottleneck", False)
        n = (a.depth - 2) // 6
        model = BinResNet(in_c=xtr.shape[1], width=a.width, n=n, se=a.se, se_div=a.se_div, classes=10,
                          gate_bias=a.gate_bias, real=a.real, depthwise=a.depthwise, bottleneck=a.bottleneck)
    if a.init:
        ck = torch.load(a.init, map_location="cpu")
        if bool(ck["cfg"].get("real", False)) != a.real:
            ap.error(f"--init {a.init}: a {'full-precision' if ck['cfg'].get('real') else 'binary'} checkpoint, "
                     f"this run is {'full-precision (--real)' if a.real else 'binary'}")
        if a.init_partial:
            own = model.state_dict()
            src = {k: v for k, v in ck["state"].items() if k in own and own[k].shape == v.shape}
            model.load_state_dict(src, strict=False)
            print(f"train: partial init, {len(src)}/{len(own)} tensors loaded", flush=True)
        else:
            model.load_state_dict(ck["state"])
        set_conv_mults(model, ck.get("mult", {}))
        prior_log = ck.get("log", [])
        print(f"train: initialized from {a.init} ({len(prior_log)} epochs)", flush=True)
    if a.grow_depth or a.add_se:
        model, n = grow(model, a, ap, se_div_cli, xtr, xte, yte, gen)
    if a.mult_spare > 0:
        if a.real or a.depthwise:
            ap.error("--mult-spare: binary models without depthwise convs only (a per-channel scale of a "
                     "depthwise conv is absorbed by its threshold)")
        if not 0.0 < a.mult_frac <= 1.0:
            ap.error(f"--mult-frac {a.mult_frac}: expected 0 < F <= 1")
        ch = choose_mults(model, xtr, ytr, a.mult_spare, a.batch, gen, frac=a.mult_frac)
        tot_k, tot_d = sum(k for k, _ in ch.values()), sum(d for _, d in ch.values())
        nb = len(model.blocks) // 3

        def spec_name(nm):   # "blocks.3.conv_a" -> "s1b1a" (docs/SPEC.md section 3)
            _, i, conv = nm.split(".")
            return f"s{int(i) // nb}b{int(i) % nb}{conv[-1]}"
        print(f"train: --mult-spare: {tot_d} of {tot_k} spare-row channel slots doubled (doubled/fit): "
              + " ".join(f"{spec_name(nm)} {d}/{k}" for nm, (k, d) in ch.items()), flush=True)
        if a.bn_recal > 0:
            # the doubled channels change every conv's dot: BN statistics re-estimated before training
            bn_recalibrate(model, xtr, a.bn_recal, a.batch, gen)
            acc0 = evaluate(model, xte, yte)[0]
            print(f"train: --mult-spare: after BN re-estimation over {a.bn_recal} batches: test {acc0 * 100:.2f}%",
                  flush=True)
    if a.gate_shift:
        shift_gates(model, a.gate_shift, n, ap)
    est = None
    if not a.real and not a.depthwise and not a.bottleneck:   # the estimator models basic blocks only
        try:
            est = SegEstimator(model, int(xtr.shape[2]), int(xtr.shape[3]), a.seg_layout, a.seg_rows, a.seg_unit,
                               e_line)
        except ValueError as e:
            ap.error(f"--seg-layout {a.seg_layout} --seg-rows {a.seg_rows}: {e}")
        print(f"train: gating estimate {a.seg_layout} layout, SEG_ROWS {a.seg_rows}, unit {a.seg_unit}, "
              f"{e_line:.4g} fJ per gated line-cycle; layer weights "
              + " ".join(f"{nm} {float(w):.3f}" for nm, w in zip(est.names, est.w_seg))
              + (f"; seg-reg {a.seg_reg}" if a.seg_reg > 0 else "")
              + (f"; skip-reg {a.skip_reg}" if a.skip_reg > 0 else ""), flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    teacher = load_teacher(a.distill) if a.distill else None
    # without augmentation the inputs are fixed: the teacher's scores once
    t_scores = teacher_scores(teacher, a, xtr) if teacher is not None and not a.augment else None
    if teacher is not None:
        print(f"train: distilling from {a.distill} (weight {a.distill_weight}, T {a.distill_temp})", flush=True)
    # gate penalty weights: each block's feature-map area relative to the last
    # stage's (stages 1 and 2 halve height and width)
    area_w = (torch.tensor([4.0 ** (2 - s_) for s_ in range(3) for _ in range(n)])
              if a.gate_reg_area else None)
    steps_per_epoch = math.ceil(len(xtr) / a.batch)
    total_epochs = a.epochs
    pad = 2 if a.data == "fashion-mnist" else 4
    t0 = time.time()
    log = list(prior_log)
    print(f"train: {a.data} depth {a.depth} width {a.width} se={a.se} augment={a.augment} gate_reg={a.gate_reg} "
          f"seg_reg={a.seg_reg} skip_reg={a.skip_reg} "
          f"epochs<={a.epochs} budget={a.time_budget}min", flush=True)
    step_i = 0
    epoch = 0

    def save():
        torch.save({"state": model.state_dict(), "mult": conv_mults(model),
                    "cfg": {"in_c": int(xtr.shape[1]), "width": a.width, "n": n, "se": a.se, "real": a.real,
                            "depthwise": a.depthwise, "bottleneck": a.bottleneck,
                            "se_div": a.se_div, "classes": 10, "data": a.data,
                            "in_h": int(xtr.shape[2]), "in_w": int(xtr.shape[3])},
                    "args": vars(a), "log": log, "wall_seconds": time.time() - t0}, a.out)

    stop = False
    while epoch < total_epochs and not stop:
        te = time.time()
        perm = torch.randperm(len(xtr), generator=gen).numpy()
        tot_loss, tot_n, dens, segw, skw = 0.0, 0, [], [], []
        for bi in range(steps_per_epoch):
            idx = perm[bi * a.batch:(bi + 1) * a.batch]
            xb = torch.from_numpy(xtr[idx]).float()
            if a.augment:
                xb = augment(xb, pad, True, gen)
            yb = torch.from_numpy(ytr[idx])
            frac = step_i / (total_epochs * steps_per_epoch)
            if a.max_steps and step_i >= a.max_steps:
                stop = True
                break
            if a.hard_stop and a.time_budget > 0:
                frac = max(frac, (time.time() - t0) / (a.time_budget * 60))
                if frac >= 1.0:
                    stop = True
                    break
            lr = 0.5 * a.lr * (1 + math.cos(math.pi * min(1.0, frac)))
            for pg in opt.param_groups:
                pg["lr"] = lr
            model.set_gate_alpha(1.0 if a.gate_warmup <= 0 else min(1.0, frac / a.gate_warmup))
            use_seg = est is not None and (a.seg_reg > 0 or a.skip_reg > 0)
            if use_seg:
                scores, gates, recs = model(xb, record=True)
            else:
                scores, gates = model(xb)
            loss = F.cross_entropy(scores, yb)
            if teacher is not None:
                if t_scores is not None:
                    ts = t_scores[idx]
                else:
                    with torch.no_grad():
                        ts = teacher(xb)[0]
                tt = a.distill_temp
                kl = F.kl_div(F.log_softmax(scores / tt, 1), F.softmax(ts / tt, 1), reduction="batchmean")
                loss = (1 - a.distill_weight) * loss + a.distill_weight * tt * tt * kl
            if gates and a.gate_reg > 0:
                soft = torch.stack([torch.sigmoid(z).mean() for z, _ in gates])
                if a.gate_reg_mode == "block":
                    over = torch.relu(soft - a.gate_target)
                    if area_w is not None:
                        over = over * area_w
                    loss = loss + a.gate_reg * over.mean()
                else:
                    loss = loss + a.gate_reg * torch.relu(soft.mean() - a.gate_target)
            if use_seg and a.seg_reg > 0:
                # forward: the exact gated fraction of this batch; backward: straight-through
                wf = (est.fractions(recs, soft=True, nb=a.seg_batch) * est.w_seg).sum()
                loss = loss + a.seg_reg * (1.0 - wf)
                segw.append(wf.item())
            if use_seg and a.skip_reg > 0:
                wk = (est.skip_fractions(recs) * est.w_skip).sum()
                loss = loss + a.skip_reg * (1.0 - wk)
                skw.append(wk.item())
            if gates:
                dens.append(np.mean([gg.mean().item() for _, gg in gates]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            model.clip_latent()
            tot_loss += loss.item() * len(idx)
            tot_n += len(idx)
            step_i += 1
            if a.progress and step_i % a.progress == 0:
                print(f"  step {step_i} ({bi + 1}/{steps_per_epoch}) loss {loss.item():.4f} lr {lr:.2e} "
                      f"alpha {min(1.0, frac / a.gate_warmup) if a.gate_warmup > 0 else 1.0:.2f} "
                      f"gate_density {dens[-1] if dens else 1:.2f}"
                      + (f" seg_gated {segw[-1]:.3f}" if segw else "") + (f" skip {skw[-1]:.3f}" if skw else "")
                      + f" elapsed {(time.time() - t0) / 60:.1f} min",
                      flush=True)
        epoch += 1
        ep_time = time.time() - te
        if epoch == 1 and a.time_budget > 0 and not a.hard_stop:
            fit = int((a.time_budget * 60 - (time.time() - t0)) // (ep_time * 1.08)) + 1
            total_epochs = max(1, min(a.epochs, fit))
            print(f"train: epoch time {ep_time:.0f}s -> {total_epochs} epochs fit the budget", flush=True)
        ev = evaluate(model, xte, yte, est=est)
        acc, per_block = ev[0], ev[1]
        zf = stage_fracs(per_block, n)
        rec = {"epoch": epoch, "steps": step_i, "partial": stop, "loss": tot_loss / max(1, tot_n), "test_acc": float(acc),
               "se_zero_per_stage": zf, "epoch_seconds": ep_time, "lr": lr}
        if est is not None:
            rec.update(seg_fields(est, ev[2], ev[3]))
            if segw:
                rec["train_seg_gated_weighted"] = float(np.mean(segw))
            if skw:
                rec["train_skip_weighted"] = float(np.mean(skw))
        log.append(rec)
        print(f"epoch {epoch:2d}/{total_epochs}{' (cut)' if stop else ''} loss {rec['loss']:.4f} test {acc*100:.2f}% "
              f"se_zero {['%.2f' % v for v in zf]} train_gate_density {np.mean(dens) if dens else 1:.2f} "
              + (f"seg_gated {rec['seg_gated_weighted']:.3f} ({rec['seg_saved_nj_per_image']:.2f} nJ/image) "
                 if est is not None else "")
              + f"{ep_time:.0f}s", flush=True)
        save()
    # after training: BN re-estimation, or with no training step at all (--epochs
    # 0, e.g. only --gate-shift) the model as initialized; evaluated and saved
    if a.bn_recal > 0 or epoch == 0:
        tr = time.time()
        rec = {"epoch": epoch, "steps": step_i}
        if a.bn_recal > 0:
            bn_recalibrate(model, xtr, a.bn_recal, a.batch, gen)
            rec["bn_recal"] = a.bn_recal
        ev = evaluate(model, xte, yte, est=est)
        acc, per_block = ev[0], ev[1]
        zf = stage_fracs(per_block, n)
        rec.update(test_acc=float(acc), se_zero_per_stage=zf, epoch_seconds=time.time() - tr)
        if est is not None:
            rec.update(seg_fields(est, ev[2], ev[3]))
        log.append(rec)
        what = f"bn-recal over {a.bn_recal} batches" if a.bn_recal > 0 else "as initialized"
        print(f"{what}: test {acc*100:.2f}% se_zero {['%.2f' % v for v in zf]}"
              + (f" seg_gated {rec['seg_gated_weighted']:.3f}" if est is not None else ""), flush=True)
        save()
    wall = time.time() - t0
    final = f", final test {log[-1]['test_acc']*100:.2f}%" if log else ""
    print(f"train: done, {epoch} epochs, {wall/60:.1f} min{final}", flush=True)
    with open(a.out + ".log.json", "w") as f:
        out = {"args": vars(a), "log": log, "wall_seconds": wall}
        if est is not None:
            out["seg_estimate"] = {"layout": a.seg_layout, "seg_rows": a.seg_rows, "unit": a.seg_unit,
                                   "array_rows": ARRAY_ROWS, "array_cols": ARRAY_COLS, "col_group": COL_GROUP,
                                   "profile": os.path.abspath(a.seg_energy), "e_line_fj": e_line,
                                   "layers": [{"name": L.name, "mapped_segments": L.n_seg, "row_tiles": L.n_row_tiles,
                                               "out_pixels": L.pixels, "lines": L.lines,
                                               "seg_weight": float(w), "skip_weight": float(w2)}
                                              for L, w, w2 in zip(est.layers, est.w_seg, est.w_skip)]}
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
