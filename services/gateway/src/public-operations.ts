/**
 * Operations a service documents as public (`security: []` in its OpenAPI document, what the
 * kit writes for a `public: true` route): the gateway lets them through without a token, so a
 * new public route needs no gateway change. Everything else still needs a valid token here.
 */
export interface PublicOperation {
  method: string;
  pattern: RegExp;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `/api/v1/points/verify/{code}` → a pattern one path segment per parameter matches. */
function patternOf(template: string): RegExp {
  const source = template
    .split(/(\{[^}/]+\})/)
    .map((part) => (/^\{[^}/]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

export function publicOperations(doc: Record<string, unknown>): PublicOperation[] {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, unknown>>;
  const out: PublicOperation[] = [];
  for (const [template, item] of Object.entries(paths)) {
    if (!template.startsWith('/api/')) continue;
    for (const method of METHODS) {
      const op = item?.[method] as { security?: unknown } | undefined;
      if (op && Array.isArray(op.security) && op.security.length === 0)
        out.push({ method: method.toUpperCase(), pattern: patternOf(template) });
    }
  }
  return out;
}

export function isPublicOperation(ops: readonly PublicOperation[], method: string, path: string): boolean {
  const m = method === 'HEAD' ? 'GET' : method;
  return ops.some((op) => op.method === m && op.pattern.test(path));
}
