import type { ClientSession, Model } from 'mongoose';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /** Every record the filter matches, not only this page. */
  total: number;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/**
 * Paging for the services' `data/` stores: one page in id order, the cursor the last id shown; one
 * more record is read to know whether more follow, and `total` counts every match of the filter
 * (one count per page). The cursor is and-ed with the filter, so a filter on `_id` stays whole.
 */
export async function pageOf<T extends { _id: string }>(
  model: Model<T>,
  filter: Record<string, unknown>,
  q: PageRequest,
): Promise<Page<T>> {
  const docs = await model
    .find(q.cursor ? { $and: [filter, { _id: { $gt: q.cursor } }] } : filter)
    .sort({ _id: 1 })
    .limit(q.limit + 1)
    .lean<T[]>();
  const items = docs.slice(0, q.limit);
  const total = await model.countDocuments(filter);
  return { items, nextCursor: docs.length > q.limit ? items.at(-1)!._id : null, total };
}

/** One record by id within a scope filter (tenancy): null when missing or out of scope alike. */
export function findScoped<T extends { _id: string }>(
  model: Model<T>,
  id: string,
  filter: Record<string, unknown>,
  session?: ClientSession,
): Promise<T | null> {
  return model.findOne({ $and: [{ _id: id }, filter] }, null, { session }).lean<T>() as Promise<T | null>;
}
