// Server-side cursors. Results are materialised when the cursor is opened
// (documents are immutable, so this is a consistent snapshot) and handed out
// in batches bounded by count and by the 16 MiB reply limit.
import { calculateObjectSize, Long } from 'bson';
import { err, ErrorCodes } from './errors.js';
import type { Doc } from './values.js';

export const MAX_BSON_SIZE = 16 * 1024 * 1024;
const DEFAULT_FIRST_BATCH = 101;
const IDLE_TIMEOUT_MS = 10 * 60_000;

interface Cursor {
  id: bigint;
  ns: string;
  docs: Doc[];
  pos: number;
  lastUse: number;
  noTimeout: boolean;
  sessionKey: string | undefined;
}

const sizeCache = new WeakMap<Doc, number>();

export function bsonSize(doc: Doc): number {
  let n = sizeCache.get(doc);
  if (n === undefined) {
    n = calculateObjectSize(doc, { ignoreUndefined: false });
    sizeCache.set(doc, n);
  }
  return n;
}

export class CursorManager {
  private readonly cursors = new Map<bigint, Cursor>();
  private nextId = 1n;

  private takeBatch(c: { docs: Doc[]; pos: number }, max: number): Doc[] {
    const out: Doc[] = [];
    let bytes = 0;
    while (c.pos < c.docs.length && out.length < max) {
      const d = c.docs[c.pos] as Doc;
      const size = bsonSize(d);
      if (out.length > 0 && bytes + size > MAX_BSON_SIZE) break;
      bytes += size;
      out.push(d);
      c.pos++;
    }
    return out;
  }

  /** Reply for a cursor-returning command; keeps a cursor open if documents remain. */
  open(
    ns: string,
    docs: Doc[],
    opts: { batchSize?: number; singleBatch?: boolean; noTimeout?: boolean; sessionKey?: string },
  ): Doc {
    this.sweep();
    const state = { docs, pos: 0 };
    const batch = this.takeBatch(state, opts.batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0n;
    if (!opts.singleBatch && state.pos < docs.length) {
      id = this.nextId++;
      this.cursors.set(id, {
        id,
        ns,
        docs,
        pos: state.pos,
        lastUse: Date.now(),
        noTimeout: opts.noTimeout === true,
        sessionKey: opts.sessionKey,
      });
    }
    return { cursor: { firstBatch: batch, id: Long.fromBigInt(id), ns } };
  }

  getMore(id: bigint, ns: string, batchSize: number | undefined): Doc {
    const c = this.cursors.get(id);
    if (!c) throw err(ErrorCodes.CursorNotFound, `cursor id ${id} not found`);
    if (c.ns !== ns)
      throw err(
        ErrorCodes.Unauthorized,
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${c.ns}`,
      );
    c.lastUse = Date.now();
    const batch = this.takeBatch(c, batchSize && batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER);
    let outId = id;
    if (c.pos >= c.docs.length) {
      this.cursors.delete(id);
      outId = 0n;
    }
    return { cursor: { nextBatch: batch, id: Long.fromBigInt(outId), ns } };
  }

  kill(ids: bigint[]): { killed: bigint[]; notFound: bigint[] } {
    const killed: bigint[] = [];
    const notFound: bigint[] = [];
    for (const id of ids) (this.cursors.delete(id) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  killSession(sessionKey: string): void {
    for (const [id, c] of this.cursors) if (c.sessionKey === sessionKey) this.cursors.delete(id);
  }

  get size(): number {
    return this.cursors.size;
  }

  clear(): void {
    this.cursors.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, c] of this.cursors)
      if (!c.noTimeout && now - c.lastUse > IDLE_TIMEOUT_MS) this.cursors.delete(id);
  }
}
