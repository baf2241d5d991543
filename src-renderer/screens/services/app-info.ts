/** app.info, read once per API and shared by the screens (devices, weather modes, classes). */
import { useEffect, useState } from "react";
import type { AppInfo } from "../../../src-workers/host/contract/index.js";
import type { AzaionApi } from "../../api/types.js";
import { useApi } from "../../api/context.js";

const cache = new WeakMap<AzaionApi, Promise<AppInfo>>();

export function appInfo(api: AzaionApi): Promise<AppInfo> {
  let p = cache.get(api);
  if (!p) {
    p = api.call("app.info", {});
    // A failed read is tried again by the next screen rather than cached.
    p.catch(() => cache.delete(api));
    cache.set(api, p);
  }
  return p;
}

export function useAppInfo(): AppInfo | undefined {
  const api = useApi();
  const [info, setInfo] = useState<AppInfo | undefined>(undefined);
  useEffect(() => {
    let alive = true;
    appInfo(api).then(
      (i) => alive && setInfo(i),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [api]);
  return info;
}
