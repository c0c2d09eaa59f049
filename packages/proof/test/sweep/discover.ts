import { CITY, COUNTIES, type Actor } from './actors.js';
import { actorNamed, invoke, queryFor, roleAllowed, type ProofContext } from './context.js';
import { is2xx, isObject, itemsOf, mapLimit, type Answer, type Json } from './http.js';
import { deref, type Operation } from './openapi.js';
import type { Owner, Record_ } from './world.js';
import { sample } from './sample.js';

/**
 * Finding and making the objects the sweep needs, generically from the document:
 * - list endpoints: GETs without path parameters (required query parameters filled from hints);
 * - nested lists: GETs ending in a literal segment after a parameter (`/cycles/{id}/submissions`),
 *   called with every binding found so far;
 * - creates: POSTs next to a GET list (`POST /x` beside `GET /x`, `POST /x/check-in` beside
 *   `GET /x`, `POST /x/{id}/y` beside `GET /x/{id}/y`), called in each county by the first of
 *   that county's callers the router admits, with a body sampled from the schema and the county's
 *   ids, so kinds the demo does not seed (activities, reports, attendances…) exist in both.
 */

export interface ListAnswer {
  actor: Actor;
  op: Operation;
  url: string;
  answer: Answer;
}

export const listOps = (ctx: ProofContext) =>
  ctx.ops.filter((op) => op.method === 'GET' && op.pathParams.length === 0 && !op.public);

/** Documented disclosures (the reveal endpoint: "Unmasked personal data"): never called to harvest. */
export const disclosing = (op: Operation) => op.successDescriptions.some((d) => /\bunmasked\b/i.test(d));

export const nestedListOps = (ctx: ProofContext) =>
  ctx.ops.filter(
    (op) =>
      op.method === 'GET' &&
      op.pathParams.length > 0 &&
      !op.path.endsWith('}') &&
      !op.public &&
      !disclosing(op),
  );

/** Every list endpoint as every caller (or those given); the world records what each saw. */
export async function harvestLists(ctx: ProofContext, actors = ctx.actors): Promise<ListAnswer[]> {
  const jobs = listOps(ctx).flatMap((op) => actors.map((actor) => ({ op, actor })));
  return mapLimit(jobs, ctx.concurrency, async ({ op, actor }) => {
    const query = queryFor(ctx, op, actor.county);
    const answer = await invoke(ctx, actor, op, {}, { query });
    if (is2xx(answer.status)) ctx.world.add(op.service, op.path, answer.body, actor);
    return { actor, op, url: `${op.path}${query}`, answer };
  });
}

/** Nested lists for the bindings known so far, as city-admin (two rounds: lists under lists). */
export async function harvestNested(ctx: ProofContext, perCounty: number): Promise<number> {
  const admin = actorNamed(ctx, 'city-admin');
  let calls = 0;
  for (let round = 0; round < 2; round++) {
    const jobs = nestedListOps(ctx).flatMap((op) => {
      const taken = new Map<string, number>();
      return ctx.world
        .bindings(op)
        .filter((b) => {
          const key = b.owner.county ?? '-';
          taken.set(key, (taken.get(key) ?? 0) + 1);
          return taken.get(key)! <= perCounty;
        })
        .map((binding) => ({ op, binding }));
    });
    calls += jobs.length;
    await mapLimit(jobs, ctx.concurrency, async ({ op, binding }) => {
      const answer = await invoke(ctx, admin, op, binding.values, {
        query: queryFor(ctx, op, binding.owner.county),
      });
      if (is2xx(answer.status)) ctx.world.add(op.service, op.path, answer.body, undefined, binding.owner);
    });
  }
  return calls;
}

/** The list a create adds to: `GET` at the same path, or at the parent path for `/x/check-in`. */
export function listOfCreate(ctx: ProofContext, op: Operation): Operation | undefined {
  if (op.method !== 'POST' || op.path.endsWith('}')) return undefined;
  const gets = ctx.ops.filter((o) => o.method === 'GET');
  const same = gets.find((o) => o.path === op.path);
  if (same) return same;
  if (op.pathParams.length > 0) return undefined;
  const parent = op.path.slice(0, op.path.lastIndexOf('/'));
  return gets.find((o) => o.path === parent && o.pathParams.length === 0);
}

const PREFERENCE = [
  'county-admin',
  'community-staff',
  'member',
  'resident',
  'property-firm',
  'compound-committee',
];

/** The caller of `county` who would make such an object: the first role (in PREFERENCE) the router admits. */
export function makerIn(ctx: ProofContext, op: Operation, county: string): Actor | undefined {
  for (const role of PREFERENCE) {
    const actor = ctx.actors.find((a) => a.county === county && a.roles.includes(role));
    if (actor && roleAllowed(op, actor)) return actor;
  }
  const admin = actorNamed(ctx, 'city-admin');
  return roleAllowed(op, admin) ? admin : undefined;
}

export interface SeedReport {
  attempts: number;
  created: number;
  /** `POST path (county): status` of creates that were refused, for the coverage note. */
  refused: string[];
}

/**
 * Creates objects in each county through the API (two rounds, harvesting in between so
 * attendances find the activities of the first round). Failures are expected for some
 * (validation the generic body does not meet) and only reported.
 */
export async function seedCounties(ctx: ProofContext, perCounty: number, rounds = 2): Promise<SeedReport> {
  const report: SeedReport = { attempts: 0, created: 0, refused: [] };
  const creates = ctx.ops.filter((op) => listOfCreate(ctx, op) && op.otherContent.length === 0);
  const unscoped = ctx.actors.filter((a) => !a.county && !a.roles.includes('city-admin'));
  const actionsRefused: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const refusedThisRound: string[] = [];
    const jobs: { op: Operation; maker: Actor; county?: string }[] = [];
    for (const op of creates) {
      for (const county of COUNTIES) {
        const maker = makerIn(ctx, op, county);
        if (maker) jobs.push({ op, maker, county });
      }
      // Callers without a county (the API consumer) make their own (webhooks…).
      for (const maker of unscoped) if (roleAllowed(op, maker)) jobs.push({ op, maker });
    }
    for (const { op, maker, county } of jobs) {
      const list = listOfCreate(ctx, op)!;
      const mine = (r: Record_) =>
        r.listTemplate === list.path &&
        (county ? ctx.world.ownerOf(r).county === county : r.creator === maker.name);
      if (round > 0 && ctx.world.all().some(mine)) continue;
      const bindings =
        op.pathParams.length > 0
          ? ctx.world
              .bindings(op)
              .filter((b) => (county ? b.owner.county === county : !outsideOf(maker, b.owner)))
              .slice(0, 1)
          : [{ values: {}, owner: { published: false } }];
      for (const binding of bindings) {
        report.attempts++;
        const query = queryFor(ctx, op, county);
        const bodies = [op.body ? sample(ctx.doc, op.body, ctx.world.hints(county)) : undefined];
        // Second try: a record of the same list as the body (a template's weights and bands…).
        const model = ctx.world.all().find((r) => r.listTemplate === list.path && isObject(r.item));
        if (op.body && model) bodies.push(cloneBody(ctx, op, model.item, county));
        let answer: Answer | undefined;
        for (const json of bodies) {
          answer = await invoke(ctx, maker, op, binding.values, {
            query,
            ...(json !== undefined ? { json } : {}),
          });
          if (is2xx(answer.status) || answer.status >= 500) break;
        }
        if (answer && is2xx(answer.status)) {
          report.created++;
          if (isObject(answer.body))
            ctx.world.add(
              op.service,
              list.path,
              [answer.body],
              maker,
              { ...(county ? { county } : {}), published: false },
              maker.name,
            );
        } else if (answer)
          refusedThisRound.push(
            `${op.key} (${county ?? '-'}, ${maker.name}): ${answer.status} ${brief(answer)}`,
          );
      }
    }
    if (round === 0) await countyActions(ctx, report, actionsRefused);
    await harvestLists(ctx, admins(ctx));
    await harvestNested(ctx, perCounty);
    report.refused = [...actionsRefused, ...refusedThisRound];
  }
  return report;
}

/** The callers whose lists tell whose a record is: the city admin and each county's admin. */
const admins = (ctx: ProofContext) =>
  ctx.actors.filter((a) => a.roles.includes('city-admin') || a.roles.includes('county-admin'));

/**
 * County-wide actions (a POST whose path names no object and whose body names the county:
 * compute, publish, preview, apply…), run once per county by its admin: what they make (jobs,
 * consequences) is then there to probe; their answers join the world (a `jobId`…).
 */
async function countyActions(ctx: ProofContext, report: SeedReport, refused: string[]): Promise<void> {
  const actions = ctx.ops.filter(
    (op) =>
      op.method === 'POST' &&
      !listOfCreate(ctx, op) &&
      !op.pathParams.some((p) => p === 'id' || /Id$/.test(p)) &&
      !!op.body &&
      isObject(deref(ctx.doc, op.body).properties) &&
      'county' in (deref(ctx.doc, op.body).properties as Json),
  );
  for (const op of actions) {
    for (const county of COUNTIES) {
      const maker = makerIn(ctx, op, county);
      if (!maker) continue;
      const values = Object.fromEntries(
        op.pathParams.map((p) => [
          p,
          String(ctx.world.hints(county)(p, {}) ?? ctx.world.valuesFor(p)[0] ?? ''),
        ]),
      );
      const json = sample(ctx.doc, op.body, ctx.world.hints(county));
      const owner = { county, published: false };
      report.attempts++;
      const answer = await invoke(ctx, maker, op, values, { query: queryFor(ctx, op, county), json });
      if (is2xx(answer.status)) {
        report.created++;
        if (isObject(answer.body))
          ctx.world.add(op.service, op.path, [answer.body], maker, owner, maker.name);
      } else refused.push(`${op.key} (${county}, ${maker.name}): ${answer.status} ${brief(answer)}`);
      if (!op.accepts) continue;
      // Once more as a job: the 202's Location names it, so the job's own path gets probed too.
      report.attempts++;
      const job = await invoke(ctx, maker, op, values, {
        query: queryFor(ctx, op, county),
        json,
        headers: { prefer: 'respond-async' },
      });
      if (job.status === 202 && job.location && isObject(job.body) && addLocated(ctx, job, owner, maker))
        report.created++;
      else refused.push(`${op.key} as a job (${county}, ${maker.name}): ${job.status} ${brief(job)}`);
    }
  }
}

/**
 * Records the object a `Location` names under the GET whose path it matches (`/jobs/{jobId}` ←
 * `/api/v1/assessment/jobs/job-…`): its last path parameter takes the Location's last segment.
 */
function addLocated(ctx: ProofContext, answer: Answer, owner: Owner, maker: Actor): boolean {
  const path = new URL(answer.location!, 'http://gateway').pathname;
  for (const op of ctx.ops) {
    if (op.method !== 'GET' || op.pathParams.length === 0 || !op.path.endsWith('}')) continue;
    const pattern = new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
    const match = pattern.exec(path);
    if (!match) continue;
    const param = op.pathParams.at(-1)!;
    const item = { ...(answer.body as Json), [param]: decodeURIComponent(match.at(-1)!) };
    const listTemplate = op.path.slice(0, op.path.lastIndexOf('/{'));
    ctx.world.add(op.service, listTemplate, [item], maker, owner, maker.name);
    return true;
  }
  return false;
}

/** Whether a binding's owner is outside a caller's county (for callers without one: never). */
const outsideOf = (actor: Actor, owner: Owner) =>
  !!(actor.county && owner.county && owner.county !== actor.county);

/** A create body copied from an existing record: its fields the schema takes, the county's ids. */
function cloneBody(ctx: ProofContext, op: Operation, item: Json, county: string | undefined): Json {
  const hint = ctx.world.hints(county);
  const schema = deref(ctx.doc, op.body);
  const props = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const out: Json = {};
  for (const [key, sub] of Object.entries(props)) {
    const hinted = key === 'county' || /Id$/.test(key) ? hint(key, deref(ctx.doc, sub)) : undefined;
    if (hinted !== undefined) out[key] = hinted;
    else if (key in item && item[key] !== null && key !== 'id') out[key] = item[key];
    else if (required.has(key)) out[key] = sample(ctx.doc, sub, hint, key);
  }
  return out;
}

export function brief(answer: Answer): string {
  if (isObject(answer.body)) {
    const b = answer.body;
    const params = Array.isArray(b.invalid_params)
      ? ` [${b.invalid_params.map((p) => (isObject(p) ? `${String(p.name)}: ${String(p.reason)}` : '')).join('; ')}]`
      : '';
    return `${String(b.detail ?? b.title ?? '')}${params}`.slice(0, 300);
  }
  return answer.text.slice(0, 120);
}

/** Kinds (list endpoints) with no record in a county, after seeding: what the sweep cannot probe there. */
export function emptyKinds(ctx: ProofContext): string[] {
  const out: string[] = [];
  for (const op of listOps(ctx)) {
    const records = ctx.world.all().filter((r) => r.listTemplate === op.path);
    if (records.length === 0) continue;
    for (const county of COUNTIES) {
      if (!records.some((r) => ctx.world.ownerOf(r).county === county)) out.push(`${op.path} (${county})`);
    }
  }
  return out;
}

export const isCity = (county: string | undefined) => !county || county === CITY;
export const itemCount = (answer: Answer) => itemsOf(answer.body)?.length ?? 0;

export interface Discovery {
  /** The final harvest: every list endpoint as every caller (the sweep checks these answers). */
  lists: ListAnswer[];
  seeded: SeedReport;
  /** Nested-list calls made. */
  nested: number;
}

/** Harvest, seed both counties, harvest again as everyone. */
export async function discover(ctx: ProofContext, perCounty: number): Promise<Discovery> {
  await harvestLists(ctx, admins(ctx));
  let nested = await harvestNested(ctx, perCounty);
  const seeded = await seedCounties(ctx, perCounty);
  const lists = await harvestLists(ctx);
  nested += await harvestNested(ctx, perCounty);
  return { lists, seeded, nested };
}
