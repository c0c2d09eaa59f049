import { ConsequenceClosed, ConsequenceOpened, RatingAssigned, RatingChanged } from '@honglian/contracts';
import { accept, draftEvent, refuse, type Decision, type EventDraft } from '@honglian/service-kit/domain';
import { dayAfterMonths } from './periods.js';
import type { Rating } from './ratings.js';
import type { RuleSet } from './rules.js';

export type ConsequenceKind = 'priority' | 'remediation' | 'exit' | 'escalation';

export interface Consequence {
  _id: string;
  county: string;
  level: Rating['level'];
  subjectId: string;
  name: string;
  orgPath: string[];
  memberId: string | null;
  kind: ConsequenceKind;
  ratingId: string;
  period: string;
  deadline: string | null;
  status: 'open' | 'closed';
  outcome: 'completed' | 'failed' | 'withdrawn' | null;
  followUps: { at: string; by: string; note: string }[];
  openedAt: string;
  closedAt: string | null;
}

/**
 * What a subject was given before: its published ratings of earlier periods of the same kind as
 * the one published (a quarter: earlier quarters), the latest first.
 */
export type History = Map<string, { period: string; colour: Rating['result']['colour']; score: number }[]>;

/**
 * Publishing a period's ratings (the period closes): each becomes published and is announced;
 * a colour different from the subject's previous published one is announced as changed; red
 * opens a priority-list entry, yellow a remediation plan with a deadline, grey an exit deadline,
 * and a yellow after an earlier yellow (rule: `escalateAfterYellows`) escalates.
 */
export function decidePublish(
  ratings: Rating[],
  history: History,
  rules: RuleSet,
  now: Date,
): Decision<{ ratings: Rating[]; consequences: Consequence[] }> {
  if (ratings.length === 0)
    return refuse.conflict('该期间尚未计算评定结果', 'the period has no computed ratings to publish');
  if (ratings.some((r) => r.status === 'published'))
    return refuse.conflict('该期间已发布', 'the period is closed and published already');
  const at = now.toISOString();
  const events: EventDraft[] = [];
  const consequences: Consequence[] = [];
  const published = ratings.map((r) => ({ ...r, status: 'published' as const, publishedAt: at }));
  for (const r of published) {
    const facts = {
      ratingId: r._id,
      county: r.county,
      period: r.period,
      level: r.level,
      subjectId: r.subjectId,
      colour: r.result.colour,
      score: r.result.score,
      reset: r.result.reset,
      ruleVersion: r.ruleVersion,
    };
    events.push(
      draftEvent(RatingAssigned, { subject: r._id, county: r.county, data: { ...facts, assignedAt: at } }),
    );
    const previous = history.get(r.subjectId)?.[0];
    if (previous && previous.colour !== r.result.colour)
      events.push(
        draftEvent(RatingChanged, {
          subject: r._id,
          county: r.county,
          data: {
            ...facts,
            previousPeriod: previous.period,
            previousColour: previous.colour,
            previousScore: previous.score,
            changedAt: at,
          },
        }),
      );
    if (r.level === 'county') continue;
    const yellowsBefore = (history.get(r.subjectId) ?? []).filter((h) => h.colour === 'yellow').length;
    const kind: ConsequenceKind =
      r.result.colour === 'red'
        ? 'priority'
        : r.result.colour === 'grey'
          ? 'exit'
          : yellowsBefore + 1 >= rules.escalateAfterYellows
            ? 'escalation'
            : 'remediation';
    const deadline =
      kind === 'priority'
        ? null
        : dayAfterMonths(now, kind === 'exit' ? rules.exitMonths : rules.remediationMonths);
    const c: Consequence = {
      _id: `cq:${r._id}`,
      county: r.county,
      level: r.level,
      subjectId: r.subjectId,
      name: r.name,
      orgPath: r.orgPath,
      memberId: r.memberId,
      kind,
      ratingId: r._id,
      period: r.period,
      deadline,
      status: 'open',
      outcome: null,
      followUps: [],
      openedAt: at,
      closedAt: null,
    };
    consequences.push(c);
    events.push(
      draftEvent(ConsequenceOpened, {
        subject: c._id,
        county: c.county,
        data: {
          consequenceId: c._id,
          county: c.county,
          level: c.level,
          subjectId: c.subjectId,
          kind,
          ratingId: r._id,
          period: r.period,
          deadline,
          openedAt: at,
        },
      }),
    );
  }
  return accept({ ratings: published, consequences }, events);
}

/** A follow-up note on an open consequence. */
export function decideFollowUp(
  c: Consequence | null,
  note: string,
  by: string,
  now: Date,
): Decision<Consequence> {
  if (!c) return refuse.notFound();
  if (c.status !== 'open') return refuse.conflict('该事项已关闭', 'the consequence is closed already');
  return accept({ ...c, followUps: [...c.followUps, { at: now.toISOString(), by, note }] });
}

/** Closing a consequence with its outcome; announced. */
export function decideClose(
  c: Consequence | null,
  outcome: 'completed' | 'failed' | 'withdrawn',
  now: Date,
): Decision<Consequence> {
  if (!c) return refuse.notFound();
  if (c.status !== 'open') return refuse.conflict('该事项已关闭', 'the consequence is closed already');
  const at = now.toISOString();
  const closed: Consequence = { ...c, status: 'closed', outcome, closedAt: at };
  return accept(closed, [
    draftEvent(ConsequenceClosed, {
      subject: c._id,
      county: c.county,
      data: {
        consequenceId: c._id,
        county: c.county,
        level: c.level,
        subjectId: c.subjectId,
        kind: c.kind,
        outcome,
        closedAt: at,
      },
    }),
  ]);
}
