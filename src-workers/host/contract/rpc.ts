/**
 * The API the renderer calls: one table of methods, each with its params and result schema. The same
 * table serves Electron (ipcRenderer.invoke through the preload) and the browser host (WebSocket), and
 * both sides validate with it: the host its params, the client its results.
 */
import { z } from "zod";
import { appInfoSchema, boxSchema } from "./common.js";
import {
  datasetFilterSchema,
  datasetFolderSchema,
  datasetItemSchema,
  datasetPageSchema,
  datasetStatsSchema,
} from "./dataset.js";
import { jobEventSchema, jobInfoSchema, jobSpecSchema } from "./jobs.js";
import {
  fsListingSchema,
  inferResultSchema,
  runDetailSchema,
  runSummarySchema,
  servicesStatusSchema,
} from "./runs.js";

const empty = z.object({});
const ok = z.object({ ok: z.literal(true) });

function method<P extends z.ZodType, R extends z.ZodType>(params: P, result: R) {
  return { params, result };
}

export const rpcMethods = {
  "app.info": method(empty, appInfoSchema),

  /** The root's dataset folders (data, data-seed, data-processed, datasets/*). */
  "dataset.folders": method(empty, z.array(datasetFolderSchema)),
  /** Open (index) a folder by path; a folder of the root is opened by its path too. */
  "dataset.open": method(z.object({ path: z.string().min(1) }), datasetFolderSchema),
  "dataset.query": method(
    z.object({
      folder: z.string(),
      filter: datasetFilterSchema.default({}),
      offset: z.number().int().nonnegative().default(0),
      limit: z.number().int().positive().max(2000).default(200),
    }),
    datasetPageSchema,
  ),
  "dataset.stats": method(
    z.object({
      folder: z.string(),
      filter: datasetFilterSchema.default({}),
      imgsz: z.number().int().positive().optional(),
    }),
    datasetStatsSchema,
  ),
  "dataset.item": method(z.object({ folder: z.string(), key: z.string() }), datasetItemSchema),
  /** Writes the label file atomically; refused (conflict) when its revision is not the one the editor read. */
  "labels.save": method(
    z.object({ folder: z.string(), key: z.string(), boxes: z.array(boxSchema), revision: z.string() }),
    datasetItemSchema,
  ),

  "jobs.start": method(z.object({ spec: jobSpecSchema }), jobInfoSchema),
  /** Graceful stop (SIGINT: a training run saves and can be resumed). */
  "jobs.stop": method(z.object({ id: z.string() }), jobInfoSchema),
  /** Run a finished, failed or crashed job's spec again (a training run resumes). */
  "jobs.restart": method(z.object({ id: z.string() }), jobInfoSchema),
  "jobs.list": method(empty, z.array(jobInfoSchema)),
  "jobs.get": method(z.object({ id: z.string() }), jobInfoSchema),

  "runs.list": method(empty, z.array(runSummarySchema)),
  "runs.get": method(z.object({ name: z.string() }), runDetailSchema),

  "infer.result": method(z.object({ dir: z.string() }), inferResultSchema),

  "services.status": method(empty, servicesStatusSchema),

  /** A folder listing for the file chooser (a browser cannot see the host's files). */
  "fs.list": method(
    z.object({ path: z.string().optional(), extensions: z.array(z.string()).optional() }),
    fsListingSchema,
  ),
  /** Ping: the client's liveness check. */
  "app.ping": method(empty, ok),
} as const;

export type RpcMethods = typeof rpcMethods;
export type RpcMethod = keyof RpcMethods;
export type RpcParams<M extends RpcMethod> = z.input<RpcMethods[M]["params"]>;
export type RpcResult<M extends RpcMethod> = z.output<RpcMethods[M]["result"]>;

/** What the host pushes to every connected renderer. */
export const hostEventSchema = z.discriminatedUnion("event", [
  z.object({ event: z.literal("job.event"), jobId: z.string(), data: jobEventSchema }),
  /** A job's state changed (started, ended, crashed, ...): the whole record. */
  z.object({ event: z.literal("job.state"), job: jobInfoSchema }),
  z.object({ event: z.literal("services"), status: servicesStatusSchema }),
  /** A label file changed under an open folder (by this or another editor, or on disk). */
  z.object({ event: z.literal("dataset.changed"), folder: z.string(), keys: z.array(z.string()) }),
]);
export type HostEvent = z.infer<typeof hostEventSchema>;

/** WebSocket frames (JSON text). Electron uses the same request/response shapes over ipc. */
export const wsRequestSchema = z.object({
  id: z.number().int(),
  method: z.string(),
  params: z.unknown(),
});
export type WsRequest = z.infer<typeof wsRequestSchema>;

export const wsServerFrameSchema = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    id: z.number().int(),
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
  z.object({ push: hostEventSchema }),
]);
export type WsServerFrame = z.infer<typeof wsServerFrameSchema>;

/**
 * Media the renderer shows by URL (an <img> or <video> src): served by the web host over HTTP and by
 * Electron through the azaion-media: protocol, with the same paths and query.
 */
export const MEDIA = {
  /** ?folder=<id>&key=<item key>: the full image. */
  image: "/media/image",
  /** ?folder=<id>&key=<item key>&size=<px long side>: a JPEG thumbnail. */
  thumb: "/media/thumb",
  /** ?path=<absolute path>: a file of the root, an opened folder or a job's outputs; Range requests for video. */
  file: "/media/file",
  /** POST ?name=<file name>, body = the bytes: stores a dropped file under <root>/uploads/ and answers {path}. */
  upload: "/media/upload",
} as const;

export function mediaQuery(params: Record<string, string | number>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
}
