#!/usr/bin/python3
"""Reference data for the optimizer parity tests and the safetensors interop test.

Run with Debian's PyTorch (not the pyenv python3 on PATH):
    /usr/bin/python3 tests/torch/gen_optim_reference.py            # writes tests/torch/reference/*.json
    /usr/bin/python3 tests/torch/gen_optim_reference.py --verify-safetensors FILE
        # reads FILE (e.g. one written by our TypeScript writer) with a reader that follows the spec
        # and checks it holds the interop tensors and metadata.

Optimizers: fixed float32 parameters, loss = sum_i sum((p_i * x_i - y_i)^2) over the parameters in
the loss, gradients by autograd, torch.optim.SGD/Adam/AdamW (single-tensor path on the CPU); the
parameters after every step are recorded. The TS test replays the same cases.

safetensors: the python `safetensors` package is not installed with Debian's torch, so the file is
written by hand following the reference implementation (tensors sorted by descending dtype then by
name, compact JSON header with __metadata__ first, padded with spaces to a multiple of 8 bytes).
"""
import base64
import json
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference")

torch.set_num_threads(1)


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def make_params(seed, shapes):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, generator=g, dtype=torch.float32) for s in shapes]


PY_KEYS = {"weightDecay": "weight_decay"}


def py_opts(o):
    r = {}
    for k, v in o.items():
        r[PY_KEYS.get(k, k)] = tuple(v) if k == "betas" else v
    return r


def run_case(name, optimizer, defaults, groups, steps=6, changes=(), shapes=((3, 4), (4,), (2, 2, 3)), loss_params=None, seed=0):
    init = make_params(seed, shapes)
    xs = make_params(seed + 100, shapes)
    ys = make_params(seed + 200, shapes)
    if loss_params is None:
        loss_params = list(range(len(shapes)))
    params = [p.clone().requires_grad_(True) for p in init]
    cls = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}[optimizer]
    py_groups = [dict(params=[params[i] for i in g["params"]], **py_opts(g.get("options", {}))) for g in groups]
    opt = cls(py_groups, **py_opts(defaults))
    expected = []
    for step in range(steps):
        for c in changes:
            if c["beforeStep"] == step:
                key = PY_KEYS.get(c["key"], c["key"])
                opt.param_groups[c["group"]][key] = c["value"]
        opt.zero_grad(set_to_none=True)
        loss = sum(((params[i] * xs[i] - ys[i]) ** 2).sum() for i in loss_params)
        loss.backward()
        opt.step()
        expected.append([floats(p) for p in params])
    return {
        "name": name,
        "optimizer": optimizer,
        "defaults": defaults,
        "groups": groups,
        "changes": list(changes),
        "steps": steps,
        "lossParams": loss_params,
        "params": [{"shape": list(s), "data": floats(p)} for s, p in zip(shapes, init)],
        "x": [floats(t) for t in xs],
        "y": [floats(t) for t in ys],
        "expected": expected,
    }


ALL3 = [{"params": [0, 1, 2]}]


def optim_cases():
    sgd = [
        run_case("sgd momentum + weight decay", "SGD", {"lr": 0.05, "momentum": 0.9, "weightDecay": 0.01}, ALL3),
        run_case("sgd nesterov", "SGD", {"lr": 0.02, "momentum": 0.8, "nesterov": True, "weightDecay": 1e-3}, ALL3, seed=1),
        run_case("sgd dampening", "SGD", {"lr": 0.03, "momentum": 0.7, "dampening": 0.3}, ALL3, seed=2),
        run_case("sgd plain, maximize", "SGD", {"lr": 0.001, "maximize": True}, ALL3, seed=3),
        # parameter 3 is not in the loss: no gradient, no state, untouched.
        run_case("sgd parameter without gradient", "SGD", {"lr": 0.05, "momentum": 0.9}, [{"params": [0, 1, 2, 3]}],
                 shapes=((3, 4), (4,), (2, 2, 3), (5,)), loss_params=[0, 1, 2], seed=4),
    ]
    adam = [
        run_case("adam", "Adam", {"lr": 0.01}, ALL3, seed=5),
        run_case("adam betas eps, L2 weight decay", "Adam", {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.1}, ALL3, seed=6),
        run_case("adam amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}, ALL3, steps=8, seed=7),
        run_case("adamw weight decay", "AdamW", {"lr": 0.01, "weightDecay": 0.1}, ALL3, seed=8),
        run_case("adamw amsgrad maximize", "AdamW", {"lr": 0.005, "weightDecay": 0.05, "amsgrad": True, "maximize": True}, ALL3, seed=9),
    ]
    groups = [
        run_case("sgd two groups, lr changed", "SGD", {"lr": 0.05, "momentum": 0.9},
                 [{"params": [0, 2]}, {"params": [1], "options": {"lr": 0.1, "weightDecay": 0.05}}],
                 changes=[{"beforeStep": 3, "group": 1, "key": "lr", "value": 0.01},
                          {"beforeStep": 4, "group": 0, "key": "momentum", "value": 0.5}], seed=10),
        run_case("adamw two groups, lr changed", "AdamW", {"lr": 0.01, "weightDecay": 0.01},
                 [{"params": [0]}, {"params": [1, 2], "options": {"lr": 0.03, "weightDecay": 0.2, "betas": [0.85, 0.995]}}],
                 changes=[{"beforeStep": 2, "group": 1, "key": "lr", "value": 0.005},
                          {"beforeStep": 4, "group": 0, "key": "weightDecay", "value": 0.0}], steps=7, seed=11),
        run_case("adam two groups, amsgrad in one", "Adam", {"lr": 0.01},
                 [{"params": [0, 1]}, {"params": [2], "options": {"lr": 0.002, "amsgrad": True, "weightDecay": 0.01}}],
                 changes=[{"beforeStep": 3, "group": 0, "key": "lr", "value": 0.02}], seed=12),
    ]
    return {"sgd": sgd, "adam": adam, "groups": groups}


# ---- safetensors -----------------------------------------------------------------------------
DTYPES = {
    "BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16, "F16": torch.float16,
    "BF16": torch.bfloat16, "I32": torch.int32, "F32": torch.float32, "F64": torch.float64, "I64": torch.int64,
}
# The reference implementation's Dtype enum order (increasing alignment).
RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
SIZE = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "F16": 2, "BF16": 2, "I32": 4, "F32": 4, "F64": 8, "I64": 8}


def dtype_name(t):
    return next(k for k, v in DTYPES.items() if v == t.dtype)


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def st_serialize(tensors, metadata):
    items = sorted(tensors.items(), key=lambda kv: kv[0].encode())
    items.sort(key=lambda kv: RANK.index(dtype_name(kv[1])), reverse=True)  # stable: then by name
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    blobs = []
    for name, t in items:
        b = tensor_bytes(t)
        header[name] = {"dtype": dtype_name(t), "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    hb = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    return struct.pack("<Q", len(hb)) + hb + b"".join(blobs)


def st_deserialize(buf):
    (n,) = struct.unpack("<Q", buf[:8])
    assert n <= 100_000_000 and 8 + n <= len(buf), "bad header length"
    header = json.loads(buf[8:8 + n].decode())
    metadata = header.pop("__metadata__", None)
    data = buf[8 + n:]
    out = {}
    end = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        s, e = info["data_offsets"]
        assert s == end, f"{name}: offsets not contiguous"
        end = e
        dt = info["dtype"]
        numel = 1
        for d in info["shape"]:
            numel *= d
        assert e - s == numel * SIZE[dt], f"{name}: shape/bytes mismatch"
        raw = bytearray(data[s:e])
        if dt == "BOOL":
            t = torch.frombuffer(raw, dtype=torch.uint8).to(torch.bool) if numel else torch.zeros(0, dtype=torch.bool)
        elif dt in ("F16", "BF16"):
            t = torch.frombuffer(raw, dtype=torch.int16).view(DTYPES[dt]) if numel else torch.zeros(0, dtype=DTYPES[dt])
        else:
            t = torch.frombuffer(raw, dtype=DTYPES[dt]) if numel else torch.zeros(0, dtype=DTYPES[dt])
        out[name] = t.reshape(info["shape"]).clone()
    assert end == len(data), "data section length does not match the offsets"
    return out, metadata


def interop_tensors():
    g = torch.Generator().manual_seed(42)
    return {
        "model.conv.weight": torch.randn(4, 3, 3, 3, generator=g),
        "model.bn.running_var": torch.rand(4, generator=g, dtype=torch.float64) + 0.5,
        "half": torch.tensor([0.5, -1.25, 65504.0, 1e-3], dtype=torch.float16),
        "brain": torch.tensor([[1.5, -2.0], [3.140625, 1e30]], dtype=torch.bfloat16),
        "step": torch.tensor([3, -7, 2**40 + 5], dtype=torch.int64),
        "i32": torch.tensor([[1, -2, 2**31 - 1]], dtype=torch.int32),
        "i16": torch.tensor([-32768, 12345], dtype=torch.int16),
        "i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "u8": torch.arange(0, 250, 50, dtype=torch.uint8),
        "mask": torch.tensor([True, False, True, True, False]),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }


INTEROP_METADATA = {"format": "pt", "azaion": json.dumps({"epoch": 3, "names": ["car", "truck"], "nested": {"lr": 0.01}})}


def interop_reference():
    tensors = interop_tensors()
    blob = st_serialize(tensors, INTEROP_METADATA)
    back, meta = st_deserialize(blob)
    assert meta == INTEROP_METADATA
    for k, t in tensors.items():
        assert torch.equal(back[k], t), k
    return {
        "file": base64.b64encode(blob).decode(),
        "metadata": INTEROP_METADATA,
        "tensors": {
            k: {"dtype": dtype_name(t), "shape": list(t.shape), "values": [float(v) if t.is_floating_point() else (bool(v) if t.dtype == torch.bool else int(v)) for v in t.reshape(-1).tolist()]}
            for k, t in tensors.items()
        },
    }


def verify(path):
    with open(path, "rb") as f:
        got, meta = st_deserialize(f.read())
    want = interop_tensors()
    assert set(got) == set(want), f"names differ: {sorted(got)} vs {sorted(want)}"
    for k, t in want.items():
        assert got[k].dtype == t.dtype and got[k].shape == t.shape and torch.equal(got[k], t), f"tensor {k} differs"
    assert meta == INTEROP_METADATA, f"metadata differs: {meta}"
    print(f"{path}: {len(got)} tensors and the metadata match (read by the python reader)")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--verify-safetensors":
        verify(sys.argv[2])
        return
    os.makedirs(OUT, exist_ok=True)
    meta = {"torch": torch.__version__, "generator": "tests/torch/gen_optim_reference.py"}
    for family, cases in optim_cases().items():
        with open(os.path.join(OUT, f"optim-{family}.json"), "w") as f:
            json.dump({**meta, "cases": cases}, f, separators=(",", ":"))
            f.write("\n")
    with open(os.path.join(OUT, "safetensors-interop.json"), "w") as f:
        json.dump({**meta, **interop_reference()}, f, indent=1)
        f.write("\n")
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
