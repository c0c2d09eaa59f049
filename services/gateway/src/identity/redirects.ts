/**
 * Where the development identity provider may send a browser back to, for
 * its public client: a page of the gateway's own public origin, or in
 * development any `http://localhost:<port>` / `http://127.0.0.1:<port>` page
 * (a console on a Vite dev server). Anything else is refused with an error
 * page, never redirected to. The URL checked is the URL redirected to: the
 * parsed form, so no parser difference between check and use.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_REDIRECT_URI = 2048;

/** The redirect URI as a URL when the public client may use it, else undefined. */
export function allowedRedirect(raw: string | undefined, publicOrigin: string): URL | undefined {
  if (!raw || raw.length > MAX_REDIRECT_URI || raw.includes('#')) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  return allowedOrigin(url, publicOrigin) ? url : undefined;
}

/** Whether a browser origin (the Origin header) belongs to the public client (Keycloak's web origins `+`). */
export function allowedWebOrigin(origin: string | undefined, publicOrigin: string): boolean {
  if (!origin) return false;
  try {
    const url = new URL(origin);
    return url.origin === origin && allowedOrigin(url, publicOrigin);
  } catch {
    return false;
  }
}

function allowedOrigin(url: URL, publicOrigin: string): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.origin === publicOrigin) return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** The origin of a URL, or undefined when it is not an http(s) URL. */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The URL answering an authorization request: the parameters in the query
 * (response_mode `query`, the default for the code flow) or the fragment.
 */
export function responseUrl(
  redirect: URL,
  mode: 'query' | 'fragment',
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirect.href);
  const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  if (mode === 'fragment') {
    url.hash = new URLSearchParams(defined).toString();
  } else {
    for (const [name, value] of defined) url.searchParams.set(name, value);
  }
  return url.href;
}
