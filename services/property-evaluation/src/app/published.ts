import { throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { Page, PageRequest } from '../data/page.js';
import { dayOf } from '../domain/period.js';
import type { PublishedVersion } from '../domain/results.js';
import type { EvaluationContext } from './context.js';
import { publishedFilter } from './scope.js';

/** Bands on the red list (红名单). */
export const RED_LIST_BANDS = ['AAA'] as const;

/**
 * Published results only (the api-consumer's view, and everyone's after publication): the current
 * version of each result unless a version is asked for by number.
 */
export class PublishedQueries {
  constructor(private readonly ctx: EvaluationContext) {}

  private page(
    p: Principal,
    filter: Record<string, unknown>,
    q: PageRequest,
  ): Promise<Page<PublishedVersion>> {
    return this.ctx.data.versions.page({ $and: [publishedFilter(p), { current: true }, filter] }, q);
  }

  list(
    p: Principal,
    q: PageRequest & { cycleId?: string | undefined; county?: string | undefined; band?: string | undefined },
  ) {
    const f: Record<string, unknown> = {};
    if (q.cycleId) f.cycleId = q.cycleId;
    if (q.county) f.county = q.county;
    if (q.band) f.band = q.band;
    return this.page(p, f, q);
  }

  byCreditCode(p: Principal, creditCode: string, q: PageRequest) {
    return this.page(p, { creditCode }, q);
  }

  /** 红名单: current results in the red-list bands of firms not blacklisted today (by any result). */
  async redList(p: Principal, q: PageRequest) {
    const blacklisted = await this.ctx.data.versions.blacklistedFirms(dayOf(this.ctx.clock.now()));
    return this.page(
      p,
      { band: { $in: [...RED_LIST_BANDS] }, blacklistedUntil: null, firmId: { $nin: blacklisted } },
      q,
    );
  }

  /** 黑名单: current results whose blacklisting runs past today. */
  blackList(p: Principal, q: PageRequest) {
    return this.page(p, { blacklistedUntil: { $gt: dayOf(this.ctx.clock.now()) } }, q);
  }

  /** One version of a result, current or superseded (404 when it does not exist). */
  async version(p: Principal, resultId: string, version: number): Promise<PublishedVersion> {
    const found = await this.ctx.data.versions.byId(`${resultId}_v${version}`);
    if (!found || Object.keys(publishedFilter(p)).length > 0) return throwRefusal(refuse.notFound());
    return found;
  }

  async current(p: Principal, resultId: string): Promise<PublishedVersion> {
    const found = await this.ctx.data.versions.current(resultId);
    if (!found || Object.keys(publishedFilter(p)).length > 0) return throwRefusal(refuse.notFound());
    return found;
  }
}
