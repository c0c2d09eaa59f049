import { Types } from 'mongoose';
import type { AuditDoc, RegistryModels } from './models.js';

/** The audit log: who asked for a member's personal data, and how it ended. */
export class AuditLog {
  constructor(private readonly models: RegistryModels) {}

  async record(entry: AuditDoc): Promise<void> {
    await this.models.Audit.create(entry);
  }

  private where(where: { county: string | null; memberId?: string }) {
    return {
      ...(where.county !== null ? { county: where.county } : {}),
      ...(where.memberId ? { memberId: where.memberId } : {}),
    };
  }

  /** Entries oldest first after `cursor` (an entry id), of one county (null: all) and optionally one member. */
  page(
    where: { county: string | null; memberId?: string },
    cursor: string | undefined,
    limit: number,
  ): Promise<(AuditDoc & { _id: Types.ObjectId })[]> {
    return this.models.Audit.find({
      ...this.where(where),
      ...(cursor ? { _id: { $gt: new Types.ObjectId(cursor) } } : {}),
    })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<(AuditDoc & { _id: Types.ObjectId })[]>()
      .exec();
  }

  /** How many entries `page` would answer over every page. */
  count(where: { county: string | null; memberId?: string }): Promise<number> {
    return this.models.Audit.countDocuments(this.where(where)).exec();
  }
}
