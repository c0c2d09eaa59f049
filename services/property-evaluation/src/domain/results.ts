import { createHash } from 'node:crypto';
import { EvaluationResultPublished, EvaluationResultRevised, FirmBlacklisted } from '@honglian/contracts';
import { accept, draftEvent, type Decision, type EventDraft } from '@honglian/service-kit/domain';
import type { Cycle } from './cycles.js';
import { addMonths, dayOf } from './period.js';
import type { FirmFacts } from './roles.js';
import {
  scoreCompound,
  scoreFirm,
  type CompoundScore,
  type FirmScore,
  type ScoredSubmission,
} from './scoring.js';
import type { Template } from './template.js';

export type CompoundLine = CompoundScore & { compoundName: string };

/** A firm's result in a cycle: its score and the breakdown down to each submission. */
export interface Result {
  _id: string;
  county: string;
  cycleId: string;
  period: string;
  firmId: string;
  firmName: string;
  creditCode: string | null;
  templateId: string;
  templateVersion: number;
  status: 'computed' | 'published';
  computedAt: Date;
  firm: FirmScore;
  compounds: CompoundLine[];
  /** The current published version (0 before publication). */
  version: number;
}

export interface Blacklisting {
  vetoes: string[];
  reason: string;
  from: string;
  until: string;
}

/** What consumers read and the content hash covers: plain JSON, no dates but ISO strings. */
export interface PublishedBody {
  resultId: string;
  version: number;
  cycle: { id: string; county: string; period: string; templateId: string; templateVersion: number };
  firm: { id: string; name: string; creditCode: string | null };
  score: number | null;
  band: string | null;
  blacklist: Blacklisting | null;
  tender: { bonus: number; barred: boolean };
  households: { scored: number; total: number };
  compounds: CompoundLine[];
  publishedAt: string;
  reason: string | null;
  supersedesVersion: number | null;
}

/** A frozen published version; a correction adds the next one and marks this superseded. */
export interface PublishedVersion {
  _id: string;
  resultId: string;
  county: string;
  cycleId: string;
  period: string;
  firmId: string;
  creditCode: string | null;
  band: string | null;
  blacklistedUntil: string | null;
  version: number;
  current: boolean;
  supersededBy: number | null;
  body: PublishedBody;
  contentHash: string;
  publishedAt: Date;
}

export interface FirmUnderReview {
  firm: FirmFacts;
  compounds: { id: string; name: string }[];
}

export const resultIdOf = (cycleId: string, firmId: string) => `${cycleId}_${firmId}`;

/** Every firm's result of a cycle, from the submissions and households as they stand. */
export function computeResults(
  template: Template,
  cycle: Cycle,
  firms: readonly FirmUnderReview[],
  submissions: readonly (ScoredSubmission & { firmId: string; compoundId: string })[],
  now: Date,
): Result[] {
  const byPair = new Map<string, ScoredSubmission[]>();
  for (const s of submissions) {
    const key = `${s.firmId}\u0000${s.compoundId}`;
    byPair.set(key, [...(byPair.get(key) ?? []), s]);
  }
  return firms.map(({ firm, compounds }) => {
    const lines: CompoundLine[] = compounds.map((c) => ({
      compoundName: c.name,
      ...scoreCompound(template, {
        compoundId: c.id,
        households: cycle.households[c.id] ?? null,
        submissions: byPair.get(`${firm.id}\u0000${c.id}`) ?? [],
      }),
    }));
    return {
      _id: resultIdOf(cycle._id, firm.id),
      county: cycle.county,
      cycleId: cycle._id,
      period: cycle.period,
      firmId: firm.id,
      firmName: firm.name,
      creditCode: firm.creditCode,
      templateId: template._id,
      templateVersion: template.version,
      status: 'computed' as const,
      computedAt: now,
      firm: scoreFirm(template, lines),
      compounds: lines,
      version: 0,
    };
  });
}

/** JSON with every object's keys sorted, no whitespace: what the content hash is taken of. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function contentHashOf(body: PublishedBody): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

function blacklistOf(result: Result, template: Template, now: Date): Blacklisting | null {
  if (!result.firm.vetoed) return null;
  const from = dayOf(now);
  const names = result.firm.vetoes.map((v) => template.vetoItems.find((i) => i.code === v)?.name ?? v);
  return {
    vetoes: result.firm.vetoes,
    reason: `一票否决：${names.join('、')}`,
    from,
    until: addMonths(from, template.blacklistMonths),
  };
}

/**
 * Freezes a result as its next published version: the body, its hash, the events (published, or
 * revised with the reason; blacklisted when a veto holds and did not already). A firm blacklisted
 * by another result still in force is barred from tenders (`blacklist` names only this result's own).
 */
export function decidePublishVersion(
  result: Result,
  template: Template,
  cmd: {
    now: Date;
    reason: string | null;
    previous: PublishedVersion | null;
    /** Whether another result's blacklisting of the firm is in force: barred from tenders all the same. */
    blacklistedElsewhere?: boolean;
  },
): Decision<{ result: Result; version: PublishedVersion }, EventDraft> {
  const versionNo = (cmd.previous?.version ?? 0) + 1;
  const blacklist =
    cmd.previous?.body.blacklist && result.firm.vetoed
      ? cmd.previous.body.blacklist
      : blacklistOf(result, template, cmd.now);
  if (cmd.blacklistedElsewhere && !result.firm.tenderBarred)
    result = { ...result, firm: { ...result.firm, tenderBarred: true, tenderBonus: 0 } };
  const body: PublishedBody = JSON.parse(
    JSON.stringify({
      resultId: result._id,
      version: versionNo,
      cycle: {
        id: result.cycleId,
        county: result.county,
        period: result.period,
        templateId: result.templateId,
        templateVersion: result.templateVersion,
      },
      firm: { id: result.firmId, name: result.firmName, creditCode: result.creditCode },
      score: result.firm.score,
      band: result.firm.band,
      blacklist,
      tender: { bonus: result.firm.tenderBonus, barred: result.firm.tenderBarred },
      households: { scored: result.firm.scoredHouseholds, total: result.firm.totalHouseholds },
      compounds: result.compounds,
      publishedAt: cmd.now.toISOString(),
      reason: cmd.reason,
      supersedesVersion: cmd.previous?.version ?? null,
    }),
  ) as PublishedBody;
  const contentHash = contentHashOf(body);
  const version: PublishedVersion = {
    _id: `${result._id}_v${versionNo}`,
    resultId: result._id,
    county: result.county,
    cycleId: result.cycleId,
    period: result.period,
    firmId: result.firmId,
    creditCode: result.creditCode,
    band: result.firm.band,
    blacklistedUntil: blacklist?.until ?? null,
    version: versionNo,
    current: true,
    supersededBy: null,
    body,
    contentHash,
    publishedAt: cmd.now,
  };
  const facts = {
    resultId: result._id,
    county: result.county,
    cycleId: result.cycleId,
    period: result.period,
    firmId: result.firmId,
    creditCode: result.creditCode,
    version: versionNo,
    score: result.firm.score,
    band: result.firm.band,
    blacklisted: blacklist !== null || !!cmd.blacklistedElsewhere,
    tenderBarred: result.firm.tenderBarred,
    tenderBonus: result.firm.tenderBonus,
    contentHash,
    publishedAt: cmd.now.toISOString(),
  };
  const events: EventDraft[] = [
    cmd.previous
      ? draftEvent(EvaluationResultRevised, {
          subject: result._id,
          county: result.county,
          data: { ...facts, reason: cmd.reason ?? '', supersedesVersion: cmd.previous.version },
        })
      : draftEvent(EvaluationResultPublished, { subject: result._id, county: result.county, data: facts }),
  ];
  if (blacklist && !cmd.previous?.body.blacklist)
    events.push(
      draftEvent(FirmBlacklisted, {
        subject: result.firmId,
        county: result.county,
        data: { firmId: result.firmId, county: result.county, cycleId: result.cycleId, ...blacklist },
      }),
    );
  return accept({ result: { ...result, status: 'published' as const, version: versionNo }, version }, events);
}
