/** The API as React context: screens call `useApi()` and never build a client themselves. */
import { createContext, useContext, type ReactNode } from "react";
import type { AzaionApi } from "./types.js";

const ApiContext = createContext<AzaionApi | null>(null);

export function ApiProvider({ api, children }: { api: AzaionApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): AzaionApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi() outside <ApiProvider>: the app shell provides the API.");
  return api;
}
