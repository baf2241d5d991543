#!/usr/bin/python3
"""PyTorch side of bench/forward.bench.mjs: a small pure-torch YOLO11 detector (fused convs, as a
predictor runs it), built for a scale and nc, loaded from a safetensors file our model wrote, then
answering one command per line on stdin:

    check <input.safetensors>  -> forward of tensor "input", answers "diff <max abs diff to 'output'>"
    fwd <batch> <imgsz>        -> one timed forward (no_grad) of a fixed random batch, "ms <milliseconds>"
    quit

argv: weights.safetensors scale nc threads. First line: "ready torch=<version> threads=<n>".
"""
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SCALES = {"n": (0.5, 0.25, 1024), "s": (0.5, 0.5, 1024), "m": (0.5, 1.0, 512), "l": (1.0, 1.0, 512), "x": (1.0, 1.5, 512)}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        assert v["dtype"] == "F32", f"{k}: {v['dtype']}"
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").copy()).reshape(v["shape"])
    return out


class Conv(nn.Module):  # fused: conv with bias, then SiLU (or nothing)
    def __init__(self, c1, c2, k=1, s=1, g=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2, groups=g, bias=True)
        self.act = nn.SiLU() if act else nn.Identity()

    def forward(self, x):
        return self.act(self.conv(x))


class Bottleneck(nn.Module):
    def __init__(self, c1, c2, shortcut=True, k=(3, 3), e=0.5):
        super().__init__()
        c = int(c2 * e)
        self.cv1, self.cv2 = Conv(c1, c, k[0]), Conv(c, c2, k[1])
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C3k(nn.Module):
    def __init__(self, c1, c2, n=2, shortcut=True, e=0.5):
        super().__init__()
        c = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, c), Conv(c1, c), Conv(2 * c, c2)
        self.m = nn.Sequential(*(Bottleneck(c, c, shortcut, (3, 3), 1.0) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), 1))


class C3k2(nn.Module):
    def __init__(self, c1, c2, n=1, c3k=False, e=0.5, shortcut=True):
        super().__init__()
        self.c = int(c2 * e)
        self.cv1, self.cv2 = Conv(c1, 2 * self.c), Conv((2 + n) * self.c, c2)
        self.m = nn.ModuleList(C3k(self.c, self.c, 2, shortcut) if c3k else Bottleneck(self.c, self.c, shortcut) for _ in range(n))

    def forward(self, x):
        y = list(self.cv1(x).chunk(2, 1))
        y.extend(m(y[-1]) for m in self.m)
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c1, c2, k=5):
        super().__init__()
        c = c1 // 2
        self.cv1, self.cv2 = Conv(c1, c), Conv(4 * c, c2)
        self.m = nn.MaxPool2d(k, 1, k // 2)

    def forward(self, x):
        y = [self.cv1(x)]
        y.extend(self.m(y[-1]) for _ in range(3))
        return self.cv2(torch.cat(y, 1))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.key_dim = int(self.head_dim * 0.5)
        self.scale = self.key_dim**-0.5
        self.qkv = Conv(dim, dim + 2 * self.key_dim * heads, 1, act=False)
        self.proj = Conv(dim, dim, 1, act=False)
        self.pe = Conv(dim, dim, 3, 1, g=dim, act=False)

    def forward(self, x):
        B, C, H, W = x.shape
        q, k, v = self.qkv(x).view(B, self.heads, 2 * self.key_dim + self.head_dim, H * W).split([self.key_dim, self.key_dim, self.head_dim], 2)
        attn = ((q.transpose(-2, -1) @ k) * self.scale).softmax(-1)
        x = (v @ attn.transpose(-2, -1)).view(B, C, H, W) + self.pe(v.reshape(B, C, H, W))
        return self.proj(x)


class PSABlock(nn.Module):
    def __init__(self, c, heads):
        super().__init__()
        self.attn = Attention(c, heads)
        self.ffn = nn.Sequential(Conv(c, 2 * c), Conv(2 * c, c, act=False))

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.ffn(x)


class C2PSA(nn.Module):
    def __init__(self, c1, n=1):
        super().__init__()
        self.c = c1 // 2
        self.cv1, self.cv2 = Conv(c1, 2 * self.c), Conv(2 * self.c, c1)
        self.m = nn.Sequential(*(PSABlock(self.c, self.c // 64) for _ in range(n)))

    def forward(self, x):
        a, b = self.cv1(x).split((self.c, self.c), 1)
        return self.cv2(torch.cat((a, self.m(b)), 1))


class Detect(nn.Module):
    def __init__(self, nc, ch):
        super().__init__()
        self.nc, self.reg = nc, 16
        c2, c3 = max(16, ch[0] // 4, 64), max(ch[0], min(nc, 100))
        self.cv2 = nn.ModuleList(nn.Sequential(Conv(x, c2, 3), Conv(c2, c2, 3), nn.Conv2d(c2, 64, 1)) for x in ch)
        self.cv3 = nn.ModuleList(
            nn.Sequential(nn.Sequential(Conv(x, x, 3, g=math.gcd(x, x)), Conv(x, c3)), nn.Sequential(Conv(c3, c3, 3, g=c3), Conv(c3, c3)), nn.Conv2d(c3, nc, 1))
            for x in ch
        )
        self.dfl = nn.Module()
        self.dfl.conv = nn.Conv2d(16, 1, 1, bias=False).requires_grad_(False)
        self.stride = (8, 16, 32)

    def forward(self, xs):
        B = xs[0].shape[0]
        feats = [torch.cat((self.cv2[i](x), self.cv3[i](x)), 1) for i, x in enumerate(xs)]
        pts, strides = [], []
        for f, s in zip(feats, self.stride):
            h, w = f.shape[2:]
            sy, sx = torch.meshgrid(torch.arange(h) + 0.5, torch.arange(w) + 0.5, indexing="ij")
            pts.append(torch.stack((sx, sy), -1).view(-1, 2))
            strides.append(torch.full((h * w, 1), float(s)))
        anchors, stride = torch.cat(pts).T.unsqueeze(0), torch.cat(strides).T
        x = torch.cat([f.view(B, 64 + self.nc, -1) for f in feats], 2)
        box, cls = x.split((64, self.nc), 1)
        a = box.shape[2]
        dist = self.dfl.conv(box.view(B, 4, 16, a).transpose(2, 1).softmax(1)).view(B, 4, a)
        lt, rb = dist.chunk(2, 1)
        x1y1, x2y2 = anchors - lt, anchors + rb
        dbox = torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1) * stride
        return torch.cat((dbox, cls.sigmoid()), 1)


class YOLO11(nn.Module):
    def __init__(self, scale, nc):
        super().__init__()
        depth, width, mx = SCALES[scale]
        c = lambda n: int(math.ceil(min(n, mx) * width / 8) * 8)  # make_divisible
        d = lambda n: max(round(n * depth), 1) if n > 1 else n
        big = scale in "mlx"
        L = [
            Conv(3, c(64), 3, 2), Conv(c(64), c(128), 3, 2), C3k2(c(128), c(256), d(2), big, 0.25),
            Conv(c(256), c(256), 3, 2), C3k2(c(256), c(512), d(2), big, 0.25), Conv(c(512), c(512), 3, 2),
            C3k2(c(512), c(512), d(2), True), Conv(c(512), c(1024), 3, 2), C3k2(c(1024), c(1024), d(2), True),
            SPPF(c(1024), c(1024)), C2PSA(c(1024), d(2)), nn.Upsample(None, 2, "nearest"), nn.Identity(),
            C3k2(c(1024) + c(512), c(512), d(2), big), nn.Upsample(None, 2, "nearest"), nn.Identity(),
            C3k2(c(512) + c(512), c(256), d(2), big), Conv(c(256), c(256), 3, 2), nn.Identity(),
            C3k2(c(256) + c(512), c(512), d(2), big), Conv(c(512), c(512), 3, 2), nn.Identity(),
            C3k2(c(512) + c(1024), c(1024), d(2), True), Detect(nc, (c(256), c(512), c(1024))),
        ]
        self.model = nn.ModuleList(L)

    def forward(self, x):
        m, y = self.model, {}
        for i in range(11):
            x = y[i] = m[i](x)
        x = m[13](torch.cat((m[11](x), y[6]), 1))
        y[13] = x
        p3 = m[16](torch.cat((m[14](x), y[4]), 1))
        p4 = m[19](torch.cat((m[17](p3), y[13]), 1))
        p5 = m[22](torch.cat((m[20](p4), y[10]), 1))
        return m[23]([p3, p4, p5])


def main():
    weights, scale, nc, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    model = YOLO11(scale, nc).eval()
    sd = read_safetensors(weights)
    model.load_state_dict(sd, strict=True)
    inputs = {}
    print(f"ready torch={torch.__version__} threads={torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "check":
            t = read_safetensors(cmd[1])
            with torch.no_grad():
                diff = (model(t["input"]) - t["output"]).abs().max().item()
            print(f"diff {diff:.6g}", flush=True)
        elif cmd[0] == "fwd":
            b, s = int(cmd[1]), int(cmd[2])
            x = inputs.setdefault((b, s), torch.rand(b, 3, s, s, generator=torch.Generator().manual_seed(0)))
            with torch.no_grad():
                t0 = time.perf_counter()
                model(x)
                ms = (time.perf_counter() - t0) * 1e3
            print(f"ms {ms:.4f}", flush=True)
        elif cmd[0] == "quit":
            break
        else:
            print(f"error unknown command {cmd[0]}", flush=True)


if __name__ == "__main__":
    main()
