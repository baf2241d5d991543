// The Python side of a benchmark as a long-lived child: it prints "ready <info>" once, then answers each
// command line with one line "<kind> <number>". Shared by bench:torch and bench:forward.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/**
 * Start `python script ...args`; resolves to { info, ask(cmd) -> number, close() }, or { error } when
 * the child does not get ready. `kinds` are the reply kinds that carry a number (e.g. "ms").
 */
export async function startPythonPeer(python, script, args, kinds) {
  let child;
  try {
    child = spawn(python, [script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  } catch (err) {
    return { error: err.message };
  }
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  const waiters = [];
  lines.on("line", (l) => (waiters.length ? waiters.shift()(l) : queue.push(l)));
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => {
    child.on("error", (err) => resolve(`cannot start ${python}: ${err.message}`));
    child.on("exit", (code) =>
      resolve(`${python} exited (${code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`),
    );
  });
  const next = () =>
    Promise.race([
      new Promise((r) => (queue.length ? r(queue.shift()) : waiters.push(r))),
      exited.then((m) => `error ${m}`),
    ]);
  const first = await next();
  if (!first.startsWith("ready")) {
    child.kill();
    return { error: first };
  }
  const ask = async (cmd) => {
    child.stdin.write(`${cmd}\n`);
    const reply = await next();
    const [kind, value] = reply.split(" ");
    if (!kinds.includes(kind)) throw new Error(`python: ${reply}`);
    return Number(value);
  };
  return { info: first.slice(6), ask, close: () => child.stdin.end() };
}
