/**
 * Memory scopes. Every tensor made inside `tidy(fn)` is freed when fn returns, except what fn
 * returns (which moves to the enclosing scope) and what was `keep()`-ed. Explicit scopes are the rule:
 * on Node 20 finalizers do not run during a synchronous loop, so garbage-collected tensors pile up.
 * Tensors that escape every scope are reported to V8 (external memory) so the GC feels their weight.
 */
import { nativeTorch, type NativeTensor } from "./native.js";

/** What a scope needs of a tensor; implemented by Tensor (kept separate to avoid an import cycle). */
export interface Scoped {
  readonly native: NativeTensor;
  kept: boolean;
  dispose(): void;
}

const stack: Set<Scoped>[] = [];

/**
 * The safety net for tensors that escaped every scope and were never disposed: freed when their JS
 * object is collected. It runs only when the event loop turns, so it is not the way to manage memory.
 */
const collector = new FinalizationRegistry<NativeTensor>((handle) => nativeTorch().dispose(handle));

/** A tensor that lives outside every scope: reported to V8 as external memory, guarded by the collector. */
function guard(t: Scoped): void {
  t.kept = true;
  nativeTorch().track(t.native);
  collector.register(t, t.native, t);
}

/** Called when a guarded tensor is disposed by hand. */
export function unguard(t: Scoped): void {
  collector.unregister(t);
}

/** Called by every new Tensor. */
export function register(t: Scoped): void {
  const top = stack[stack.length - 1];
  if (top) top.add(t);
  else guard(t);
}

/** Tensors (possibly nested in arrays and plain objects) that a scope's result holds. */
export type TensorContainer =
  | Scoped
  | readonly TensorContainer[]
  | { readonly [k: string]: TensorContainer }
  | number
  | string
  | boolean
  | null
  | undefined
  | void;

function collect(value: unknown, into: Set<Scoped>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if (isScoped(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, into, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value as Record<string, unknown>)) collect(v, into, depth + 1);
  }
}

function isScoped(v: object): v is Scoped {
  return "native" in v && "kept" in v && typeof (v as Scoped).dispose === "function";
}

/**
 * Run fn in a new scope. Returned tensors survive (into the enclosing scope); all others made inside
 * are disposed. fn must be synchronous: a scope cannot span an await.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Scoped>();
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    stack.pop();
    for (const t of scope) if (!t.kept) t.dispose();
    throw err;
  }
  stack.pop();
  if (result instanceof Promise) {
    for (const t of scope) if (!t.kept) t.dispose();
    throw new Error("tidy(fn): fn returned a Promise; scopes cannot span an await");
  }
  const survivors = new Set<Scoped>();
  collect(result, survivors);
  const parent = stack[stack.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) {
      if (parent) parent.add(t);
      else guard(t);
    } else if (!t.kept) {
      t.dispose();
    }
  }
  return result;
}

/** Exempt a tensor from every scope: it lives until dispose() (or, as a last resort, the GC). */
export function keep<T extends Scoped>(t: T): T {
  if (!t.kept) {
    for (const s of stack) s.delete(t);
    guard(t);
  }
  return t;
}

/** Dispose every tensor in a container (arrays and plain objects are walked). */
export function dispose(value: unknown): void {
  const all = new Set<Scoped>();
  collect(value, all);
  for (const t of all) t.dispose();
}

/** Number of open scopes (for tests and diagnostics). */
export function scopeDepth(): number {
  return stack.length;
}
