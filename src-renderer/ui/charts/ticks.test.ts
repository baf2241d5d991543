import { describe, expect, it } from "vitest";
import { formatDecade, formatTick, formatValue, logScale, niceScale, niceStep } from "./ticks.js";

describe("niceStep", () => {
  it("picks 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(1, 4)).toBe(0.2);
    expect(niceStep(0.07, 5)).toBeCloseTo(0.01);
    expect(niceStep(3400, 5)).toBe(500);
  });
});

describe("niceScale", () => {
  it("widens the domain to whole steps and lists ticks without float creep", () => {
    const s = niceScale(0.013, 0.94, 5);
    expect(s.min).toBe(0);
    expect(s.max).toBe(1);
    expect(s.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it("covers the data", () => {
    const s = niceScale(1.37, 2.91, 4);
    expect(s.min).toBeLessThanOrEqual(1.37);
    expect(s.max).toBeGreaterThanOrEqual(2.91);
    expect(s.ticks[0]).toBe(s.min);
    expect(s.ticks.at(-1)).toBe(s.max);
  });
  it("gives a flat series a span around its value", () => {
    const s = niceScale(5, 5, 4);
    expect(s.min).toBeLessThan(5);
    expect(s.max).toBeGreaterThan(5);
    const z = niceScale(0, 0, 4);
    expect(z.max - z.min).toBeGreaterThan(0);
  });
  it("handles a reversed range and non-finite ends", () => {
    expect(niceScale(10, 0).min).toBe(0);
    expect(niceScale(Number.NaN, Number.NaN).ticks.length).toBeGreaterThan(1);
  });
});

describe("formats", () => {
  it("labels ticks with the step's decimals", () => {
    expect(formatTick(0.4, 0.2)).toBe("0.4");
    expect(formatTick(0.05, 0.01)).toBe("0.05");
    expect(formatTick(1500, 500)).toBe("1500");
    expect(formatTick(0, 0.1)).toBe("0");
  });
  it("shows readout values to four significant digits", () => {
    expect(formatValue(1.234567)).toBe("1.235");
    expect(formatValue(0.000012345)).toBe("1.234e-5");
    expect(formatValue(12)).toBe("12");
  });
});

describe("logScale", () => {
  it("spans whole decades around the exponents", () => {
    expect(logScale(-4.3, -0.5)).toEqual({ min: -5, max: 0, step: 1, ticks: [-5, -4, -3, -2, -1, 0] });
    expect(logScale(-1, -1).max).toBe(0);
    expect(logScale(-12, 0).ticks).toEqual([-12, -10, -8, -6, -4, -2, 0]);
  });
});

describe("formatDecade", () => {
  it("writes small decades plainly and far ones as exponents", () => {
    expect([-4, -1, 0, 2, 5, 6, -6].map(formatDecade)).toEqual([
      "0.0001",
      "0.1",
      "1",
      "100",
      "100000",
      "1e6",
      "1e-6",
    ]);
  });
});
