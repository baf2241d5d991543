/**
 * Optimizer base: parameter groups with their own hyperparameters (PyTorch's param_groups, changeable
 * between steps), per-parameter state created lazily and kept out of every tidy() scope, zeroGrad,
 * stateDict/loadStateDict (bit-identical resume) and dispose(). The update itself is one native call
 * per group (sgdStep/adamStep in native/torch/src/ops_optim.cc).
 */
import { zerosLike } from "../creation.js";
import { nativeTorch, type NativeTensor } from "../native.js";
import { keep } from "../scope.js";
import type { Tensor } from "../tensor.js";

/** What every group has; optimizers add their hyperparameters. */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
}

/** A group's hyperparameters (everything but params). */
export type Hyper<G extends ParamGroup> = Omit<G, "params">;

/** A group as given to a constructor or addParamGroup: missing hyperparameters come from the defaults. */
export type ParamGroupInput<G extends ParamGroup> = Partial<Hyper<G>> & {
  readonly params: readonly Tensor[];
};

/** The state of one parameter: the number of steps it took and its named state tensors. */
export interface ParamState {
  step: number;
  tensors: Record<string, Tensor>;
}

/**
 * A snapshot of an optimizer. Parameters are numbered across groups in order (as PyTorch does);
 * groups hold the hyperparameters and the indices of their parameters; state is keyed by index and
 * present only for parameters that have taken a step. The tensors are copies owned by the caller.
 */
export interface OptimizerStateDict<H extends object = Record<string, unknown>> {
  groups: (H & { params: number[] })[];
  state: Record<number, ParamState>;
}

/** True when the parameter has a gradient (without leaving a handle behind). */
export function hasGrad(p: Tensor): boolean {
  const g = nativeTorch().grad(p.native);
  if (!g) return false;
  nativeTorch().dispose(g);
  return true;
}

export abstract class Optimizer<G extends ParamGroup> {
  readonly paramGroups: G[] = [];
  protected readonly state = new Map<Tensor, ParamState>();
  /** Names of the state tensors this optimizer may hold (checked by loadStateDict). */
  protected abstract readonly stateNames: readonly string[];

  protected constructor(
    params: readonly Tensor[] | readonly ParamGroupInput<G>[],
    readonly defaults: Readonly<Hyper<G>>,
  ) {
    if (params.length === 0) throw new Error(`${this.constructor.name}: got an empty parameter list`);
    const groups = isGroupList(params) ? params : [{ params } as ParamGroupInput<G>];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Check a group's hyperparameters (throws with a clear message). */
  protected abstract validate(group: Hyper<G>): void;

  /** One optimisation step over every parameter that has a gradient. */
  abstract step(): void;

  /** Add a group; hyperparameters it lacks come from the defaults. A parameter may be in one group only. */
  addParamGroup(input: ParamGroupInput<G>): void {
    const name = this.constructor.name;
    const params = [...input.params];
    if (params.length === 0) throw new Error(`${name}: a parameter group needs at least one parameter`);
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    for (const p of params) {
      if (seen.has(p))
        throw new Error(`${name}: a parameter appears in more than one group (or twice in one)`);
      if (p.isDisposed) throw new Error(`${name}: a parameter is disposed`);
      seen.add(p);
    }
    const group = { ...this.defaults, ...stripUndefined(input), params } as unknown as G;
    this.validate(group);
    this.paramGroups.push(group);
  }

  /** Every parameter, in group order. */
  params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Clear the gradients: drop them (setToNone, the default, as PyTorch 2) or fill them with zeros. */
  zeroGrad(setToNone = true): void {
    const T = nativeTorch();
    for (const g of this.paramGroups) T.zeroGrad(natives(g.params), setToNone);
  }

  /** The state of a parameter, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = { step: 0, tensors: {} };
      this.state.set(p, s);
    }
    return s;
  }

  /** A kept zero tensor like p for state (lives until dispose()). */
  protected zerosLikeKept(p: Tensor): Tensor {
    return keep(zerosLike(p));
  }

  /** A copy of the hyperparameters and state; see OptimizerStateDict. */
  stateDict(): OptimizerStateDict<Hyper<G>> {
    const index = new Map<Tensor, number>();
    const groups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return { ...(hyper as unknown as Hyper<G>), params: params.map((p) => indexOf(index, p)) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const tensors: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(s.tensors)) tensors[k] = t.clone();
      state[i] = { step: s.step, tensors };
    }
    return { groups, state };
  }

  /**
   * Restore hyperparameters and state from a stateDict of an optimizer of the same kind over
   * parameters of the same shapes, grouped alike. The tensors are copied (cast to each parameter's
   * dtype and device); the caller keeps ownership of sd.
   */
  loadStateDict(sd: OptimizerStateDict<Hyper<G>>): void {
    const name = this.constructor.name;
    if (sd.groups.length !== this.paramGroups.length) {
      throw new Error(
        `${name}.loadStateDict: the state has ${sd.groups.length} parameter groups, the optimizer ${this.paramGroups.length}`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    sd.groups.forEach((sg, gi) => {
      const own = this.paramGroups[gi]!;
      if (sg.params.length !== own.params.length) {
        throw new Error(
          `${name}.loadStateDict: group ${gi} has ${sg.params.length} parameters in the state, ${own.params.length} here`,
        );
      }
      sg.params.forEach((idx, j) => byIndex.set(idx, own.params[j]!));
    });
    // Check everything before changing anything.
    const incoming = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new Error(`${name}.loadStateDict: state for parameter ${key}, which no group lists`);
      if (!Number.isInteger(s.step) || s.step < 0)
        throw new Error(`${name}.loadStateDict: parameter ${key} has step ${s.step}`);
      for (const [k, t] of Object.entries(s.tensors)) {
        if (!this.stateNames.includes(k)) {
          throw new Error(
            `${name}.loadStateDict: unknown state '${k}' for parameter ${key} (expected ${this.stateNames.join(", ")})`,
          );
        }
        if (t.shape.join(",") !== p.shape.join(",")) {
          throw new Error(
            `${name}.loadStateDict: state '${k}' of parameter ${key} has shape [${t.shape.join(", ")}], the parameter [${p.shape.join(", ")}]`,
          );
        }
      }
      incoming.set(p, s);
    }
    this.disposeState();
    for (const [p, s] of incoming) {
      const tensors: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(s.tensors)) {
        const cast = t.to(p.dtype, p.device);
        tensors[k] = keep(cast.clone());
        cast.dispose();
      }
      this.state.set(p, { step: s.step, tensors });
    }
    sd.groups.forEach((sg, gi) => {
      const own = this.paramGroups[gi]!;
      const { params: _params, ...hyper } = sg;
      const merged = { ...own, ...stripUndefined(hyper), params: own.params } as G;
      this.validate(merged);
      this.paramGroups[gi] = merged;
    });
  }

  /** Free the state tensors (the parameters are not the optimizer's and stay). */
  dispose(): void {
    this.disposeState();
  }

  private disposeState(): void {
    for (const s of this.state.values()) for (const t of Object.values(s.tensors)) t.dispose();
    this.state.clear();
  }
}

/**
 * A stateDict as flat named tensors plus string metadata, for safetensors: tensors are named
 * `state.<index>.<name>`; groups and steps go, JSON-encoded, under the metadata key "optimizer".
 */
export function packStateDict(sd: OptimizerStateDict<object>): {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
} {
  const tensors: Record<string, Tensor> = {};
  const steps: Record<string, number> = {};
  for (const [i, s] of Object.entries(sd.state)) {
    steps[i] = s.step;
    for (const [k, t] of Object.entries(s.tensors)) tensors[`state.${i}.${k}`] = t;
  }
  return { tensors, metadata: { optimizer: JSON.stringify({ groups: sd.groups, steps }) } };
}

/** The inverse of packStateDict (the tensors are used as they are, not copied). */
export function unpackStateDict<H extends object>(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string>,
): OptimizerStateDict<H> {
  const raw = metadata.optimizer;
  if (raw === undefined) throw new Error("unpackStateDict: no 'optimizer' metadata");
  const parsed = JSON.parse(raw) as { groups: (H & { params: number[] })[]; steps: Record<string, number> };
  const state: Record<number, ParamState> = {};
  for (const [i, step] of Object.entries(parsed.steps)) state[Number(i)] = { step, tensors: {} };
  for (const [name, t] of Object.entries(tensors)) {
    const m = /^state\.(\d+)\.(.+)$/.exec(name);
    if (!m) continue;
    const s = state[Number(m[1])];
    if (!s) throw new Error(`unpackStateDict: tensor ${name} for a parameter without a step`);
    s.tensors[m[2]!] = t;
  }
  return { groups: parsed.groups, state };
}

function natives(ts: readonly Tensor[]): NativeTensor[] {
  return ts.map((t) => t.native);
}

function indexOf(index: Map<Tensor, number>, p: Tensor): number {
  const i = index.size;
  index.set(p, i);
  return i;
}

function isGroupList<G extends ParamGroup>(
  v: readonly Tensor[] | readonly ParamGroupInput<G>[],
): v is readonly ParamGroupInput<G>[] {
  const first = v[0] as object | undefined;
  return first !== undefined && "params" in first && Array.isArray(first.params);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([k, v]) => v !== undefined && k !== "params"),
  ) as Partial<T>;
}

/** Throw unless v is a finite number >= 0. */
export function checkNonNegative(optimizer: string, key: string, v: unknown): void {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
    throw new RangeError(`${optimizer}: invalid ${key} ${String(v)} (a finite number >= 0)`);
}
