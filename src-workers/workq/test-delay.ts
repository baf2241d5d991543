/**
 * AZAION_TEST_JOB_DELAY_MS (tests only; unset in production): every work-queue job pauses this long
 * midway, after some of its temporary outputs are written and before any is committed, so that a
 * test can kill a worker inside a job (kill -9 must then lose nothing and leave nothing behind).
 * Augmentation pauses before variant 4 (variants 0-3 are in its temporary folder); inference after
 * the run's files are written to the temporary folder, before it is renamed into place.
 */
export const TEST_DELAY_ENV = "AZAION_TEST_JOB_DELAY_MS";

export function testDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env[TEST_DELAY_ENV];
  if (v === undefined || v === "") return 0;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The pause, blocking this thread: the augmentation variants are synchronous. */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
