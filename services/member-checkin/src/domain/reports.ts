import {
  NoShowCleared,
  NoShowFlagged,
  ReportActivated,
  ReportEnded,
  ReportRejected,
  ReportSubmitted,
} from '@honglian/contracts';
import {
  accept,
  draftEvent,
  refuse,
  type Accepted,
  type Decision,
  type EventDraft,
  type Refusal,
} from '@honglian/service-kit/domain';
import { noShowDecision } from './attendance.js';
import type { CheckinRules } from './rules.js';

export type ReportKind = 'residence' | 'work';
export type ReportStatus = 'submitted' | 'active' | 'rejected' | 'ended';

export interface Pledge {
  items: string[];
  signedAt: Date;
  signedBy: string;
}

export interface Placement {
  gridId: string | null;
  gridName: string | null;
  post: string;
  duties: string[];
  /** Service slots, e.g. `周六上午`. */
  slots: string[];
  placedAt: Date;
  placedBy: string;
}

/** A report (双报到) as stored: the member, the community, its lifecycle and the 报而不到 flag. */
export interface Report {
  _id: string;
  county: string;
  memberId: string;
  memberName: string;
  workUnitId: string | null;
  kind: ReportKind;
  communityId: string;
  communityName: string;
  communityPath: string;
  pairingId: string | null;
  status: ReportStatus;
  specialties: string[];
  preferences: string[];
  submittedAt: Date;
  submittedBy: string;
  activatedAt: Date | null;
  confirmedBy: string | null;
  rejectedAt: Date | null;
  endedAt: Date | null;
  closedBy: string | null;
  closeReason: string | null;
  pledge: Pledge | null;
  placement: Placement | null;
  lastAttendanceAt: Date | null;
  noShow: boolean;
  noShowSince: Date | null;
}

/** What the read model knows of a member when they report. */
export interface MemberFacts {
  memberId: string;
  county: string;
  status: 'active' | 'inactive';
  workUnitId: string | null;
  residenceCompoundId: string | null;
  /** Community the residence compound lies in (from the org tree), if known. */
  residenceCommunityId: string | null;
}

/** A community in force, as the read model knows it. */
export interface CommunityFacts {
  id: string;
  county: string;
  open: boolean;
}

/** A pairing in force between an agency (unit) and a community or one of its compounds. */
export interface PairingFacts {
  pairingId: string;
  agencyUnitId: string | null;
  agencyOrgId: string;
  /** The community the pairing lands in (the target itself, or the community of a paired compound). */
  communityId: string | null;
  /** The pairing's first day (`YYYY-MM-DD`), when the read model states it. */
  validFrom?: string;
}

export interface ExistingReport {
  id: string;
  kind: ReportKind;
  status: ReportStatus;
  communityId: string;
}

/** The pairings that link a member's work unit with a community. */
export function pairingsLinking(
  workUnitId: string | null,
  communityId: string,
  pairings: readonly PairingFacts[],
): PairingFacts[] {
  if (!workUnitId) return [];
  return pairings.filter(
    (p) => (p.agencyUnitId === workUnitId || p.agencyOrgId === workUnitId) && p.communityId === communityId,
  );
}

/**
 * Checks a report claim against the registry's facts (DOMAIN.md §2): a
 * residence report goes to the community the member's compound lies in; a
 * work report goes to a community paired with the member's work unit; a
 * member holds at most one open (submitted or active) report per kind.
 */
export function checkReportClaim(input: {
  member: MemberFacts | null;
  kind: ReportKind;
  community: CommunityFacts | null;
  communityId: string;
  pairings: readonly PairingFacts[];
  existing: readonly ExistingReport[];
  /**
   * Whether reasons may name the member's other records (their residence
   * community, an open report elsewhere): only to whoever sees the whole
   * member (scope.ts seesWholeMember). Default true.
   */
  disclose?: boolean;
}): Decision<{ pairingId: string | null }> {
  const { member, kind, community, communityId } = input;
  const disclose = input.disclose ?? true;
  if (!member) return refuse.invalid('党员不存在', 'the member is not known to the registry');
  if (member.status !== 'active') return refuse.invalid('党员状态非在册', 'the member is not active');
  if (!community || !community.open)
    return refuse.invalid(`社区${communityId}不存在`, `community ${communityId} does not exist`);
  if (community.county !== member.county && kind === 'residence')
    return refuse.invalid(
      '居住地社区与党员所在区县不一致',
      'the residence community is in another county than the member',
    );
  let pairingId: string | null = null;
  if (kind === 'residence') {
    if (!member.residenceCompoundId)
      return refuse.invalid('党员未登记居住小区', 'the member has no residence compound on record');
    if (member.residenceCommunityId !== communityId)
      return refuse.invalid(
        '所报社区不是党员居住小区所在社区',
        disclose
          ? `community ${communityId} is not the community of the member's residence compound ${member.residenceCompoundId}` +
              (member.residenceCommunityId ? ` (that is ${member.residenceCommunityId})` : '')
          : `community ${communityId} is not the community of the member's residence compound`,
      );
  } else {
    if (!member.workUnitId)
      return refuse.invalid('党员未登记工作单位', 'the member has no work unit on record');
    const linking = pairingsLinking(member.workUnitId, communityId, input.pairings);
    if (linking.length === 0)
      return refuse.invalid(
        '所报社区未与党员所在单位结对',
        `community ${communityId} is not paired with the member's work unit` +
          (disclose ? ` ${member.workUnitId}` : ''),
      );
    pairingId = linking[0]!.pairingId;
  }
  const open = input.existing.find(
    (r) => r.kind === kind && (r.status === 'submitted' || r.status === 'active'),
  );
  if (open)
    return refuse.conflict(
      kind === 'residence' ? '已有居住地社区报到' : '已有单位联系社区报到',
      disclose
        ? `the member already has a ${open.status} ${kind} report (${open.id}) at ${open.communityId}`
        : `the member already has an open ${kind} report`,
    );
  return accept({ pairingId });
}

export type ReportAction = 'confirm' | 'reject' | 'end' | 'pledge' | 'place';

const ALLOWED: Record<ReportAction, readonly ReportStatus[]> = {
  confirm: ['submitted'],
  reject: ['submitted'],
  end: ['submitted', 'active'],
  pledge: ['submitted', 'active'],
  place: ['active'],
};

const NEXT: Partial<Record<ReportAction, ReportStatus>> = {
  confirm: 'active',
  reject: 'rejected',
  end: 'ended',
};

const STATUS_ZH: Record<ReportStatus, string> = {
  submitted: '待确认',
  active: '已报到',
  rejected: '已退回',
  ended: '已结束',
};

/** Lifecycle: submitted → active (confirmed) | rejected; submitted | active → ended. */
export function transition(status: ReportStatus, action: ReportAction): Decision<ReportStatus> {
  if (!ALLOWED[action].includes(status))
    return refuse.conflict(
      `报到状态为${STATUS_ZH[status]}，不能执行此操作`,
      `a ${status} report does not allow "${action}"`,
    );
  return accept(NEXT[action] ?? status);
}

/** The facts every report event carries. */
export function reportFacts(r: Report) {
  return {
    reportId: r._id,
    county: r.county,
    memberId: r.memberId,
    kind: r.kind,
    communityId: r.communityId,
    workUnitId: r.workUnitId,
  };
}

/** Who a report is for: the member named, or the caller's own member id. */
export function claimant(named: string | undefined, own: string | undefined): Decision<string> {
  const memberId = named ?? own;
  if (!memberId) return refuse.invalid('请指定党员', 'memberId is required', { field: 'memberId' });
  return accept(memberId);
}

export interface SubmitReport {
  reportId: string;
  memberId: string;
  kind: ReportKind;
  communityId: string;
  specialties: string[];
  preferences: string[];
  now: Date;
  actor: string;
}

/** A report claim, resolved in the caller's scope (app/references.ts) and checked against the registry. */
export interface ClaimState {
  member: (MemberFacts & { name: string }) | null;
  community: CommunityFacts & { name: string; path: string };
  pairings: readonly PairingFacts[];
  existing: readonly ExistingReport[];
  /** Whether reasons may name the member's other records (scope.ts seesWholeMember). */
  disclose: boolean;
}

/** Submits a report if the claim holds: the new report and report.submitted. */
export function decideSubmit(cmd: SubmitReport, state: ClaimState): Decision<{ report: Report }> {
  const check = checkReportClaim({
    member: state.member,
    kind: cmd.kind,
    community: state.community,
    communityId: cmd.communityId,
    pairings: state.pairings,
    existing: state.existing,
    disclose: state.disclose,
  });
  if (!check.ok) return check;
  const member = state.member!;
  const report: Report = {
    _id: cmd.reportId,
    county: state.community.county,
    memberId: cmd.memberId,
    memberName: member.name,
    workUnitId: member.workUnitId,
    kind: cmd.kind,
    communityId: cmd.communityId,
    communityName: state.community.name,
    communityPath: state.community.path,
    pairingId: check.changes.pairingId,
    status: 'submitted',
    specialties: cmd.specialties,
    preferences: cmd.preferences,
    submittedAt: cmd.now,
    submittedBy: cmd.actor,
    activatedAt: null,
    confirmedBy: null,
    rejectedAt: null,
    endedAt: null,
    closedBy: null,
    closeReason: null,
    pledge: null,
    placement: null,
    lastAttendanceAt: null,
    noShow: false,
    noShowSince: null,
  };
  return accept({ report }, [
    draftEvent(ReportSubmitted, {
      subject: report._id,
      county: report.county,
      data: { ...reportFacts(report), submittedAt: cmd.now.toISOString(), submittedBy: cmd.actor },
    }),
  ]);
}

/** What staff or the member do to a report; the lifecycle (`transition`) says whether it may. */
export type ReportCommand =
  | { action: 'confirm' }
  | { action: 'reject' | 'end'; reason: string }
  | { action: 'pledge'; items: string[] }
  | {
      action: 'place';
      grid: { id: string; name: string } | null;
      post: string;
      duties: string[];
      slots: string[];
    };

/** The fields to set (saved only if the status did not change meanwhile), the report after, the event. */
export function decideReportAction(
  report: Report,
  cmd: ReportCommand & { now: Date; actor: string },
): Decision<{ set: Partial<Report>; report: Report }> {
  const next = transition(report.status, cmd.action);
  if (!next.ok) return next;
  const { now, actor } = cmd;
  const at = now.toISOString();
  let set: Partial<Report>;
  const events: EventDraft[] = [];
  switch (cmd.action) {
    case 'confirm':
      set = { activatedAt: now, confirmedBy: actor, noShow: false, noShowSince: null };
      break;
    case 'reject':
      set = { rejectedAt: now, closedBy: actor, closeReason: cmd.reason };
      break;
    case 'end':
      set = { endedAt: now, closedBy: actor, closeReason: cmd.reason, noShow: false };
      break;
    case 'pledge':
      set = { pledge: { items: cmd.items, signedAt: now, signedBy: actor } };
      break;
    case 'place':
      set = {
        placement: {
          gridId: cmd.grid?.id ?? null,
          gridName: cmd.grid?.name ?? null,
          post: cmd.post,
          duties: cmd.duties,
          slots: cmd.slots,
          placedAt: now,
          placedBy: actor,
        },
      };
      break;
  }
  set = { ...set, status: next.changes };
  const facts = reportFacts(report);
  const subject = { subject: report._id, county: report.county };
  if (cmd.action === 'confirm')
    events.push(
      draftEvent(ReportActivated, { ...subject, data: { ...facts, activatedAt: at, confirmedBy: actor } }),
    );
  else if (cmd.action === 'reject')
    events.push(
      draftEvent(ReportRejected, {
        ...subject,
        data: { ...facts, rejectedAt: at, rejectedBy: actor, reason: cmd.reason },
      }),
    );
  else if (cmd.action === 'end')
    events.push(
      draftEvent(ReportEnded, {
        ...subject,
        data: { ...facts, endedAt: at, endedBy: actor, reason: cmd.reason },
      }),
    );
  return accept({ set, report: { ...report, ...set } }, events);
}

/** Someone else changed the report between load and save. */
export const REPORT_CHANGED = (): Refusal =>
  refuse.conflict('报到已被他人更新，请重试', 'the report changed meanwhile; try again');

/**
 * 报而不到 for one report at `now` (`noShowDecision`): the fields to set and
 * noshow.flagged or noshow.cleared, or null when nothing changes.
 */
export function decideNoShow(
  report: Report,
  now: Date,
  rules: Pick<CheckinRules, 'noShowDays'>,
): Accepted<{ change: 'flag' | 'clear'; set: Pick<Report, 'noShow' | 'noShowSince'> }> | null {
  const change = noShowDecision(report, now, rules);
  if (!change) return null;
  const subject = { subject: report._id, county: report.county };
  if (change === 'flag')
    return accept({ change, set: { noShow: true, noShowSince: now } }, [
      draftEvent(NoShowFlagged, {
        ...subject,
        data: {
          ...reportFacts(report),
          flaggedAt: now.toISOString(),
          lastAttendanceAt: report.lastAttendanceAt?.toISOString() ?? null,
          windowDays: rules.noShowDays,
        },
      }),
    ]);
  return accept({ change, set: { noShow: false, noShowSince: null } }, [
    draftEvent(NoShowCleared, {
      ...subject,
      data: { ...reportFacts(report), clearedAt: now.toISOString(), attendanceId: null },
    }),
  ]);
}

export const REPORT_STATUS_LABELS = {
  submitted: { zh: '待确认', en: 'Submitted' },
  active: { zh: '已报到', en: 'Active' },
  rejected: { zh: '已退回', en: 'Rejected' },
  ended: { zh: '已结束', en: 'Ended' },
} as const;
