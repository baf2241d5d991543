/** What every emitter gets: the graph being built and a way to emit any other supported module. */
import type { Module } from "../../yolo/nn/module.js";
import type { GraphBuilder } from "./graph.js";

export interface EmitContext {
  readonly g: GraphBuilder;
  /** Emit `m` (whose state-dict path is `scope`) on input value `x`; returns its output value. */
  emit(m: Module, scope: string, x: string): string;
}

/** "model.2" + "cv1" -> "model.2.cv1" (the module path, as the state-dict keys spell it). */
export function sub(scope: string, name: string): string {
  return scope === "" ? name : `${scope}.${name}`;
}
