import { describe, expect, it } from "vitest";
import { escapeXml, fitText, legendRows, tagSvg, textColourOn, textWidth } from "./svg.js";

describe("svg helpers", () => {
  it("escapes markup and drops characters XML cannot hold", () => {
    expect(escapeXml(`a<b>&"c'`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
    expect(escapeXml("x\u0001y\u001fz")).toBe("xyz");
    expect(escapeXml("tab\tand\nnewline")).toBe("tab\tand\nnewline");
    expect(escapeXml("lone \ud800 surrogate")).toBe("lone \ufffd surrogate");
    expect(escapeXml("Кропивницький 😀")).toBe("Кропивницький 😀");
  });

  it("fits text by cutting the middle, keeping the extension", () => {
    const long = "a_very_long_file_name_from_the_drone_0001.jpg";
    const fitted = fitText(long, 10, 120);
    expect(textWidth(fitted, 10)).toBeLessThanOrEqual(120);
    expect(fitted).toContain("…");
    expect(fitted.endsWith(".jpg")).toBe(true);
    expect(fitText("short.jpg", 10, 120)).toBe("short.jpg");
  });

  it("picks black text on light colours and white on dark", () => {
    expect(textColourOn("#ffe119")).toBe("#000000");
    expect(textColourOn("#fffac8")).toBe("#000000");
    expect(textColourOn("#800000")).toBe("#ffffff");
    expect(textColourOn("#4363d8")).toBe("#ffffff");
  });

  it("keeps a tag inside its bounds and escapes its text", () => {
    const svg = tagSvg(190, -5, "A&B", "#000000", 10, { left: 0, top: 0, right: 200, bottom: 100 });
    const x = Number(/<rect x="([\d.]+)"/.exec(svg)?.[1]);
    const w = Number(/width="([\d.]+)"/.exec(svg)?.[1]);
    expect(x + w).toBeLessThanOrEqual(200);
    expect(svg).toContain('y="0"');
    expect(svg).toContain("A&amp;B");
  });

  it("wraps the legend into rows", () => {
    const e = { label: "ArmorVehicle (Night)", colour: "#e6194b", count: 3 };
    expect(legendRows([], 400, 12)).toBe(0);
    expect(legendRows([e], 400, 12)).toBe(1);
    expect(legendRows([e, e, e, e], 400, 12)).toBe(2); // about 195 px an entry
    expect(legendRows([e, e, e, e], 2000, 12)).toBe(1);
  });
});
