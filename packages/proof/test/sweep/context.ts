import type { Actor, Tokens } from './actors.js';
import type { Answer, Gateway, Json } from './http.js';
import { fillPath, type Operation } from './openapi.js';
import { sample } from './sample.js';
import type { World } from './world.js';

/** Everything the sweep, the fuzzer and the scan share: one suite, one client, one world. */
export interface ProofContext {
  gateway: Gateway;
  tokens: Tokens;
  doc: Json;
  ops: Operation[];
  actors: Actor[];
  world: World;
  /** Requests in flight at most. */
  concurrency: number;
  /** Long mode (PROOF_LONG=1 or PROOF_RUNS set): more ids per path, more fuzz runs. */
  long: boolean;
}

export const actorNamed = (ctx: ProofContext, name: string): Actor => {
  const actor = ctx.actors.find((a) => a.name === name);
  if (!actor) throw new Error(`no demo actor ${name}`);
  return actor;
};

/** Whether the router lets `actor` through (x-roles); no x-roles: the use case decides. */
export const roleAllowed = (op: Operation, actor: Actor) =>
  !op.roles || actor.roles.some((r) => op.roles!.includes(r));

/** `?a=1&b=2` of the query parameters the operation requires (plus limit=200 on lists), or ''. */
export function queryFor(ctx: ProofContext, op: Operation, county: string | undefined): string {
  const hint = ctx.world.hints(county);
  const pairs: [string, string][] = [];
  for (const q of op.query) {
    if (q.required) pairs.push([q.name, String(sample(ctx.doc, q.schema, hint, q.name))]);
    else if (q.name === 'limit' && op.method === 'GET') {
      const max = typeof q.schema.maximum === 'number' ? q.schema.maximum : 200;
      pairs.push(['limit', String(Math.min(200, max))]);
    }
  }
  return pairs.length ? `?${new URLSearchParams(pairs).toString()}` : '';
}

/** Calls an operation as `actor` (null: no token). */
export async function invoke(
  ctx: ProofContext,
  actor: Actor | null,
  op: Operation,
  values: Record<string, string>,
  opts: {
    query?: string;
    json?: unknown;
    raw?: string;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const token = actor ? await ctx.tokens.get(actor) : undefined;
  return ctx.gateway.send(op.method, `${fillPath(op.path, values)}${opts.query ?? ''}`, {
    ...(token ? { token } : {}),
    ...(opts.json !== undefined ? { json: opts.json } : {}),
    ...(opts.raw !== undefined ? { raw: opts.raw } : {}),
    ...(opts.contentType ? { contentType: opts.contentType } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
}
