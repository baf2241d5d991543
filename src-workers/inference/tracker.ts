/**
 * Multi-object tracking across sampled frames, ByteTrack-style: detections split into high and low
 * confidence; high ones are matched first to confirmed and lost tracks, low ones then rescue
 * confirmed tracks the first stage left (an object that dims for a frame keeps its id); a new
 * track is tentative until matched again (so one-frame false positives get no id), and a lost
 * track is dropped after `buffer` sampled frames without a match. Matching is optimal (minimum cost,
 * assignment.ts) on IoU, against boxes moved on by each track's smoothed velocity, since with
 * a frame stride objects move a fair way between samples. Matching ignores the class by default (as
 * Ultralytics' trackers do): a detector that wavers between two classes for one object keeps one id.
 */
import { solveSparse } from "./assignment.js";

export type Xyxy = readonly [number, number, number, number];

export interface TrackerInput {
  readonly xyxy: Xyxy;
  readonly conf: number;
  readonly cls: number;
}

export interface TrackerOptions {
  /** Detections at or above this score take part in the first stage and may start tracks. */
  readonly high: number;
  /** Detections from this score up (below `high`) can only continue confirmed tracks. */
  readonly low: number;
  /** Least score that starts a new track. */
  readonly newTrack: number;
  /** Least IoU for a match: first stage, low-score stage, tentative tracks. */
  readonly matchIou: number;
  readonly lowMatchIou: number;
  readonly tentativeIou: number;
  /** Sampled frames a lost track is kept before it is dropped. */
  readonly buffer: number;
  /** Matches (frames) that confirm a track and give it an id. */
  readonly minHits: number;
  /** Match only detections of a track's own class. */
  readonly classAware: boolean;
}

/** Ultralytics' bytetrack.yaml where it applies (match_thresh 0.8 -> IoU 0.2; second stage 0.5; unconfirmed 0.7 -> 0.3). */
export const TRACKER_DEFAULTS: TrackerOptions = {
  high: 0.25,
  low: 0.1,
  newTrack: 0.25,
  matchIou: 0.2,
  lowMatchIou: 0.5,
  tentativeIou: 0.3,
  buffer: 8,
  minHits: 2,
  classAware: false,
};

type State = "tentative" | "tracked" | "lost";

interface Track {
  id: number | null;
  cls: number;
  state: State;
  /** cx cy w h: the last matched box, then moved on by the velocity while unmatched. */
  box: [number, number, number, number];
  /** Change of cx cy w h per sampled frame, smoothed. */
  vel: [number, number, number, number];
  hits: number;
  missed: number;
}

export class Tracker {
  private tracks: Track[] = [];
  private nextId = 1;
  private frames = 0;
  readonly options: TrackerOptions;

  constructor(options: Partial<TrackerOptions> = {}) {
    this.options = { ...TRACKER_DEFAULTS, ...options };
    const o = this.options;
    if (!(o.low <= o.high)) throw new RangeError(`tracker low score ${o.low} is above high ${o.high}`);
    if (!(o.buffer >= 0 && Number.isInteger(o.buffer)))
      throw new RangeError(`tracker buffer ${o.buffer} is not a whole number of frames`);
  }

  /** Tracks alive now (tentative, tracked and lost). */
  get size(): number {
    return this.tracks.length;
  }

  /** One sampled frame: the track id of each detection (null: no confirmed track), in input order. */
  update(dets: readonly TrackerInput[]): (number | null)[] {
    const o = this.options;
    const first = this.frames++ === 0;
    for (const t of this.tracks) predict(t);
    const ids: (number | null)[] = dets.map(() => null);
    const high: number[] = [];
    const low: number[] = [];
    dets.forEach((d, i) => {
      if (d.conf >= o.high) high.push(i);
      else if (d.conf >= o.low) low.push(i);
    });
    const confirmed = this.tracks.filter((t) => t.state !== "tentative");
    const tentative = this.tracks.filter((t) => t.state === "tentative");

    // 1: high detections with confirmed and lost tracks.
    const s1 = match(confirmed, high, dets, o.matchIou, o.classAware);
    for (const [t, d] of s1.matches) ids[d] = this.hit(t, dets[d]!);
    // 2: low detections rescue tracks that were being tracked (not lost ones).
    const rest = s1.tracks.filter((t) => t.state === "tracked");
    const s2 = match(rest, low, dets, o.lowMatchIou, o.classAware);
    for (const [t, d] of s2.matches) ids[d] = this.hit(t, dets[d]!);
    const rescued = new Set(s2.matches.map(([t]) => t));
    for (const t of s1.tracks) if (!rescued.has(t)) miss(t);
    // 3: tentative tracks get their second chance with the high detections left.
    const s3 = match(tentative, s1.dets, dets, o.tentativeIou, o.classAware);
    for (const [t, d] of s3.matches) ids[d] = this.hit(t, dets[d]!);
    const dropped = new Set<Track>(s3.tracks);
    // 4: new tracks from the high detections nobody took; on the first frame they count as confirmed.
    for (const d of s3.dets) {
      const det = dets[d]!;
      if (det.conf < o.newTrack) continue;
      const t: Track = {
        id: null,
        cls: det.cls,
        state: "tentative",
        box: toCxcywh(det.xyxy),
        vel: [0, 0, 0, 0],
        hits: 1,
        missed: 0,
      };
      if (first || o.minHits <= 1) this.confirm(t);
      this.tracks.push(t);
      ids[d] = t.id;
    }
    this.tracks = this.tracks.filter((t) => !dropped.has(t) && t.missed <= o.buffer);
    return ids;
  }

  private hit(t: Track, d: TrackerInput): number | null {
    const next = toCxcywh(d.xyxy);
    // Velocity from where the track was last seen (the box before prediction moved it on).
    const steps = t.missed + 1;
    const seen = t.box.map((v, k) => v - t.vel[k]! * steps);
    const measured = next.map((v, k) => (v - seen[k]!) / steps);
    t.vel =
      t.hits === 1
        ? (measured as Track["vel"])
        : (t.vel.map((v, k) => 0.5 * v + 0.5 * measured[k]!) as Track["vel"]);
    t.box = next;
    t.cls = d.cls;
    t.hits++;
    t.missed = 0;
    if (t.state === "tentative") {
      if (t.hits >= this.options.minHits) this.confirm(t);
    } else t.state = "tracked";
    return t.id;
  }

  private confirm(t: Track): void {
    t.state = "tracked";
    t.id = this.nextId++;
  }
}

function predict(t: Track): void {
  const [cx, cy, w, h] = t.box;
  const [vx, vy, vw, vh] = t.vel;
  t.box = [cx + vx, cy + vy, Math.max(1, w + vw), Math.max(1, h + vh)];
}

function miss(t: Track): void {
  t.state = "lost";
  t.missed++;
}

interface StageResult {
  readonly matches: [Track, number][];
  /** Tracks and detection indices left unmatched. */
  readonly tracks: Track[];
  readonly dets: number[];
}

/**
 * Optimal IoU matching (within each class when classAware); pairs below minIou are never matched.
 * Crowded frames have hundreds of tracks and detections and this runs three times a frame, so the
 * possible pairs are kept in flat arrays and the solver works on them alone. Tracks linked by no
 * possible pair never interact, so the problem is one set of groups: matches come out a group at a
 * time (groups in the order of their first track, by track within one).
 */
function match(
  tracks: readonly Track[],
  detIdx: readonly number[],
  dets: readonly TrackerInput[],
  minIou: number,
  classAware: boolean,
): StageResult {
  const nt = tracks.length;
  const nd = detIdx.length;
  const parent = new Int32Array(nt + nd);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const db = new Float64Array(4 * nd);
  detIdx.forEach((d, k) => db.set(dets[d]!.xyxy, 4 * k));
  // Possible pairs by track (CSR), by detection; cost - limit where 1 - IoU is below the limit.
  const limit = 1 - minIou;
  const start = new Int32Array(nt + 1);
  let np = 0;
  const { col, gain } = scratch(nt * nd);
  for (let ti = 0; ti < nt; ti++) {
    const t = tracks[ti]!;
    const [x1, y1, x2, y2] = toXyxy(t.box);
    const area = (x2 - x1) * (y2 - y1);
    for (let di = 0; di < nd; di++) {
      const o = 4 * di;
      const w = Math.min(x2, db[o + 2]!) - Math.max(x1, db[o]!);
      if (w <= 0) continue;
      const h = Math.min(y2, db[o + 3]!) - Math.max(y1, db[o + 1]!);
      if (h <= 0) continue;
      if (classAware && dets[detIdx[di]!]!.cls !== t.cls) continue;
      const inter = w * h;
      const v = inter / (area + (db[o + 2]! - db[o]!) * (db[o + 3]! - db[o + 1]!) - inter);
      if (v < minIou) continue;
      parent[find(ti)] = find(nt + di);
      const cost = 1 - v;
      // At the limit, matching gains nothing over leaving both alone.
      if (!(cost < limit)) continue;
      col[np] = di;
      gain[np++] = cost - limit;
    }
    start[ti + 1] = np;
  }
  const colOf = solveSparse({ rows: nt, cols: nd, start, col, gain });
  // Groups numbered in the order of their smallest member (a track when they have one).
  const groupOf = new Int32Array(nt + nd).fill(-1);
  let groups = 0;
  for (let i = 0; i < nt; i++) {
    const root = find(i);
    if (groupOf[root]! < 0) groupOf[root] = groups++;
  }
  const byGroup: [Track, number][][] = Array.from({ length: groups }, () => []);
  for (let ti = 0; ti < nt; ti++)
    if (colOf[ti]! >= 0) byGroup[groupOf[find(ti)]!]!.push([tracks[ti]!, detIdx[colOf[ti]!]!]);
  const matches = byGroup.flat();
  const usedT = new Set(matches.map(([t]) => t));
  const usedD = new Set(matches.map(([, d]) => d));
  return {
    matches,
    tracks: tracks.filter((t) => !usedT.has(t)),
    dets: detIdx.filter((d) => !usedD.has(d)),
  };
}

let pairBuffers = { col: new Int32Array(0), gain: new Float64Array(0) };

/** Pair arrays of at least n entries, reused between calls (match runs three times a frame). */
function scratch(n: number): { col: Int32Array; gain: Float64Array } {
  if (pairBuffers.col.length < n) {
    const size = Math.max(n, 2 * pairBuffers.col.length);
    pairBuffers = { col: new Int32Array(size), gain: new Float64Array(size) };
  }
  return pairBuffers;
}

export function iou(a: Xyxy, b: Xyxy): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

function toCxcywh(b: Xyxy): [number, number, number, number] {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]];
}

function toXyxy(b: readonly number[]): Xyxy {
  const [cx = 0, cy = 0, w = 0, h = 0] = b;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}
