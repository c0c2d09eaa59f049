// The positional `$` (update paths and find projections) names "the first
// array element the query matched". We find it by re-running the query's
// conditions on that array against each element in turn.
import { badValue } from '../errors.js';
import { getPathExact, splitPath } from '../paths.js';
import { isPlainObject } from '../values.js';
import type { Doc } from '../values.js';
import { compileFilter } from './matcher.js';

function collectConditions(filter: Doc, prefix: string, out: Doc[]): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const c of v) if (isPlainObject(c)) collectConditions(c, prefix, out);
    } else if (k === prefix || k.startsWith(prefix + '.')) out.push({ [k]: v });
  }
}

/** Replace the array at `parts` with `[elem]` along a chain of plain objects. */
function withSingleElement(doc: Doc, parts: readonly string[], elem: unknown): Doc {
  const root: Doc = { ...doc };
  let cur = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i] as string;
    const next = cur[k];
    if (!isPlainObject(next)) return root;
    cur[k] = { ...next };
    cur = cur[k] as Doc;
  }
  cur[parts[parts.length - 1] as string] = [elem];
  return root;
}

/** Index of the first element of the array at `arrayPath` matched by `filter`, or undefined. */
export function positionalIndex(doc: Doc, filter: Doc | undefined, arrayPath: string): number | undefined {
  const parts = splitPath(arrayPath);
  const arr = getPathExact(doc, parts);
  if (!Array.isArray(arr) || !filter) return undefined;
  const conds: Doc[] = [];
  collectConditions(filter, arrayPath, conds);
  if (conds.length === 0) return undefined;
  const pred = compileFilter({ $and: conds });
  for (let i = 0; i < arr.length; i++) if (pred(withSingleElement(doc, parts, arr[i]))) return i;
  return undefined;
}

export function positionalNotFound(): Error {
  return badValue('The positional operator did not find the match needed from the query.');
}
