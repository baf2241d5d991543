/**
 * The renderer's Content-Security-Policy, sent as a header with every page the app serves (the
 * renderer's index.html carries the same policy in a meta tag for the browser host). Only the app's
 * own origin: no remote scripts, no eval, no inline scripts; media and images from the app's protocol.
 */
export const APP_SCHEME = "azaion-media";
export const APP_HOST = "app";
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `img-src 'self' data: blob: ${APP_SCHEME}:`,
  `media-src 'self' blob: ${APP_SCHEME}:`,
  `connect-src 'self' ${APP_SCHEME}:`,
  // React and konva set element styles; no stylesheet is fetched from elsewhere.
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers for every response of the app's protocol. */
export function securityHeaders(): Record<string, string> {
  return {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "no-referrer",
  };
}

/** True for a URL of the app itself (what the window may show and what may call the IPC router). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
