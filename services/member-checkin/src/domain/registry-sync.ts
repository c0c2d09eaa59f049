import { ReportEnded } from '@honglian/contracts';
import { accept, draftEvent, type Accepted } from '@honglian/service-kit/domain';
import { pairingsLinking, reportFacts, type MemberFacts, type PairingFacts, type Report } from './reports.js';

/**
 * Registry changes flow to the reports (DOMAIN.md §2, issue "Registry and check-in as one
 * loop"). When the registry says a member moved, changed work unit or county, was transferred
 * or left the active roll, or a pairing ended, or a community closed, the open reports that no
 * longer match end as of the registry's effective day, with a code and a label, and
 * report.ended. Pure: the use case (app/registry-sync.ts) loads and saves.
 */

/** Who ended a report the registry's facts no longer support (`closedBy`, `endedBy`). */
export const REGISTRY_ACTOR = 'org-registry';

export const CLOSE_REASONS = {
  moved: { zh: '党员居住地已变更', en: 'The member moved to another residence' },
  transferred: { zh: '党员组织关系已转接', en: 'The member was transferred' },
  'work-unit-changed': { zh: '党员工作单位已变更', en: 'The member changed work unit' },
  'pairing-ended': { zh: '单位与社区结对已结束', en: 'The pairing of the unit with the community ended' },
  'community-closed': { zh: '社区已撤销', en: 'The community was closed' },
  'member-inactive': { zh: '党员已不在册', en: 'The member is no longer active' },
} as const;
export type CloseCode = keyof typeof CLOSE_REASONS;

/** The label of a registry close code; undefined for free text a person gave. */
export function closeReasonLabel(code: string | null): { zh: string; en: string } | undefined {
  return code && Object.hasOwn(CLOSE_REASONS, code) ? CLOSE_REASONS[code as CloseCode] : undefined;
}

/** The instant a registry day (`YYYY-MM-DD`, China Standard Time) starts. */
export function startOfDay(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

const isOpen = (r: Pick<Report, 'status'>) => r.status === 'submitted' || r.status === 'active';

/**
 * The member's open reports their registry record (as of `day`) no longer supports, each with
 * why: a residence report not at the community of their residence compound (or in another county
 * than theirs); a work report no pairing in force on `day` links their work unit with; any
 * report of a member no longer active. A transfer names every such end `transferred`.
 */
export function staleReports(input: {
  reports: readonly Report[];
  member: MemberFacts;
  /** Pairings of the member's work unit in force on the day (ReadModel.pairingsOf). */
  pairings: readonly PairingFacts[];
  transferred: boolean;
}): { report: Report; code: CloseCode }[] {
  const { member, pairings, transferred } = input;
  const out: { report: Report; code: CloseCode }[] = [];
  for (const report of input.reports.filter(isOpen)) {
    let code: CloseCode | null = null;
    if (member.status !== 'active') code = 'member-inactive';
    else if (report.kind === 'residence') {
      if (report.communityId !== member.residenceCommunityId || report.county !== member.county)
        code = 'moved';
    } else if (pairingsLinking(member.workUnitId, report.communityId, pairings).length === 0)
      code = report.workUnitId !== member.workUnitId ? 'work-unit-changed' : 'pairing-ended';
    if (code) out.push({ report, code: transferred && code !== 'member-inactive' ? 'transferred' : code });
  }
  return out;
}

/**
 * Ends a report because of a registry fact effective on `day`: ended as of the start of that day
 * (never before it was submitted), `closedBy: org-registry`, the code as `closeReason`, and
 * report.ended. An already closed report changes nothing (null), so a replayed event is a no-op.
 */
export function decideRegistryEnd(
  report: Report,
  code: CloseCode,
  day: string,
): Accepted<{ set: Partial<Report> }> | null {
  if (!isOpen(report)) return null;
  const from = startOfDay(day);
  const endedAt = from < report.submittedAt ? report.submittedAt : from;
  const set: Partial<Report> = {
    status: 'ended',
    endedAt,
    closedBy: REGISTRY_ACTOR,
    closeReason: code,
    noShow: false,
  };
  return accept({ set }, [
    draftEvent(ReportEnded, {
      subject: report._id,
      county: report.county,
      data: {
        ...reportFacts(report),
        endedAt: endedAt.toISOString(),
        endedBy: REGISTRY_ACTOR,
        reason: code,
      },
    }),
  ]);
}
