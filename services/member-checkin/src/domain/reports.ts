import { reason, type Reason } from './rules.js';

export type ReportKind = 'residence' | 'work';
export type ReportStatus = 'submitted' | 'active' | 'rejected' | 'ended';

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
}

export interface ExistingReport {
  id: string;
  kind: ReportKind;
  status: ReportStatus;
  communityId: string;
}

export type Decision<T = void> =
  | ({ ok: true } & (T extends void ? unknown : { value: T }))
  | { ok: false; status: 404 | 409 | 422; reason: Reason };

const refuse = (status: 404 | 409 | 422, zh: string, en: string) =>
  ({ ok: false, status, reason: reason(zh, en) }) as const;

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
  if (!member) return refuse(422, '党员不存在', 'the member is not known to the registry');
  if (member.status !== 'active') return refuse(422, '党员状态非在册', 'the member is not active');
  if (!community || !community.open)
    return refuse(422, `社区${communityId}不存在`, `community ${communityId} does not exist`);
  if (community.county !== member.county && kind === 'residence')
    return refuse(
      422,
      '居住地社区与党员所在区县不一致',
      'the residence community is in another county than the member',
    );
  let pairingId: string | null = null;
  if (kind === 'residence') {
    if (!member.residenceCompoundId)
      return refuse(422, '党员未登记居住小区', 'the member has no residence compound on record');
    if (member.residenceCommunityId !== communityId)
      return refuse(
        422,
        '所报社区不是党员居住小区所在社区',
        disclose
          ? `community ${communityId} is not the community of the member's residence compound ${member.residenceCompoundId}` +
              (member.residenceCommunityId ? ` (that is ${member.residenceCommunityId})` : '')
          : `community ${communityId} is not the community of the member's residence compound`,
      );
  } else {
    if (!member.workUnitId) return refuse(422, '党员未登记工作单位', 'the member has no work unit on record');
    const linking = pairingsLinking(member.workUnitId, communityId, input.pairings);
    if (linking.length === 0)
      return refuse(
        422,
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
    return refuse(
      409,
      kind === 'residence' ? '已有居住地社区报到' : '已有单位联系社区报到',
      disclose
        ? `the member already has a ${open.status} ${kind} report (${open.id}) at ${open.communityId}`
        : `the member already has an open ${kind} report`,
    );
  return { ok: true, value: { pairingId } };
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
    return refuse(
      409,
      `报到状态为${STATUS_ZH[status]}，不能执行此操作`,
      `a ${status} report does not allow "${action}"`,
    );
  return { ok: true, value: NEXT[action] ?? status };
}

export const REPORT_STATUS_LABELS = {
  submitted: { zh: '待确认', en: 'Submitted' },
  active: { zh: '已报到', en: 'Active' },
  rejected: { zh: '已退回', en: 'Rejected' },
  ended: { zh: '已结束', en: 'Ended' },
} as const;

/** Posts a member may be placed in (一编三定); free text is accepted too. */
export const COMMON_POSTS = ['楼栋长', '网格助理', '志愿者', '红管家', '单元长', '宣传员'] as const;
