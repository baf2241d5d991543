/** The one typed contract between the renderer, the hosts (Electron main, `azaion serve`) and the workers. */
export * from "./common.js";
export * from "./dataset.js";
export * from "./jobs.js";
export * from "./runs.js";
export * from "./rpc.js";
export * from "./worker.js";
export type * from "./bridge.js";
