/**
 * App-wide state the shell keeps for every screen: app.info (classes, colours, devices) and the
 * connection state. Jobs live in state/jobs.ts (the shell connects it at start); this module only
 * announces their ends as toasts.
 */
import { create } from "zustand";
import type { AppInfo, ClassInfo, HostEvent, JobInfo } from "../../src-workers/host/contract/index.js";
import type { AzaionApi } from "../api/types.js";
import { notify } from "../ui/toast-store.js";

export type ConnectionState = "connected" | "reconnecting";

interface AppState {
  info: AppInfo | null;
  infoError: string | null;
  connection: ConnectionState;
}

export const useAppStore = create<AppState>(() => ({
  info: null,
  infoError: null,
  connection: "reconnecting",
}));

/** app.info once loaded (null before). */
export function useAppInfo(): AppInfo | null {
  return useAppStore((s) => s.info);
}

/** A class by id, with a fallback for ids the table does not know (shown, never hidden). */
export function classOf(info: AppInfo | null, id: number): ClassInfo {
  const found = info?.classes.find((c) => c.id === id);
  return (
    found ?? { id, name: `Class ${id}`, base: `Class ${id}`, baseIndex: -1, mode: "?", colour: "#c8c8c8" }
  );
}

const KIND_NAMES: Record<string, string> = {
  train: "Training",
  convert: "Conversion",
  export: "Export",
  infer: "Inference",
  augment: "Augmentation",
  queue: "Queue consumer",
};
export function jobTitle(job: JobInfo): string {
  const name = KIND_NAMES[job.spec.kind] ?? job.spec.kind;
  return job.spec.kind === "train" ? `${name} ${job.spec.name}` : name;
}

/** Last state seen per job: a toast is raised when it changes to an end state. */
const lastState = new Map<string, JobInfo["state"]>();

function onHostEvent(event: HostEvent): void {
  if (event.event !== "job.state") return;
  const before = lastState.get(event.job.id);
  lastState.set(event.job.id, event.job.state);
  if (before !== undefined && before !== event.job.state) announce(event.job);
}

function announce(job: JobInfo): void {
  const title = jobTitle(job);
  if (job.state === "done") notify.success(`${title} finished`);
  else if (job.state === "failed")
    notify.error(`${title} failed`, job.error ?? `exit code ${job.exitCode ?? "?"}`);
  else if (job.state === "crashed")
    notify.error(`${title} crashed`, job.error ?? "The worker process ended unexpectedly.");
  else if (job.state === "stopped") notify.info(`${title} stopped`);
}

/** Wires the store to the API; returns a function that unwires it. */
export function connectAppStore(api: AzaionApi): () => void {
  const load = async () => {
    try {
      const [info, jobs] = await Promise.all([api.call("app.info", {}), api.call("jobs.list", {})]);
      for (const j of jobs) if (!lastState.has(j.id)) lastState.set(j.id, j.state);
      useAppStore.setState({ info, infoError: null });
    } catch (e) {
      useAppStore.setState({ infoError: e instanceof Error ? e.message : String(e) });
    }
  };
  const offEvents = api.onEvent(onHostEvent);
  const offConnection = api.onConnection((connection) => {
    useAppStore.setState({ connection });
    // (Re)load on every connection: jobs may have changed while the socket was down.
    if (connection === "connected") void load();
  });
  return () => {
    offEvents();
    offConnection();
  };
}
