import { COUNTIES, type Actor } from './actors.js';
import { invoke, queryFor, roleAllowed, type ProofContext } from './context.js';
import { brief, listOfCreate, listOps, type ListAnswer } from './discover.js';
import { is2xx, itemsOf, mapLimit, shapeOf, type Answer } from './http.js';
import { fillPath, type Operation } from './openapi.js';
import { sample } from './sample.js';
import type { Binding, Owner, Record_ } from './world.js';

/**
 * The BOLA sweep (issue item 1). For every operation with an object id in its path, every caller
 * but the city admin, and the objects of the other county (and, for members and firms, of other
 * members and firms of their own county): the call must not succeed, and its answer must look
 * exactly like the answer about an id that does not exist (same status, same body keys). Writes
 * carry a body sampled from the schema with the target county's ids, so validation does not
 * answer in place of the scope check. Lists must never show another scope's records, filtered
 * or not.
 */

/** Published evaluation documents are public to every role of the service by design (publishedFilter). */
const PUBLIC_DOCUMENTS = /\/published(\/|$)/;

export type Reason = 'county' | 'member' | 'firm' | 'unpublished' | 'creator';

/** Why `owner`'s object is outside `actor`'s scope, or undefined when it is not. */
export function outOfScope(actor: Actor, owner: Owner, path: string): Reason | undefined {
  if (actor.roles.includes('city-admin') || PUBLIC_DOCUMENTS.test(path)) return undefined;
  if (actor.roles.includes('api-consumer') && !actor.county) {
    if (owner.county) return owner.published ? undefined : 'unpublished';
    return owner.creator && owner.creator !== actor.name ? 'creator' : undefined;
  }
  if (actor.county && owner.county && owner.county !== actor.county) return 'county';
  // A resident's scope is what they posted themselves (tenancy: owner = sub).
  if (
    actor.roles.length === 1 &&
    actor.roles[0] === 'resident' &&
    owner.creator &&
    owner.creator !== actor.name
  )
    return 'creator';
  if (actor.roles.includes('member') && actor.memberId && owner.member && owner.member !== actor.memberId)
    return 'member';
  if (actor.roles.includes('property-firm') && actor.firmId && owner.firm && owner.firm !== actor.firmId)
    return 'firm';
  return undefined;
}

export interface Finding {
  kind: 'leak' | '5xx' | 'distinguishable' | 'list-leak';
  /** The operation (`METHOD /template`). */
  op: string;
  actor: string;
  request: string;
  detail: string;
}

export interface SweepResult {
  requests: number;
  probes: number;
  /** Object probes by why the object is out of scope. */
  byReason: Map<Reason, number>;
  bodyScoped: number;
  listChecks: number;
  queryProbes: number;
  /** Probe answers by status (the real call). */
  statuses: Map<number, number>;
  /** Writes refused by validation before any scope check could be seen (op, actor). */
  validationFirst: string[];
  findings: Finding[];
  /** Operations with a path id probed at least once. */
  probedOps: Set<string>;
  /** Operations with a path id never probed, and why. */
  unprobed: string[];
  /** In-scope controls: the same GETs as the city admin and as a caller of the object's county. */
  controls: { calls: number; cityOk: number; scopedCalls: number; scopedOk: number; neverFound: string[] };
}

const isIdParam = (p: string) => p === 'id' || /Id$/.test(p);

/**
 * A made-up id of the same shape: each letter and digit moved within its class, separators kept,
 * and a leading type tag (`job-`, `cq:`: letters up to the first separator) kept as it is, since
 * routes check it (`^job-[0-9a-f-]{36}$`).
 */
export function twinOf(value: string, taken: (v: string) => boolean): string {
  const rot = (ch: string, from: string, size: number, by: number) =>
    String.fromCharCode(from.charCodeAt(0) + ((ch.charCodeAt(0) - from.charCodeAt(0) + by) % size));
  const tag = /^[A-Za-z]+[-_:](?=.*[0-9])/.exec(value)?.[0] ?? '';
  for (let by = 1; by < 8; by++) {
    const out =
      tag +
      [...value.slice(tag.length)]
        .map((ch) => {
          if (/[0-9]/.test(ch)) return rot(ch, '0', 10, by + 2);
          if (/[a-f]/.test(ch)) return rot(ch, 'a', 6, by);
          if (/[A-F]/.test(ch)) return rot(ch, 'A', 6, by);
          if (/[g-z]/.test(ch)) return rot(ch, 'g', 20, by);
          if (/[G-Z]/.test(ch)) return rot(ch, 'G', 20, by);
          return ch;
        })
        .join('');
    if (out !== value && !taken(out)) return out;
  }
  return `${value}0`;
}

function describe(method: string, url: string, json: unknown): string {
  return `${method} ${url}${json !== undefined ? ` ${JSON.stringify(json).slice(0, 400)}` : ''}`;
}

export async function sweep(ctx: ProofContext, lists: ListAnswer[], cap: number): Promise<SweepResult> {
  const start = ctx.gateway.requests;
  const result: SweepResult = {
    requests: 0,
    probes: 0,
    byReason: new Map(),
    bodyScoped: 0,
    listChecks: 0,
    queryProbes: 0,
    statuses: new Map(),
    validationFirst: [],
    findings: [],
    probedOps: new Set(),
    unprobed: [],
    controls: { calls: 0, cityOk: 0, scopedCalls: 0, scopedOk: 0, neverFound: [] },
  };
  const actors = ctx.actors.filter((a) => !a.roles.includes('city-admin'));
  const admin = ctx.actors.find((a) => a.roles.includes('city-admin'))!;
  const known = new Set(
    ctx.world
      .all()
      .flatMap((r) => Object.values(r.item))
      .filter((v): v is string => typeof v === 'string'),
  );

  // Lists, unfiltered: what every caller saw during the harvest.
  const checkList = (actor: Actor, op: Operation, url: string, answer: Answer) => {
    result.listChecks++;
    if (answer.status >= 500)
      result.findings.push({
        kind: '5xx',
        op: op.key,
        actor: actor.name,
        request: `GET ${url}`,
        detail: brief(answer),
      });
    if (!is2xx(answer.status)) return;
    for (const item of itemsOf(answer.body) ?? []) {
      const record: Record_ = { service: op.service, listTemplate: op.path, item, seenBy: new Set() };
      const owner = ctx.world.ownerOf(record, undefined, false);
      const reason = outOfScope(actor, owner, op.path);
      if (reason)
        result.findings.push({
          kind: 'list-leak',
          op: op.key,
          actor: actor.name,
          request: `GET ${url}`,
          detail: `record of another ${reason} (${JSON.stringify(owner)}): ${JSON.stringify(item).slice(0, 300)}`,
        });
    }
  };
  for (const l of lists) checkList(l.actor, l.op, l.url, l.answer);

  // Lists, filtered by another scope's ids (?memberId=, ?communityId=, ?county=…).
  const queryJobs: { op: Operation; actor: Actor; name: string; value: string }[] = [];
  for (const op of listOps(ctx)) {
    for (const q of op.query) {
      if (q.name !== 'county' && !isIdParam(q.name)) continue;
      for (const actor of actors) {
        if (!roleAllowed(op, actor)) continue;
        const values = new Map<string, Reason>();
        if (q.name === 'county') {
          for (const c of COUNTIES) if (actor.county && c !== actor.county) values.set(c, 'county');
        } else {
          for (const record of ctx.world.all()) {
            const value = record.item[q.name];
            if (typeof value !== 'string' || values.has(value)) continue;
            const reason = outOfScope(actor, ctx.world.ownerOf(record, value), op.path);
            if (reason && [...values.values()].filter((r) => r === reason).length < cap)
              values.set(value, reason);
          }
        }
        for (const value of values.keys()) queryJobs.push({ op, actor, name: q.name, value });
      }
    }
  }
  await mapLimit(queryJobs, ctx.concurrency, async ({ op, actor, name, value }) => {
    const base = queryFor(ctx, op, actor.county);
    const params = new URLSearchParams(base.slice(1));
    params.set(name, value);
    const query = `?${params.toString()}`;
    const answer = await invoke(ctx, actor, op, {}, { query });
    result.queryProbes++;
    checkList(actor, op, `${op.path}${query}`, answer);
  });

  // Objects named in the path.
  interface Probe {
    op: Operation;
    actor: Actor;
    binding: Binding;
    reason: Reason;
  }
  const probes: Probe[] = [];
  const bodyScoped: { op: Operation; actor: Actor; values: Record<string, string>; county: string }[] = [];
  for (const op of ctx.ops) {
    if (op.pathParams.length === 0 || op.public) continue;
    const bindings = ctx.world.bindings(op);
    if (bindings.length === 0) {
      result.unprobed.push(`${op.key}: no object found to bind`);
      continue;
    }
    if (!op.pathParams.some(isIdParam)) {
      // No object in the path (a period…): the county is in the body; writes aimed at another county.
      if (op.method === 'GET' || !op.body || !JSON.stringify(op.body).includes('"county"')) {
        result.unprobed.push(`${op.key}: no object id in the path`);
        continue;
      }
      for (const actor of actors)
        for (const county of COUNTIES)
          if (actor.county && county !== actor.county)
            bodyScoped.push({ op, actor, values: bindings[0]!.values, county });
      continue;
    }
    let planned = 0;
    for (const actor of actors) {
      const limit = roleAllowed(op, actor) ? cap : 1;
      const taken = new Map<Reason, Set<string>>();
      for (const binding of bindings) {
        const reason = outOfScope(actor, binding.owner, op.path);
        if (!reason) continue;
        const seen = taken.get(reason) ?? new Set<string>();
        const value = binding.values[binding.primary]!;
        if (seen.size >= limit || seen.has(value)) continue;
        seen.add(value);
        taken.set(reason, seen);
        probes.push({ op, actor, binding, reason });
        planned++;
      }
    }
    if (planned === 0) result.unprobed.push(`${op.key}: no object outside any caller's scope`);
  }

  await mapLimit(probes, ctx.concurrency, async ({ op, actor, binding, reason }) => {
    const county = binding.owner.county ?? actor.county;
    const json = op.body ? sample(ctx.doc, op.body, ctx.world.hints(county)) : undefined;
    const query = queryFor(ctx, op, county);
    const opts = { query, ...(json !== undefined ? { json } : {}) };
    const real = await invoke(ctx, actor, op, binding.values, opts);
    const twinValues = {
      ...binding.values,
      [binding.primary]: twinOf(binding.values[binding.primary]!, (v) => known.has(v)),
    };
    const twin = await invoke(ctx, actor, op, twinValues, opts);
    result.probes++;
    result.byReason.set(reason, (result.byReason.get(reason) ?? 0) + 1);
    result.probedOps.add(op.key);
    result.statuses.set(real.status, (result.statuses.get(real.status) ?? 0) + 1);
    const request = describe(op.method, `${fillPath(op.path, binding.values)}${query}`, json);
    const about = `${reason} object from ${binding.source} ${JSON.stringify(binding.owner)}`;
    if (real.status >= 500 || twin.status >= 500)
      result.findings.push({
        kind: '5xx',
        op: op.key,
        actor: actor.name,
        request: real.status >= 500 ? request : describe(op.method, fillPath(op.path, twinValues), json),
        detail: `${real.status >= 500 ? real.status : twin.status} ${brief(real.status >= 500 ? real : twin)}`,
      });
    if (is2xx(real.status))
      result.findings.push({
        kind: 'leak',
        op: op.key,
        actor: actor.name,
        request,
        detail: `${real.status} on an ${about}: ${real.text.slice(0, 300)}`,
      });
    else if (real.status !== twin.status || shapeOf(real) !== shapeOf(twin))
      result.findings.push({
        kind: 'distinguishable',
        op: op.key,
        actor: actor.name,
        request,
        detail: `${about}: ${real.status} ${shapeOf(real)} ${brief(real)} ≠ made-up id ${twin.status} ${shapeOf(twin)} ${brief(twin)}`,
      });
    else if (real.status === 400 || real.status === 422)
      result.validationFirst.push(`${op.key} as ${actor.name}: ${real.status} ${brief(real)}`);
  });

  // Controls: the objects probed exist and their own county sees them (else the probes prove little).
  const controlJobs = new Map<string, { op: Operation; binding: Binding }>();
  for (const p of probes) {
    if (p.op.method !== 'GET') continue;
    const key = `${p.op.key}|${JSON.stringify(p.binding.values)}`;
    if (!controlJobs.has(key) && [...controlJobs.values()].filter((j) => j.op === p.op).length < cap)
      controlJobs.set(key, { op: p.op, binding: p.binding });
  }
  const found = new Set<string>();
  await mapLimit([...controlJobs.values()], ctx.concurrency, async ({ op, binding }) => {
    const query = queryFor(ctx, op, binding.owner.county);
    const city = await invoke(ctx, admin, op, binding.values, { query });
    result.controls.calls++;
    if (is2xx(city.status)) {
      result.controls.cityOk++;
      found.add(op.key);
    }
    const own = ctx.actors.find(
      (a) =>
        a.county === binding.owner.county &&
        roleAllowed(op, a) &&
        !outOfScope(a, binding.owner, op.path) &&
        !a.roles.includes('resident'),
    );
    if (!own) return;
    const scoped = await invoke(ctx, own, op, binding.values, { query });
    result.controls.scopedCalls++;
    if (is2xx(scoped.status)) result.controls.scopedOk++;
  });
  for (const { op } of controlJobs.values())
    if (!found.has(op.key) && !result.controls.neverFound.includes(op.key))
      result.controls.neverFound.push(op.key);

  // Creates aimed at another county through the body (its communityId, memberId, county…).
  for (const op of ctx.ops) {
    if (!listOfCreate(ctx, op) || op.pathParams.length > 0 || !op.body || op.otherContent.length > 0)
      continue;
    for (const actor of actors)
      for (const county of COUNTIES)
        if (actor.county && county !== actor.county && roleAllowed(op, actor))
          bodyScoped.push({ op, actor, values: {}, county });
  }

  await mapLimit(bodyScoped, ctx.concurrency, async ({ op, actor, values, county }) => {
    const json = sample(ctx.doc, op.body, ctx.world.hints(county));
    const query = queryFor(ctx, op, county);
    const answer = await invoke(ctx, actor, op, values, { query, json });
    result.bodyScoped++;
    result.probedOps.add(op.key);
    const request = describe(op.method, `${fillPath(op.path, values)}${query}`, json);
    if (answer.status >= 500)
      result.findings.push({ kind: '5xx', op: op.key, actor: actor.name, request, detail: brief(answer) });
    // A search (POST /members/search) answers a list: it must hold nothing of the other county.
    if (is2xx(answer.status) && itemsOf(answer.body)) checkList(actor, op, request, answer);
    else if (is2xx(answer.status))
      result.findings.push({
        kind: 'leak',
        op: op.key,
        actor: actor.name,
        request,
        detail: `${answer.status} on county ${county}'s data: ${answer.text.slice(0, 300)}`,
      });
  });

  result.requests = ctx.gateway.requests - start;
  return result;
}

/** Findings grouped by kind, operation and caller: one line each with a count and the first example. */
export function groupFindings(findings: readonly Finding[]): string[] {
  const groups = new Map<string, { count: number; first: Finding }>();
  for (const f of findings) {
    const key = `${f.kind} ${f.op} as ${f.actor}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { count: 1, first: f });
  }
  return [...groups.entries()].map(
    ([key, g]) => `${key} ×${g.count}\n    e.g. ${g.first.request}\n    → ${g.first.detail}`,
  );
}
