/**
 * ONNX Runtime sessions on a chosen execution provider. A provider that cannot start (its libraries
 * are not installed, no GPU) is reported and the next one is tried: tensorrt -> cuda -> cpu, unless
 * the request is for TensorRT alone (a TensorRT engine runs nowhere else).
 */
import * as ort from "onnxruntime-node";

export const DEVICES = ["cpu", "cuda", "tensorrt"] as const;
export type Device = (typeof DEVICES)[number];

export interface SessionRequest {
  readonly model: string;
  readonly device: Device;
  /** GPU index for cuda and tensorrt. */
  readonly deviceId: number;
  /** CPU threads for one operator (0: ONNX Runtime's default, one per physical core). */
  readonly threads: number;
  /** TensorRT or nothing: no fallback, the provider's error is thrown as it is. */
  readonly trtOnly?: boolean;
  /**
   * Session config entries for the TensorRT attempt only ("ep.context_enable"...): onnxruntime-node
   * hands its TensorRT provider just a device id, but these reach it through the session.
   */
  readonly trtConfig?: Readonly<Record<string, string>>;
}

export interface ValueSpec {
  readonly name: string;
  readonly type: string;
  /** Numbers for fixed dimensions, names for dynamic ones. */
  readonly shape: readonly (number | string)[];
}

export interface OpenedSession {
  readonly session: ort.InferenceSession;
  /** The provider the session runs on. */
  readonly device: Device;
  /** Why providers before it were skipped, one line each. */
  readonly notes: string[];
  readonly inputs: ValueSpec[];
  readonly outputs: ValueSpec[];
}

/** The providers to try, best first, for a requested device. */
export function fallbackChain(device: Device, trtOnly = false): Device[] {
  if (trtOnly) return ["tensorrt"];
  return DEVICES.slice(0, DEVICES.indexOf(device) + 1).reverse();
}

function providers(
  device: Device,
  deviceId: number,
  trtOnly: boolean,
): ort.InferenceSession.ExecutionProviderConfig[] {
  // onnxruntime-node hands the TensorRT provider its device id only (see README, "Inference").
  if (device === "tensorrt" && trtOnly) return [{ name: "tensorrt", deviceId }];
  if (device === "tensorrt") return [{ name: "tensorrt", deviceId }, { name: "cuda", deviceId }, "cpu"];
  if (device === "cuda") return [{ name: "cuda", deviceId }, "cpu"];
  return ["cpu"];
}

/** Whether this onnxruntime-node build ships a provider's libraries (they can also be installed beside it). */
export function bundled(device: Device): boolean {
  return ort.listSupportedBackends().some((b) => b.name === device && b.bundled);
}

let logLevelSet = false;

export async function openSession(req: SessionRequest): Promise<OpenedSession> {
  if (!logLevelSet) {
    // Provider load failures are reported by us, once and readably, not by ORT's logger too.
    ort.env.logLevel = "fatal";
    logLevelSet = true;
  }
  const notes: string[] = [];
  const trtOnly = req.trtOnly === true;
  const chain = fallbackChain(req.device, trtOnly);
  for (const [i, device] of chain.entries()) {
    try {
      const session = await ort.InferenceSession.create(req.model, {
        executionProviders: providers(device, req.deviceId, trtOnly),
        graphOptimizationLevel: "all",
        extra: {
          // Idle operator threads sleep rather than spin: decoding and letterboxing share the cores.
          session: { intra_op: { allow_spinning: "0" } },
          // Dotted keys are taken as they are (nested objects are joined with dots anyway).
          ...(device === "tensorrt" ? req.trtConfig : {}),
        },
        ...(req.threads > 0 ? { intraOpNumThreads: req.threads } : {}),
      });
      return {
        session,
        device,
        notes,
        inputs: specs(session.inputMetadata),
        outputs: specs(session.outputMetadata),
      };
    } catch (err) {
      const why = (err as Error).message.split("\n")[0] ?? String(err);
      const next = chain[i + 1];
      // A model ONNX Runtime rejects fails the same on every provider: report it as it is.
      if (next === undefined || !isProviderError(why)) throw err;
      notes.push(`the ${device} execution provider is not available (${why}); falling back to ${next}`);
    }
  }
  throw new Error("unreachable: the cpu provider ends every chain");
}

/** An error that is about a provider (its libraries, the GPU), not about the model. */
export function isProviderError(message: string): boolean {
  return /execution ?provider|shared library|cuda|tensorrt|libnvinfer/i.test(message);
}

function specs(meta: readonly ort.InferenceSession.ValueMetadata[]): ValueSpec[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: [...m.shape] }
      : { name: m.name, type: "non-tensor", shape: [] },
  );
}
