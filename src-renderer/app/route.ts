/** The current screen lives in the URL hash (#/train), so reloads and links keep it. */
import { useEffect, useState } from "react";

function fromHash(ids: readonly string[]): string {
  const id = window.location.hash.replace(/^#\/?/, "").split(/[/?]/)[0] ?? "";
  return ids.includes(id) ? id : (ids[0] ?? "");
}

export function useScreenRoute(ids: readonly string[]): [string, (id: string) => void] {
  const [current, setCurrent] = useState(() => fromHash(ids));
  useEffect(() => {
    const onHash = () => setCurrent(fromHash(ids));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, [ids]);
  const go = (id: string) => {
    if (window.location.hash !== `#/${id}`) window.location.hash = `#/${id}`;
    setCurrent(id);
  };
  return [current, go];
}
