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
"""
import gzip
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
    """Conv with bipolar weights, no bias: the integer dot of the contract."""

    def __init__(self, cin, cout, k, stride, pad, real=False):
        super().__init__()
        self.stride, self.pad, self.real = stride, pad, real
        self.weight = nn.Parameter(torch.empty(cout, cin, k[0], k[1]).uniform_(-0.5, 0.5))

    def forward(self, x):
        w = self.weight if self.real else bsign(self.weight)
        return F.conv2d(x, w, stride=self.stride, padding=self.pad)


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
    def __init__(self, cin, cout, stride, se, se_div, gate_bias=1.5, real=False):
        super().__init__()
        self.stride, self.cout = stride, cout
        self.act = F.relu if real else step
        self.conv_a = BinConv(cin, cout, (3, 3), stride, 1, real)
        self.bn_a = nn.BatchNorm2d(cout)
        self.conv_b = BinConv(cout, cout, (3, 3), 1, 1, real)
        self.bn_b = nn.BatchNorm2d(cout)
        self.se = BinSE(cout, max(1, cout // se_div), gate_bias) if se else None

    def forward(self, x, record=False):
        ya = self.bn_a(self.conv_a(x))
        a = self.act(ya)
        yb = self.bn_b(self.conv_b(a)) + shortcut_a(x, self.stride, self.cout)
        out = self.act(yb)
        res = (out, None, None) if self.se is None else self.se(out)
        if not record:
            return res
        # conv_b's input (a, pre-step ya) and this block's output before the gate
        return res + ({"a": a, "ya": ya, "out": out, "yb": yb},)


class BinResNet(nn.Module):
    def __init__(self, in_c=1, width=16, n=2, se=True, se_div=4, classes=10, gate_bias=1.5, real=False):
        super().__init__()
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
                blocks.append(Block(cin, cout, stride, se, se_div, gate_bias, real))
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
                classes=c["classes"], real=c.get("real", False))
        m.load_state_dict(ck["state"])
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
