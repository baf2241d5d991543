/** safetensors read/write for our tensors (format rules in format.ts). */
export {
  MAX_HEADER_BYTES,
  SafetensorsError,
  type SafetensorsDtype,
  type SafetensorsTensorInfo,
  type LoadOptions,
} from "./format.js";
export * from "./async.js";
export * from "./sync.js";
