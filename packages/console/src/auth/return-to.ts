/**
 * Where to go back to after signing in: a path of this console, else `/`. A path starting with
 * `//` or `/\` is another origin to the URL parser (history.replaceState would throw on it).
 */
export function returnToOf(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}
