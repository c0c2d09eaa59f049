import { orThrow, throwRefusal, type Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import { emitAll, withOutbox } from '@honglian/messaging';
import type { EntryQuery, Ranked } from '../data/ledger.js';
import type { Page, PageRequest } from '../data/page.js';
import {
  decideReverse,
  starLevel,
  totalsOf,
  totalsOfAccount,
  type Entry,
  type Totals,
} from '../domain/ledger.js';
import type { PointsRules, RuleVersion } from '../domain/rules.js';
import { LEDGER_SCOPE } from '../domain/scope.js';
import { tenantFilter } from '@honglian/service-kit';
import { actorOf, newId, type PointsContext } from './context.js';
import type { Ledger } from './ledger.js';
import type { References } from './references.js';

export interface Balance extends Totals {
  memberId: string;
  county: string;
  name: string | null;
  stars: number;
  /** Hours still needed for the next star level (null at the top). */
  nextStarHours: number | null;
}

export interface Reconciliation {
  members: number;
  entries: number;
  mismatches: { memberId: string; account: number; entries: number }[];
}

/** Balances, entries, reversals, leaderboards, reconciliation and the rule versions. */
export class PointsService {
  constructor(
    private readonly ctx: PointsContext,
    private readonly refs: References,
    private readonly ledger: Ledger,
  ) {}

  /** A member's balance and hours, read from the account the entries keep. */
  async balance(memberId: string, principal: Principal): Promise<Balance> {
    const m = await this.refs.member(principal, memberId);
    const t = totalsOfAccount(m.account);
    const thresholds = this.ctx.settings.starHours;
    const stars = starLevel(t.hours, thresholds);
    return {
      memberId,
      county: m.county,
      name: m.name,
      ...t,
      stars,
      nextStarHours:
        stars < thresholds.length ? Math.round((thresholds[stars]! - t.hours) * 100) / 100 : null,
    };
  }

  async entries(memberId: string, q: EntryQuery, principal: Principal): Promise<Page<Entry>> {
    await this.refs.member(principal, memberId);
    return this.ctx.data.ledger.pageOfMember(memberId, q);
  }

  /** Every entry of the member summed again: what the balance shown must equal. */
  async explain(memberId: string, principal: Principal): Promise<{ account: Totals; fromEntries: Totals }> {
    const m = await this.refs.member(principal, memberId);
    return {
      account: totalsOfAccount(m.account),
      fromEntries: totalsOf(await this.ctx.data.ledger.entriesOf(memberId)),
    };
  }

  accountsPage(principal: Principal, q: PageRequest) {
    return this.ctx.data.ledger.accounts(principal, q);
  }

  /** A correction: the opposite entry with a reason (managers of the entry's community). */
  async reverse(entryId: string, reason: string, principal: Principal): Promise<Entry> {
    await this.refs.entry(principal, entryId, { manageOnly: true });
    const now = this.ctx.clock.now();
    return withOutbox(this.ctx.conn, async (session, outbox) => {
      const { ledger } = this.ctx.data;
      const target = (await ledger.entry(entryId, session))!;
      const reversed = await ledger.written(`reversal:${entryId}`, session);
      const balance = totalsOfAccount(await ledger.account(target.memberId, session));
      const { changes, events } = orThrow(
        decideReverse(target, { reason, at: now, by: actorOf(principal), balance }, { reversed }),
      );
      if (!(await ledger.append(changes.entry, session)))
        throwRefusal(
          refuse.conflict(
            '积分已使用，余额不足以冲正',
            'the points were spent: the balance does not cover the reversal',
          ),
        );
      emitAll(outbox, events, { time: now });
      return changes.entry;
    });
  }

  /** Sum of the entries against every account in the caller's scope: a mismatch is a bug. */
  async reconcile(principal: Principal): Promise<Reconciliation> {
    const sums = await this.ctx.data.ledger.sumsByMember(principal);
    const accounts = new Map(
      (await this.ctx.data.ledger.accountsOf(sums.map((s) => s._id))).map((a) => [a._id, a]),
    );
    const mismatches = sums
      .filter((s) => accounts.get(s._id)?.balanceCents !== s.c || accounts.get(s._id)?.hoursCents !== s.h)
      .map((s) => ({
        memberId: s._id,
        account: (accounts.get(s._id)?.balanceCents ?? 0) / 100,
        entries: s.c / 100,
      }));
    return { members: sums.length, entries: sums.reduce((n, s) => n + s.n, 0), mismatches };
  }

  /** Points earned and hours per member or team in a period, in the caller's scope (or one community). */
  async leaderboard(
    q: { by: 'member' | 'team'; from: Date; to: Date; communityId?: string | undefined; limit: number },
    principal: Principal,
  ): Promise<Ranked[]> {
    // Members see the rankings of their county (who served most), not only their own line.
    const memberOnly = principal.roles.every((r) => r === 'member');
    const match: Record<string, unknown> =
      memberOnly && principal.county ? { county: principal.county } : tenantFilter(principal, LEDGER_SCOPE);
    if (q.communityId)
      match.communityId = (await this.refs.community(principal, q.communityId, { anyInCounty: true }))._id;
    return this.ctx.data.ledger.ranking(
      match,
      q.by === 'member' ? 'memberId' : 'teamId',
      q.from,
      q.to,
      q.limit,
    );
  }

  stars(principal: Principal, level: number) {
    return this.ctx.data.ledger.starred(principal, level);
  }

  /* ---------- rules ---------- */

  /** The rules in force for a county (or the city's), with their version. */
  async rules(county: string | null, principal: Principal) {
    const scope = county ?? principal.county ?? null;
    if (scope && !principal.roles.includes('city-admin') && principal.county !== scope)
      throwRefusal(refuse.notFound());
    const effective = scope ? await this.ledger.rulesFor(scope) : await this.ledger.rulesFor('city');
    const versions = await this.ctx.data.records.rulesOf(scope ? ['city', scope] : ['city']);
    return { county: scope, ...effective, versions };
  }

  /** A new version for the city (city admin) or a county (its admin); it affects new entries only. */
  async putRules(scope: string, rules: Partial<PointsRules>, principal: Principal): Promise<RuleVersion> {
    const allowed =
      principal.roles.includes('city-admin') ||
      (scope !== 'city' && principal.roles.includes('county-admin') && principal.county === scope);
    if (!allowed)
      throwRefusal(
        scope === 'city'
          ? refuse.forbidden('只有市级可改全市规则', 'only the city sets city rules')
          : refuse.notFound(),
      );
    const latest = await this.ctx.data.records.latestRule(scope);
    const version: RuleVersion = {
      _id: newId('rule'),
      scope,
      version: (latest?.version ?? 0) + 1,
      rules: { ...(latest?.rules ?? {}), ...rules },
      createdAt: this.ctx.clock.now(),
      createdBy: actorOf(principal),
    };
    await this.ctx.data.records
      .insertRule(version)
      .catch(() =>
        throwRefusal(
          refuse.conflict('规则版本冲突，请重试', 'another rule version was stored meanwhile: retry'),
        ),
      );
    return version;
  }
}
