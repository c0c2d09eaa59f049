import type { z } from 'zod';
import { EVALUATION_BANDS, RATER_ROLES } from '@honglian/contracts';
import type { Page } from '../data/page.js';
import type { Appeal } from '../domain/appeals.js';
import type { Cycle, CycleStatus } from '../domain/cycles.js';
import type { PublishedVersion, Result } from '../domain/results.js';
import type { Submission } from '../domain/submissions.js';
import type { Template } from '../domain/template.js';
import type {
  AppealView,
  CompoundLine,
  CycleView,
  PublishedView,
  ResultView,
  SubmissionView,
  TemplateView,
} from './schemas.js';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export const CYCLE_STATUS_LABELS: Record<CycleStatus, { zh: string; en: string }> = {
  open: { zh: '已创建', en: 'Open' },
  collecting: { zh: '收集评分中', en: 'Collecting ratings' },
  computed: { zh: '已计算', en: 'Computed' },
  notice: { zh: '公示中', en: 'Public notice' },
  published: { zh: '已公布', en: 'Published' },
};

export function pageView<T, V>(p: Page<T>, view: (t: T) => V) {
  return { items: p.items.map(view), nextCursor: p.nextCursor, total: p.total };
}

export function templateView(t: Template): z.infer<typeof TemplateView> {
  return {
    id: t._id,
    county: t.county,
    code: t.code,
    version: t.version,
    name: t.name,
    groups: t.groups.map((g) => ({
      code: g.code,
      name: g.name,
      indicators: g.indicators.map((i) => ({
        code: i.code,
        name: i.name,
        maxPoints: i.maxPoints,
        role: i.role,
      })),
    })),
    roleWeights: { ...t.roleWeights },
    requiredRoles: [...t.requiredRoles],
    vetoItems: t.vetoItems.map((v) => ({ code: v.code, name: v.name, raisedBy: [...v.raisedBy] })),
    bonusItems: t.bonusItems.map((b) => ({
      code: b.code,
      name: b.name,
      raisedBy: [...b.raisedBy],
      maxPoints: b.maxPoints,
    })),
    bonusCap: t.bonusCap,
    bands: { AAA: t.bands.AAA, AA: t.bands.AA, A: t.bands.A, B: t.bands.B },
    tenderBonus: { ...t.tenderBonus },
    tenderBarred: [...t.tenderBarred],
    minResidentSample: t.minResidentSample,
    blacklistMonths: t.blacklistMonths,
    createdAt: iso(t.createdAt)!,
    createdBy: t.createdBy,
    usedAt: iso(t.usedAt),
  };
}

export function cycleView(c: Cycle): z.infer<typeof CycleView> {
  return {
    id: c._id,
    county: c.county,
    period: c.period,
    kind: c.kind,
    templateId: c.templateId,
    status: c.status,
    statusLabel: CYCLE_STATUS_LABELS[c.status],
    noticeDays: c.noticeDays,
    households: { ...c.households },
    createdAt: iso(c.createdAt)!,
    computedAt: iso(c.computedAt),
    noticeEndsAt: iso(c.noticeEndsAt),
    publishedAt: iso(c.publishedAt),
    log: c.log.map((s) => ({ action: s.action, at: iso(s.at)!, by: s.by })),
  };
}

const content = (c: Pick<Submission, 'scores' | 'survey' | 'vetoes' | 'bonuses'>) => ({
  scores: { ...c.scores },
  survey: c.survey ? { respondents: c.survey.respondents, satisfied: c.survey.satisfied } : null,
  vetoes: [...c.vetoes],
  bonuses: c.bonuses.map((b) => ({ code: b.code, points: b.points })),
});

export function submissionView(s: Submission): z.infer<typeof SubmissionView> {
  return {
    id: s._id,
    county: s.county,
    cycleId: s.cycleId,
    firmId: s.firmId,
    compoundId: s.compoundId,
    raterRole: s.raterRole,
    raterRoleLabel: RATER_ROLES[s.raterRole],
    ...content(s),
    evidence: [...s.evidence],
    comment: s.comment,
    revision: s.revision,
    submittedBy: s.submittedBy,
    submittedAt: iso(s.submittedAt)!,
    updatedAt: iso(s.updatedAt)!,
    revisions: s.revisions.map((r) => ({
      ...content(r),
      revision: r.revision,
      evidence: [...r.evidence],
      comment: r.comment,
      by: r.by,
      at: iso(r.at)!,
      source: r.source,
    })),
  };
}

function compoundLineView(c: Result['compounds'][number]): z.infer<typeof CompoundLine> {
  return {
    compoundId: c.compoundId,
    compoundName: c.compoundName,
    households: c.households,
    scored: c.scored,
    notScored: c.notScored.map((n) => ({ ...n })),
    roles: c.roles.map((r) => ({ ...r, points: { ...r.points } })),
    base: c.base,
    bonus: c.bonus,
    score: c.score,
    vetoes: c.vetoes.map((v) => ({ code: v.code, submissionId: v.submissionId })),
  };
}

export function resultView(r: Result): z.infer<typeof ResultView> {
  return {
    id: r._id,
    county: r.county,
    cycleId: r.cycleId,
    period: r.period,
    firmId: r.firmId,
    firmName: r.firmName,
    creditCode: r.creditCode,
    templateId: r.templateId,
    templateVersion: r.templateVersion,
    status: r.status,
    computedAt: iso(r.computedAt)!,
    score: r.firm.score,
    band: r.firm.band,
    bandLabel: r.firm.band ? EVALUATION_BANDS[r.firm.band] : null,
    vetoes: [...r.firm.vetoes],
    tender: { bonus: r.firm.tenderBonus, barred: r.firm.tenderBarred },
    households: { scored: r.firm.scoredHouseholds, total: r.firm.totalHouseholds },
    compounds: r.compounds.map(compoundLineView),
    version: r.version,
  };
}

/** The stored body exactly as frozen: its hash must verify against what the client gets. */
export function publishedView(v: PublishedVersion): z.infer<typeof PublishedView> {
  return {
    resultId: v.resultId,
    version: v.version,
    current: v.current,
    supersededBy: v.supersededBy,
    contentHash: v.contentHash,
    body: v.body as z.infer<typeof PublishedView>['body'],
  };
}

export function appealView(a: Appeal): z.infer<typeof AppealView> {
  return {
    id: a._id,
    county: a.county,
    cycleId: a.cycleId,
    firmId: a.firmId,
    resultId: a.resultId,
    submissionId: a.submissionId,
    reasons: a.reasons,
    evidence: [...a.evidence],
    status: a.status,
    filedBy: a.filedBy,
    filedAt: iso(a.filedAt)!,
    decidedBy: a.decidedBy,
    decidedAt: iso(a.decidedAt),
    decisionNote: a.decisionNote,
    corrections: a.corrections.map((c) => ({ ...c })),
  };
}
