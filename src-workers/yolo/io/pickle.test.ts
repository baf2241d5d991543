import { describe, expect, it } from "vitest";
import { PyClass, PyFunction, PyObject, isTuple, unpickle } from "./pickle.js";

// Made with CPython 3.11 pickle.dumps(value, protocol=p); see the values in the first test.
const HEX = {
  p2: "80027d71002858010000006171015d7102284b014740040000000000004e8889654b014b028671035801000000787104580300000062696771058a0900000000000000004058030000006e656771064afbffffff58040000006e33303071074d2c0158060000006e373030303071084a7011010058070000006e65675f62696771098a060000000000ff580100000062710a635f636f646563730a656e636f64650a710b58040000000001c3bf710c58060000006c6174696e31710d86710e52710f5801000000737110635f5f6275696c74696e5f5f0a7365740a71115d7112284b014b0265857113527114580200000066737115635f5f6275696c74696e5f5f0a66726f7a656e7365740a71165d71174b0361857118527119580100000075711a5805000000c3bc6ec3af711b58020000006f64711c63636f6c6c656374696f6e730a4f726465726564446963740a711d2952711e58010000006b711f4b01735801000000747120295802000000743171214b01857122580200000074347123284b014b024b034b04747124580600000073686172656471255d71264b07616826867127752e",
  p3: "80037d71002858010000006171015d7102284b014740040000000000004e8889654b014b028671035801000000787104580300000062696771058a0900000000000000004058030000006e656771064afbffffff58040000006e33303071074d2c0158060000006e373030303071084a7011010058070000006e65675f62696771098a060000000000ff580100000062710a43030001ff710b580100000073710c636275696c74696e730a7365740a710d5d710e284b014b026585710f527110580200000066737111636275696c74696e730a66726f7a656e7365740a71125d71134b036185711452711558010000007571165805000000c3bc6ec3af711758020000006f64711863636f6c6c656374696f6e730a4f726465726564446963740a71192952711a58010000006b711b4b0173580100000074711c2958020000007431711d4b0185711e58020000007434711f284b014b024b034b04747120580600000073686172656471215d71224b07616822867123752e",
  p4: "800495f4000000000000007d94288c0161945d94284b014740040000000000004e8889654b014b0286948c0178948c03626967948a090000000000000000408c036e6567944afbffffff8c046e333030944d2c018c066e3730303030944a701101008c076e65675f626967948a060000000000ff8c01629443030001ff948c0173948f94284b014b02908c02667394284b0391948c0175948c05c3bc6ec3af948c026f64948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b944b01738c017494298c027431944b0185948c02743494284b014b024b034b0474948c06736861726564945d944b0761681e8694752e",
  p5: "800595f4000000000000007d94288c0161945d94284b014740040000000000004e8889654b014b0286948c0178948c03626967948a090000000000000000408c036e6567944afbffffff8c046e333030944d2c018c066e3730303030944a701101008c076e65675f626967948a060000000000ff8c01629443030001ff948c0173948f94284b014b02908c02667394284b0391948c0175948c05c3bc6ec3af948c026f64948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b944b01738c017494298c027431944b0185948c02743494284b014b024b034b0474948c06736861726564945d944b0761681e8694752e",
  obj: "80027d710058010000006d710163756c7472616c79746963732e66616b650a5468696e670a7102298171037d71042858010000007871054b0158050000006368696c6471066802298171077d7108580100000079710958010000007a710a73627562732e",
  os_system: "800263706f7369780a73797374656d0a71002e",
  evil: "800263706f7369780a73797374656d0a7100580a0000006563686f2070776e656471018571025271032e",
};
const bytes = (k: keyof typeof HEX) => Buffer.from(HEX[k], "hex");
const load = (k: keyof typeof HEX) => unpickle(bytes(k), { source: `${k}.pkl` });

describe("unpickle", () => {
  for (const p of ["p2", "p3", "p4", "p5"] as const) {
    it(`reads protocol ${p.slice(1)} values`, () => {
      const v = load(p) as Map<unknown, unknown>;
      expect(v).toBeInstanceOf(Map);
      expect(v.get("a")).toEqual([1, 2.5, null, true, false]);
      const tupleKey = [...v.keys()].find((k) => isTuple(k));
      expect(tupleKey).toEqual([1, 2]);
      expect(v.get(tupleKey)).toBe("x");
      expect(v.get("big")).toBe(2n ** 70n);
      expect(v.get("neg")).toBe(-5);
      expect(v.get("n300")).toBe(300);
      expect(v.get("n70000")).toBe(70000);
      expect(v.get("neg_big")).toBe(-(2 ** 40));
      expect(v.get("b")).toEqual(Uint8Array.from([0, 1, 255]));
      expect(v.get("s")).toEqual(new Set([1, 2]));
      expect(v.get("fs")).toEqual(new Set([3]));
      expect(v.get("u")).toBe("ünï");
      expect(v.get("od")).toEqual(new Map([["k", 1]]));
      expect(v.get("t")).toEqual([]);
      expect(isTuple(v.get("t1"))).toBe(true);
      expect(v.get("t4")).toEqual([1, 2, 3, 4]);
      // Memoised objects stay shared, as in Python.
      const shared = v.get("shared") as unknown[][];
      expect(shared[0]).toEqual([7]);
      expect(shared[0]).toBe(shared[1]);
    });
  }

  it("turns unknown classes into records (NEWOBJ + BUILD)", () => {
    const v = load("obj") as Map<string, PyObject>;
    const m = v.get("m")!;
    expect(m).toBeInstanceOf(PyObject);
    expect(m.__class__).toBe("ultralytics.fake.Thing");
    expect(m.args).toEqual([]);
    expect(m.attr("x")).toBe(1);
    const child = m.attr("child") as PyObject;
    expect(child.__class__).toBe("ultralytics.fake.Thing");
    expect(child.attr("y")).toBe("z");
  });

  it("refuses to call a function that is not allow-listed", () => {
    expect(() => load("evil")).toThrow(
      /^evil\.pkl: pickle byte \d+: refusing to call posix\.system: it is not on the allow-list/,
    );
    // Merely naming one is harmless: it comes back inert.
    const f = load("os_system");
    expect(f).toBeInstanceOf(PyFunction);
    expect((f as PyFunction).name).toBe("posix.system");
  });

  it("resolves extra globals and persistent ids through the caller", () => {
    // GLOBAL my.mod Thing; BINPERSID on ("k",); TUPLE2; STOP
    const data = Buffer.concat([
      Buffer.from([0x80, 0x02]),
      Buffer.from("cmy.mod\nThing\n", "latin1"),
      Buffer.from([0x8c, 1]),
      Buffer.from("k"),
      Buffer.from([0x85, 0x51, 0x86, 0x2e]),
    ]);
    const v = unpickle(data, {
      source: "x",
      globals: new Map([["my.mod.Thing", "THING"]]),
      persistentLoad: (pid) => `loaded ${String((pid as unknown[])[0])}`,
    });
    expect(v).toEqual(["THING", "loaded k"]);
    expect(unpickle(Buffer.from("cmy.mod\nThing\n.", "latin1"), { source: "x" })).toBeInstanceOf(PyClass);
    expect(() => unpickle(data, { source: "y.pkl" })).toThrow(
      /^y\.pkl: pickle byte 20: persistent id without a loader/,
    );
  });

  it("reports malformed pickles with the source and byte offset", () => {
    expect(() => unpickle(bytes("p2").subarray(0, 40), { source: "t.pkl" })).toThrow(
      /^t\.pkl: pickle byte \d+: truncated/,
    );
    expect(() => unpickle(Buffer.from([0x80, 0x02, 0xff]), { source: "t.pkl" })).toThrow(
      "t.pkl: pickle byte 2: unsupported opcode 0xff",
    );
    expect(() => unpickle(Buffer.from([0x80, 0x02, 0x2e]), { source: "t.pkl" })).toThrow("stack underflow");
    expect(() => unpickle(Buffer.from([0x80, 0x02, 0x68, 0x05]), { source: "t.pkl" })).toThrow(
      "memo 5 is not set",
    );
  });
});
