import type { OrgKind } from '@honglian/contracts';
import { unprocessable, type HttpProblem, type Principal } from '@honglian/service-kit';
import type { ClientSession } from 'mongoose';
import type { MemberDoc, OrgDoc, OrgVersion } from '../data/models.js';
import { versionOn } from '../domain/effective.js';
import type { Reason } from '../domain/identifiers.js';
import { managesPlacement, reaches, type Reach } from '../domain/scope.js';
import type { RegistryContext } from './context.js';

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

type Loader = (id: string, day: string) => Promise<FoundOrg | undefined>;

/**
 * The one refusal for an id a request names: the same status, detail, reason and field whether
 * the id does not exist, names another kind, or lies outside the caller's reach, so a refusal
 * never tells what is registered elsewhere (DESIGN, Security model: out of scope is "not found").
 * It depends only on what the caller sent.
 */
export function unknownReference(ref: RefSpec, id: string, day?: string): HttpProblem {
  const on = day ? ` on ${day}` : '';
  const expected = ref.kinds ? ` (expected ${ref.kinds.join(' or ')})` : '';
  const reason = { zh: `${ref.label.zh}${id}不存在`, en: `${ref.label.en} ${id} does not exist${on}` };
  return unprocessable(reason.en + expected, { reason, field: ref.field });
}

/**
 * Resolves the ids a request names (in its body, a query or an import row) within the caller's
 * scope. Every write of the registry goes through here, so one rule decides what a caller may
 * link to; reading a record by the id in its URL stays with each service (404 when out of scope).
 */
export class References {
  constructor(private readonly ctx: RegistryContext) {}

  /** A unit as it stood on `day`, whoever asks; undefined when it did not exist then. */
  async versionOn(id: string, day: string, session?: ClientSession): Promise<FoundOrg | undefined> {
    const doc = await this.ctx.models.Org.findById(id, null, { session }).lean<OrgDoc>();
    const version = doc && versionOn(doc.versions, day);
    return doc && version ? { doc, version } : undefined;
  }

  /**
   * The unit `id` names on `day` if it is of the expected kind and within the caller's reach.
   * `onRecord`: the id is already on the record being changed and the caller did not name it
   * now; it must still exist and be of its kind, but it is not the caller's to reach.
   */
  async org(
    principal: Principal,
    id: string,
    day: string,
    ref: RefSpec,
    opts: { session?: ClientSession; load?: Loader; onRecord?: boolean } = {},
  ): Promise<FoundOrg> {
    const found = await (opts.load ?? ((i, d) => this.versionOn(i, d, opts.session)))(id, day);
    const fits =
      found &&
      (!ref.kinds || ref.kinds.includes(found.doc.kind)) &&
      (opts.onRecord ||
        reaches(
          principal,
          { county: found.doc.county, paths: [found.version.path], kind: found.doc.kind },
          ref.reach ?? 'placed',
        ));
    if (!fits) throw unknownReference(ref, id, day);
    return found;
  }

  /** The member `id` names if the caller manages them (the read rule of the member directory). */
  async member(
    principal: Principal,
    id: string,
    ref: Omit<RefSpec, 'kinds' | 'reach'>,
    session?: ClientSession,
  ): Promise<MemberDoc> {
    const doc = await this.ctx.models.Member.findById(id, null, { session }).lean<MemberDoc>();
    if (!doc || !managesPlacement(principal, { county: doc.county, paths: doc.scopePaths })) {
      throw unknownReference(ref, id);
    }
    return doc;
  }
}
