/** Escapes a string for literal use inside a regular expression (MongoDB `$regex` included). */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `$regex` that matches an org path and everything below it (not `/a/b2` for `/a/b`). */
export function orgSubtreePattern(orgPath: string): string {
  return `^${escapeRegex(orgPath.replace(/\/+$/, ''))}(/|$)`;
}

/** True when `path` is `root` or below it. */
export function isWithinOrgPath(path: string, root: string): boolean {
  return new RegExp(orgSubtreePattern(root)).test(path);
}
