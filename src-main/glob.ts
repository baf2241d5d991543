/**
 * The subset of glob syntax electron-builder's file patterns use: `**` (any folders), `*` (within
 * one name), `?`, and `{a,b}`. A pattern without a slash matches a name in any folder, as theirs do.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      // "**/" is zero or more folders; a trailing "**" is anything.
      if (pattern[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else {
        re += ".*";
        i += 1;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") {
      const end = pattern.indexOf("}", i);
      if (end < 0) throw new Error(`unclosed { in ${pattern}`);
      re += `(?:${pattern
        .slice(i + 1, end)
        .split(",")
        .map((s) => s.replace(/[.+^$()|[\]\\]/g, "\\$&"))
        .join("|")})`;
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${pattern.includes("/") ? "" : "(?:.*/)?"}${re}$`);
}

export function globMatches(path: string, pattern: string): boolean {
  return globToRegExp(pattern).test(path);
}
