import { EvaluationCycleComputed } from '@honglian/contracts';
import { accept, draftEvent, refuse, type Decision } from '@honglian/service-kit/domain';
import { parsePeriod, type PeriodKind } from './period.js';

/** open → collecting → computed → notice (公示) → published. */
export const CYCLE_STATUSES = ['open', 'collecting', 'computed', 'notice', 'published'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

export interface CycleStep {
  action: CycleAction | 'create' | 'households' | 'appeal-upheld';
  at: Date;
  by: string;
}

export interface Cycle {
  _id: string;
  county: string;
  period: string;
  kind: PeriodKind;
  templateId: string;
  status: CycleStatus;
  /** Length of the public notice (公示) in days. */
  noticeDays: number;
  /** Households per compound: the weight of each compound in its firm's score. */
  households: Record<string, number>;
  createdAt: Date;
  computedAt: Date | null;
  noticeEndsAt: Date | null;
  publishedAt: Date | null;
  log: CycleStep[];
}

export type CycleAction = 'start' | 'compute' | 'notice' | 'publish';

const FROM: Record<CycleAction, readonly CycleStatus[]> = {
  start: ['open'],
  compute: ['collecting', 'computed'],
  notice: ['computed'],
  publish: ['notice'],
};
const TO: Record<CycleAction, CycleStatus> = {
  start: 'collecting',
  compute: 'computed',
  notice: 'notice',
  publish: 'published',
};

const DAY_MS = 86_400_000;

export function decideCreateCycle(cmd: {
  cycleId: string;
  county: string;
  period: string;
  templateId: string;
  noticeDays: number;
  now: Date;
  actor: string;
  duplicate: boolean;
}): Decision<{ cycle: Cycle }> {
  const period = parsePeriod(cmd.period);
  if (!period)
    return refuse.invalid('周期格式不正确', 'a period such as 2026, 2026-H1 or 2026-Q2', { field: 'period' });
  if (cmd.duplicate)
    return refuse.conflict('该区县此周期已有评价', 'this county already has a cycle for this period', {
      field: 'period',
    });
  return accept({
    cycle: {
      _id: cmd.cycleId,
      county: cmd.county,
      period: cmd.period,
      kind: period.kind,
      templateId: cmd.templateId,
      status: 'open' as const,
      noticeDays: cmd.noticeDays,
      households: {},
      createdAt: cmd.now,
      computedAt: null,
      noticeEndsAt: null,
      publishedAt: null,
      log: [{ action: 'create' as const, at: cmd.now, by: cmd.actor }],
    },
  });
}

/** Households may be set until the cycle is computed. */
export function decideHouseholds(
  cycle: Cycle,
  entries: { compoundId: string; households: number }[],
  by: { now: Date; actor: string },
): Decision<{ cycle: Cycle }> {
  if (cycle.status !== 'open' && cycle.status !== 'collecting')
    return refuse.conflict('周期已计算，户数不能再改', 'households are fixed once the cycle is computed', {
      extras: { cycleStatus: cycle.status },
    });
  const households = { ...cycle.households };
  for (const e of entries) households[e.compoundId] = e.households;
  return accept({
    cycle: { ...cycle, households, log: [...cycle.log, { action: 'households', at: by.now, by: by.actor }] },
  });
}

/**
 * A step of the cycle. Computing again is allowed until the notice starts; publication waits for
 * the end of the notice and for every appeal to be decided. Anything else: 409.
 */
export function decideCycleStep(
  cycle: Cycle,
  cmd: {
    action: CycleAction;
    now: Date;
    actor: string;
    pendingAppeals: number;
    firms?: number;
    scored?: number;
  },
): Decision<{ cycle: Cycle }> {
  if (!FROM[cmd.action].includes(cycle.status))
    return refuse.conflict(
      `评价周期处于${cycle.status}状态，不能${cmd.action}`,
      `a cycle that is ${cycle.status} cannot ${cmd.action}`,
      { extras: { cycleStatus: cycle.status } },
    );
  if (cmd.action === 'publish') {
    if (cycle.noticeEndsAt && cmd.now < cycle.noticeEndsAt)
      return refuse.conflict('公示期未满', 'the public notice has not ended', {
        extras: { noticeEndsAt: cycle.noticeEndsAt.toISOString() },
      });
    if (cmd.pendingAppeals > 0)
      return refuse.conflict('尚有未处理的申诉', 'appeals are still pending', {
        extras: { pendingAppeals: cmd.pendingAppeals },
      });
  }
  const next: Cycle = {
    ...cycle,
    status: TO[cmd.action],
    log: [...cycle.log, { action: cmd.action, at: cmd.now, by: cmd.actor }],
    ...(cmd.action === 'compute' ? { computedAt: cmd.now } : {}),
    ...(cmd.action === 'notice'
      ? { noticeEndsAt: new Date(cmd.now.getTime() + cycle.noticeDays * DAY_MS) }
      : {}),
    ...(cmd.action === 'publish' ? { publishedAt: cmd.now } : {}),
  };
  const events =
    cmd.action === 'compute'
      ? [
          draftEvent(EvaluationCycleComputed, {
            subject: cycle._id,
            county: cycle.county,
            data: {
              cycleId: cycle._id,
              county: cycle.county,
              period: cycle.period,
              templateId: cycle.templateId,
              computedAt: cmd.now.toISOString(),
              firms: cmd.firms ?? 0,
              scored: cmd.scored ?? 0,
            },
          }),
        ]
      : [];
  return accept({ cycle: next }, events);
}
