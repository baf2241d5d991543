/**
 * Shapes shared by every part of the renderer <-> host <-> worker contract. Pure zod: this folder is
 * imported by the renderer (browser), the Electron main process, the web host and the workers alike,
 * so nothing here may import Node, Electron or React.
 */
import { z } from "zod";

/** One box as the UI edits it: YOLO-normalised centre and size, 0-1. */
export const boxSchema = z.object({
  cls: z.number().int().nonnegative(),
  cx: z.number().min(0).max(1),
  cy: z.number().min(0).max(1),
  w: z.number().min(0).max(1),
  h: z.number().min(0).max(1),
});
export type Box = z.infer<typeof boxSchema>;

export const weatherModeSchema = z.string().min(1);

export const classInfoSchema = z.object({
  id: z.number().int().nonnegative(),
  /** "Truck (Night)". */
  name: z.string(),
  base: z.string(),
  baseIndex: z.number().int().nonnegative(),
  mode: z.string(),
  /** #rrggbb, one per base class. */
  colour: z.string(),
});
export type ClassInfo = z.infer<typeof classInfoSchema>;

export const appInfoSchema = z.object({
  version: z.string(),
  root: z.string(),
  /** "electron" or "browser": what hosts this renderer. */
  host: z.enum(["electron", "browser"]),
  slots: z.number().int().positive(),
  modes: z.array(z.string()),
  baseClasses: z.array(z.object({ index: z.number().int(), name: z.string(), colour: z.string() })),
  classes: z.array(classInfoSchema),
  /** Devices a training job may ask for ("cpu", "cuda:0", ...). */
  devices: z.array(z.string()),
});
export type AppInfo = z.infer<typeof appInfoSchema>;

/** A problem found in the data, named as the CLI names it (file, line, field). */
export const problemSchema = z.object({
  severity: z.enum(["error", "warning"]),
  file: z.string(),
  line: z.number().int().optional(),
  field: z.string().optional(),
  message: z.string(),
});
export type Problem = z.infer<typeof problemSchema>;

/** An error as it crosses a process boundary: a kind the UI can act on and a message for people. */
export const rpcErrorSchema = z.object({
  code: z.enum(["usage", "not_found", "conflict", "data", "unauthorised", "internal", "bad_request"]),
  message: z.string(),
});
export type RpcErrorBody = z.infer<typeof rpcErrorSchema>;
