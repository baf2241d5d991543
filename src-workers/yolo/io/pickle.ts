/**
 * A pickle reader (protocols 2-5, the opcodes torch.save emits) that never executes anything.
 * GLOBAL resolves only to an allow-list of known constructors (PyCallable); any other class becomes a
 * plain PyObject record whose BUILD sets its state; calling an unknown function is refused.
 *
 * Python values come out as: None null, bool boolean, int number (bigint beyond 2^53), float number,
 * str string, bytes Uint8Array, list array, tuple frozen array (isTuple), dict and OrderedDict Map,
 * set and frozenset Set.
 */
import { DataError } from "../../core/errors.js";
import {
  PyCallable,
  PyClass,
  PyFunction,
  PyObject,
  describe,
  isTuple,
  resolveGlobal,
  tuple,
} from "./pickle-values.js";

export { PyCallable, PyClass, PyFunction, PyObject, isTuple };

export interface UnpickleOptions {
  /** Names the data in errors (a file, or "file:entry"). */
  readonly source: string;
  /** Extra allow-listed globals by "module.name" (PyCallable, or any value GLOBAL should push). */
  readonly globals?: ReadonlyMap<string, unknown>;
  /** Resolves BINPERSID ids (torch storages); without it persistent ids are refused. */
  readonly persistentLoad?: (pid: unknown) => unknown;
}

/** Unpickle bytes. Throws DataError naming `source` and the byte offset on anything unexpected. */
export function unpickle(data: Uint8Array, opts: UnpickleOptions): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  let pos = 0;
  let opPos = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const fail: (msg: string) => never = (msg) => {
    throw new DataError(`pickle byte ${opPos}: ${msg}`, opts.source);
  };
  const need = (n: number): number => {
    if (pos + n > data.length) fail(`truncated (needs ${n} more bytes, ${data.length - pos} left)`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => view.getUint8(need(1));
  const u16 = () => view.getUint16(need(2), true);
  const u32 = () => view.getUint32(need(4), true);
  const u64 = () => {
    const v = view.getBigUint64(need(8), true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? fail(`length ${v} too large`) : Number(v);
  };
  const bytes = (n: number) => data.subarray(need(n), pos);
  const text = (n: number) => {
    try {
      return utf8.decode(bytes(n));
    } catch {
      return fail("invalid UTF-8 in a string");
    }
  };
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail("truncated (unterminated line)");
    return new TextDecoder("latin1").decode(bytes(end - pos + 1)).slice(0, -1);
  };
  // Never `stack.push(...popMark())`: the push would target the array popMark just swapped out.
  const push = (v: unknown): void => {
    stack.push(v);
  };
  const pop = (): unknown => (stack.length ? stack.pop() : fail("stack underflow"));
  const top = (): unknown => (stack.length ? stack[stack.length - 1] : fail("stack underflow"));
  const popMark = (): unknown[] => {
    const items = stack;
    stack = metastack.pop() ?? fail("no MARK on the stack");
    return items;
  };
  const int = (b: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b.length && b[b.length - 1]! & 0x80) v -= 1n << BigInt(b.length * 8);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const setItems = (target: unknown, kv: unknown[]) => {
    if (!(target instanceof Map)) return fail(`SETITEM(S) on ${describe(target)}`);
    for (let i = 0; i + 1 < kv.length; i += 2) target.set(kv[i], kv[i + 1]);
  };
  const call = (callee: unknown, args: unknown): unknown => {
    if (!isTuple(args)) return fail(`arguments of ${describe(callee)} are not a tuple`);
    if (callee instanceof PyClass) return new PyObject(callee.name, args);
    if (callee instanceof PyCallable) {
      try {
        return callee.call(args);
      } catch (err) {
        return fail(`${callee.name}: ${(err as Error).message}`);
      }
    }
    if (callee instanceof PyFunction)
      return fail(`refusing to call ${callee.name}: it is not on the allow-list of safe globals`);
    return fail(`cannot call ${describe(callee)}`);
  };

  for (;;) {
    opPos = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("pickle protocol above 5");
        break;
      case 0x95: // FRAME: only a read-ahead hint
        u64();
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        stack.push(op === 0x88);
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(int(bytes(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(int(bytes(u32())));
        break;
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x55: // SHORT_BINSTRING (Python 2 str)
      case 0x54: // BINSTRING
        stack.push(new TextDecoder("latin1").decode(bytes(op === 0x55 ? u8() : u32())));
        break;
      case 0x43: // SHORT_BINBYTES
      case 0x42: // BINBYTES
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(new Uint8Array(bytes(op === 0x43 ? u8() : op === 0x42 ? u32() : u64())));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x74: // TUPLE
        push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        if (stack.length < n) fail("stack underflow");
        stack.push(tuple(stack.splice(stack.length - n, n)));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x61: // APPEND
      case 0x65: {
        // APPENDS
        const items = op === 0x61 ? [pop()] : popMark();
        const list = top();
        if (!Array.isArray(list) || isTuple(list)) fail(`APPEND to ${describe(list)}`);
        (list as unknown[]).push(...items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const m = new Map();
        setItems(m, popMark());
        stack.push(m);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`ADDITEMS to ${describe(s)}`);
        for (const x of items) (s as Set<unknown>).add(x);
        break;
      }
      case 0x91: // FROZENSET
        push(new Set(popMark()));
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(resolveGlobal(module, line(), opts.globals));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof name !== "string" || typeof module !== "string") fail("STACK_GLOBAL needs two strings");
        stack.push(resolveGlobal(String(module), String(name), opts.globals));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args)
        const args = pop();
        const cls = pop();
        if (!(cls instanceof PyClass) && !(cls instanceof PyCallable)) fail(`NEWOBJ of ${describe(cls)}`);
        stack.push(call(cls, args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX (keyword arguments dropped: records keep positional ones)
        pop();
        const args = pop();
        const cls = pop();
        if (!(cls instanceof PyClass)) fail(`NEWOBJ_EX of ${describe(cls)}`);
        stack.push(call(cls, args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject) {
          // (dict state, slots state) from objects with __slots__: merge both into one Map.
          if (isTuple(state) && state.length === 2) {
            const m = new Map<unknown, unknown>();
            for (const s of state) if (s instanceof Map) for (const [k, v] of s) m.set(k, v);
            obj.state = m;
          } else obj.state = state;
        } else if (obj instanceof Map && state instanceof Map) {
          for (const [k, v] of state) obj.set(k, v);
        } else if (!(state === null || (state instanceof Map && state.size === 0))) {
          fail(`BUILD on ${describe(obj)}`);
        }
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail(`memo ${i} is not set`);
        stack.push(memo.get(i));
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail("persistent id without a loader");
        try {
          stack.push(opts.persistentLoad(pid));
        } catch (err) {
          if (err instanceof DataError) throw err;
          fail(`persistent id: ${(err as Error).message}`);
        }
        break;
      }
      default:
        fail(`unsupported opcode 0x${op.toString(16).padStart(2, "0")}`);
    }
  }
}
