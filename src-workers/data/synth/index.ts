/** `azaion synth`'s library face: one frame in memory, or a whole dataset on disk. */
export { generateSynthImage, EMPTY_SHARE, type SynthImage, type SynthOptions } from "./scene.js";
export {
  writeSynthDataset,
  synthStem,
  encodeJpeg,
  JPEG_QUALITY,
  type SynthDatasetOptions,
  type SynthSummary,
} from "./dataset.js";
export { MODE_NAMES, type ModeName } from "./weather.js";
