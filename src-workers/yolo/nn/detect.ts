/**
 * Ultralytics' Detect head: per level a box branch cv2 (4*regMax DFL logits) and a class branch cv3
 * (nc logits), concatenated into the raw level maps; decode() turns them into (B, 4+nc, N) xywh pixels
 * plus sigmoid scores as Detect's eval output.
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Conv, DWConv } from "./conv.js";
import { DFL } from "./dfl.js";
import { Conv2d } from "./layers.js";
import { Sequential, type Layer } from "./misc.js";
import { Module, ModuleList } from "./module.js";

export class Detect extends Module {
  readonly regMax = 16;
  readonly no: number;
  readonly cv2: ModuleList<Sequential>;
  readonly cv3: ModuleList<Sequential>;
  readonly dfl: DFL;
  /** Strides of the levels; set by the model builder. */
  stride: number[];
  private anchors: { key: string; points: Tensor; strides: Tensor } | null = null;

  /** legacy: the YOLOv8 class branch (plain 3x3 convs); YOLO11 uses DWConv + 1x1 pairs. */
  constructor(
    readonly nc: number,
    readonly ch: readonly number[],
    readonly legacy = false,
  ) {
    super();
    const c0 = ch[0] ?? 0;
    this.no = nc + this.regMax * 4;
    this.stride = ch.map(() => 0);
    const c2 = Math.max(16, Math.trunc(c0 / 4), this.regMax * 4);
    const c3 = Math.max(c0, Math.min(nc, 100));
    const box = (x: number) =>
      new Sequential<Layer>([
        new Conv(x, c2, { k: 3 }),
        new Conv(c2, c2, { k: 3 }),
        new Conv2d(c2, 4 * this.regMax, { kernel: 1 }),
      ]);
    const cls = (x: number): Sequential =>
      legacy
        ? new Sequential<Layer>([
            new Conv(x, c3, { k: 3 }),
            new Conv(c3, c3, { k: 3 }),
            new Conv2d(c3, nc, { kernel: 1 }),
          ])
        : new Sequential<Layer>([
            new Sequential([new DWConv(x, x, { k: 3 }), new Conv(x, c3, { k: 1 })]),
            new Sequential([new DWConv(c3, c3, { k: 3 }), new Conv(c3, c3, { k: 1 })]),
            new Conv2d(c3, nc, { kernel: 1 }),
          ]);
    this.cv2 = this.child("cv2", new ModuleList(ch.map(box)));
    this.cv3 = this.child("cv3", new ModuleList(ch.map(cls)));
    this.dfl = this.child("dfl", new DFL(this.regMax));
  }

  /** Ultralytics' bias_init: box logits 1.0; class logits log(5 / nc / (640 / s)^2) (~5 objects per 640 image). */
  biasInit(): void {
    torch.noGrad(() => {
      this.stride.forEach((s, i) => {
        const a = this.cv2.at(i).at(2) as Conv2d;
        const b = this.cv3.at(i).at(2) as Conv2d;
        a.bias!.fill_(1.0);
        b.bias!.fill_(Math.log(5 / this.nc / (640 / s) ** 2));
      });
    });
  }

  /** The raw level maps (B, 4*regMax+nc, H, W), in train and eval mode alike. */
  forward(xs: readonly Tensor[]): Tensor[] {
    return torch.tidy(() =>
      xs.map((x, i) => torch.cat([this.cv2.at(i).forward(x), this.cv3.at(i).forward(x)], 1)),
    );
  }

  /** (B, 4+nc, N): DFL distances from the anchor points to xywh in pixels, then sigmoid class scores. */
  decode(raw: readonly Tensor[]): Tensor {
    return torch.tidy(() => {
      const B = raw[0]?.shape[0] ?? 0;
      const x = torch.cat(
        raw.map((r) => r.reshape(B, this.no, -1)),
        2,
      );
      const { points, strides } = this.anchorsFor(raw);
      const dist = this.dfl.forward(x.narrow(1, 0, 4 * this.regMax));
      const [lt, rb] = dist.chunk(2, 1) as [Tensor, Tensor];
      const x1y1 = points.sub(lt);
      const x2y2 = points.add(rb);
      const box = torch.cat([x1y1.add(x2y2).div(2), x2y2.sub(x1y1)], 1).mul(strides);
      return torch.cat([box, x.narrow(1, 4 * this.regMax, this.nc).sigmoid()], 1);
    });
  }

  /** Anchor points (1, 2, N) at cell centres and strides (1, 1, N), cached per level shapes, dtype and device. */
  private anchorsFor(raw: readonly Tensor[]): { points: Tensor; strides: Tensor } {
    const r0 = raw[0]!;
    const key = `${raw.map((r) => `${r.shape[2]}x${r.shape[3]}`).join(",")}|${r0.dtype}|${r0.device}`;
    if (this.anchors?.key === key) return this.anchors;
    this.clearAnchorCache();
    const made = torch.tidy(() => {
      const opts = { dtype: r0.dtype, device: r0.device };
      const pts: Tensor[] = [];
      const sts: Tensor[] = [];
      raw.forEach((r, i) => {
        const [h, w] = [r.shape[2] ?? 0, r.shape[3] ?? 0];
        const sx = torch.arange(0, w, 1, opts).add(0.5);
        const sy = torch.arange(0, h, 1, opts).add(0.5);
        const [gy, gx] = torch.meshgrid([sy, sx], "ij") as [Tensor, Tensor];
        pts.push(torch.stack([gx.reshape(-1), gy.reshape(-1)], 0));
        sts.push(torch.full([1, h * w], this.stride[i] ?? 0, opts));
      });
      return { points: torch.cat(pts, 1).unsqueeze(0), strides: torch.cat(sts, 1).unsqueeze(0) };
    });
    this.anchors = { key, points: torch.keep(made.points), strides: torch.keep(made.strides) };
    return this.anchors;
  }

  /** Free the cached anchors (they are rebuilt on the next decode). */
  clearAnchorCache(): void {
    if (this.anchors) torch.dispose([this.anchors.points, this.anchors.strides]);
    this.anchors = null;
  }

  override dispose(): void {
    this.clearAnchorCache();
    super.dispose();
  }
}
