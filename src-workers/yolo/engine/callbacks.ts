/**
 * Training events named as Ultralytics' callbacks, as a typed emitter: the CLI's progress, the
 * tests' probes and any UI listen here instead of the trainer printing.
 */
import type { DetectionModel } from "../model/detection-model.js";
import type { TrainArgs } from "./defaults.js";
import type { ResultsRow } from "./results.js";

export interface TrainEvents {
  on_pretrain_routine_start: { readonly args: TrainArgs; readonly saveDir: string };
  on_train_start: {
    readonly startEpoch: number;
    readonly epochs: number;
    readonly batchesPerEpoch: number;
    readonly optimizer: string;
    readonly lr: number;
    readonly accumulate: number;
    readonly warmupIterations: number;
  };
  on_train_epoch_start: { readonly epoch: number };
  on_train_batch_end: {
    readonly epoch: number;
    readonly batch: number;
    readonly batchesPerEpoch: number;
    /** This batch's [box, cls, dfl] and the epoch's running mean. */
    readonly loss: readonly [number, number, number];
    readonly meanLoss: readonly [number, number, number];
    readonly stepped: boolean;
  };
  on_train_epoch_end: {
    readonly epoch: number;
    readonly meanLoss: readonly [number, number, number];
    readonly lr: readonly number[];
  };
  on_fit_epoch_end: {
    readonly epoch: number;
    readonly row: ResultsRow;
    readonly fitness: number | null;
    readonly bestFitness: number | null;
    readonly epochSeconds: number;
  };
  on_model_save: {
    readonly epoch: number;
    readonly last: string;
    readonly best: string | null;
    /** The EMA model just saved (eval mode): listeners may run it under no-grad, never train or change it. */
    readonly ema?: DetectionModel;
  };
  on_train_end: {
    readonly epochsRun: number;
    readonly lastEpoch: number;
    readonly bestFitness: number | null;
    readonly bestEpoch: number | null;
    readonly earlyStop: boolean;
    readonly last: string;
    readonly best: string;
  };
}

export type TrainEventName = keyof TrainEvents;
export type TrainListener<K extends TrainEventName> = (payload: TrainEvents[K]) => void | Promise<void>;

export class Callbacks {
  private readonly listeners = new Map<TrainEventName, TrainListener<never>[]>();

  /** Add a listener; returns a function that removes it. */
  on<K extends TrainEventName>(event: K, fn: TrainListener<K>): () => void {
    const list = this.listeners.get(event) ?? [];
    list.push(fn);
    this.listeners.set(event, list);
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Run the listeners in order, awaiting each (a listener's error stops training, as in Ultralytics). */
  async emit<K extends TrainEventName>(event: K, payload: TrainEvents[K]): Promise<void> {
    for (const fn of [...(this.listeners.get(event) ?? [])]) await (fn as TrainListener<K>)(payload);
  }
}
