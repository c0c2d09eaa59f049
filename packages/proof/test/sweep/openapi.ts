import { isObject, type Json } from './http.js';

/**
 * The gateway's merged OpenAPI 3.1 document as a list of operations: what the sweep and the fuzzer
 * iterate over, so an endpoint added to any service is covered without editing the suite.
 */

export type Schema = Json;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface Parameter {
  name: string;
  required: boolean;
  schema: Schema;
}

export interface Operation {
  method: Method;
  /** OpenAPI form, e.g. `/api/v1/points/orders/{id}/dispatch`. */
  path: string;
  /** `/api/v1/<service>`: every service lives under its own prefix. */
  service: string;
  /** Path parameter names in order of appearance. */
  pathParams: string[];
  query: Parameter[];
  /** JSON request body schema (dereferenced at the top). */
  body?: Schema;
  bodyRequired: boolean;
  /** Request content types other than JSON (multipart uploads…). */
  otherContent: string[];
  /** `security: []`: public by design. */
  public: boolean;
  /** `x-roles`: the roles the router lets through (absent: the use case decides). */
  roles?: string[];
  /** Descriptions of the 2xx answers. */
  successDescriptions: string[];
  /** Documents a 202: with `Prefer: respond-async` it answers a job, named by its Location. */
  accepts: boolean;
  /** `METHOD path`, for messages. */
  key: string;
}

export function serviceOf(path: string): string {
  const m = /^\/api\/v\d+\/[^/]+/.exec(path);
  return m ? m[0] : path;
}

export function operationsOf(doc: Json): Operation[] {
  const paths = isObject(doc.paths) ? doc.paths : {};
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method.toLowerCase()];
      if (!isObject(op)) continue;
      const params = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(op.parameters) ? op.parameters : []),
      ]
        .map((p) => deref(doc, p))
        .filter(isObject);
      const content = isObject(op.requestBody) ? deref(doc, op.requestBody).content : undefined;
      const json =
        isObject(content) && isObject(content['application/json']) ? content['application/json'] : {};
      const responses = isObject(op.responses) ? op.responses : {};
      ops.push({
        method,
        path,
        service: serviceOf(path),
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        query: params
          .filter((p) => p.in === 'query')
          .map((p) => ({
            name: String(p.name),
            required: p.required === true,
            schema: isObject(p.schema) ? p.schema : {},
          })),
        ...(isObject(json.schema) ? { body: deref(doc, json.schema) } : {}),
        bodyRequired: isObject(op.requestBody) && op.requestBody.required === true,
        otherContent: isObject(content) ? Object.keys(content).filter((c) => c !== 'application/json') : [],
        public: Array.isArray(op.security) && op.security.length === 0,
        ...(Array.isArray(op['x-roles']) ? { roles: op['x-roles'].map(String) } : {}),
        successDescriptions: Object.entries(responses)
          .filter(([code]) => code.startsWith('2'))
          .map(([, r]) => (isObject(r) && typeof r.description === 'string' ? r.description : '')),
        accepts: '202' in responses,
        key: `${method} ${path}`,
      });
    }
  }
  return ops;
}

/** Follows a local `$ref` (one level; call again on nested schemas). */
export function deref(doc: Json, node: unknown): Json {
  let current = node;
  for (let hops = 0; isObject(current) && typeof current.$ref === 'string' && hops < 20; hops++) {
    const parts = current.$ref.replace(/^#\//, '').split('/');
    let target: unknown = doc;
    for (const part of parts) target = isObject(target) ? target[part.replace(/~1/g, '/')] : undefined;
    current = target;
  }
  return isObject(current) ? current : {};
}

/** The concrete path of a template: each `{param}` replaced by its (URL-encoded) value. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
}

/** Matches concrete paths (no query) against a template. */
export function templateMatcher(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}

/** The literal path segment right before `{param}` in `template` (e.g. `orders` for `/orders/{id}`). */
export function segmentBefore(template: string, param: string): string | undefined {
  const parts = template.split('/');
  const at = parts.indexOf(`{${param}}`);
  return at > 0 ? parts[at - 1] : undefined;
}

/** The last literal segment of a path (`submissions` for `/cycles/{id}/submissions`). */
export function lastSegment(path: string): string {
  return (
    path
      .split('/')
      .filter((s) => s && !s.startsWith('{'))
      .pop() ?? ''
  );
}

/** `orders` → `order`, `activities` → `activity`, `catalogue` → `catalogue`. */
export function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The field names that carry the value of `{param}` in records: `id` or `<singular>Id` for `{id}`. */
export function fieldNamesFor(template: string, param: string): string[] {
  if (param !== 'id') return [param];
  const seg = segmentBefore(template, 'id');
  return seg ? ['id', `${camel(singular(seg))}Id`] : ['id'];
}
