/** `azaion augment --submit` and `--worker`: augmentation jobs on the work queue (src-workers/workq/). */
import { loadSecrets } from "../../core/secrets.js";
import { AugmentJobRunner, planAugmentJobs } from "../../workq/augment-work.js";
import { amqpOptions } from "../../workq/broker.js";
import { rootRelative } from "../../workq/jobs.js";
import { submitJobs } from "../../workq/submit.js";
import { testDelayMs } from "../../workq/test-delay.js";
import type { CliContext } from "../context.js";
import { runWorker } from "./work-log.js";

export interface AugmentQueueArgs {
  readonly source: string;
  readonly out: string;
  readonly seed: number;
}

export async function submitAugment(ctx: CliContext, a: AugmentQueueArgs): Promise<void> {
  const cfg = ctx.config();
  const rel = {
    source: rootRelative(cfg.root, a.source, "--source"),
    out: rootRelative(cfg.root, a.out, "--out"),
  };
  const plan = await planAugmentJobs(cfg.root, rel, a.seed);
  for (const p of plan.problems) ctx.info(`not submitted: ${p}`);
  const queue = cfg.queue.augment_queue;
  const sent =
    plan.jobs.length === 0 ? 0 : await submitJobs(amqpOptions(cfg, loadSecrets()), queue, plan.jobs);
  ctx.out(
    `augment: ${sent} jobs submitted to ${queue}; ${plan.upToDate} up to date, ${plan.quarantined} in quarantine` +
      (plan.problems.length > 0 ? `, ${plan.problems.length} not submitted (see above)` : ""),
  );
  if (plan.problems.length > 0) process.exitCode = 1;
}

/** The real transforms; with the test pause when AZAION_TEST_JOB_DELAY_MS is set (tests only). */
const PIPELINE = new URL("../../augment/pipeline.js", import.meta.url).href;
const DELAYED_PIPELINE = new URL("../../workq/delayed-pipeline.js", import.meta.url).href;

export async function augmentWorker(ctx: CliContext, prefetchFlag: number | undefined): Promise<void> {
  const cfg = ctx.config();
  const prefetch = prefetchFlag ?? cfg.queue.prefetch;
  const delay = testDelayMs();
  if (delay > 0)
    ctx.info(`augment worker: AZAION_TEST_JOB_DELAY_MS=${delay}: every job pauses midway (tests only)`);
  const runner = new AugmentJobRunner({
    root: cfg.root,
    variantModule: delay > 0 ? DELAYED_PIPELINE : PIPELINE,
    threads: prefetch,
  });
  try {
    await runWorker(ctx, {
      kind: "augment",
      prefetch,
      handle: (job) => runner.handle(job),
      describe: (job) => `${job.source}/images/${job.image}`,
    });
  } finally {
    await runner.close();
  }
}
