/**
 * Minimum-cost matching of rows (tracks) to columns (detections) with a cost limit, as ByteTrack's
 * lap.lapjv(extend_cost=True, cost_limit): leaving a row or a column unmatched costs limit / 2, so a
 * pair is matched only when that is cheaper than leaving both alone, and pairs above the limit never
 * are. That is a minimum-cost matching with pair costs cost - limit (< 0) where every row may also
 * stay unmatched at cost 0. It is solved exactly on the sparse pairs (crowded frames give hundreds of
 * tracks and detections but only a few possible pairs each): every row gets a private "unmatched"
 * column of cost 0, and rows are added one by one with shortest augmenting paths (Dijkstra on
 * reduced costs, dual potentials kept), so the work follows the pairs, not rows x columns.
 */
export interface Assignment {
  /** [row, column] pairs, by row. */
  readonly matches: [number, number][];
  readonly unmatchedRows: number[];
  readonly unmatchedCols: number[];
}

/** Possible pairs by row (CSR): row i's pairs are k in [start[i], start[i + 1]). */
export interface SparseCosts {
  readonly rows: number;
  readonly cols: number;
  readonly start: Int32Array;
  readonly col: Int32Array;
  /** cost - limit of each pair, below 0 (a pair at or above the limit is never worth matching). */
  readonly gain: Float64Array;
}

/** Dense form: cost[i][j] (Infinity: not allowed), pairs above `limit` never matched. */
export function assign(cost: readonly (readonly number[])[], cols: number, limit: number): Assignment {
  const rows = cost.length;
  const start = new Int32Array(rows + 1);
  const col: number[] = [];
  const gain: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = cost[i]![j]!;
      // At the limit, matching gains nothing over leaving both alone.
      if (!(v < limit)) continue;
      col.push(j);
      gain.push(v - limit);
    }
    start[i + 1] = col.length;
  }
  const colOf = solveSparse({
    rows,
    cols,
    start,
    col: Int32Array.from(col),
    gain: Float64Array.from(gain),
  });
  const matches: [number, number][] = [];
  const colMatched = new Uint8Array(cols);
  const unmatchedRows: number[] = [];
  for (let i = 0; i < rows; i++) {
    const j = colOf[i]!;
    if (j < 0) unmatchedRows.push(i);
    else {
      matches.push([i, j]);
      colMatched[j] = 1;
    }
  }
  const unmatchedCols: number[] = [];
  for (let j = 0; j < cols; j++) if (!colMatched[j]) unmatchedCols.push(j);
  return { matches, unmatchedRows, unmatchedCols };
}

/** The exact minimum-cost matching: the column of each row, -1 for unmatched. */
export function solveSparse(p: SparseCosts): Int32Array {
  const { rows, cols, start, col, gain } = p;
  // Columns: the real ones, then row i's "unmatched" column at cols + i.
  const n = cols + rows;
  const u = new Float64Array(rows);
  const v = new Float64Array(n);
  const rowOf = new Int32Array(n).fill(-1);
  const colOf = new Int32Array(rows).fill(-1);
  const dist = new Float64Array(n);
  const via = new Int32Array(n);
  // Per search: stamp = search number + 1 when a column was reached; closed when it was settled.
  const reached = new Int32Array(n);
  const closedAt = new Int32Array(n);
  const open = new Int32Array(n);
  const closed = new Int32Array(n);
  const seenRows = new Int32Array(rows);
  for (let cur = 0; cur < rows; cur++) {
    const stamp = cur + 1;
    let nOpen = 0;
    let nClosed = 0;
    let nRows = 0;
    let i = cur;
    let minVal = 0;
    let sink = -1;
    while (sink < 0) {
      seenRows[nRows++] = i;
      const base = minVal - u[i]!;
      const end = start[i + 1]!;
      // The row's pairs, then (k === end) its own "unmatched" column.
      for (let k = start[i]!; k <= end; k++) {
        const j = k < end ? col[k]! : cols + i;
        if (closedAt[j] === stamp) continue;
        const r = base + (k < end ? gain[k]! : 0) - v[j]!;
        if (reached[j] !== stamp) {
          reached[j] = stamp;
          dist[j] = r;
          via[j] = i;
          open[nOpen++] = j;
        } else if (r < dist[j]!) {
          dist[j] = r;
          via[j] = i;
        }
      }
      // The nearest open column; on a tie a free one, which ends the search sooner.
      let best = 0;
      for (let k = 1; k < nOpen; k++) {
        const a = dist[open[k]!]!;
        const b = dist[open[best]!]!;
        if (a < b || (a === b && rowOf[open[k]!]! < 0 && rowOf[open[best]!]! >= 0)) best = k;
      }
      const j = open[best]!;
      open[best] = open[--nOpen]!;
      closedAt[j] = stamp;
      closed[nClosed++] = j;
      minVal = dist[j]!;
      if (rowOf[j]! < 0) sink = j;
      else i = rowOf[j]!;
    }
    // Dual update keeps reduced costs non-negative and zero on matched pairs.
    u[cur] = u[cur]! + minVal;
    for (let k = 1; k < nRows; k++) {
      const r = seenRows[k]!;
      u[r] = u[r]! + minVal - dist[colOf[r]!]!;
    }
    for (let k = 0; k < nClosed; k++) {
      const j = closed[k]!;
      v[j] = v[j]! - (minVal - dist[j]!);
    }
    // Augment: flip the path from the sink back to cur.
    for (let j = sink; ;) {
      const r = via[j]!;
      rowOf[j] = r;
      const prev = colOf[r]!;
      colOf[r] = j;
      if (r === cur) break;
      j = prev;
    }
  }
  const result = new Int32Array(rows);
  for (let r = 0; r < rows; r++) result[r] = colOf[r]! < cols ? colOf[r]! : -1;
  return result;
}
