import { throwRefusal, type Principal, type TenantFilter } from '@honglian/service-kit';
import { NOT_FOUND_REASON, refuse } from '@honglian/service-kit/domain';
import type { ClientSession } from 'mongoose';
import type { Appeal } from '../domain/appeals.js';
import type { Cycle } from '../domain/cycles.js';
import type { Result } from '../domain/results.js';
import { isAdminOf, type CompoundPlace, type FirmFacts } from '../domain/roles.js';
import type { Submission } from '../domain/submissions.js';
import type { Template } from '../domain/template.js';
import type { EvaluationContext } from './context.js';
import { appealFilter, cycleFilter, resultFilter, submissionFilter, templateFilter } from './scope.js';

/** Missing or out of scope: never told apart (404; `field` names the id when it came in a body). */
const notFound = (field?: string): never =>
  throwRefusal(field ? refuse.notFound(NOT_FOUND_REASON, { field }) : refuse.notFound());

/**
 * The one place where the ids a request names (path, body or query) are resolved within the
 * caller's scope (app/scope.ts). Every use case goes through it.
 */
export class References {
  constructor(private readonly ctx: EvaluationContext) {}

  private get data() {
    return this.ctx.data;
  }

  async template(p: Principal, id: string, field?: string, session?: ClientSession): Promise<Template> {
    return (await this.data.templates.scoped(id, templateFilter(p), session)) ?? notFound(field);
  }

  /**
   * The counties where the caller's firm holds a contract in the registry's read model (ended
   * ones too: the firm was rated there); none for a caller that is not a firm's account.
   */
  private async servedCounties(p: Principal, session?: ClientSession): Promise<string[]> {
    if (!p.roles.includes('property-firm') || !p.firmId) return [];
    return this.data.readModel.countiesServedBy(p.firmId, session);
  }

  /** The caller's cycles as a filter (lists): scope.ts's rule with the firm's counties resolved. */
  async cycleScope(p: Principal, session?: ClientSession): Promise<TenantFilter> {
    return cycleFilter(p, await this.servedCounties(p, session));
  }

  async cycle(p: Principal, id: string, session?: ClientSession): Promise<Cycle> {
    return (await this.data.cycles.scoped(id, await this.cycleScope(p, session), session)) ?? notFound();
  }

  /** A cycle the caller administers (city admin, or the county's admin). */
  async managedCycle(p: Principal, id: string, session?: ClientSession): Promise<Cycle> {
    const cycle = await this.data.cycles.byId(id, session);
    return cycle && isAdminOf(p, cycle.county) ? cycle : notFound();
  }

  async submission(p: Principal, id: string, session?: ClientSession): Promise<Submission> {
    return (await this.data.submissions.scoped(id, submissionFilter(p), session)) ?? notFound();
  }

  async result(p: Principal, id: string, session?: ClientSession): Promise<Result> {
    return (await this.data.results.scoped(id, resultFilter(p), session)) ?? notFound();
  }

  /** A result the caller administers. */
  async managedResult(p: Principal, id: string, session?: ClientSession): Promise<Result> {
    const result = await this.data.results.byId(id, session);
    return result && isAdminOf(p, result.county) ? result : notFound();
  }

  async appeal(p: Principal, id: string, session?: ClientSession): Promise<Appeal> {
    return (await this.data.appeals.scoped(id, appealFilter(p), session)) ?? notFound();
  }

  async managedAppeal(p: Principal, id: string, session?: ClientSession): Promise<Appeal> {
    const appeal = await this.data.appeals.byId(id, session);
    return appeal && isAdminOf(p, appeal.county) ? appeal : notFound();
  }

  /**
   * A firm named in a body: a property firm of the registry. City admins name any; a firm's own
   * account names itself; admins, staff and committees name the firms of their county and those
   * serving a compound there under a contract.
   */
  async firm(p: Principal, id: string, session?: ClientSession): Promise<FirmFacts> {
    const org = await this.data.readModel.org(id, session);
    if (!org || org.kind !== 'property-firm') return notFound('firmId');
    const has = (role: string) => (p.roles as readonly string[]).includes(role);
    const countyRater = ['county-admin', 'community-staff', 'compound-committee'].some(has);
    // A firm registered in another county is still rated by the counties whose compounds it serves.
    const sees =
      has('city-admin') ||
      (has('property-firm') && p.firmId === id) ||
      (countyRater &&
        !!p.county &&
        (p.county === org.county || (await this.data.readModel.servesIn(id, p.county, session))));
    if (!sees) return notFound('firmId');
    return { id: org._id, county: org.county, name: org.name, path: org.path, creditCode: org.code };
  }

  /**
   * A compound named in a body, in a county the caller sees: its token's, and for a firm's account
   * also those where the firm holds a contract (whether it serves this compound is the use case's
   * check: 422).
   */
  async compound(
    p: Principal,
    id: string,
    session?: ClientSession,
  ): Promise<CompoundPlace & { name: string }> {
    const org = await this.data.readModel.org(id, session);
    if (!org || org.kind !== 'compound') return notFound('compoundId');
    const sees =
      p.roles.includes('city-admin') ||
      p.county === org.county ||
      (await this.servedCounties(p, session)).includes(org.county);
    if (!sees) return notFound('compoundId');
    return { id: org._id, county: org.county, path: org.path, name: org.name };
  }
}
