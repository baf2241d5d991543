import type { z } from "zod";

/** zod issues as one readable line, plus the dotted key of the first issue. */
export function zodIssuesToText(error: z.ZodError): { key: string; text: string } {
  const parts = error.issues.map((i) => {
    const key = i.path.map(String).join(".");
    return key === "" ? i.message : `${key}: ${i.message}`;
  });
  const first = error.issues[0];
  return { key: first ? first.path.map(String).join(".") : "", text: parts.join("; ") };
}
