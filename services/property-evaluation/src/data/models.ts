import { Schema, type Connection, type Model } from 'mongoose';
import type { Appeal } from '../domain/appeals.js';
import type { Cycle } from '../domain/cycles.js';
import type { PublishedVersion, Result } from '../domain/results.js';
import type { Submission } from '../domain/submissions.js';
import type { Template } from '../domain/template.js';
import type { Delivery, Subscription } from '../domain/webhooks.js';

/* ---------- Read model: facts from the org registry's events, nothing else ---------- */

/** An organisation unit (firm, compound, community…) as the latest registry event describes it. */
export interface OrgRm {
  _id: string;
  county: string;
  kind: string;
  name: string;
  parentId: string | null;
  path: string;
  /** A firm's unified social credit code (the event's `code`). */
  code: string | null;
  closedOn: string | null;
  effectiveFrom: string;
  eventTime: string;
}

/** A service contract: the firm serves the compound from `validFrom` to `validTo` (exclusive). */
export interface ContractRm {
  _id: string;
  county: string;
  firmId: string;
  compoundId: string;
  validFrom: string;
  validTo: string | null;
  endedOn: string | null;
}

export interface EvaluationModels {
  Org: Model<OrgRm>;
  Contract: Model<ContractRm>;
  Template: Model<Template>;
  Cycle: Model<Cycle>;
  Submission: Model<Submission>;
  Appeal: Model<Appeal>;
  Result: Model<Result>;
  Version: Model<PublishedVersion>;
  Subscription: Model<Subscription>;
  Delivery: Model<Delivery>;
}

/**
 * The documents are the domain's shapes: the schema names `_id` and the indexed fields and keeps
 * the rest as given (`strict: false`), so nested breakdowns are stored exactly as computed.
 */
function schema<T>(indexes: Record<string, 1 | -1>[], unique: Record<string, 1 | -1>[] = []): Schema<T> {
  const s = new Schema<T>({ _id: { type: String, required: true } } as never, {
    versionKey: false,
    strict: false,
    minimize: false,
  });
  for (const index of indexes) s.index(index);
  for (const index of unique) s.index(index, { unique: true });
  return s;
}

function model<T>(conn: Connection, name: string, s: Schema<T>, collection: string): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, s, collection);
}

export function evaluationModels(conn: Connection): EvaluationModels {
  return {
    Org: model(conn, 'RmOrg', schema<OrgRm>([{ kind: 1, county: 1 }, { code: 1 }]), 'rm_orgs'),
    Contract: model(conn, 'RmContract', schema<ContractRm>([{ county: 1 }, { firmId: 1 }]), 'rm_contracts'),
    Template: model(
      conn,
      'Template',
      schema<Template>([], [{ code: 1, county: 1, version: 1 }]),
      'templates',
    ),
    Cycle: model(conn, 'Cycle', schema<Cycle>([{ county: 1, _id: 1 }], [{ county: 1, period: 1 }]), 'cycles'),
    Submission: model(
      conn,
      'Submission',
      schema<Submission>(
        [{ cycleId: 1, firmId: 1 }],
        [{ cycleId: 1, firmId: 1, compoundId: 1, raterRole: 1 }],
      ),
      'submissions',
    ),
    Appeal: model(conn, 'Appeal', schema<Appeal>([{ cycleId: 1, status: 1 }]), 'appeals'),
    Result: model(conn, 'Result', schema<Result>([{ cycleId: 1 }, { firmId: 1 }]), 'results'),
    Version: model(
      conn,
      'PublishedVersion',
      schema<PublishedVersion>([{ current: 1, cycleId: 1 }, { creditCode: 1 }, { firmId: 1 }]),
      'published_versions',
    ),
    Subscription: model(
      conn,
      'Subscription',
      schema<Subscription>([{ owner: 1 }, { active: 1 }]),
      'webhook_subscriptions',
    ),
    Delivery: model(
      conn,
      'Delivery',
      schema<Delivery>([{ status: 1, nextAttemptAt: 1 }, { subscriptionId: 1 }]),
      'webhook_deliveries',
    ),
  };
}

/** Creates collections and indexes up front: transactions cannot create them implicitly everywhere. */
export async function prepareEvaluation(models: EvaluationModels): Promise<void> {
  for (const m of Object.values(models) as Model<unknown>[]) {
    await m.createCollection().catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
    await m.syncIndexes();
  }
}
