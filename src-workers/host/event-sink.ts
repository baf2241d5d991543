/**
 * The process-wide sink for job events. The engine (progress bars, the train command) calls
 * emitJobEvent as it works; it does nothing unless a worker entry (host/worker-main.ts) installed a
 * sender, so the same code runs unchanged from a terminal.
 */
import type { JobEvent } from "./contract/jobs.js";

let sender: ((e: JobEvent) => void) | undefined;

export function installJobEventSender(send: ((e: JobEvent) => void) | undefined): void {
  sender = send;
}

export function jobEventsEnabled(): boolean {
  return sender !== undefined;
}

export function emitJobEvent(e: JobEvent): void {
  if (!sender) return;
  try {
    sender(e);
  } catch {
    // A closed channel must not fail the job: the host sees the exit instead.
  }
}

/** A function that passes at most one call per `ms` (the last one of a burst is dropped, not delayed). */
export function throttle<A extends unknown[]>(ms: number, fn: (...a: A) => void): (...a: A) => void {
  let last = 0;
  return (...a: A) => {
    const now = Date.now();
    if (now - last < ms) return;
    last = now;
    fn(...a);
  };
}
