import type { Express, RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';

type Doc = Record<string, unknown>;

export interface MergedInfo {
  title: string;
  version: string;
  description?: string;
}

/** Per service: whether its document was merged, and why not. */
export type ServiceDocStatus = Record<string, { ok: boolean; detail?: string }>;

/**
 * Fetches every service's `/openapi.json` and merges their paths and
 * components into one OpenAPI 3.1 document. A service that is down or
 * answers nonsense is left out and listed under `x-honglian-services`; the
 * document is still served.
 */
export async function mergedOpenApi(
  services: Record<string, string>,
  info: MergedInfo,
  opts: { timeoutMs?: number; extraPaths?: Doc } = {},
): Promise<Doc> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const fetched = await Promise.all(
    Object.entries(services).map(async ([name, url]) => {
      try {
        const res = await fetch(`${url}/openapi.json`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) return { name, error: `HTTP ${res.status}` };
        const doc = (await res.json()) as unknown;
        if (!isObject(doc) || !isObject(doc.paths)) return { name, error: 'not an OpenAPI document' };
        return { name, doc };
      } catch (err) {
        return { name, error: (err as Error).message };
      }
    }),
  );
  const paths: Doc = { ...opts.extraPaths };
  const components: Record<string, Doc> = {};
  const tags = new Map<string, Doc>();
  const status: ServiceDocStatus = {};
  for (const entry of fetched) {
    if (!('doc' in entry) || !entry.doc) {
      status[entry.name] = { ok: false, detail: entry.error };
      continue;
    }
    status[entry.name] = { ok: true };
    const doc = entry.doc as Doc & { paths: Doc };
    for (const [path, item] of Object.entries(doc.paths)) paths[path] ??= item;
    if (isObject(doc.components)) {
      for (const [section, entries] of Object.entries(doc.components)) {
        if (!isObject(entries)) continue;
        const target = (components[section] ??= {});
        for (const [key, value] of Object.entries(entries)) target[key] ??= value;
      }
    }
    if (Array.isArray(doc.tags)) {
      for (const tag of doc.tags) if (isObject(tag) && typeof tag.name === 'string') tags.set(tag.name, tag);
    }
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/', description: 'this gateway' }],
    ...(tags.size ? { tags: [...tags.values()] } : {}),
    paths,
    components,
    security: [{ bearerAuth: [] }],
    'x-honglian-services': status,
  };
}

/**
 * `mergedOpenApi` behind a short cache shared by concurrent callers, so a
 * burst of unauthenticated `/openapi.json` requests costs one fetch per
 * service, not one per request.
 */
export function cachedMergedOpenApi(
  load: () => Promise<Doc>,
  opts: { ttlMs?: number; now?: () => number } = {},
): () => Promise<Doc> {
  const ttlMs = opts.ttlMs ?? 5000;
  const now = opts.now ?? Date.now;
  let cached: { at: number; doc: Promise<Doc> } | undefined;
  return () => {
    if (!cached || now() - cached.at >= ttlMs) {
      const doc = load();
      cached = { at: now(), doc };
      // mergedOpenApi does not reject; should a loader do so, the next call tries again.
      doc.catch(() => {
        if (cached?.doc === doc) cached = undefined;
      });
    }
    return cached.doc;
  };
}

/**
 * The API docs page at `/docs`: swagger-ui served from the installed
 * swagger-ui-dist (no CDN), reading `/openapi.json`.
 */
export function mountDocs(app: Express, path = '/docs'): void {
  const options = {
    customSiteTitle: 'Honglian API 红联',
    swaggerUrl: '../openapi.json',
    swaggerOptions: { validatorUrl: null },
  };
  // Relative asset URLs need the trailing slash.
  const redirect: RequestHandler = (req, res, next) => {
    if (req.originalUrl === path) return res.redirect(301, `${path}/`);
    next();
  };
  app.use(path, redirect, swaggerUi.serveFiles(undefined, options), swaggerUi.setup(undefined, options));
}

function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
