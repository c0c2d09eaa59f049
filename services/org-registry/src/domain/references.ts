import type { OrgKind } from '@honglian/contracts';
import { refuse, type Principal, type Reason, type Refusal } from '@honglian/service-kit/domain';
import type { MemberDoc, OrgDoc, OrgVersion } from './records.js';
import { managesPlacement, reaches, type Reach } from './scope.js';

/** What an id named in a request must be, and how far it may reach (README, Cross-county links). */
export interface RefSpec {
  /** The input field that names it (an import maps it to its column). */
  field: string;
  /** What it names, for the refusal: `{zh: '小区', en: 'compound'}`. */
  label: Reason;
  /** Kinds it may name; any kind when absent. */
  kinds?: readonly OrgKind[];
  /** Default `placed`: the read rule. */
  reach?: Reach;
}

export interface FoundOrg {
  doc: OrgDoc;
  version: OrgVersion;
}

/**
 * The one refusal for an id a request names: the same kind, reason and field whether the id does
 * not exist, names another kind, or lies outside the caller's reach, so a refusal never tells
 * what is registered elsewhere (DESIGN, Security model: out of scope is "not found"). It depends
 * only on what the caller sent.
 */
export function unknownReference(ref: RefSpec, id: string, day?: string): Refusal<'invalid'> {
  const on = day ? ` on ${day}` : '';
  return refuse('invalid', `${ref.label.zh}${id}不存在`, `${ref.label.en} ${id} does not exist${on}`, {
    field: ref.field,
  });
}

/**
 * The unit `id` names on `day` (as loaded) if it is of the expected kind and within the caller's
 * reach, else the refusal. `onRecord`: the id is already on the record being changed and the
 * caller did not name it now; it must still exist and be of its kind, but it is not the caller's
 * to reach.
 */
export function resolveOrg(
  principal: Principal,
  found: FoundOrg | undefined,
  ref: RefSpec,
  id: string,
  day: string,
  onRecord = false,
): FoundOrg | Refusal<'invalid'> {
  const fits =
    found &&
    (!ref.kinds || ref.kinds.includes(found.doc.kind)) &&
    (onRecord ||
      reaches(
        principal,
        { county: found.doc.county, paths: [found.version.path], kind: found.doc.kind },
        ref.reach ?? 'placed',
      ));
  return fits ? found : unknownReference(ref, id, day);
}

/** The member `id` names if the caller manages them (the read rule of the member directory). */
export function resolveMember(
  principal: Principal,
  doc: MemberDoc | null,
  ref: Omit<RefSpec, 'kinds' | 'reach'>,
  id: string,
): MemberDoc | Refusal<'invalid'> {
  // Where the member is filed now (their latest version): a member who moved away is no longer the old county's.
  const latest = doc?.versions.at(-1);
  return doc &&
    latest &&
    managesPlacement(principal, { county: latest.county ?? doc.county, paths: latest.scopePaths })
    ? doc
    : unknownReference(ref, id);
}

/** A resolved reference or its refusal: `isRefused(x)` tells them apart. */
export const isRefused = <T extends object>(x: T | Refusal): x is Refusal =>
  (x as Refusal).ok === false && 'kind' in x;
