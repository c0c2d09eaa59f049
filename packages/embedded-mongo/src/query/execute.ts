// Running a filter against a collection: index-assisted candidates, the full
// matcher, then sort / skip / limit.
import { badValue } from '../errors.js';
import type { Index } from '../indexes.js';
import type { Collection } from '../storage/collection.js';
import type { Doc } from '../values.js';
import { compileFilter } from './matcher.js';
import { compileSort, sortDocs } from './sort.js';

export interface QueryOptions {
  sort?: unknown;
  skip?: number;
  /** 0 / undefined: no limit */
  limit?: number;
  hint?: unknown;
  variables?: Doc;
  now?: Date;
}

export function resolveHint(coll: Collection | undefined, hint: unknown): Index | undefined {
  if (hint === undefined || hint === null || !coll) return undefined;
  if (typeof hint === 'object' && !Array.isArray(hint) && Object.keys(hint as Doc)[0] === '$natural')
    return undefined;
  const ix = coll.findIndexByNameOrKey(hint);
  if (!ix)
    throw badValue(
      'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index',
    );
  return ix;
}

export function runQuery(coll: Collection | undefined, filter: unknown, opts: QueryOptions = {}): Doc[] {
  const pred = compileFilter(filter, { variables: opts.variables, now: opts.now });
  const sort = compileSort(opts.sort);
  if (!coll) return [];
  const hint = resolveHint(coll, opts.hint);
  const skip = opts.skip ?? 0;
  const limit = opts.limit ?? 0;
  const out: Doc[] = [];
  const candidates = coll.candidates(filter, hint);
  if (!sort && limit > 0) {
    // stream: stop as soon as enough documents matched
    let toSkip = skip;
    for (const d of candidates) {
      if (!pred(d)) continue;
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      out.push(d);
      if (out.length >= limit) break;
    }
    return out;
  }
  for (const d of candidates) if (pred(d)) out.push(d);
  const sorted = sortDocs(out, sort);
  if (skip === 0 && limit === 0) return sorted;
  return sorted.slice(skip, limit > 0 ? skip + limit : undefined);
}
