/**
 * A worker process: runs one `azaion` command line in-process (runCli) and reports to its host
 * (contract/worker.ts): what it prints as `log` events, the engine's events (event-sink.ts), and
 * finally `exit`. Runs as a Node child process (process.send / process.on("message")) or as an
 * Electron utility process (process.parentPort, messages in event.data): whichever this is.
 */
import { fromWorkerSchema, toWorkerSchema, type FromWorker } from "./contract/worker.js";
import { installJobEventSender } from "./event-sink.js";

interface ParentPort {
  postMessage(msg: unknown): void;
  on(event: "message", listener: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(msg: FromWorker, done?: () => void): void {
  const checked = fromWorkerSchema.parse(msg);
  try {
    if (parentPort) {
      parentPort.postMessage(checked);
      if (done) setTimeout(done, 100);
    } else if (process.send && process.connected) {
      process.send(checked, undefined, {}, () => done?.());
    } else done?.();
  } catch {
    // The host is gone: nobody to tell.
    done?.();
  }
}

function onMessage(listener: (msg: unknown) => void): void {
  if (parentPort) parentPort.on("message", (e) => listener(e.data));
  else process.on("message", listener);
}

// Terminal colour and line-clearing sequences (ESC [ ... letter) mean nothing in a log.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g");

type WriteCallback = (err?: Error | null) => void;

/** What the command prints becomes log lines (whole lines; \r-redrawn bars keep their last state). */
function captureOutput(stream: "stdout" | "stderr", lastError: { line?: string }): void {
  const target = stream === "stdout" ? process.stdout : process.stderr;
  let partial = "";
  function write(
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | WriteCallback,
    cb?: WriteCallback,
  ): boolean {
    const enc = typeof encoding === "string" ? encoding : "utf8";
    partial += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString(enc);
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const raw of lines) {
      const line = raw.slice(raw.lastIndexOf("\r") + 1).replace(ANSI, "");
      if (line === "") continue;
      if (stream === "stderr" && line.startsWith("azaion: ")) lastError.line = line.slice("azaion: ".length);
      send({ type: "event", event: { type: "log", stream, line } });
    }
    const done = typeof encoding === "function" ? encoding : cb;
    done?.();
    return true;
  }
  target.write = write;
}

let running = false;

async function run(argv: readonly string[], cwd: string | undefined): Promise<void> {
  running = true;
  const lastError: { line?: string } = {};
  captureOutput("stdout", lastError);
  captureOutput("stderr", lastError);
  installJobEventSender((event) => send({ type: "event", event }));
  let code: number;
  try {
    if (cwd) process.chdir(cwd);
    const { runCli } = await import("../cli/main.js");
    code = await runCli(argv);
  } catch (e) {
    code = 1;
    lastError.line = (e as Error).message;
  }
  installJobEventSender(undefined);
  send({ type: "exit", code, ...(code !== 0 && lastError.line ? { error: lastError.line } : {}) }, () =>
    process.exit(code),
  );
}

let stopping = false;

/**
 * As Ctrl+C in a terminal: a training run finishes its epoch, saves and exits. Emitted, not sent:
 * Windows has no SIGINT to send, and a command without a handler just ends.
 */
function stop(): void {
  if (stopping) return;
  stopping = true;
  if (running && process.listenerCount("SIGINT") > 0) process.emit("SIGINT", "SIGINT");
  else process.exit(130);
}

onMessage((raw) => {
  const m = toWorkerSchema.safeParse(raw);
  if (!m.success) return;
  if (m.data.type === "run") {
    if (!running && !stopping) void run(m.data.argv, m.data.cwd);
  } else stop();
});
// A host that died (kill -9) leaves the worker on its own: finish gracefully rather than run on.
process.on("disconnect", stop);
send({ type: "ready" });
