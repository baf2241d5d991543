/**
 * The default augmentation pipeline with the test pause of AZAION_TEST_JOB_DELAY_MS before variant
 * 4 (test-delay.ts). `augment --worker` loads this module instead of pipeline.js only while that
 * variable is set; the outputs are the pipeline's own.
 */
import { augmentVariant as pipelineVariant } from "../augment/pipeline.js";
import type { AugmentVariant } from "../augment/types.js";
import { blockFor, testDelayMs } from "./test-delay.js";

const delayMs = testDelayMs();

export const augmentVariant: AugmentVariant = (image, boxes, seed, key, k) => {
  if (k === 4) blockFor(delayMs);
  return pipelineVariant(image, boxes, seed, key, k);
};
