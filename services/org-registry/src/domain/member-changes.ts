import { MemberChanged, MemberTransferred } from '@honglian/contracts';
import { accept, draftEvent, refuse, type Decision, type Refusal } from '@honglian/service-kit/domain';
import type { ChangeMember } from './commands.js';
import { memberState, type MemberPlacement } from './members.js';
import { withVersion, type Stamp } from './orgs.js';
import type { MemberDoc, MemberVersion } from './records.js';
import { isRefused } from './references.js';

// Changes and transfers of a member already registered: a new version from a day, earlier ones
// kept (README, Moves and transfers). Registration and placement are in members.ts.

/** Whether a member record may take a new version from `effectiveFrom` (the record as the caller may see it). */
export function changeable(id: string, doc: MemberDoc | null, effectiveFrom: string): Refusal | null {
  if (!doc) return refuse.notFound();
  const latest = doc.versions.at(-1)!;
  if (effectiveFrom < latest.validFrom) {
    return refuse.conflict(
      '变更生效日期不能早于现有版本',
      `Member ${id} has a version from ${latest.validFrom}; changes must take effect on or after it.`,
    );
  }
  return null;
}

export const memberConflict = (id: string) =>
  refuse.conflict('该党员刚被他人修改，请重试', `Member ${id} was changed concurrently; try again.`);

/** A change a member record is asked for: the next version's fields and what changed, before placement. */
export interface ProposedChange {
  next: MemberVersion;
  changed: string[];
  transfer: boolean;
}

/** The fields a change sets; the phone comes sealed with its clear value (to compare with the current one). */
export function proposeChange(
  latest: MemberVersion,
  cmd: ChangeMember,
  phone:
    { clear: string; enc: string; masked: string; hash: string; keyId: string; current: string } | undefined,
): ProposedChange {
  const next = { ...latest };
  const changed: string[] = [];
  if (cmd.name !== undefined && cmd.name !== latest.name) {
    next.name = cmd.name;
    changed.push('name');
  }
  if (phone && (phone.masked !== latest.phoneMasked || phone.current !== phone.clear)) {
    next.phoneEnc = phone.enc;
    next.phoneMasked = phone.masked;
    next.phoneHash = phone.hash;
    next.piiKeyId = phone.keyId;
    changed.push('phone');
  }
  for (const key of [
    'category',
    'status',
    'workUnitId',
    'residenceCompoundId',
    'residenceBuildingId',
  ] as const) {
    if (cmd[key] !== undefined && cmd[key] !== latest[key]) {
      (next as Record<string, unknown>)[key] = cmd[key];
      changed.push(key);
    }
  }
  return { next, changed, transfer: false };
}

export function proposeTransfer(id: string, latest: MemberVersion, to: string): ProposedChange | Refusal {
  if (latest.partyOrgId === to) {
    return refuse.invalid('已在该党组织', `member ${id} already belongs to ${to}`, { field: 'toPartyOrgId' });
  }
  return { next: { ...latest, partyOrgId: to }, changed: ['partyOrgId'], transfer: true };
}

/** A member's new version from `effectiveFrom`, keeping earlier versions as history. */
export function decideNewVersion(
  doc: MemberDoc,
  effectiveFrom: string,
  proposed: ProposedChange,
  placement: MemberPlacement | Refusal,
  stamp: Stamp,
): Decision<{ doc: MemberDoc; version: MemberVersion; versions: MemberVersion[]; scopePaths: string[] }> {
  if (isRefused(placement)) return placement;
  const latest = doc.versions.at(-1)!;
  const version: MemberVersion = {
    ...proposed.next,
    validFrom: effectiveFrom,
    validTo: null,
    county: placement.county,
    scopePaths: placement.paths,
    recordedAt: stamp.now,
    recordedBy: stamp.actor,
  };
  const versions = withVersion(doc.versions, version);
  const scopePaths = [...new Set(versions.flatMap((v) => v.scopePaths))];
  const updated = { ...doc, county: placement.county };
  const data = memberState(updated, version, placement.community);
  const event = proposed.transfer
    ? draftEvent(MemberTransferred, {
        subject: doc._id,
        county: placement.county,
        data: { ...data, fromPartyOrgId: latest.partyOrgId },
      })
    : draftEvent(MemberChanged, {
        subject: doc._id,
        county: placement.county,
        data: { ...data, changed: proposed.changed },
      });
  return accept({ doc: updated, version, versions, scopePaths }, [event]);
}
