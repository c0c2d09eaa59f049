import { EvaluationSubmissionReceived } from '@honglian/contracts';
import { accept, draftEvent, refuse, type Decision, type Principal } from '@honglian/service-kit/domain';
import type { Cycle } from './cycles.js';
import { belongsToFirm, mayRateAs, type CompoundPlace, type FirmFacts, type RaterRoleCode } from './roles.js';
import type { RatingContent } from './scoring.js';
import { indicatorsOf, type TemplateRules } from './template.js';

/** One version of a rating: the content and who gave it when. */
export interface Revision extends RatingContent {
  revision: number;
  evidence: string[];
  comment: string;
  by: string;
  at: Date;
  /** `rater`, or the appeal or revision that corrected it (`appeal:<id>`, `revision:<resultId>`). */
  source: string;
}

/** A rating per (cycle, firm, compound, rater role); the current content on top, every revision kept. */
export interface Submission extends RatingContent {
  _id: string;
  county: string;
  cycleId: string;
  firmId: string;
  compoundId: string;
  compoundPath: string;
  raterRole: RaterRoleCode;
  evidence: string[];
  comment: string;
  revision: number;
  submittedBy: string;
  submittedAt: Date;
  updatedAt: Date;
  revisions: Revision[];
}

export interface SubmitCommand extends RatingContent {
  submissionId: string;
  raterRole: RaterRoleCode;
  evidence: string[];
  comment: string;
  principal: Principal;
  actor: string;
  now: Date;
}

export interface SubmitState {
  cycle: Cycle;
  template: TemplateRules;
  firm: FirmFacts;
  compound: CompoundPlace;
  /** Whether a contract ties the firm to the compound during the cycle's period. */
  serves: boolean;
  existing: Submission | null;
}

const invalid = (zh: string, en: string, field: string) => refuse.invalid(zh, en, { field });

/** Checks content against the template: the role's indicators all given, within range; vetoes and bonuses the role may raise. */
export function checkContent(
  rules: TemplateRules,
  role: RaterRoleCode,
  c: RatingContent,
): Decision<RatingContent> {
  if (role === 'residents') {
    if (!c.survey)
      return invalid('居民满意度须提交调查结果', 'the residents’ rating needs the survey', 'survey');
    if (c.survey.satisfied > c.survey.respondents)
      return invalid('满意人数不能超过答卷人数', 'more satisfied answers than respondents', 'survey');
    if (Object.keys(c.scores).length > 0)
      return invalid('居民满意度不设指标分', 'the residents’ rating takes no indicator scores', 'scores');
  } else {
    if (c.survey)
      return invalid('只有居民满意度可提交调查', 'only the residents’ rating has a survey', 'survey');
    const indicators = indicatorsOf(rules, role);
    const known = new Map(indicators.map((i) => [i.code, i]));
    for (const code of Object.keys(c.scores))
      if (!known.has(code))
        return invalid(
          `指标${code}不属于该评价角色`,
          `indicator ${code} is not scored by ${role}`,
          `scores.${code}`,
        );
    for (const i of indicators) {
      // Own keys only: an indicator coded like an Object.prototype member (`constructor`) is no exception.
      const points = Object.hasOwn(c.scores, i.code) ? c.scores[i.code] : undefined;
      if (points === undefined)
        return invalid(`缺少必填指标${i.code}`, `indicator ${i.code} is required`, `scores.${i.code}`);
      if (points < 0 || points > i.maxPoints)
        return invalid(
          `指标${i.code}得分须在0至${i.maxPoints}之间`,
          `indicator ${i.code} takes 0 to ${i.maxPoints} points`,
          `scores.${i.code}`,
        );
    }
  }
  for (const code of c.vetoes) {
    const item = rules.vetoItems.find((v) => v.code === code);
    if (!item || !item.raisedBy.includes(role))
      return invalid(`否决项${code}不可由该角色提出`, `veto ${code} is not one ${role} may raise`, 'vetoes');
  }
  const seen = new Set<string>();
  for (const b of c.bonuses) {
    const item = rules.bonusItems.find((x) => x.code === b.code);
    if (!item || !item.raisedBy.includes(role) || seen.has(b.code))
      return invalid(
        `加分项${b.code}不可由该角色给出`,
        `bonus ${b.code} is not one ${role} may give (once)`,
        'bonuses',
      );
    if (b.points < 0 || b.points > item.maxPoints)
      return invalid(
        `加分项${b.code}上限${item.maxPoints}分`,
        `bonus ${b.code} takes 0 to ${item.maxPoints} points`,
        'bonuses',
      );
    seen.add(b.code);
  }
  return accept(c);
}

export const CYCLE_NOT_COLLECTING = (status: string) =>
  refuse.conflict(
    `评价周期当前状态（${status}）不接受评分`,
    `the cycle takes ratings only while collecting (it is ${status})`,
    { extras: { cycleStatus: status } },
  );

/** A rating given or edited: checked against the cycle's state, the rater, the firm and the template. */
export function decideSubmit(cmd: SubmitCommand, s: SubmitState): Decision<{ submission: Submission }> {
  if (s.cycle.status !== 'collecting') return CYCLE_NOT_COLLECTING(s.cycle.status);
  if (!s.serves)
    return invalid(
      '该企业在本周期未服务此小区',
      'the firm does not serve this compound in this cycle',
      'compoundId',
    );
  if (cmd.raterRole !== 'self' && belongsToFirm(cmd.principal, s.firm))
    return refuse.forbidden('不能评价本人所属企业', 'a rater cannot rate a firm it belongs to', {
      field: 'firmId',
    });
  if (!mayRateAs(cmd.principal, cmd.raterRole, s.compound, s.firm.id))
    return refuse.forbidden('您不能以该角色评价此小区', 'you may not rate this compound in this role', {
      field: 'raterRole',
    });
  const checked = checkContent(s.template, cmd.raterRole, cmd);
  if (!checked.ok) return checked;
  const content: RatingContent = {
    scores: { ...cmd.scores },
    survey: cmd.survey,
    vetoes: [...new Set(cmd.vetoes)].sort(),
    bonuses: cmd.bonuses.map((b) => ({ ...b })),
  };
  const revision = (s.existing?.revision ?? 0) + 1;
  const entry: Revision = {
    ...content,
    revision,
    evidence: cmd.evidence,
    comment: cmd.comment,
    by: cmd.actor,
    at: cmd.now,
    source: 'rater',
  };
  const submission: Submission = {
    _id: s.existing?._id ?? cmd.submissionId,
    county: s.cycle.county,
    cycleId: s.cycle._id,
    firmId: s.firm.id,
    compoundId: s.compound.id,
    compoundPath: s.compound.path,
    raterRole: cmd.raterRole,
    ...content,
    evidence: cmd.evidence,
    comment: cmd.comment,
    revision,
    submittedBy: s.existing?.submittedBy ?? cmd.actor,
    submittedAt: s.existing?.submittedAt ?? cmd.now,
    updatedAt: cmd.now,
    revisions: [...(s.existing?.revisions ?? []), entry],
  };
  return accept({ submission }, [receivedEvent(submission)]);
}

/** A correction (upheld appeal, published revision) as a new revision of the submission. */
export function correctSubmission(
  rules: TemplateRules,
  sub: Submission,
  patch: Partial<RatingContent>,
  by: { actor: string; now: Date; source: string },
): Decision<{ submission: Submission }> {
  const content: RatingContent = {
    scores: patch.scores ?? sub.scores,
    survey: patch.survey !== undefined ? patch.survey : sub.survey,
    vetoes: patch.vetoes ?? sub.vetoes,
    bonuses: patch.bonuses ?? sub.bonuses,
  };
  const checked = checkContent(rules, sub.raterRole, content);
  if (!checked.ok) return checked;
  const revision = sub.revision + 1;
  const entry: Revision = {
    ...content,
    revision,
    evidence: sub.evidence,
    comment: sub.comment,
    by: by.actor,
    at: by.now,
    source: by.source,
  };
  const submission: Submission = {
    ...sub,
    ...content,
    revision,
    updatedAt: by.now,
    revisions: [...sub.revisions, entry],
  };
  return accept({ submission }, [receivedEvent(submission)]);
}

function receivedEvent(s: Submission) {
  return draftEvent(EvaluationSubmissionReceived, {
    subject: s._id,
    county: s.county,
    data: {
      submissionId: s._id,
      county: s.county,
      cycleId: s.cycleId,
      firmId: s.firmId,
      compoundId: s.compoundId,
      raterRole: s.raterRole,
      revision: s.revision,
      receivedAt: s.updatedAt.toISOString(),
    },
  });
}
