#!/usr/bin/python3
"""PyTorch side of bench/torch.bench.mjs: a long-lived process that answers one command per line on stdin.

    step  -> runs one training step of the YOLO-like stem, answers "ms <milliseconds>"
    ops N -> N small adds (two 4-element tensors), answers "us <microseconds per op>"
    quit  -> exits

First line written: "ready torch=<version> threads=<n>". Threads come from argv[1] (default all cores).
"""
import os
import sys
import time

try:
    import torch
except ImportError as e:  # reported by the benchmark with the apt command
    print(f"error no-torch {e}", flush=True)
    sys.exit(3)

threads = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count()
torch.set_num_threads(threads)
torch.manual_seed(0)


def block(cin, cout):
    return [torch.nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False), torch.nn.BatchNorm2d(cout), torch.nn.SiLU()]


model = torch.nn.Sequential(*block(3, 16), *block(16, 32), *block(32, 64)).train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
x = torch.randn(8, 3, 320, 320)


def step():
    t0 = time.perf_counter()
    loss = model(x).mean()
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
    return (time.perf_counter() - t0) * 1e3


def ops(n):
    a = torch.ones(4)
    b = torch.ones(4)
    t0 = time.perf_counter()
    for _ in range(n):
        a + b
    return (time.perf_counter() - t0) * 1e6 / n


print(f"ready torch={torch.__version__} threads={torch.get_num_threads()}", flush=True)
for line in sys.stdin:
    cmd = line.split()
    if not cmd:
        continue
    if cmd[0] == "step":
        print(f"ms {step():.4f}", flush=True)
    elif cmd[0] == "ops":
        print(f"us {ops(int(cmd[1])):.4f}", flush=True)
    elif cmd[0] == "quit":
        break
    else:
        print(f"error unknown command {cmd[0]}", flush=True)
