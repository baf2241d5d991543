/**
 * The browser host's access token. `azaion serve` bound to a non-loopback address prints a URL with
 * `?token=...`; the page keeps it for the session (sessionStorage) and drops it from the address bar so
 * it does not end up in bookmarks or screenshots. The host may also set it as a cookie, which the
 * browser sends by itself.
 */
const KEY = "azaion.token";

export function readToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    try {
      sessionStorage.setItem(KEY, fromUrl);
    } catch {
      // Storage may be disabled; the token then lives only in this page.
    }
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", url.toString());
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}
