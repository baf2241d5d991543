/** `azaion infer --submit` and `--worker`: inference jobs on the work queue (src-workers/workq/). */
import { loadSecrets } from "../../core/secrets.js";
import type { TrtOptions } from "../../inference/open-model.js";
import type { Device } from "../../inference/session.js";
import type { FfmpegTools } from "../../inference/video-probe.js";
import { amqpOptions } from "../../workq/broker.js";
import { handleInferJob, planInferJobs } from "../../workq/infer-work.js";
import type { InferOptions } from "../../workq/jobs.js";
import { submitJobs } from "../../workq/submit.js";
import { testDelayMs } from "../../workq/test-delay.js";
import type { CliContext } from "../context.js";
import { runWorker } from "./work-log.js";

export async function submitInfer(
  ctx: CliContext,
  model: string,
  inputs: readonly string[],
  outParent: string,
  options: InferOptions,
): Promise<void> {
  const cfg = ctx.config();
  const jobs = planInferJobs(cfg.root, model, inputs, outParent, options);
  const queue = cfg.queue.infer_queue;
  const sent = await submitJobs(amqpOptions(cfg, loadSecrets()), queue, jobs);
  for (const j of jobs) ctx.out(`${j.id} ${j.inputs[0]} -> ${j.out}`);
  ctx.info(`infer: ${sent} jobs submitted to ${queue}; results under ${outParent}`);
}

export interface InferWorkerArgs {
  readonly tools: FfmpegTools;
  readonly device: Device;
  readonly deviceId: number;
  readonly threads: number;
  readonly trt?: TrtOptions;
  readonly prefetch?: number;
}

export async function inferWorker(ctx: CliContext, a: InferWorkerArgs): Promise<void> {
  const cfg = ctx.config();
  const prefetch = a.prefetch ?? cfg.queue.prefetch;
  const delay = testDelayMs();
  if (delay > 0)
    ctx.info(
      `infer worker: AZAION_TEST_JOB_DELAY_MS=${delay}: every job pauses before its commit (tests only)`,
    );
  await runWorker(ctx, {
    kind: "infer",
    prefetch,
    handle: (job) =>
      handleInferJob(job, {
        root: cfg.root,
        tools: a.tools,
        device: a.device,
        deviceId: a.deviceId,
        threads: a.threads,
        ...(a.trt === undefined ? {} : { trt: a.trt }),
        log: (id, text) => ctx.info(`infer worker: job ${id}: ${text}`),
      }),
    describe: (job) => {
      const more = job.inputs.length > 1 ? ` (+${job.inputs.length - 1} more)` : "";
      return `${job.inputs[0]}${more} -> ${job.out}`;
    },
    setup: a.device,
  });
}
