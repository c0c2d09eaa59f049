import type { Model } from 'mongoose';

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
 * One page in id order: the cursor is the last id shown; one more is read to know whether more
 * follow. `total` counts every match of the filter (one count per page read).
 */
export async function pageOf<T extends { _id: string }>(
  model: Model<T>,
  filter: Record<string, unknown>,
  q: PageRequest,
): Promise<Page<T>> {
  const docs = await model
    .find(q.cursor ? { ...filter, _id: { $gt: q.cursor } } : filter)
    .sort({ _id: 1 })
    .limit(q.limit + 1)
    .lean<T[]>();
  const items = docs.slice(0, q.limit);
  const total = await model.countDocuments(filter);
  return { items, nextCursor: docs.length > q.limit ? items.at(-1)!._id : null, total };
}
