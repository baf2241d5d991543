/**
 * The host API: every method of contract/rpc.ts on one object, in plain Node. Both hosts (the web
 * host of `azaion serve` and Electron's main process) hand it requests as they arrive and forward
 * its events to their renderers. Params are validated with the contract's schemas on the way in and
 * results on the way out, so a renderer only ever sees the shapes the contract promises.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { ClassCatalog } from "../../core/classes.js";
import { classCatalog } from "../../core/classes.js";
import type { AzaionConfig } from "../../core/config.js";
import { dataRootLayout } from "../../core/layout.js";
import type { AppInfo, RpcErrorBody } from "../contract/common.js";
import { rpcMethods, type HostEvent, type RpcMethod, type RpcResult } from "../contract/rpc.js";
import { badRequest, HostError, toErrorBody, zodIssues } from "../errors.js";
import { JobManager } from "../jobs/job-manager.js";
import type { WorkerLauncher } from "../jobs/launcher.js";
import { appInfo } from "./app-info.js";
import { DatasetService } from "./dataset-service.js";
import { listDirectory } from "./fs-list.js";
import { readInferResult } from "./infer-result.js";
import { listRuns, runDetail } from "./runs.js";
import { servicesStatus } from "./services-status.js";

/** How often the services' status is pushed while someone listens. */
const SERVICES_EVERY_MS = 3000;

export interface HostApiOptions {
  readonly root: string;
  readonly config: AzaionConfig;
  readonly launcher: WorkerLauncher;
  readonly host?: AppInfo["host"];
  readonly catalog?: ClassCatalog;
  /** Config file the workers should read (their `--config`), when not the default. */
  readonly configFile?: string;
  /** The worker's entry file (default: the built dist/src-workers/host/worker-main.js). */
  readonly workerEntry?: string;
}

export type Reply = { ok: true; result: unknown } | { ok: false; error: RpcErrorBody };
export type HostListener = (event: HostEvent) => void;

export interface HostApi {
  /** Run a method; throws HostError (or another error, mapped by toErrorBody). */
  call<M extends RpcMethod>(method: M, params: unknown): Promise<RpcResult<M>>;
  /** Run a method by name, never throwing: what the transports send back. */
  invoke(method: string, params: unknown): Promise<Reply>;
  /** Events for every renderer; returns the unsubscribe. */
  subscribe(listener: HostListener): () => void;
  /** Whether the media routes may serve this file: under the root, an open folder, or a path a job named. */
  mayServe(path: string): boolean;
  /** The image file of an item of an open folder. */
  imagePath(folder: string, key: string): string;
  readonly root: string;
  readonly uploads: string;
  /** Stops jobs (gracefully, then by force), watchers and timers. */
  close(): Promise<void>;
}

type Handler = (p: never) => unknown;

export function createHostApi(o: HostApiOptions): HostApi {
  const root = resolve(o.root);
  const catalog = o.catalog ?? classCatalog();
  const layout = dataRootLayout(root);
  const listeners = new Set<HostListener>();
  const emit = (e: HostEvent) => {
    for (const l of [...listeners]) {
      try {
        l(e);
      } catch {
        // A failing listener (a closed socket) must not stop the others.
      }
    }
  };
  const datasets = new DatasetService({
    root,
    catalog,
    imgsz: o.config.dataset.imgsz,
    tinyBoxPx: o.config.dataset.tiny_box_px,
    onChanged: (folder, keys) => emit({ event: "dataset.changed", folder, keys }),
  });
  const jobs = new JobManager({
    root,
    launcher: o.launcher,
    ...(o.configFile ? { configFile: o.configFile } : {}),
    ...(o.workerEntry ? { workerEntry: o.workerEntry } : {}),
    onState: (job) => emit({ event: "job.state", job }),
    onEvent: (jobId, data) => emit({ event: "job.event", jobId, data }),
  });
  const services = () => servicesStatus(root, jobs.serviceJobs());

  const handlers: { [M in RpcMethod]: (p: never) => Promise<RpcResult<M>> | RpcResult<M> } = {
    "app.info": () => appInfo(root, catalog, o.host ?? "browser"),
    "app.ping": () => ({ ok: true as const }),
    "dataset.folders": () => datasets.folders(),
    "dataset.open": (p: { path: string }) => datasets.openFolder(absolute(p.path)),
    "dataset.query": (p: { folder: string; filter: object; offset: number; limit: number }) =>
      datasets.query(p.folder, p.filter, p.offset, p.limit),
    "dataset.stats": (p: { folder: string; filter: object; imgsz?: number }) =>
      datasets.stats(p.folder, p.filter, p.imgsz),
    "dataset.item": (p: { folder: string; key: string }) => datasets.item(p.folder, p.key),
    "labels.save": (p: { folder: string; key: string; boxes: never[]; revision: string }) =>
      datasets.saveLabels(p.folder, p.key, p.boxes, p.revision),
    "jobs.start": (p: { spec: never }) => jobs.start(p.spec),
    "jobs.stop": (p: { id: string }) => jobs.stop(p.id),
    "jobs.restart": (p: { id: string }) => jobs.restart(p.id),
    "jobs.list": () => jobs.list(),
    "jobs.get": (p: { id: string }) => jobs.get(p.id),
    "runs.list": () => listRuns(layout.runs),
    "runs.get": (p: { name: string }) => runDetail(layout.runs, p.name),
    "infer.result": (p: { dir: string }) => readInferResult(absolute(p.dir)),
    "services.status": () => services(),
    "fs.list": (p: { path?: string; extensions?: string[] }) =>
      listDirectory(p.path ? absolute(p.path) : root, p.extensions),
  };

  function absolute(p: string): string {
    return isAbsolute(p) ? resolve(p) : resolve(root, p);
  }

  async function call<M extends RpcMethod>(method: M, params: unknown): Promise<RpcResult<M>> {
    if (!Object.hasOwn(rpcMethods, method)) throw badRequest(`unknown method "${String(method)}"`);
    const def = rpcMethods[method];
    const parsed = def.params.safeParse(params ?? {});
    if (!parsed.success) throw badRequest(`${method}: ${zodIssues(parsed.error, "params")}`);
    const handler = handlers[method] as Handler;
    const result: unknown = await handler(parsed.data as never);
    const checked = def.result.safeParse(result);
    if (!checked.success)
      throw new HostError(
        "internal",
        `${method}: the host built a bad result: ${zodIssues(checked.error, "result")}`,
      );
    return checked.data as RpcResult<M>;
  }

  let timer: NodeJS.Timeout | undefined;
  const pushServices = async () => {
    try {
      emit({ event: "services", status: await services() });
    } catch {
      // The next tick tries again.
    }
  };

  const uploads = resolve(root, "uploads");
  const within = (p: string, dir: string) => {
    const r = relative(dir, p);
    return r === "" || (!r.startsWith(`..${sep}`) && r !== ".." && !isAbsolute(r));
  };

  return {
    root,
    uploads,
    call,
    async invoke(method, params) {
      try {
        return { ok: true, result: await call(method as RpcMethod, params) };
      } catch (e) {
        return { ok: false, error: toErrorBody(e) };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!timer) {
        timer = setInterval(() => void pushServices(), SERVICES_EVERY_MS);
        timer.unref();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    mayServe(path) {
      const p = resolve(path);
      if (within(p, root)) return true;
      if (datasets.openPaths().some((d) => within(p, d))) return true;
      return jobs.namedPaths().some((d) => within(p, d));
    },
    imagePath: (folder, key) => datasets.imagePath(folder, key),
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      listeners.clear();
      datasets.closeAll();
      await jobs.close();
    },
  };
}
