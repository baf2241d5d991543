/** Datasets: folders under the data root (or anywhere), their images, boxes and statistics. */
import { z } from "zod";
import { boxSchema, problemSchema } from "./common.js";

/**
 * A dataset folder: one holding images/ + labels/, or a split dataset (train/valid/test each with
 * images/ + labels/, as datasets/azaion-DATE). `id` is the host's handle for it; `path` is absolute.
 */
export const datasetFolderSchema = z.object({
  id: z.string(),
  path: z.string(),
  /** "data", "data-seed", "data-processed", "datasets/azaion-2026-12-03", or the folder's name. */
  label: z.string(),
  kind: z.enum(["flat", "split"]),
  /** Split names present (split datasets only). */
  splits: z.array(z.string()),
  /** Known once the folder was opened (indexed). */
  images: z.number().int().nonnegative().optional(),
});
export type DatasetFolder = z.infer<typeof datasetFolderSchema>;

export const datasetFilterSchema = z.object({
  /** Images that hold at least one box of one of these class ids. */
  classes: z.array(z.number().int().nonnegative()).optional(),
  /** Images that hold at least one box in one of these weather modes ("Norm", "Wint", "Night"). */
  modes: z.array(z.string()).optional(),
  split: z.string().optional(),
  minBoxes: z.number().int().nonnegative().optional(),
  maxBoxes: z.number().int().nonnegative().optional(),
  /** Substring of the stem. */
  text: z.string().optional(),
  /** Only images with problems (bad label lines, unreadable image). */
  problemsOnly: z.boolean().optional(),
});
export type DatasetFilter = z.infer<typeof datasetFilterSchema>;

export const datasetItemSchema = z.object({
  /** Stable within a folder: "<split>/<stem>" or "<stem>". */
  key: z.string(),
  stem: z.string(),
  split: z.string().optional(),
  /** Image file name (with extension) inside its images/ folder. */
  file: z.string(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  boxes: z.array(boxSchema),
  /** Changes each time the label file is written; labels.save checks it so two editors cannot lose each other's work. */
  revision: z.string(),
  problems: z.array(problemSchema),
});
export type DatasetItem = z.infer<typeof datasetItemSchema>;

export const datasetPageSchema = z.object({
  /** Items matching the filter. */
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  items: z.array(datasetItemSchema),
});
export type DatasetPage = z.infer<typeof datasetPageSchema>;

/** The class x weather table and the box-size histogram (as `azaion stats`), over the filtered images. */
export const datasetStatsSchema = z.object({
  images: z.number().int().nonnegative(),
  boxes: z.number().int().nonnegative(),
  emptyImages: z.number().int().nonnegative(),
  imgsz: z.number().int().positive(),
  tinyBoxPx: z.number(),
  tinyBoxes: z.number().int().nonnegative(),
  table: z.object({
    modes: z.array(z.string()),
    rows: z.array(z.object({ name: z.string(), counts: z.array(z.number()), total: z.number() })),
    totals: z.array(z.number()),
    total: z.number(),
  }),
  sizes: z.array(
    z.object({ label: z.string(), from: z.number(), to: z.number().nullable(), count: z.number().int() }),
  ),
});
export type DatasetStats = z.infer<typeof datasetStatsSchema>;
