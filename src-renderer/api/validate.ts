/** What both clients do with the host's answers: check them against the contract before screens see them. */
import {
  hostEventSchema,
  rpcMethods,
  type HostEvent,
  type RpcMethod,
  type RpcParams,
  type RpcResult,
} from "../../src-workers/host/contract/index.js";
import { ApiError } from "./types.js";

function issues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

/** Params with the contract's defaults filled in; a bad call is the screen's bug, named as such. */
export function checkParams<M extends RpcMethod>(method: M, params: RpcParams<M>): unknown {
  const parsed = rpcMethods[method].params.safeParse(params);
  if (!parsed.success) throw new ApiError("bad_request", `${method}: bad params: ${issues(parsed.error)}`);
  return parsed.data;
}

export function checkResult<M extends RpcMethod>(method: M, result: unknown): RpcResult<M> {
  const parsed = rpcMethods[method].result.safeParse(result);
  if (!parsed.success) {
    throw new ApiError(
      "internal",
      `${method}: the host's answer does not match the contract: ${issues(parsed.error)}`,
    );
  }
  return parsed.data as RpcResult<M>;
}

export function checkEvent(event: unknown): HostEvent | null {
  const parsed = hostEventSchema.safeParse(event);
  if (!parsed.success) {
    console.warn(`Ignored a host event that does not match the contract: ${issues(parsed.error)}`);
    return null;
  }
  return parsed.data;
}

/** A small listener set (events, connection state). */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (e) {
        console.error("A host event listener failed", e);
      }
    }
  }
}
