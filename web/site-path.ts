/**
 * Addresses on the patient's pages as a browser must ask for them. The app
 * routes at its root; a trust may put it behind a reverse proxy under a path
 * prefix (PUBLIC_BASE_URL=https://apps.trust.nhs.uk/mutual-aid, the proxy
 * stripping /mutual-aid before passing each request on). So every address a
 * page emits (links, form actions, redirects, the stylesheet and its images,
 * the patient's link itself) is written from the app's root and goes through
 * a SitePath, which puts the prefix back in front. With no PUBLIC_BASE_URL,
 * or one with no path, the prefix is empty and nothing changes.
 */

/** An address from the app's root (`/choice/…`), as the browser must ask for it (`/mutual-aid/choice/…`). */
export type SitePath = (path: string) => string;

/** The prefix a proxy serves the app under: PUBLIC_BASE_URL's path without its trailing slash, or '' at the root. */
export function basePathOf(publicBaseUrl: string | undefined): string {
  if (!publicBaseUrl) return '';
  return new URL(publicBaseUrl).pathname.replace(/\/+$/, '');
}

export function sitePathUnder(basePath: string): SitePath {
  if (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/'))) {
    throw new Error(`A base path starts with / and does not end with one: ${JSON.stringify(basePath)}`);
  }
  return (path) => {
    if (!path.startsWith('/')) throw new Error(`Site paths are written from the app's root: ${JSON.stringify(path)}`);
    return `${basePath}${path}`;
  };
}

/** Served at the site's root: addresses unchanged. */
export const AT_ROOT: SitePath = sitePathUnder('');

/** A whole address to give a patient: the base URL's origin, its path prefix, then `path`. */
export function publicUrl(baseUrl: string, path: string): string {
  return `${new URL(baseUrl).origin}${sitePathUnder(basePathOf(baseUrl))(path)}`;
}
