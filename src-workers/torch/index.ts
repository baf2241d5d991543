/**
 * `torch`: tensors, autograd, nn functions, optimizers and safetensors on libtorch, for the YOLO11
 * model, training and inference code. Import as `import * as torch from "../torch/index.js"`.
 */
export * from "./creation.js";
export * from "./dtype.js";
export * from "./errors.js";
export * from "./functional.js";
export * from "./runtime.js";
export * from "./scope.js";
export { Tensor, type Operand, type Scalar } from "./tensor.js";
export type { Reduction } from "./native.js";
export * from "./optim/index.js";
export * from "./safetensors/index.js";
export * from "./distributed.js";
