/**
 * Module: the base of every layer, as PyTorch's nn.Module. Parameters, buffers and children are
 * registered under the names PyTorch uses (a property of the same name holds each), so that
 * state-dict keys match Ultralytics' exactly ("model.23.cv2.0.0.conv.weight") and import is a
 * plain copy. Parameters and buffers live outside every tidy() scope until dispose().
 */
import * as torch from "../../torch/index.js";
import type { Tensor } from "../../torch/index.js";

export type StateDict = Map<string, Tensor>;

export class StateDictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StateDictError";
  }
}

export abstract class Module {
  training = true;
  private readonly paramNames: string[] = [];
  private readonly bufferNames: string[] = [];
  private readonly childNames: string[] = [];

  /** Register a trainable tensor (kept, requiresGrad) under `name`, also set as this[name]. */
  protected param(name: string, t: Tensor): Tensor {
    torch.keep(t.requiresGrad_(true));
    this.paramNames.push(name);
    this.set(name, t);
    return t;
  }

  /** Register a state tensor (running statistics, counters) that is saved but not trained. */
  protected buffer(name: string, t: Tensor): Tensor {
    torch.keep(t);
    this.bufferNames.push(name);
    this.set(name, t);
    return t;
  }

  protected child<M extends Module>(name: string, m: M): M {
    this.childNames.push(name);
    this.set(name, m);
    return m;
  }

  private set(name: string, v: unknown): void {
    (this as unknown as Record<string, unknown>)[name] = v;
  }

  private get<T>(name: string): T {
    return (this as unknown as Record<string, T>)[name]!;
  }

  children(): [string, Module][] {
    return this.childNames.map((n) => [n, this.get<Module>(n)]);
  }

  /** Every module below this one (itself first), with its dotted name, in registration order. */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this.children()) out.push(...m.namedModules(prefix === "" ? n : `${prefix}.${n}`));
    return out;
  }

  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules(prefix)) {
      for (const n of m.paramNames) out.push([p === "" ? n : `${p}.${n}`, m.get<Tensor>(n)]);
    }
    return out;
  }

  namedBuffers(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules(prefix)) {
      for (const n of m.bufferNames) out.push([p === "" ? n : `${p}.${n}`, m.get<Tensor>(n)]);
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  numParameters(): number {
    return this.parameters().reduce((s, t) => s + t.numel, 0);
  }

  /** Parameters and buffers by key, in PyTorch's state_dict order (each module's own, then its children). */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    const walk = (m: Module, prefix: string): void => {
      const key = (n: string) => (prefix === "" ? n : `${prefix}.${n}`);
      for (const n of m.paramNames) out.set(key(n), m.get<Tensor>(n));
      for (const n of m.bufferNames) out.set(key(n), m.get<Tensor>(n));
      for (const [n, c] of m.children()) walk(c, key(n));
    };
    walk(this, "");
    return out;
  }

  /**
   * Copy values into this module's tensors (converted to each tensor's dtype and device). Strict:
   * every key must match and every shape agree; the error lists what is missing or unexpected.
   */
  loadStateDict(sd: ReadonlyMap<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const own = this.stateDict();
    const strict = opts.strict ?? true;
    const missing = [...own.keys()].filter((k) => !sd.has(k));
    const unexpected = [...sd.keys()].filter((k) => !own.has(k));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      const list = (ks: string[]) =>
        ks.length > 8 ? `${ks.slice(0, 8).join(", ")} and ${ks.length - 8} more` : ks.join(", ");
      throw new StateDictError(
        `state dict does not fit the model: ${missing.length} missing (${list(missing)}), ${unexpected.length} unexpected (${list(unexpected)})`,
      );
    }
    torch.noGrad(() =>
      torch.tidy(() => {
        for (const [k, dst] of own) {
          const src = sd.get(k);
          if (!src) continue;
          if (src.shape.join(",") !== dst.shape.join(",")) {
            throw new StateDictError(
              `${k}: shape [${src.shape.join(", ")}] does not fit the model's [${dst.shape.join(", ")}]`,
            );
          }
          dst.copy_(
            src.dtype === dst.dtype && src.device === dst.device ? src : src.to(dst.dtype, dst.device),
          );
        }
      }),
    );
  }

  train(on = true): this {
    for (const [, m] of this.namedModules()) m.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Move every parameter and buffer to a device (and optionally dtype); parameters stay trainable leaves. */
  to(device: string, dtype?: torch.DType): this {
    for (const [, m] of this.namedModules()) {
      for (const n of m.paramNames) {
        const old = m.get<Tensor>(n);
        const moved = torch.tidy(() => old.to(dtype ?? null, device).detach());
        old.dispose();
        m.set(n, torch.keep(moved.requiresGrad_(true)));
      }
      for (const n of m.bufferNames) {
        const old = m.get<Tensor>(n);
        const isFloat = torch.isFloating(old.dtype);
        const moved = torch.tidy(() => old.to(isFloat ? (dtype ?? null) : null, device));
        old.dispose();
        m.set(n, torch.keep(moved));
      }
    }
    return this;
  }

  /** Free every parameter and buffer of this module and its children. */
  dispose(): void {
    for (const [, t] of this.namedParameters()) t.dispose();
    for (const [, t] of this.namedBuffers()) t.dispose();
  }
}

/** Children named "0", "1", ...: PyTorch's nn.Sequential / nn.ModuleList. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];

  constructor(items: readonly M[] = []) {
    super();
    for (const m of items) this.push(m);
  }

  push(m: M): void {
    this.child(String(this.items.length), m);
    this.items.push(m);
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    const m = this.items[i];
    if (!m) throw new RangeError(`ModuleList: no item ${i} of ${this.items.length}`);
    return m;
  }
}
