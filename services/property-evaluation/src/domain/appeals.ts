import { accept, refuse, type Decision } from '@honglian/service-kit/domain';
import type { Cycle } from './cycles.js';
import type { RatingContent } from './scoring.js';

/** A correction an admin orders: a new revision of one submission. */
export interface Correction extends Partial<RatingContent> {
  submissionId: string;
}

/** 申诉: a firm contests its result during the notice, with reasons and evidence. */
export interface Appeal {
  _id: string;
  county: string;
  cycleId: string;
  firmId: string;
  resultId: string;
  /** The submission contested, when one is. */
  submissionId: string | null;
  reasons: string;
  evidence: string[];
  status: 'pending' | 'upheld' | 'rejected';
  filedBy: string;
  filedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  corrections: Correction[];
}

export function decideFile(cmd: {
  appealId: string;
  cycle: Cycle;
  firmId: string;
  resultId: string;
  submissionId: string | null;
  reasons: string;
  evidence: string[];
  actor: string;
  now: Date;
}): Decision<{ appeal: Appeal }> {
  const { cycle } = cmd;
  if (cycle.status !== 'notice' || (cycle.noticeEndsAt && cmd.now >= cycle.noticeEndsAt))
    return refuse.conflict('只能在公示期内申诉', 'an appeal can only be filed during the public notice', {
      extras: { cycleStatus: cycle.status },
    });
  return accept({
    appeal: {
      _id: cmd.appealId,
      county: cycle.county,
      cycleId: cycle._id,
      firmId: cmd.firmId,
      resultId: cmd.resultId,
      submissionId: cmd.submissionId,
      reasons: cmd.reasons,
      evidence: cmd.evidence,
      status: 'pending' as const,
      filedBy: cmd.actor,
      filedAt: cmd.now,
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
      corrections: [],
    },
  });
}

/** An admin decides a pending appeal while the cycle is in notice; upheld may carry corrections. */
export function decideAppeal(
  appeal: Appeal,
  cycle: Cycle,
  cmd: { outcome: 'upheld' | 'rejected'; note: string; corrections: Correction[]; actor: string; now: Date },
): Decision<{ appeal: Appeal }> {
  if (appeal.status !== 'pending')
    return refuse.conflict('该申诉已处理', 'the appeal has been decided already', {
      extras: { appealStatus: appeal.status },
    });
  if (cycle.status !== 'notice')
    return refuse.conflict('评价周期不在公示期', 'the cycle is not in its public notice', {
      extras: { cycleStatus: cycle.status },
    });
  if (cmd.outcome === 'rejected' && cmd.corrections.length > 0)
    return refuse.invalid('驳回的申诉不能附带更正', 'a rejected appeal carries no corrections', {
      field: 'corrections',
    });
  return accept({
    appeal: {
      ...appeal,
      status: cmd.outcome,
      decidedBy: cmd.actor,
      decidedAt: cmd.now,
      decisionNote: cmd.note,
      corrections: cmd.corrections,
    },
  });
}
