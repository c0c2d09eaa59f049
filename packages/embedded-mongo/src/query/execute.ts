// Running a filter against a collection: index-assisted candidates, the full
// matcher, then sort / skip / limit.
import { badValue } from '../errors.js';
import type { Index } from '../indexes.js';
import type { Collection } from '../storage/collection.js';
import type { Doc } from '../values.js';
import { compileFilter } from './matcher.js';
import { compareValues, isPlainObject } from '../values.js';
import { isOperatorObject } from './matcher.js';
import { compileSort, compareSortKeys, sortDocs, sortKeysOf } from './sort.js';
import type { CompiledSort } from './sort.js';

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
  if (sort && limit > 0 && !hint) {
    // an indexed equality with the order cached on the index: read only as far as the limit
    const ordered = coll.sortedCandidates(filter, sort);
    if (ordered) {
      let i = firstInRange(ordered, sort, filter);
      let toSkip = skip;
      const from = i;
      for (; i < ordered.length && out.length < limit; i++) {
        const d = ordered[i] as Doc;
        if (!pred(d)) continue;
        if (toSkip > 0) toSkip--;
        else out.push(d);
      }
      coll.metrics.scanned += i - from;
      coll.metrics.scannedObjects += i - from;
      return out;
    }
  }
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
  if (sort && sort.fields.length > 0 && limit > 0)
    return topK(candidates, pred, sort, skip + limit).slice(skip);
  for (const d of candidates) if (pred(d)) out.push(d);
  const sorted = sortDocs(out, sort);
  if (skip === 0 && limit === 0) return sorted;
  return sorted.slice(skip, limit > 0 ? skip + limit : undefined);
}

/**
 * Where to start in documents ordered by `_id` alone when the filter bounds `_id` from the
 * side the order starts at (`{_id: {$gt: cursor}}` of a next page): a binary search instead of
 * reading every earlier document. Any other order or filter starts at 0.
 */
function firstInRange(docs: Doc[], sort: CompiledSort, filter: unknown): number {
  const [f] = sort.fields;
  if (sort.fields.length !== 1 || !f || f.parts.length !== 1 || f.parts[0] !== '_id') return 0;
  if (!isPlainObject(filter) || !isOperatorObject(filter._id)) return 0;
  const cond = filter._id as Doc;
  const [op, strict] = f.dir === 1 ? ['$gt', '$gte'] : ['$lt', '$lte'];
  const bound = op in cond ? cond[op] : strict in cond ? cond[strict] : undefined;
  if (bound === undefined || isPlainObject(bound) || Array.isArray(bound)) return 0;
  // first position whose _id is past the bound (or at it, for the inclusive operator); the
  // filter still decides, so landing a little early is harmless
  let lo = 0;
  let hi = docs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareValues((docs[mid] as Doc)._id, bound) * f.dir;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first `k` matches in sort order, stable, without sorting every match. */
function topK(candidates: Iterable<Doc>, pred: (d: Doc) => boolean, sort: CompiledSort, k: number): Doc[] {
  const best: { d: Doc; keys: unknown[] }[] = [];
  for (const d of candidates) {
    if (!pred(d)) continue;
    const keys = sortKeysOf(d, sort);
    if (best.length === k && compareSortKeys(keys, (best[k - 1] as { keys: unknown[] }).keys, sort) >= 0)
      continue;
    // after every equal key: earlier documents stay first, as in a stable sort
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareSortKeys(keys, (best[mid] as { keys: unknown[] }).keys, sort) < 0) hi = mid;
      else lo = mid + 1;
    }
    best.splice(lo, 0, { d, keys });
    if (best.length > k) best.pop();
  }
  return best.map((b) => b.d);
}
