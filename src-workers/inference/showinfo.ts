/**
 * Reading ffmpeg's stderr at `-loglevel level+info`: the showinfo filter's frame lines (their pts in
 * the filter's time base give exact timestamps) and the errors and warnings worth reporting.
 */

/** Parsed lines of one ffmpeg run. */
export class FfmpegLog {
  /** Timestamps (s) of the frames showinfo saw, in order. */
  readonly times: number[] = [];
  /** Error and warning lines, as ffmpeg wrote them (without the level tag); the first few. */
  readonly problems: string[] = [];
  problemCount = 0;
  private timeBase: { num: number; den: number } | undefined;
  private partial = "";

  constructor(private readonly keepProblems = 20) {}

  /** Feed a chunk of stderr; returns how many frame timestamps it added. */
  push(chunk: string): number {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    let added = 0;
    for (const line of lines) added += this.line(line.replace(/\r$/, ""));
    return added;
  }

  /** The last unterminated line, at the end of the stream. */
  end(): number {
    const rest = this.partial;
    this.partial = "";
    return rest === "" ? 0 : this.line(rest);
  }

  private line(line: string): number {
    const m = /^(?:\[([^\]]+) @ [^\]]+\] )?\[(\w+)\] (.*)$/.exec(line);
    if (!m) return 0;
    const [, ctx = "", level, text = ""] = m;
    if (ctx.startsWith("Parsed_showinfo")) {
      const tb = /^config in time_base: (\d+)\/(\d+)/.exec(text);
      if (tb) {
        this.timeBase = { num: Number(tb[1]), den: Number(tb[2]) };
        return 0;
      }
      const f = /^n:\s*(\d+) pts:\s*(-?\d+|NOPTS) pts_time:(\S+)/.exec(text);
      if (!f) return 0;
      this.times.push(this.seconds(f[2]!, f[3]!));
      return 1;
    }
    if (level === "error" || level === "fatal" || level === "panic" || level === "warning") {
      this.problemCount++;
      if (this.problems.length < this.keepProblems) this.problems.push(ctx === "" ? text : `${ctx}: ${text}`);
    }
    return 0;
  }

  /** pts x time base, exactly (pts_time is printed with 6 significant digits only). */
  private seconds(pts: string, ptsTime: string): number {
    if (pts === "NOPTS" || this.timeBase === undefined || this.timeBase.den === 0) return Number(ptsTime);
    const t = (Number(pts) * this.timeBase.num) / this.timeBase.den;
    // Clean binary noise (0.1 * 3 = 0.30000000000000004) without losing real precision.
    return Number(t.toPrecision(12));
  }
}
