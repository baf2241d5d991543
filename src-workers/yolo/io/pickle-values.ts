/**
 * What the pickle reader makes of Python globals: records for classes we do not model, inert
 * markers for functions, and the allow-list of constructors that are safe to "call" (they only
 * build Maps, Sets, arrays and bytes from already-unpickled arguments).
 */
/** An instance of a class we do not model: its name, constructor arguments and BUILD state. */
export class PyObject {
  state: unknown = undefined;
  constructor(
    readonly __class__: string,
    readonly args: readonly unknown[],
  ) {}

  /** An attribute from a dict state (undefined when absent). */
  attr(name: string): unknown {
    return this.state instanceof Map ? (this.state as Map<unknown, unknown>).get(name) : undefined;
  }
}

/** A class we do not model: instantiating it makes a PyObject. */
export class PyClass {
  constructor(readonly name: string) {}
}

/** An allow-listed global: safe to call with already-unpickled arguments. */
export class PyCallable {
  constructor(
    readonly name: string,
    readonly call: (args: readonly unknown[]) => unknown,
  ) {}
}

/** A global that is not allow-listed and not a class: referencing it is fine, calling it is refused. */
export class PyFunction {
  constructor(readonly name: string) {}
}

export const isTuple = (v: unknown): v is readonly unknown[] => Array.isArray(v) && Object.isFrozen(v);
export const tuple = (items: unknown[]): readonly unknown[] => Object.freeze(items);

const iterable = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : v instanceof Set ? [...(v as Set<unknown>)] : v instanceof Map ? [...v.keys()] : [];

const BUILTIN: [string, (a: readonly unknown[]) => unknown][] = [
  [
    "collections.OrderedDict",
    (a) => new Map(a.length ? (iterable(a[0]).map((p) => iterable(p)) as [unknown, unknown][]) : []),
  ],
  ["builtins.set", (a) => new Set(a.length ? iterable(a[0]) : [])],
  ["builtins.frozenset", (a) => new Set(a.length ? iterable(a[0]) : [])],
  ["builtins.list", (a) => (a.length ? [...iterable(a[0])] : [])],
  ["builtins.tuple", (a) => tuple(a.length ? [...iterable(a[0])] : [])],
  ["builtins.dict", (a) => new Map(a.length && a[0] instanceof Map ? a[0] : [])],
  ["builtins.bytearray", (a) => (a[0] instanceof Uint8Array ? a[0] : new Uint8Array())],
  // How protocol 2 spells bytes under Python 3: _codecs.encode(str, "latin1").
  ["_codecs.encode", (a) => Uint8Array.from(String(a[0]), (c) => c.charCodeAt(0) & 0xff)],
  // Protocol < 2 object construction: copyreg._reconstructor(cls, base, state) makes an empty instance.
  [
    "copyreg._reconstructor",
    (a) => {
      if (!(a[0] instanceof PyClass)) throw new Error(`copyreg._reconstructor of ${describe(a[0])}`);
      return new PyObject(a[0].name, []);
    },
  ],
];
const DEFAULT_GLOBALS = new Map<string, unknown>(BUILTIN.map(([n, f]) => [n, new PyCallable(n, f)]));

export function describe(v: unknown): string {
  if (v instanceof PyClass || v instanceof PyCallable || v instanceof PyFunction) return v.name;
  if (v === null) return "None";
  return Array.isArray(v) ? "a list/tuple" : typeof v === "object" ? v.constructor.name : typeof v;
}

export function resolveGlobal(
  module: string,
  name: string,
  extra: ReadonlyMap<string, unknown> | undefined,
): unknown {
  const mod = module === "__builtin__" ? "builtins" : module;
  const full = `${mod}.${name}`;
  if (extra?.has(full)) return extra.get(full);
  if (DEFAULT_GLOBALS.has(full)) return DEFAULT_GLOBALS.get(full);
  // Python's naming convention: classes are CapWords. A class only ever becomes a record.
  return /^[A-Z]/.test(name) ? new PyClass(full) : new PyFunction(full);
}
