import { isRefusal, type EventDraft, type Refusal } from '@honglian/service-kit/domain';
import type { RegisterMember } from './commands.js';
import { versionOn } from './effective.js';
import {
  decidePlacement,
  decideRegistration,
  isIdentityClash,
  managesVersion,
  type MemberPlacement,
  type SealedIdentity,
} from './members.js';
import type { Stamp } from './orgs.js';
import type { MemberDoc, MemberVersion } from './records.js';
import type { FoundOrg } from './references.js';

/** One member row of an import, with what the use case prepared for it (no key, no clock, no store here). */
export interface MemberRow {
  cmd: RegisterMember;
  /** The member code: the row's, or one the use case made up. */
  id: string;
  sealed: SealedIdentity;
}

/** What a chunk of member rows needs from the registry, loaded in a few queries. */
export interface MemberChunkState {
  /** The units the rows name, answered for a day. */
  units: {
    on(day: string): { unitOn(id: string): FoundOrg | undefined; communityOf(path: string): string | null };
  };
  /** Members already holding the rows' ID numbers, by their stored ID-number hash (under either key). */
  holders: ReadonlyMap<string, MemberDoc>;
  /** Member codes the rows ask for that are already in use. */
  takenIds: ReadonlySet<string>;
}

export type MemberRowOutcome =
  | { outcome: 'unchanged' }
  | { outcome: 'created'; doc: MemberDoc; events: readonly EventDraft[] }
  | { refusal: Refusal; clash?: MemberDoc };

/**
 * A row says exactly what the version in force on its day says: a re-upload of the same file.
 * Any difference (a new phone, unit or home) is not "unchanged": the row is decided as a
 * registration, which refuses it as a duplicate so the report shows it (changes go through
 * PATCH /members/{id}). A version recorded before phone hashes were kept compares by the rest.
 */
function sameAsRegistered(v: MemberVersion, cmd: MemberRow['cmd'], phoneHashes: readonly string[]): boolean {
  return (
    v.name === cmd.name &&
    v.partyOrgId === cmd.partyOrgId &&
    v.category === cmd.category &&
    v.workUnitId === cmd.workUnitId &&
    v.residenceCompoundId === cmd.residenceCompoundId &&
    v.residenceBuildingId === cmd.residenceBuildingId &&
    (v.phoneHash === undefined || phoneHashes.includes(v.phoneHash))
  );
}

/**
 * Decides every member row of a chunk, in order, exactly as the registration use case would one
 * request after the other in one transaction: a row identical to what is registered (within the
 * caller's scope) is unchanged, any other goes through `decideRegistration`; a member created by
 * an earlier row counts as registered for the rows after it. Pure: the outcomes are the changes.
 */
export function decideMemberRows(
  rows: readonly MemberRow[],
  state: MemberChunkState,
  stamp: Stamp,
): MemberRowOutcome[] {
  const holders = new Map(state.holders);
  const taken = new Set(state.takenIds);
  const { principal } = stamp;
  return rows.map(({ cmd, id, sealed }): MemberRowOutcome => {
    // By any key's hash: during a key rotation a holder may not be re-sealed yet.
    const existing = holderOf(holders, sealed.idHashes);
    // "Unchanged" only for a record the caller manages: anything else is decided as a registration,
    // which refuses it as it would refuse the same request.
    if (existing) {
      const v = versionOn(existing.versions, cmd.effectiveFrom);
      if (v && managesVersion(principal, existing, v) && sameAsRegistered(v, cmd, sealed.phoneHashes)) {
        return { outcome: 'unchanged' };
      }
    }
    const placement: MemberPlacement | Refusal = decidePlacement(
      principal,
      cmd,
      cmd.effectiveFrom,
      state.units.on(cmd.effectiveFrom),
    );
    const decision = decideRegistration(
      { ...cmd, id, askedId: !!cmd.id },
      sealed,
      {
        placement,
        holder: isRefusal(placement) ? null : (existing ?? null),
        idTaken: !!cmd.id && taken.has(cmd.id),
      },
      stamp,
    );
    if (!decision.ok) {
      return isIdentityClash(decision) && existing
        ? { refusal: decision, clash: existing }
        : { refusal: decision };
    }
    const { doc } = decision.changes;
    holders.set(doc.idHash, doc);
    taken.add(doc._id);
    return { outcome: 'created', doc, events: decision.events };
  });
}

/** The member holding any of these ID-number hashes (current key first). */
export function holderOf<T>(holders: ReadonlyMap<string, T>, idHashes: readonly string[]): T | undefined {
  for (const hash of idHashes) {
    const found = holders.get(hash);
    if (found) return found;
  }
  return undefined;
}
