/**
 * The CSP blocks of YOLO11: C2f (split in two, a chain of blocks, concat every stage), C3k (C3 with
 * k x k bottlenecks) and C3k2 (C2f whose blocks are Bottlenecks, or C3k blocks for the m/l/x scales).
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Bottleneck } from "./bottleneck.js";
import { Conv } from "./conv.js";
import { Sequential, type Layer } from "./misc.js";
import { Module, ModuleList } from "./module.js";

/** C2f's layout, shared with C3k2: cv1 -> chunk(2) -> each of m on the last piece -> cv2(cat(all)). */
export class C2f extends Module {
  readonly c: number;
  readonly cv1: Conv;
  readonly cv2: Conv;
  readonly m: ModuleList<Layer>;

  constructor(
    c1: number,
    c2: number,
    n = 1,
    shortcut = false,
    g = 1,
    e = 0.5,
    blocks?: (c: number) => Layer,
  ) {
    super();
    this.c = Math.trunc(c2 * e);
    this.cv1 = this.child("cv1", new Conv(c1, 2 * this.c, { k: 1 }));
    this.cv2 = this.child("cv2", new Conv((2 + n) * this.c, c2, { k: 1 }));
    const make = blocks ?? ((c: number) => new Bottleneck(c, c, { shortcut, g, k: [3, 3], e: 1.0 }));
    this.m = this.child("m", new ModuleList<Layer>(Array.from({ length: n }, () => make(this.c))));
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() => {
      const y = this.cv1.forward(x).chunk(2, 1);
      for (const m of this.m.items) y.push(m.forward(y[y.length - 1]!));
      return this.cv2.forward(torch.cat(y, 1));
    });
  }
}

/** C3 with n Bottlenecks of kernel k (e = 1): cv3(cat(m(cv1(x)), cv2(x))). */
export class C3k extends Module {
  readonly cv1: Conv;
  readonly cv2: Conv;
  readonly cv3: Conv;
  readonly m: Sequential<Bottleneck>;

  constructor(c1: number, c2: number, n = 1, shortcut = true, g = 1, e = 0.5, k = 3) {
    super();
    const c = Math.trunc(c2 * e);
    this.cv1 = this.child("cv1", new Conv(c1, c, { k: 1 }));
    this.cv2 = this.child("cv2", new Conv(c1, c, { k: 1 }));
    this.cv3 = this.child("cv3", new Conv(2 * c, c2, { k: 1 }));
    const blocks = Array.from({ length: n }, () => new Bottleneck(c, c, { shortcut, g, k: [k, k], e: 1.0 }));
    this.m = this.child("m", new Sequential(blocks));
  }

  forward(x: Tensor): Tensor {
    return torch.tidy(() =>
      this.cv3.forward(torch.cat([this.m.forward(this.cv1.forward(x)), this.cv2.forward(x)], 1)),
    );
  }
}

/** C3k2(c1, c2, n, c3k, e, g, shortcut): C2f with C3k(c, c, 2) blocks when c3k, else Bottleneck(c, c). */
export class C3k2 extends C2f {
  constructor(c1: number, c2: number, n = 1, c3k = false, e = 0.5, g = 1, shortcut = true) {
    super(c1, c2, n, shortcut, g, e, (c) =>
      c3k ? new C3k(c, c, 2, shortcut, g) : new Bottleneck(c, c, { shortcut, g }),
    );
  }
}
