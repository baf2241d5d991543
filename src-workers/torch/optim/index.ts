/** Optimizers and gradient clipping. */
export * from "./adam.js";
export * from "./clip.js";
export * from "./optimizer.js";
export * from "./sgd.js";
