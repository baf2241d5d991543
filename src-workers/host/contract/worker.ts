/**
 * Host <-> worker messages (over a Node IPC channel for child processes, a MessagePort for Electron
 * utility processes). A worker runs one job: the `azaion` command line it is given, with the job's
 * events sent back as they happen.
 */
import { z } from "zod";
import { jobEventSchema } from "./jobs.js";

export const toWorkerSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("run"), argv: z.array(z.string()), cwd: z.string().optional() }),
  /** Finish gracefully (as SIGINT: a training run saves its state). */
  z.object({ type: z.literal("stop") }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

export const fromWorkerSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("event"), event: jobEventSchema }),
  /** The command ended: its exit code (0 ok, 1 failure, 2 usage) and, on failure, the message it printed. */
  z.object({ type: z.literal("exit"), code: z.number().int(), error: z.string().optional() }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;
