import type { ClientSession } from 'mongoose';
import { findScoped, pageOf, type Page, type PageRequest, type TenantFilter } from '@honglian/service-kit';
import type { ManualItem } from '../domain/manual-items.js';
import type { AssessmentModels, Doc } from './models.js';

export interface ManualItemQuery {
  memberId?: string | undefined;
  county?: string | undefined;
  code?: string | undefined;
  status?: string | undefined;
}

/** Manual organisational items (the record kept for audit; the fact they count by is a projection fact). */
export class ManualItemStore {
  constructor(private readonly m: AssessmentModels) {}

  /** The item whatever the caller's scope (idempotent retries compare with it). */
  byId(id: string, session?: ClientSession): Promise<ManualItem | null> {
    return this.m.ManualItem.findById(id, null, { session }).lean<ManualItem>();
  }

  scoped(id: string, scope: TenantFilter, session?: ClientSession): Promise<ManualItem | null> {
    return findScoped(this.m.ManualItem, id, scope, session) as Promise<ManualItem | null>;
  }

  /** Inserts a new item; false when its id is taken already. */
  async insert(item: ManualItem, session?: ClientSession): Promise<boolean> {
    const res = await this.m.ManualItem.updateOne(
      { _id: item._id },
      { $setOnInsert: item as unknown as Doc },
      { upsert: true, session },
    );
    return res.upsertedCount > 0;
  }

  /** Marks an active item withdrawn; false when it was not active any more. */
  async withdraw(
    id: string,
    change: Pick<ManualItem, 'status' | 'withdrawnAt' | 'withdrawnBy' | 'withdrawReason'>,
    session?: ClientSession,
  ): Promise<boolean> {
    const res = await this.m.ManualItem.updateOne(
      { _id: id, status: 'active' },
      { $set: change },
      { session },
    );
    return res.modifiedCount > 0;
  }

  page(q: ManualItemQuery, scope: TenantFilter, paging: PageRequest): Promise<Page<ManualItem>> {
    const filter = {
      $and: [
        scope,
        {
          ...(q.memberId ? { memberId: q.memberId } : {}),
          ...(q.county ? { county: q.county } : {}),
          ...(q.code ? { code: q.code } : {}),
          ...(q.status ? { status: q.status } : {}),
        },
      ],
    };
    return pageOf(this.m.ManualItem, filter, paging) as unknown as Promise<Page<ManualItem>>;
  }
}
