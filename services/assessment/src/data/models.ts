import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { RuleOverride, RuleSet } from '../domain/rules.js';

/** An event as consumed, kept so every projection can be rebuilt from it. */
export interface LogDoc {
  _id: string;
  type: string;
  time: string;
  subject: string;
  data: unknown;
  /**
   * When it was first read (an ObjectId: increasing as events are read): a rebuild replays the
   * log in this order, so states the registry stated at one instant end as they did when read.
   */
  seq?: Types.ObjectId;
}

export interface OrgRm {
  _id: string;
  county: string;
  kind: string;
  name: string;
  parentId: string | null;
  path: string;
  closedOn: string | null;
  effectiveFrom: string;
  eventTime: string;
}

export interface MemberRm {
  _id: string;
  county: string;
  name: string;
  status: 'active' | 'inactive';
  partyOrgId: string;
  residenceCompoundId: string | null;
  residenceCommunityId: string | null;
  effectiveFrom: string;
  eventTime: string;
}

export interface ContractRm {
  _id: string;
  county: string;
  firmId: string;
  compoundId: string;
  validFrom: string;
  validTo: string | null;
}

/** A rule version: the city's rules (scope `city`) or a county's override. */
export interface RuleDoc {
  _id: string;
  scope: string;
  version: number;
  rules: RuleSet | null;
  override: RuleOverride | null;
  note: string;
  createdAt: string;
  createdBy: string;
}

/** A period per county: open (ratings recomputed) or closed (published, frozen). */
export interface PeriodDoc {
  _id: string;
  period: string;
  county: string;
  status: 'open' | 'closed';
  ruleVersion: string;
  computedAt: string;
  closedAt: string | null;
}

export interface JobDoc {
  _id: string;
  county: string | null;
  actor: string;
  what: string;
  status: 'running' | 'done' | 'failed';
  result: Record<string, unknown> | null;
  problem: Record<string, unknown> | null;
  createdAt: string;
  finishedAt: string | null;
}

/** The stored shape as mongoose sees it: an id and anything. */
export interface Doc {
  _id: string;
  [field: string]: unknown;
}

const loose = () => new Schema({ _id: String }, { strict: false, versionKey: false, _id: false });

export function assessmentModels(conn: Connection) {
  // Every collection is typed loosely here (`Doc`); the stores cast what they read with `lean<T>()`:
  // mongoose's inference over the nested rating types is too heavy for the compiler.
  const make = (name: string, schema: Schema): Model<Doc> =>
    (conn.models[name] as Model<Doc> | undefined) ?? conn.model<Doc>(name, schema, name);
  const fact = loose();
  fact.index({ county: 1, at: 1 });
  fact.index({ memberId: 1 });
  const rating = loose();
  rating.index({ period: 1, county: 1, level: 1 });
  rating.index({ subjectId: 1, period: 1 });
  const consequence = loose();
  consequence.index({ county: 1, status: 1 });
  const log = loose();
  log.index({ seq: 1 });
  const manual = loose();
  manual.index({ county: 1, memberId: 1 });
  return {
    Log: make('log', log),
    Fact: make('facts', fact),
    Org: make('orgs', loose()),
    Member: make('members', loose()),
    Contract: make('contracts', loose()),
    Rating: make('ratings', rating),
    Consequence: make('consequences', consequence),
    Rule: make('rules', loose()),
    Period: make('periods', loose()),
    Job: make('jobs', loose()),
    ManualItem: make('manual_items', manual),
  };
}
export type AssessmentModels = ReturnType<typeof assessmentModels>;

export async function prepareAssessment(m: AssessmentModels): Promise<void> {
  for (const model of Object.values(m)) await model.createCollection().catch(() => undefined);
  await Promise.all([
    m.Log.syncIndexes(),
    m.Fact.syncIndexes(),
    m.Rating.syncIndexes(),
    m.Consequence.syncIndexes(),
    m.ManualItem.syncIndexes(),
  ]).catch(() => undefined);
}
