#!/usr/bin/python3
"""PyTorch side of bench/train.bench.mjs: training steps of the pure-torch YOLO11 of bench/yolo11_ref.py
(fused convs: no BatchNorm, no detection loss, no data loading) on a fixed random batch, SGD, to give a
same-machine, same-run lower bound on what a Python trainer spends per image on the model alone.

argv: scale nc batch imgsz threads. First line: "ready torch=<version> threads=<n>"; then on stdin:
    step -> one timed forward + backward + optimizer step, answers "ms <milliseconds>"
    quit
"""
import sys
import time

import torch

from yolo11_ref import YOLO11


def main():
    scale, nc, batch, imgsz, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = YOLO11(scale, nc).train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    x = torch.rand(batch, 3, imgsz, imgsz, generator=torch.Generator().manual_seed(0))
    print(f"ready torch={torch.__version__} threads={torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "step":
            t0 = time.perf_counter()
            model(x).mean().backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            print(f"ms {(time.perf_counter() - t0) * 1e3:.4f}", flush=True)
        elif cmd[0] == "quit":
            break
        else:
            print(f"error unknown command {cmd[0]}", flush=True)


if __name__ == "__main__":
    main()
