/** Progress bars for the model store's stages (encrypt, upload, download), in MiB. */
import type { Stage, StageProgress } from "../platform/model-store.js";
import type { CliContext } from "./context.js";
import type { ProgressBar } from "./progress.js";

const MIB = 1024 * 1024;

/** One bar per stage; a new stage finishes the previous bar. */
export function stageBars(ctx: CliContext): { onProgress: StageProgress; finish(): void } {
  let stage: Stage | undefined;
  let bar: ProgressBar | undefined;
  return {
    onProgress(s, done, total) {
      if (s !== stage) {
        bar?.finish();
        stage = s;
        bar = ctx.progress(s, Math.max(1, Math.ceil(total / MIB)), "MiB");
      }
      bar?.set(Math.floor(done / MIB));
    },
    finish: () => bar?.finish(),
  };
}
