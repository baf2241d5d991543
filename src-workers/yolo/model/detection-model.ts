/**
 * DetectionModel: a YOLO11 detector built from the spec table, with Ultralytics' module tree ("model.0"
 * ... "model.23") so state dicts load by key. forward() gives the raw level maps in both modes (what the
 * loss reads); decode()/infer() give Detect's eval output (B, 4+nc, N).
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";
import { Conv } from "../nn/conv.js";
import type { Detect } from "../nn/detect.js";
import { Module, ModuleList } from "../nn/module.js";
import { SPPF } from "../nn/sppf.js";
import { buildModel, type BuiltLayer } from "./builder.js";
import { fuseModel } from "./fuse.js";
import { YOLO11, type ModelSpec, type Scale } from "./spec.js";

export interface DetectionModelOptions {
  readonly scale: Scale;
  readonly nc?: number;
  /** Class names by index; default "0", "1", ... as Ultralytics. */
  readonly names?: readonly string[] | Readonly<Record<number, string>>;
  readonly spec?: ModelSpec;
}

export class DetectionModel extends Module {
  readonly model: ModuleList;
  readonly scale: Scale;
  readonly nc: number;
  readonly names: readonly string[];
  readonly regMax = 16;
  readonly stride: number[];
  readonly detect: Detect;
  readonly layers: readonly BuiltLayer[];
  private readonly save: ReadonlySet<number>;

  constructor(readonly options: DetectionModelOptions) {
    super();
    this.scale = options.scale;
    this.nc = options.nc ?? 80;
    if (!Number.isInteger(this.nc) || this.nc < 1)
      throw new RangeError(`DetectionModel: nc must be a positive integer, got ${this.nc}`);
    const names = options.names;
    this.names = Array.from({ length: this.nc }, (_, i) =>
      names === undefined ? String(i) : ((names as Readonly<Record<number, string>>)[i] ?? String(i)),
    );
    const built = buildModel(options.spec ?? YOLO11, this.scale, this.nc);
    this.layers = built.layers;
    this.save = built.save;
    this.detect = built.detect;
    this.model = this.child("model", new ModuleList(built.layers.map((l) => l.module)));
    this.stride = [...this.detect.stride];
    this.detect.biasInit();
  }

  /** The raw level maps (B, 4*16+nc, H, W) for strides 8, 16, 32, in train and eval mode. */
  forward(x: Tensor): Tensor[] {
    return torch.tidy(() => {
      const outs = new Map<number, Tensor | Tensor[]>();
      let prev: Tensor | Tensor[] = x;
      let prevIndex = -1;
      for (const layer of this.layers) {
        const inputs = layer.from.map((j) => (j === layer.index - 1 ? prev : outs.get(j)) as Tensor);
        const out = torch.tidy(() => layer.run(inputs));
        // Free a layer's output once the next layer has read it (unless a later layer reads it too), as
        // Python's refcounting does: the allocator then reuses warm buffers instead of faulting in new ones.
        if (prevIndex >= 0 && !this.save.has(prevIndex)) torch.dispose(prev);
        prev = out;
        prevIndex = layer.index;
        if (this.save.has(layer.index)) outs.set(layer.index, prev);
      }
      return prev as Tensor[];
    });
  }

  /** Detect's eval output (B, 4+nc, N): xywh in input pixels, then sigmoid class scores. */
  decode(raw: readonly Tensor[]): Tensor {
    return this.detect.decode(raw);
  }

  /** decode(forward(x)); callers use eval() and noGrad. */
  infer(x: Tensor): Tensor {
    return torch.tidy(() => this.decode(this.forward(x)));
  }

  /** Fold every Conv's BatchNorm into its conv (Ultralytics' fuse()); for inference only. */
  fuse(): this {
    fuseModel(this);
    return this;
  }

  /**
   * Modules as PyTorch's model.modules() counts them (Ultralytics' "layers"): ours plus the shared SiLU,
   * each Identity (act=False) and each MaxPool2d, which are plain functions here.
   */
  get layerCount(): number {
    const mods = this.namedModules().map(([, m]) => m);
    const convs = mods.filter((m): m is Conv => m instanceof Conv);
    const identities = convs.filter((c) => !c.act).length;
    const silu = convs.some((c) => c.act) ? 1 : 0;
    return mods.length + identities + silu + mods.filter((m) => m instanceof SPPF).length;
  }

  /** Module.to re-enables grad on every parameter; DFL's projection stays frozen. */
  override to(device: string, dtype?: torch.DType): this {
    super.to(device, dtype);
    this.detect.dfl.freeze();
    return this;
  }

  override dispose(): void {
    this.detect.clearAnchorCache();
    super.dispose();
  }
}
