/** Reading a host file the screens show (a report, a CSV) through the media route, validated. */
import type { z } from "zod";
import { MEDIA } from "../../../src-workers/host/contract/index.js";
import type { AzaionApi } from "../../api/types.js";

export function fileUrl(api: AzaionApi, path: string, download = false): string {
  return api.mediaUrl(MEDIA.file, download ? { path, download: 1 } : { path });
}

export async function fetchJson<S extends z.ZodType>(
  api: AzaionApi,
  path: string,
  schema: S,
): Promise<z.output<S>> {
  const res = await fetch(fileUrl(api, path));
  if (!res.ok) throw new Error(`${path}: ${res.status} ${res.statusText}`);
  const parsed = schema.safeParse(await res.json());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${path}: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unexpected content"}`,
    );
  }
  return parsed.data;
}
