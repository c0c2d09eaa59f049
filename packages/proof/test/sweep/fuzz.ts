import fc from 'fast-check';
import { actorNamed, invoke, queryFor, roleAllowed, type ProofContext } from './context.js';
import { brief, listOps } from './discover.js';
import { outOfScope } from './bola.js';
import { is2xx, isObject, itemsOf, mapLimit, type Answer, type Json } from './http.js';
import { deref, fillPath, type Operation } from './openapi.js';
import { sample } from './sample.js';
import { COUNTIES, type Actor } from './actors.js';

/**
 * Schema fuzzing (issue item 2). Every write endpoint of the document gets `runs` cases generated
 * by fast-check from its request schema with a fixed seed (per endpoint, so a case does not
 * depend on the order endpoints run in): wrong types, missing and extra fields, huge strings,
 * deep nesting, `__proto__`/`constructor` keys, Mongo operator objects in fields, in the query
 * string and in the path, invalid dates and numbers, malformed bodies. Every answer must be
 * below 500; after every refusal the service's lists must read exactly as before (a case that
 * succeeds re-baselines them). List endpoints get the query-string cases too (5xx only).
 */

const RAW = '@@proof-raw@@';

export const MONGO_OPERATORS: readonly Json[] = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(100) || true' },
  { $regex: '.*' },
  { $expr: { $eq: [1, 1] } },
  { $in: [] },
  { $exists: true },
  { $function: { body: 'function () { return true }', args: [], lang: 'js' } },
];

const PROTO_VALUES: readonly unknown[] = [
  JSON.parse('{"__proto__": {"polluted": "yes", "isAdmin": true}}'),
  { constructor: { prototype: { polluted: 'yes' } } },
  JSON.parse('{"__proto__": null}'),
];

const BAD_DATES = [
  '2026-02-30',
  '2026-13-01',
  '0000-00-00',
  '9999-12-31T99:99:99Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-19T00:00:00.000Z',
  '2026-03-01T25:00:00+08:00',
  'yesterday',
  '',
  '1900-01-01',
  '2100-01-01',
];

const BAD_NUMBERS: readonly unknown[] = [
  -1,
  0,
  -0,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 1,
  1.5,
  -(2 ** 31),
  '12',
  'NaN',
];
const RAW_NUMBERS = ['1e999', '-1e999', '1e-999', '123456789012345678901234567890', '-0.0e-0'];
const ODD_STRINGS = [
  '\u0000',
  '\ud800',
  '𠮷'.repeat(500),
  '<script>alert(1)</script>',
  "'; --",
  '../../etc/passwd',
  ' ',
];

function nest(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 'deep';
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

const anyBadValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, '', [], {}),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 40 }),
  fc.anything({ maxDepth: 3, maxKeys: 5 }),
  fc.constantFrom(...MONGO_OPERATORS),
  fc.constantFrom(...PROTO_VALUES),
  fc.constantFrom(...BAD_DATES),
  fc.constantFrom(...BAD_NUMBERS),
  fc.constantFrom(...ODD_STRINGS),
  fc.constantFrom(10_000, 200_000, 1_100_000).map((n) => 'x'.repeat(n)),
  fc
    .tuple(fc.constantFrom(64, 512, 4000), fc.constantFrom<'array' | 'object'>('array', 'object'))
    .map(([d, k]) => nest(d, k)),
);

export type FuzzCase =
  | { kind: 'field'; path: string[]; value: unknown }
  | { kind: 'raw-number'; path: string[]; literal: string }
  | { kind: 'missing'; key: string }
  | { kind: 'extra-key'; key: string; value: unknown }
  | { kind: 'body'; raw: string; contentType: string }
  | { kind: 'query'; query: string }
  | { kind: 'path'; value: string };

/** Field paths of a body schema: its properties and those of nested objects (two levels). */
function fieldPaths(doc: Json, schema: unknown, prefix: string[] = [], depth = 0): string[][] {
  const s = deref(doc, schema);
  const props = isObject(s.properties) ? s.properties : {};
  const out: string[][] = [];
  for (const [key, sub] of Object.entries(props)) {
    out.push([...prefix, key]);
    const d = deref(doc, sub);
    if (depth < 1 && isObject(d.properties)) out.push(...fieldPaths(doc, d, [...prefix, key], depth + 1));
    if (depth < 1 && d.type === 'array' && isObject(deref(doc, d.items).properties))
      out.push(...fieldPaths(doc, d.items, [...prefix, key, '0'], depth + 1));
  }
  return out;
}

const QUERY_FORMS: readonly ((name: string) => string)[] = [
  (n) => `${n}[$gt]=`,
  (n) => `${n}[$ne]=x`,
  (n) => `${n}[$where]=sleep(100)`,
  (n) => `${n}=${encodeURIComponent('{"$gt":""}')}`,
  (n) => `${n}=-1`,
  (n) => `${n}=1e309`,
  (n) => `${n}=${'9'.repeat(40)}`,
  (n) => `${n}=${'x'.repeat(5000)}`,
  (n) => `${n}=a&${n}=b`,
  (n) => `${n}=2026-02-30`,
  (n) => `${n}=%00`,
  (n) => `${n}=%E0%A4%A`,
  () => '__proto__[polluted]=1',
  () => 'constructor[prototype][polluted]=1',
];

const BAD_PATH_VALUES = [
  '$gt',
  '{"$ne":null}',
  '..',
  'a'.repeat(500),
  '\u0000',
  '𠮷',
  ' ',
  '__proto__',
  'constructor',
  '1e309',
];

const RAW_BODIES: readonly [string, string][] = [
  ['', 'application/json'],
  ['{', 'application/json'],
  ['[]', 'application/json'],
  ['null', 'application/json'],
  ['"text"', 'application/json'],
  ['12', 'application/json'],
  ['{"a":1,}', 'application/json'],
  ['\ufeff{}', 'application/json'],
  ['['.repeat(20_000), 'application/json'],
  [`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, 'application/json'],
  ['a[$gt]=1&b=2', 'application/x-www-form-urlencoded'],
  ['plain text', 'text/plain'],
  ['--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--x--', 'multipart/form-data; boundary=x'],
];

/** The cases of one operation: all kinds its shape allows, in fast-check's proportions. */
export function caseArbitrary(doc: Json, op: Operation, base: unknown): fc.Arbitrary<FuzzCase> {
  const arbs: fc.Arbitrary<FuzzCase>[] = [];
  const queryNames = [...op.query.map((q) => q.name), 'q', 'limit', 'cursor', 'county', 'memberId'];
  arbs.push(
    fc
      .tuple(fc.constantFrom(...queryNames), fc.constantFrom(...QUERY_FORMS))
      .map(([name, form]) => ({ kind: 'query', query: form(name) })),
  );
  if (op.pathParams.length > 0)
    arbs.push(fc.constantFrom(...BAD_PATH_VALUES).map((value) => ({ kind: 'path', value })));
  if (op.method !== 'GET') {
    arbs.push(
      fc.constantFrom(...RAW_BODIES).map(([raw, contentType]) => ({ kind: 'body', raw, contentType })),
    );
    arbs.push(
      fc
        .tuple(
          fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', '$set', 'a.b', '$gt'),
          anyBadValue,
        )
        .map(([key, value]) => ({ kind: 'extra-key', key, value })),
    );
  }
  if (op.body) {
    const paths = fieldPaths(doc, op.body);
    if (paths.length > 0) {
      const field = fc
        .tuple(fc.constantFrom(...paths), anyBadValue)
        .map(([path, value]): FuzzCase => ({ kind: 'field', path, value }));
      // Field mutations are the heart of it: weigh them up.
      arbs.push(field, field, field);
      arbs.push(
        fc
          .tuple(fc.constantFrom(...paths), fc.constantFrom(...RAW_NUMBERS))
          .map(([path, literal]) => ({ kind: 'raw-number', path, literal })),
      );
    }
    const keys = isObject(base) ? Object.keys(base) : [];
    if (keys.length > 0) arbs.push(fc.constantFrom(...keys).map((key) => ({ kind: 'missing', key })));
  }
  return fc.oneof(...arbs);
}

function setOwn(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function setPath(body: unknown, path: string[], value: unknown): unknown {
  const root: Json = isObject(body) ? body : {};
  let at: Json | unknown[] = root;
  for (const [i, key] of path.entries()) {
    const last = i === path.length - 1;
    if (Array.isArray(at)) {
      const idx = Number(key);
      if (last) at[idx] = value;
      else {
        if (!isObject(at[idx]) && !Array.isArray(at[idx])) at[idx] = {};
        at = at[idx] as Json;
      }
      continue;
    }
    if (last) setOwn(at, key, value);
    else {
      const next = at[key];
      if (!isObject(next) && !Array.isArray(next)) setOwn(at, key, path[i + 1] === '0' ? [{}] : {});
      at = at[key] as Json;
    }
  }
  return root;
}

/** The request a case makes of `op`, from the base body and binding. */
export function render(
  c: FuzzCase,
  base: unknown,
  values: Record<string, string>,
  primary: string | undefined,
): { values: Record<string, string>; query: string; json?: unknown; raw?: string; contentType?: string } {
  const clone = () => (base === undefined ? {} : (structuredClone(base) as unknown));
  switch (c.kind) {
    case 'field':
      return { values, query: '', json: setPath(clone(), c.path, c.value) };
    case 'raw-number':
      return {
        values,
        query: '',
        raw: JSON.stringify(setPath(clone(), c.path, RAW)).replace(`"${RAW}"`, c.literal),
      };
    case 'missing': {
      const body = clone();
      if (isObject(body)) delete body[c.key];
      return { values, query: '', json: body };
    }
    case 'extra-key': {
      const body = clone();
      if (isObject(body)) setOwn(body, c.key, c.value);
      return { values, query: '', json: body };
    }
    case 'body':
      return { values, query: '', raw: c.raw, contentType: c.contentType };
    case 'query':
      return { values, query: c.query, ...(base !== undefined ? { json: base } : {}) };
    case 'path':
      return {
        values: primary ? { ...values, [primary]: c.value } : values,
        query: '',
        ...(base !== undefined ? { json: base } : {}),
      };
  }
}

export function describeCase(c: FuzzCase): string {
  const text = JSON.stringify(summarize(c, 0));
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** A value fit for a message: long strings cut, deep nesting shown as its depth. */
function summarize(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return v.length > 80 ? `${v.slice(0, 40)}…(${v.length} chars)` : v;
  if (typeof v !== 'object' || v === null) return v;
  if (depth > 4) return `…(nested ${depthOf(v)} levels)`;
  if (Array.isArray(v)) return v.slice(0, 5).map((x) => summarize(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, summarize(x, depth + 1)]));
}

function depthOf(v: unknown): number {
  let d = 0;
  for (let at = v; typeof at === 'object' && at !== null; d++)
    at = Array.isArray(at) ? at[0] : Object.values(at as Json)[0];
  return d;
}

export interface FuzzFinding {
  kind: '5xx' | 'state-change';
  op: string;
  request: string;
  detail: string;
}

export interface FuzzResult {
  requests: number;
  cases: number;
  endpoints: number;
  writeEndpoints: number;
  queryEndpoints: number;
  statuses: Map<number, number>;
  rebaselines: number;
  /** List endpoints read as the state of the services (summed over services). */
  stateLists: number;
  /** Lists left out of the state because two reads in a row differed. */
  volatile: string[];
  /** Milliseconds per endpoint. */
  timings: [string, number][];
  findings: FuzzFinding[];
}

const hash = (s: string) =>
  [...s].reduce((h, ch) => (Math.imul(h ^ ch.charCodeAt(0), 16_777_619) >>> 0) as number, 2_166_136_261);

const FUZZERS = [
  'county-admin-331003',
  'staff-331003',
  'member-331003',
  'firm-331003',
  'committee-331003',
  'resident-331003',
  'city-admin',
  'api-consumer-demo',
];

/** Who fuzzes `op`: a caller of 黄岩 the router admits (so the body reaches validation), else the city. */
export function fuzzerFor(ctx: ProofContext, op: Operation): Actor {
  for (const name of FUZZERS) {
    const actor = ctx.actors.find((a) => a.name === name);
    if (actor && roleAllowed(op, actor)) return actor;
  }
  return actorNamed(ctx, 'city-admin');
}

export async function fuzz(ctx: ProofContext, opts: { runs: number; seed: number }): Promise<FuzzResult> {
  const start = ctx.gateway.requests;
  const admin = actorNamed(ctx, 'city-admin');
  const token = () => ctx.tokens.get(admin);
  const result: FuzzResult = {
    requests: 0,
    cases: 0,
    endpoints: 0,
    writeEndpoints: 0,
    queryEndpoints: 0,
    statuses: new Map(),
    rebaselines: 0,
    stateLists: 0,
    timings: [],
    volatile: [],
    findings: [],
  };

  // Readers that answer 2xx for the city admin and show records (or one object) are the state.
  const snapshot = async (readers: { url: string }[]): Promise<Map<string, string>> => {
    const t = await token();
    const answers = await mapLimit(readers, ctx.concurrency, (r) =>
      ctx.gateway.send('GET', r.url, { token: t }),
    );
    const out = new Map<string, string>();
    answers.forEach((a, i) => {
      if (is2xx(a.status) && a.contentType.includes('json')) out.set(readers[i]!.url, a.text);
    });
    return out;
  };
  /** Until two reads in a row agree (events of a success still travelling); bounded. */
  const settled = async (readers: { url: string }[]) => {
    let last = await snapshot(readers);
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const next = await snapshot(readers);
      if (same(last, next)) return next;
      last = next;
    }
    return last;
  };
  const same = (a: Map<string, string>, b: Map<string, string>) =>
    a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  const changed = (a: Map<string, string>, b: Map<string, string>) =>
    [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));

  // A service's state: its list endpoints that answer the city admin in JSON (an .xlsx export
  // differs byte-wise every time) and read the same twice in a row (a QR list would not).
  const readersOf = async (service: string) => {
    const urls = listOps(ctx)
      .filter((l) => l.service === service && !/\/whoami$/.test(l.path))
      .map((l) => ({ url: `${l.path}${queryFor(ctx, l, undefined)}` }));
    const once = await snapshot(urls);
    const twice = await snapshot(urls);
    for (const u of urls)
      if (once.has(u.url) && once.get(u.url) !== twice.get(u.url)) result.volatile.push(u.url);
    return urls.filter((u) => once.has(u.url) && once.get(u.url) === twice.get(u.url));
  };

  const writes = ctx.ops.filter((op) => op.method !== 'GET' && !op.public);
  const reads = listOps(ctx).filter((op) => op.query.length > 0);
  const count = (a: Answer) => result.statuses.set(a.status, (result.statuses.get(a.status) ?? 0) + 1);
  const services = [...new Set([...writes, ...reads].map((op) => op.service))];

  for (const service of services) {
    const readers = await readersOf(service);
    result.stateLists += readers.length;
    let baseline = await settled(readers);
    for (const op of [...writes, ...reads].filter((o) => o.service === service)) {
      const began = Date.now();
      const actor = fuzzerFor(ctx, op);
      const bindings = ctx.world.bindings(op).filter((b) => !outOfScope(actor, b.owner, op.path));
      const binding = bindings.find((b) => b.owner.county === actor.county) ?? bindings[0];
      const county = binding?.owner.county ?? actor.county ?? COUNTIES[0]!;
      const base = op.body ? sample(ctx.doc, op.body, ctx.world.hints(county)) : undefined;
      const baseQuery = queryFor(ctx, op, county);
      const write = op.method !== 'GET';
      const runs = write ? opts.runs : Math.max(2, Math.ceil(opts.runs / 3));
      const cases = fc.sample(caseArbitrary(ctx.doc, op, base), {
        seed: opts.seed ^ hash(op.key),
        numRuns: runs,
      });
      result.endpoints++;
      if (write) result.writeEndpoints++;
      else result.queryEndpoints++;
      for (const c of cases) {
        const r = render(c, base, binding?.values ?? {}, binding?.primary ?? op.pathParams.at(-1));
        const query = [baseQuery.replace(/^\?/, ''), r.query].filter(Boolean).join('&');
        const answer = await invoke(ctx, actor, op, r.values, {
          query: query ? `?${query}` : '',
          ...(r.json !== undefined ? { json: r.json } : {}),
          ...(r.raw !== undefined ? { raw: r.raw } : {}),
          ...(r.contentType ? { contentType: r.contentType } : {}),
        });
        result.cases++;
        count(answer);
        const request = `${op.method} ${fillPath(op.path, r.values)}${query ? `?${query}` : ''} as ${actor.name}: ${describeCase(c)}`;
        if (answer.status >= 500)
          result.findings.push({
            kind: '5xx',
            op: op.key,
            request,
            detail: `${answer.status} ${brief(answer)}`,
          });
        if (!write) continue;
        if (is2xx(answer.status)) {
          result.rebaselines++;
          baseline = await settled(readers);
          continue;
        }
        const now = await snapshot(readers);
        const diff = changed(baseline, now);
        if (diff.length > 0) {
          // A change still travelling from an earlier success settles; one this refusal made stays.
          const later = await settled(readers);
          result.findings.push({
            kind: 'state-change',
            op: op.key,
            request,
            detail: `${answer.status} ${brief(answer)}; changed: ${diff.join(', ')}${
              same(now, later) ? '' : ' (still moving)'
            }; e.g. ${firstDifference(baseline.get(diff[0]!), now.get(diff[0]!))}`,
          });
          baseline = later;
        }
      }
      result.timings.push([op.key, Date.now() - began]);
    }
  }
  result.requests = ctx.gateway.requests - start;
  return result;
}

/** Where two list answers first differ, with a little context. */
function firstDifference(a = '', b = ''): string {
  const itemsA = safeItems(a);
  const itemsB = safeItems(b);
  if (itemsA && itemsB) {
    const before = new Set(itemsA.map((i) => JSON.stringify(i)));
    const after = new Set(itemsB.map((i) => JSON.stringify(i)));
    const gone = [...before].filter((x) => !after.has(x));
    const added = [...after].filter((x) => !before.has(x));
    return `-${gone.length} +${added.length}: ${(added[0] ?? gone[0] ?? '').slice(0, 300)}`;
  }
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `…${a.slice(Math.max(0, i - 60), i + 60)} → …${b.slice(Math.max(0, i - 60), i + 60)}`;
}

function safeItems(text: string): Json[] | undefined {
  try {
    return itemsOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}
