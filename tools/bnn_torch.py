#!/usr/bin/python3
"""bnn_torch.py - the binarized (SE-)ResNet of docs/SPEC.md in PyTorch.

Forward pass follows the arithmetic contract exactly (what the integer model
computes after export); the backward pass uses straight-through estimators.

  activations  a in {0,1}: a = step(BN(dot)) ; STE gradient 1 for |y| <= 1
  weights      w = sign(latent) in {-1,+1} (sign(0) = +1); latent clipped to [-1,1]
  residual     step(BN(conv_b) + shortcut), option-A shortcut
  SE           q = count of ones per channel; h = step(BN(q . W1)); g = step(BN(h . W2));
               out = out * g
  classifier   counts = sum over H,W; logit = counts . Wc; score = logit * scale + bias

forward(x, record=True) also returns, for every binary CONV (not conv1, whose
input is the 8-bit image), a ConvInput record of its input tensor as the
macro's word lines see it: the binary activation a (STE output) before the
SE gate, its pre-step value y (the BN output, + shortcut for a block output)
and the hard SE gate g (N x C, None when no SE precedes the conv). The input
is a * g[:, :, None, None] (during the gate warm-up the network itself uses
the blended gate; the record describes the finished, hard-gated network).

With real=True the same topology is built in full precision (real weights,
ReLU instead of the step, mean instead of sum pooling, no SE): a distillation
teacher only, which cannot be exported.

model_from_bnn(parsed) builds the network that computes exactly what a .bnn
file (parsed by tools/export.py's parse_bnn) computes, thresholds turned back
into BN parameters; calibrate_bnn_bn() gives it real BN statistics
(train.py --init-bnn, --distill FILE.bnn).
"""
import gzip
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class StepSTE(torch.autograd.Function):
    """{0,1} step (y >= 0) with a clipped straight-through gradient."""

    @staticmethod
    def forward(ctx, y):
        ctx.save_for_backward(y)
        return (y >= 0).to(y.dtype)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y.abs() <= 1).to(g.dtype)


class SignSTE(torch.autograd.Function):
    """Bipolar sign (>= 0 -> +1) with a clipped straight-through gradient."""

    @staticmethod
    def forward(ctx, w):
        ctx.save_for_backward(w)
        return torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))

    @staticmethod
    def backward(ctx, g):
        (w,) = ctx.saved_tensors
        return g * (w.abs() <= 1).to(g.dtype)


class GateSTE(torch.autograd.Function):
    """SE gate: the same {0,1} step forward; backward a smooth surrogate
    (derivative of sigmoid(2z), times 2: 1 at z = 0, 0.42 at |z| = 1, 0.07 at
    |z| = 2) so that gates far from the threshold still get a gradient."""

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return (z >= 0).to(z.dtype)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        s = torch.sigmoid(2.0 * z)
        return g * 4.0 * s * (1.0 - s)


step = StepSTE.apply
bsign = SignSTE.apply
gate_step = GateSTE.apply


class ConvInput:
    """The input of one binary CONV as the array sees it (forward(record=True)).

    name  layer name (docs/SPEC.md section 3), e.g. "s0b1a"
    conv  the BinConv (weight shape, stride, padding)
    a     N x C x H x W binary activation before the SE gate (STE output, graph kept)
    y     N x C x H x W its pre-step value (a = y >= 0)
    g     N x C hard SE gate (GateSTE output) or None: input = a * g"""

    __slots__ = ("name", "conv", "a", "y", "g")

    def __init__(self, name, conv, a, y, g):
        self.name, self.conv, self.a, self.y, self.g = name, conv, a, y, g


class BinConv(nn.Module):
    """Conv with bipolar weights, no bias: the integer dot of the contract.

    mult: None, or a float tensor of in_c input-channel multiplicities
    (docs/SPEC.md, multi-value weights: channel c's rows are on the array
    m[c] times, so its weights count m[c] times; groups = 1 only). Not a
    parameter or buffer: checkpoints carry it as "mult" (conv_mults)."""

    def __init__(self, cin, cout, k, stride, pad, real=False, groups=1):
        super().__init__()
        self.stride, self.pad, self.real, self.groups = stride, pad, real, groups
        self.weight = nn.Parameter(torch.empty(cout, cin // groups, k[0], k[1]).uniform_(-0.5, 0.5))
        self.mult = None

    def forward(self, x):
        w = self.weight if self.real else bsign(self.weight)
        if self.mult is not None:
            x = x * self.mult.view(1, -1, 1, 1)
        return F.conv2d(x, w, stride=self.stride, padding=self.pad, groups=self.groups)


def conv_mults(model):
    """{module name: [m per input channel]} of every BinConv with multiplicities."""
    return {nm: [int(v) for v in mod.mult.round().tolist()] for nm, mod in model.named_modules()
            if isinstance(mod, BinConv) and mod.mult is not None}


def set_conv_mults(model, mults):
    """Sets the multiplicities of conv_mults' dictionary on model (names must exist)."""
    mods = dict(model.named_modules())
    for nm, m in mults.items():
        conv = mods.get(nm)
        if not isinstance(conv, BinConv) or conv.weight.shape[1] != len(m) or conv.groups != 1:
            raise ValueError(f"multiplicities for {nm}: no ungrouped BinConv with {len(m)} input channels")
        conv.mult = torch.tensor(m, dtype=torch.float32)


class BinLinear(nn.Module):
    def __init__(self, cin, cout, real=False):
        super().__init__()
        self.real = real
        self.weight = nn.Parameter(torch.empty(cout, cin).uniform_(-0.5, 0.5))

    def forward(self, x):
        return F.linear(x, self.weight if self.real else bsign(self.weight))


def shortcut_a(x, stride, cout):
    """Option A: subsample by the stride, pad new channels with zeros."""
    if stride > 1:
        x = x[:, :, ::stride, ::stride]
    if x.shape[1] < cout:
        x = F.pad(x, (0, 0, 0, 0, 0, cout - x.shape[1]))
    return x


class BinSE(nn.Module):
    """Binarized squeeze-and-excitation; returns (gated tensor, gate logits)."""

    def __init__(self, c, hidden, gate_bias=1.5):
        super().__init__()
        self.fc1 = BinLinear(c, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.fc2 = BinLinear(hidden, c)
        self.bn2 = nn.BatchNorm1d(c)
        # start with most gates open: positive bias on the gate BN
        nn.init.constant_(self.bn2.bias, gate_bias)
        # warm-up blend: the block output is x * (1 - alpha + alpha*g); alpha
        # ramps 0 -> 1 during training (train.py) and is 1 at evaluation and
        # export, where the output is exactly x AND g. Gating random,
        # untrained gates from the first step stops the network learning.
        self.alpha = 1.0

    def forward(self, x):
        q = x.sum(dim=(2, 3))
        h = step(self.bn1(self.fc1(q)))
        z = self.bn2(self.fc2(h))
        g = gate_step(z)
        a = self.alpha if self.training else 1.0
        gate = g if a >= 1.0 else (1.0 - a) + a * g
        return x * gate[:, :, None, None], z, g


class Block(nn.Module):
    def __init__(self, cin, cout, stride, se, se_div, gate_bias=1.5, real=False, depthwise=False,
                 bottleneck=False):
        super().__init__()
        self.stride, self.cout, self.depthwise, self.bottleneck = stride, cout, depthwise, bottleneck
        self.act = F.relu if real else step
        if bottleneck:
            # docs/SPEC.md section 3, --bottleneck: 1x1 reduce to mid = max(1, cout/4)
            # (NAME a), 3x3 with the stride (b), 1x1 expand with the residual (c)
            mid = max(1, cout // 4)
            self.conv_a = BinConv(cin, mid, (1, 1), 1, 0, real)
            self.bn_a = nn.BatchNorm2d(mid)
            self.conv_b = BinConv(mid, mid, (3, 3), stride, 1, real)
            self.bn_b = nn.BatchNorm2d(mid)
            self.conv_c = BinConv(mid, cout, (1, 1), 1, 0, real)
            self.bn_c = nn.BatchNorm2d(cout)
            self.se = BinSE(cout, max(1, cout // se_div), gate_bias) if se else None
            return
        if depthwise:
            # MobileNet-style unit per 3x3 conv: depthwise 3x3 (the stride,
            # its own BN and step: layer NAME.dw), then pointwise 1x1 (NAME,
            # the threshold or the residual)
            self.conv_a_dw = BinConv(cin, cin, (3, 3), stride, 1, real, groups=cin)
            self.bn_a_dw = nn.BatchNorm2d(cin)
            self.conv_a = BinConv(cin, cout, (1, 1), 1, 0, real)
            self.conv_b_dw = BinConv(cout, cout, (3, 3), 1, 1, real, groups=cout)
            self.bn_b_dw = nn.BatchNorm2d(cout)
            self.conv_b = BinConv(cout, cout, (1, 1), 1, 0, real)
        else:
            self.conv_a = BinConv(cin, cout, (3, 3), stride, 1, real)
            self.conv_b = BinConv(cout, cout, (3, 3), 1, 1, real)
        self.bn_a = nn.BatchNorm2d(cout)
        self.bn_b = nn.BatchNorm2d(cout)
        self.se = BinSE(cout, max(1, cout // se_div), gate_bias) if se else None

    def forward(self, x, record=False):
        if self.bottleneck:
            a = self.act(self.bn_a(self.conv_a(x)))
            ya = self.bn_b(self.conv_b(a))
            b = self.act(ya)
            yb = self.bn_c(self.conv_c(b)) + shortcut_a(x, self.stride, self.cout)
            out = self.act(yb)
            res = (out, None, None) if self.se is None else self.se(out)
            # record: the last conv's input (b, pre-step ya), as "a"/"ya" of the other blocks
            return res if not record else res + ({"a": b, "ya": ya, "out": out, "yb": yb},)
        # with depthwise, the depthwise convs' outputs (the pointwise convs'
        # inputs) are not recorded: record's "a"/"ya" are conv_b_dw's input,
        # so the --seg-reg/--skip-reg estimator does not cover these blocks)
        xa = self.act(self.bn_a_dw(self.conv_a_dw(x))) if self.depthwise else x
        ya = self.bn_a(self.conv_a(xa))
        a = self.act(ya)
        ab = self.act(self.bn_b_dw(self.conv_b_dw(a))) if self.depthwise else a
        yb = self.bn_b(self.conv_b(ab)) + shortcut_a(x, self.stride, self.cout)
        out = self.act(yb)
        res = (out, None, None) if self.se is None else self.se(out)
        if not record:
            return res
        # conv_b's input (a, pre-step ya) and this block's output before the gate
        return res + ({"a": a, "ya": ya, "out": out, "yb": yb},)


class BinResNet(nn.Module):
    def __init__(self, in_c=1, width=16, n=2, se=True, se_div=4, classes=10, gate_bias=1.5, real=False,
                 depthwise=False, bottleneck=False):
        super().__init__()
        self.depthwise, self.bottleneck = depthwise, bottleneck
        if depthwise and bottleneck:
            raise ValueError("bottleneck blocks are not depthwise-separable (choose one)")
        if real and se:
            raise ValueError("the full-precision (teacher) model has no SE")
        self.in_c, self.width, self.n, self.has_se, self.classes = in_c, width, n, se, classes
        self.real = real
        self.act = F.relu if real else step
        self.conv1 = BinConv(in_c, width, (3, 3), 1, 1, real)
        self.bn1 = nn.BatchNorm2d(width)
        blocks = []
        cin = width
        for s in range(3):
            cout = width * (1 << s)
            for b in range(n):
                stride = 2 if (s > 0 and b == 0) else 1
                blocks.append(Block(cin, cout, stride, se, se_div, gate_bias, real, depthwise, bottleneck))
                cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.fc = BinLinear(cin, classes, real)
        self.scale = nn.Parameter(torch.full((classes,), 1.0 if real else 0.05))
        self.bias = nn.Parameter(torch.zeros(classes))

    def forward(self, x, record=False):
        """x: N x C x H x W raw pixel values 0..255 (float). Returns scores and
        the list of SE (gate logit, gate) pairs per block; with record=True
        also the ConvInput list of every binary CONV (conv_a, conv_b per block)."""
        y = self.bn1(self.conv1(x))
        a = self.act(y)
        gates, recs = [], []
        prev = (a, y, None)       # the next conv_a's input: activation, pre-step, gate
        for i, blk in enumerate(self.blocks):
            if not record:
                a, z, g = blk(a)
            else:
                a, z, g, r = blk(a, True)
                nm = f"s{i // self.n}b{i % self.n}"
                recs.append(ConvInput(nm + "a", blk.conv_a, *prev))
                recs.append(ConvInput(nm + "b", blk.conv_b, r["a"], r["ya"], None))
                prev = (r["out"], r["yb"], g)
            if z is not None:
                gates.append((z, g))
        counts = a.mean(dim=(2, 3)) if self.real else a.sum(dim=(2, 3))
        logit = self.fc(counts)
        scores = logit * self.scale + self.bias
        return (scores, gates, recs) if record else (scores, gates)

    @classmethod
    def from_checkpoint(cls, ck):
        """The model of a train.py checkpoint (its "cfg" and "state"), in
        evaluation mode."""
        c = ck["cfg"]
        m = cls(in_c=c["in_c"], width=c["width"], n=c["n"], se=c["se"], se_div=c["se_div"],
                classes=c["classes"], real=c.get("real", False), depthwise=c.get("depthwise", False),
                bottleneck=c.get("bottleneck", False))
        m.load_state_dict(ck["state"])
        set_conv_mults(m, ck.get("mult", {}))
        m.eval()
        return m

    def set_gate_alpha(self, a):
        for blk in self.blocks:
            if blk.se is not None:
                blk.se.alpha = float(a)

    def clip_latent(self):
        if self.real:
            return
        for name, p in self.named_parameters():
            if name.endswith("weight") and p.dim() >= 2:
                p.data.clamp_(-1.0, 1.0)


# ---------------------------------------------------------------- data ----

FMNIST_DIR = os.environ.get("SPARSECIM_FMNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path):
    """Reads an IDX file (gzip or plain) into a numpy array."""
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: byte 0: not an unsigned-byte IDX file")
    nd = data[3]
    dims = struct.unpack(">" + "I" * nd, data[4:4 + 4 * nd])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * nd)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: payload has {arr.size} bytes, header says {int(np.prod(dims))}")
    return arr.reshape(dims)


def load_fmnist(split):
    pre = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(FMNIST_DIR, f"{pre}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(FMNIST_DIR, f"{pre}-labels-idx1-ubyte.gz"))
    return x[:, None, :, :].copy(), y.astype(np.int64)


def load_cifar10(d, split):
    files = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
    xs, ys = [], []
    for fn in files:
        raw = np.fromfile(os.path.join(d, fn), dtype=np.uint8)
        if raw.size % 3073:
            raise ValueError(f"{fn}: size {raw.size} is not a multiple of 3073-byte records")
        raw = raw.reshape(-1, 3073)
        ys.append(raw[:, 0].astype(np.int64))
        xs.append(raw[:, 1:].reshape(-1, 3, 32, 32))
    return np.concatenate(xs), np.concatenate(ys)


def load_data(name, split, cifar_dir=None):
    if name == "fashion-mnist":
        return load_fmnist(split)
    if name == "cifar10":
        return load_cifar10(cifar_dir, split)
    raise ValueError(f"unknown data set {name}")


# ------------------------------------------- a .bnn file as a network ----
# (train.py --init-bnn, --distill FILE.bnn; the file is parsed by
# tools/export.py's parse_bnn, the one reader of the format)

def _reach(n, bits):
    """|dot| can be at most n * (2^bits - 1) for n weights on bits-bit inputs."""
    return int(n) * ((1 << int(bits)) - 1)


def _thr_affine(neg, T, reach, residual):
    """The affine map BN(d) = A*d + B (float64, per channel) whose step
    computes the file's integer threshold exactly on every integer dot d:

      plain     (s*d >= T)  <=>  (A*d + B >= 0),   A*d + B = (s*d - u) * scale
      residual  (s*d >= T[x]) <=> (A*d + B + x >= 0), x in {0, 1}

    Plain: u = T - 0.5 (half a dot from either integer), and the scale is
    free (calibrated later: 1 / std of the dot). A threshold at +-2^30
    ("always" / "never", export.fold_one's BIG) gets u 1000 further out so
    that export.py folds it back to the same +-2^30. Residual: the shortcut
    bit adds 1 after BN, so the scale is fixed: 1/A = k with u - k = the
    x = 1 threshold; k = T0 - T1, u = T0 - 0.5 (both thresholds half a dot
    from the integers: exact) when T0 > T1; k = 0.5, u = T0 - 0.25 when T0 ==
    T1 (exact, margin 0.25); T1 > T0 cannot be written as BN + x (x = 1
    would make the output harder) and is approximated by T0 == T1 at the
    mean (counted as inexact). Thresholds beyond the reach of the dot are
    first clamped to +-(reach + 1) (the same function) in the residual case.
    Returns (s, u, k) with k = None for plain (free scale) and the number of
    inexact channels."""
    s = np.where(np.asarray(neg).astype(bool), -1.0, 1.0)
    T = np.asarray(T, dtype=np.float64)
    bad = 0
    if not residual:
        t = T[:, 0]
        big = float(1 << 30)
        u = np.where(t >= big, t + 1000.0, np.where(t <= -big, t - 1000.0, t - 0.5))
        return s, u, None, 0
    R = float(reach + 1)
    t0, t1 = np.clip(T[:, 0], -R, R), np.clip(T[:, 1], -R, R)
    u, k = np.empty_like(t0), np.empty_like(t0)
    for o in range(len(t0)):
        if t0[o] > t1[o]:
            k[o], u[o] = t0[o] - t1[o], t0[o] - 0.5
        elif t0[o] == t1[o]:
            k[o], u[o] = 0.5, t0[o] - 0.25
        else:
            bad += 1
            m = math.floor((t0[o] + t1[o]) / 2)
            k[o], u[o] = 0.5, m - 0.25
    return s, u, k, bad


class BnnThreshold:
    """One BN of a network built from a .bnn file and the integer threshold
    it must compute: s, u, k of _thr_affine, the dot's reach, the file's
    (neg, T) for the exhaustive check."""

    def __init__(self, name, bn, neg, T, reach, residual):
        self.name, self.bn, self.reach, self.residual = name, bn, reach, residual
        self.neg, self.T = np.asarray(neg), np.asarray(T, dtype=np.int64)
        self.s, self.u, self.k, self.inexact = _thr_affine(neg, T, reach, residual)

    def set(self, mu, var):
        """BN parameters such that eval-mode BN(d) = A*d + B exactly (float64,
        stored float32) with running statistics mu, var: gamma = A*sqrt(var+eps),
        beta = B + A*mu. Plain thresholds: scale 1/sqrt(var+eps), i.e.
        gamma = s (+-1) and beta = (s*mu - u)/sqrt(var+eps)."""
        mu = np.asarray(mu, dtype=np.float64)
        var = np.asarray(var, dtype=np.float64)
        sd = np.sqrt(var + self.bn.eps)
        if self.k is None:
            A, B = self.s / sd, -self.u / sd
        else:
            A, B = self.s / self.k, -self.u / self.k
        gamma, beta = A * sd, B + A * mu
        bn = self.bn
        with torch.no_grad():
            bn.running_mean.copy_(torch.from_numpy(mu))
            bn.running_var.copy_(torch.from_numpy(var))
            bn.weight.copy_(torch.from_numpy(gamma))
            bn.bias.copy_(torch.from_numpy(beta))
            bn.num_batches_tracked.zero_()

    def check(self):
        """Exhaustive: the eval-mode BN module (float32, as the network runs it)
        against the file's (s*d >= T[x]) on every integer d in [-reach, reach]
        (and x = 0, 1 for residual). Returns the number of (channel, d, x)
        that differ."""
        C = len(self.s)
        d = torch.arange(-self.reach, self.reach + 1, dtype=torch.float32)
        shape = (len(d), C) + ((1, 1) if isinstance(self.bn, nn.BatchNorm2d) else ())
        bn = self.bn
        was = bn.training
        bn.eval()
        with torch.no_grad():
            y = bn(d.reshape(-1, *([1] * (len(shape) - 1))).expand(shape).contiguous()).reshape(len(d), C)
        bn.train(was)
        dd = d.long().numpy()[:, None]
        sdot = np.where(self.neg.astype(bool), -1, 1)[None, :] * dd
        yn = y.double().numpy()
        bad = 0
        for x in ((0, 1) if self.residual else (0,)):
            want = sdot >= self.T[:, x][None, :]
            got = (yn + x) >= 0
            bad += int((want != got).sum())
        return bad


def _rows(rec):
    """Rows of a parsed CONV's dot: in_c*kh*kw, each channel m[c] times with multiplicities."""
    m = rec.get("mult")
    kh, kw = rec["k"]
    return rec["w"].shape[1] if m is None else int(np.sum(m)) * kh * kw


def _bnn_kind(convs):
    """The block kind of a parsed file's convs: "dw" (a conv with groups > 1:
    depthwise-separable units), "bneck" (3 convs per block), "basic"."""
    nblk = sum(1 for x in convs if x["shortcut"] >= 0)
    if any(x.get("groups", 1) > 1 for x in convs):
        return "dw", nblk, 4
    if nblk and len(convs) == 1 + 3 * nblk:
        return "bneck", nblk, 3
    return "basic", nblk, 2


# per block kind: (conv, BN, residual) of each of its convs in file order, and
# the index of the one that carries the block's stride (docs/SPEC.md section 3)
_BLOCK_CONVS = {
    "basic": ((("conv_a", "bn_a", False), ("conv_b", "bn_b", True)), 0),
    "dw": ((("conv_a_dw", "bn_a_dw", False), ("conv_a", "bn_a", False), ("conv_b_dw", "bn_b_dw", False),
            ("conv_b", "bn_b", True)), 0),
    "bneck": ((("conv_a", "bn_a", False), ("conv_b", "bn_b", False), ("conv_c", "bn_c", True)), 1),
}


def model_from_bnn(m, mag=0.05):
    """A BinResNet that computes exactly what the parsed .bnn m computes
    (tools/export.py parse_bnn; docs/SPEC.md section 3 topology: basic,
    depthwise-separable or bottleneck blocks, SE or not), in evaluation
    mode. Weights: latent = +-mag (the file's bit). Thresholds: BN
    parameters per BnnThreshold.set with placeholder statistics (mean 0,
    variance 1); calibrate_bnn_bn() sets the real ones. Returns (model, cfg,
    thresholds)."""
    L = m["layers"]
    convs = [x for x in L if x["type"] == 1]
    ses = [x for x in L if x["type"] == 2]
    kind, nblk, per = _bnn_kind(convs)
    if nblk % 3 or len(convs) != 1 + per * nblk or L[-1]["type"] != 3 or (ses and len(ses) != nblk):
        raise ValueError("not the SE-ResNet topology of docs/SPEC.md section 3 (basic, depthwise-separable "
                         "or bottleneck blocks)")
    width, n = convs[0]["out_c"], nblk // 3
    se = bool(ses)
    se_div = 1
    if se:
        c0, h0 = ses[0]["c"], ses[0]["hidden"]
        se_div = c0 // h0 if h0 and c0 % h0 == 0 else 0
        if not se_div or any(max(1, x["c"] // se_div) != x["hidden"] for x in ses):
            raise ValueError("SE hidden sizes are not C / se_div for one se_div")
    model = BinResNet(in_c=m["in_c"], width=width, n=n, se=se, se_div=se_div, classes=m["classes"],
                      depthwise=kind == "dw", bottleneck=kind == "bneck")
    thr = []

    def setw(p, bits):
        with torch.no_grad():
            p.copy_(torch.from_numpy((bits.astype(np.float32) * 2 - 1) * mag).reshape(p.shape))

    it = iter(zip(m["names"], L))
    nm, x = next(it)
    if tuple(model.conv1.weight.shape[2:]) != tuple(x["k"]) or x["stride"] != 1 or tuple(x["pad"]) != (1, 1):
        raise ValueError("conv1 is not 3x3 stride 1 pad 1")
    setw(model.conv1.weight, x["w"])
    thr.append(BnnThreshold(nm, model.bn1, x["neg"], x["T"], _reach(x["w"].shape[1], x["in_bits"]), False))
    parts, at_stride = _BLOCK_CONVS[kind]
    for blk in model.blocks:
        recs = [next(it) for _ in parts]
        nm = recs[0][0]
        if recs[at_stride][1]["stride"] != blk.stride or recs[-1][1]["shortcut"] < 0 \
                or recs[-1][1]["out_c"] != blk.cout:
            raise ValueError(f"{nm}: stride / shortcut / width differ from the topology")
        for (cname, bname, residual), (rn, rec) in zip(parts, recs):
            conv = getattr(blk, cname)
            if tuple(conv.weight.shape) != (rec["out_c"], rec["w"].shape[1] // (rec["k"][0] * rec["k"][1]),
                                            rec["k"][0], rec["k"][1]):
                raise ValueError(f"{rn}: weights {rec['out_c']}x{rec['w'].shape[1]} do not fit {cname} "
                                 f"{tuple(conv.weight.shape)}")
            setw(conv.weight, rec["w"])
            if rec.get("mult") is not None:   # version 3: input-channel multiplicities
                conv.mult = torch.tensor(rec["mult"], dtype=torch.float32)
            thr.append(BnnThreshold(rn, getattr(blk, bname), rec["neg"], rec["T"], _reach(_rows(rec), rec["in_bits"]),
                                    residual))
        if se:
            nms, xs = next(it)
            if xs["type"] != 2:
                raise ValueError(f"{nms}: expected an SE layer")
            hw = xs["in_shape"][1] * xs["in_shape"][2]
            setw(blk.se.fc1.weight, xs["w1"])
            thr.append(BnnThreshold(nms + ".fc1", blk.se.bn1, xs["neg1"], xs["T1"],
                                    _reach(xs["c"], max(1, int(hw).bit_length())), False))
            setw(blk.se.fc2.weight, xs["w2"])
            thr.append(BnnThreshold(nms + ".fc2", blk.se.bn2, xs["neg2"], xs["T2"], _reach(xs["hidden"], 1), False))
    nm, xc = next(it)
    setw(model.fc.weight, xc["w"])
    with torch.no_grad():
        model.scale.copy_(torch.from_numpy(xc["scale"].astype(np.float32)))
        model.bias.copy_(torch.from_numpy(xc["bias"].astype(np.float32)))
    for t in thr:
        C = len(t.s)
        t.set(np.zeros(C), np.ones(C))
    model.eval()
    cfg = {"in_c": m["in_c"], "width": width, "n": n, "se": se, "real": False, "se_div": se_div,
           "classes": m["classes"], "in_h": m["in_h"], "in_w": m["in_w"], "depthwise": kind == "dw",
           "bottleneck": kind == "bneck"}
    return model, cfg, thr


def calibrate_bnn_bn(model, thr, x, bs=256):
    """Sets every BN's running statistics to the mean / variance of its input
    over the images x (evaluation-mode forward: the file's function, which
    the statistics do not change) and its gamma / beta so that evaluation
    still computes the file exactly; training-mode BN (batch statistics)
    then starts near the file's function. Variance floored at 1e-2 (a
    constant dot)."""
    acc = {id(t.bn): [0.0, 0.0, 0] for t in thr}
    hooks = []

    def hook(mod, inp):
        v = inp[0].detach().double()
        dims = [0] + list(range(2, v.dim()))
        a = acc[id(mod)]
        a[0] = a[0] + v.sum(dim=dims)
        a[1] = a[1] + (v * v).sum(dim=dims)
        a[2] += v.numel() // v.shape[1]

    for t in thr:
        hooks.append(t.bn.register_forward_pre_hook(hook))
    model.eval()
    with torch.no_grad():
        for i in range(0, len(x), bs):
            model(torch.from_numpy(x[i:i + bs]).float())
    for h in hooks:
        h.remove()
    for t in thr:
        s1, s2, cnt = acc[id(t.bn)]
        mu = (s1 / cnt).numpy()
        var = np.maximum((s2 / cnt).numpy() - mu * mu, 0.0) * cnt / max(1, cnt - 1)
        t.set(mu, np.maximum(var, 1e-2))


def grow_model(model, n, se, se_div, gate_bias=1.5, res_scale=0.1):
    """A deeper and/or SE version of a trained binary BinResNet that starts
    out computing (almost) the same function (train.py --grow-depth,
    --add-se). Stage s of `model` has model.n blocks; the new model has n >=
    model.n per stage: block b < model.n of each stage is the old block b
    (every tensor copied, multiplicities too), the blocks after it are new
    stride-1 blocks whose residual BN starts at scale res_scale, bias -0.5:
    out = step(res_scale * BN-normalized dot - 0.5 + x) is x unless the
    normalized dot exceeds 0.5 / res_scale (5 standard deviations at 0.1),
    so a new block passes its input through until training moves it (in
    an SE model its fresh SE's gate BN bias is 3: open but for 3 standard
    deviations). With se and a model without SE, every block gets a fresh
    SE (gate BN bias gate_bias: mostly open; train.py blends the gates in
    with --gate-warmup). Returns (the new model in training mode, the set
    of module names of its BNs that were not copied: their running
    statistics are unset, re-estimate them before evaluating)."""
    if model.real:
        raise ValueError("grow: a binary model only (the full-precision teacher is not grown)")
    if n < model.n:
        raise ValueError(f"grow: {n} blocks per stage is fewer than the model's {model.n}")
    if model.has_se and not se:
        raise ValueError("grow: the model has SE layers; removing them is not growing")
    new = BinResNet(in_c=model.in_c, width=model.width, n=n, se=se, se_div=se_div if se else 4,
                    classes=model.classes, gate_bias=gate_bias, depthwise=model.depthwise,
                    bottleneck=model.bottleneck)
    if model.has_se and se:
        hid_old, hid_new = model.blocks[0].se.fc1.weight.shape[0], new.blocks[0].se.fc1.weight.shape[0]
        if hid_old != hid_new:
            raise ValueError(f"grow: SE hidden {hid_old} of the model's first block differs from "
                             f"C / se_div = {hid_new}")
    own = new.state_dict()
    src = {}
    for k, v in model.state_dict().items():
        if k.startswith("blocks."):
            _, i, rest = k.split(".", 2)
            s_, b = divmod(int(i), model.n)
            k = f"blocks.{s_ * n + b}.{rest}"
        if k not in own or own[k].shape != v.shape:
            raise ValueError(f"grow: tensor {k} {tuple(v.shape)} has no place in the grown model")
        src[k] = v
    new.load_state_dict(src, strict=False)
    kind = "dw" if model.depthwise else "bneck" if model.bottleneck else "basic"
    res_bn = [bn for _, bn, residual in _BLOCK_CONVS[kind][0] if residual][0]
    for s_ in range(3):
        for b in range(n):
            blk_new = new.blocks[s_ * n + b]
            if b < model.n:
                old = model.blocks[s_ * model.n + b]
                for nm, mod in old.named_modules():
                    if isinstance(mod, BinConv) and mod.mult is not None:
                        blk_new.get_submodule(nm).mult = mod.mult.clone()
                continue
            bn = getattr(blk_new, res_bn)
            with torch.no_grad():
                bn.weight.fill_(res_scale)
                bn.bias.fill_(-0.5)
                if model.has_se:
                    # a new block of an SE model: its gates open (z = BN + 3 >= 0 but
                    # for 3 standard deviations), so it stays the identity when hard
                    blk_new.se.bn2.bias.fill_(3.0)
    fresh = {nm for nm, m in new.named_modules()
             if isinstance(m, nn.modules.batchnorm._BatchNorm) and nm + ".running_mean" not in src}
    new.train()
    return new, fresh
