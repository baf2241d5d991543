/** runs.list and runs.get, re-read when `refresh` changes (a job ended, an epoch finished). */
import { useEffect, useState } from "react";
import type { RunDetail, RunSummary } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function useRuns(refresh: unknown): Loaded<RunSummary[]> {
  const api = useApi();
  const [state, setState] = useState<Loaded<RunSummary[]>>({ data: undefined, error: undefined });
  useEffect(() => {
    let alive = true;
    api.call("runs.list", {}).then(
      (data) => alive && setState({ data, error: undefined }),
      (e: unknown) => alive && setState((s) => ({ data: s.data, error: message(e) })),
    );
    return () => {
      alive = false;
    };
  }, [api, refresh]);
  return state;
}

/** A run's detail; a run that does not exist yet (a job just starting) reads as undefined, no error. */
export function useRunDetail(name: string | undefined, refresh: unknown): Loaded<RunDetail> {
  const api = useApi();
  const [state, setState] = useState<Loaded<RunDetail>>({ data: undefined, error: undefined });
  useEffect(() => {
    if (name === undefined) {
      setState({ data: undefined, error: undefined });
      return;
    }
    let alive = true;
    api.call("runs.get", { name }).then(
      (data) => alive && setState({ data, error: undefined }),
      (e: unknown) => {
        if (!alive) return;
        const code = (e as { code?: unknown }).code;
        setState({ data: undefined, error: code === "not_found" ? undefined : message(e) });
      },
    );
    return () => {
      alive = false;
    };
  }, [api, name, refresh]);
  // A different run's detail must not show while the new one loads.
  return state.data === undefined || state.data.name === name ? state : { data: undefined, error: undefined };
}
