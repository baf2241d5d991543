/**
 * One service per folder: a lock file holding the owner's pid, created exclusively. A lock whose
 * process is gone (kill -9, power loss) is taken over; a live owner is named in the error.
 */
import { mkdir, open, readFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { AzaionError } from "./errors.js";

/** Take `file` for this process; `owner` says what holds it ("another queue consumer"). Returns the release. */
export async function acquirePidLock(file: string, owner: string): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, "wx");
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return () => unlink(file).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new AzaionError(`${owner} (pid ${pid}) holds ${file}`, "E_LOCKED");
    await unlink(file).catch(() => undefined);
  }
  throw new AzaionError(`cannot take the lock ${file}`, "E_LOCKED");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
