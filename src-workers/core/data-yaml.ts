/**
 * Ultralytics data.yaml of a split dataset. `path` is absolute: Ultralytics resolves a relative
 * one against its own datasets folder, not against the yaml file. names lists all slots so that
 * nc = slots (80) and one model serves every weather mode.
 */
import { Document } from "yaml";
import type { ClassCatalog } from "./classes.js";

export function dataYamlText(datasetDir: string, catalog: ClassCatalog): string {
  const names = new Map<number, string>(catalog.slotNames().map((n, id) => [id, n]));
  const doc = new Document({
    path: datasetDir,
    train: "train/images",
    val: "valid/images",
    test: "test/images",
    nc: catalog.slots,
    names,
  });
  doc.commentBefore = " Azaion dataset (azaion split): train/valid/test by source image group";
  return doc.toString();
}
