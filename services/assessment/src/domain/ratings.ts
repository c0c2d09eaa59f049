import type { Fact } from './facts.js';
import { communityMeasures, memberMeasures, streetMeasures } from './measures.js';
import { colourOf, type Colour, type RuleSet } from './rules.js';
import { applyQuota, scoreIndex, type Score } from './scoring.js';

export type RatingLevel = 'member' | 'community' | 'street' | 'county';

/** A rating of one subject for one period, with its explanation. */
export interface Rating {
  /** `<period>:<subjectId>`. */
  _id: string;
  period: string;
  level: RatingLevel;
  subjectId: string;
  name: string;
  county: string;
  /** Org paths the subject sits under (scoping: community staff see their subtree). */
  orgPath: string[];
  /** The member's id (member level), for a member reading their own. */
  memberId: string | null;
  /** The subject one level up (member → community → street → county). */
  parentId: string | null;
  ruleVersion: string;
  result: Score;
  /** Every source event (and rolled-up rating) behind it. */
  sources: string[];
  status: 'provisional' | 'published';
  computedAt: string;
  publishedAt: string | null;
}

/** The subjects of a county as the read model knows them. */
export interface CountyWorld {
  county: string;
  countyName: string;
  countyPath: string;
  members: { id: string; name: string; communityId: string | null; orgPath: string[]; reported: boolean }[];
  communities: { id: string; name: string; path: string; streetId: string | null; compoundIds: string[] }[];
  streets: { id: string; name: string; path: string }[];
  /** Firms serving each compound (contracts). */
  firmsByCompound: Record<string, string[]>;
}

export const ratingIdOf = (period: string, subjectId: string) => `${period}:${subjectId}`;

function groupBy<T>(items: T[], key: (t: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    if (k === null) continue;
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

const sourcesOf = (s: Score) => [...new Set(s.contributions.flatMap((c) => c.events))];

/**
 * Every rating of a county for a period, computed from the period's facts with one rule set:
 * members, then their communities (with the quota), then streets, then the county roll-up.
 * Pure: the same facts and rules always give the same ratings.
 */
export function computeRatings(
  world: CountyWorld,
  facts: Fact[],
  rules: RuleSet,
  meta: { period: string; ruleVersion: string; computedAt: string },
): Rating[] {
  const make = (
    level: RatingLevel,
    s: { id: string; name: string; orgPath: string[]; parentId: string | null },
    result: Score,
  ): Rating => ({
    _id: ratingIdOf(meta.period, s.id),
    period: meta.period,
    level,
    subjectId: s.id,
    name: s.name,
    county: world.county,
    orgPath: s.orgPath,
    memberId: level === 'member' ? s.id : null,
    parentId: s.parentId,
    ruleVersion: meta.ruleVersion,
    result,
    sources: sourcesOf(result),
    status: 'provisional',
    computedAt: meta.computedAt,
    publishedAt: null,
  });
  const byMember = groupBy(facts, (f) => f.memberId);
  const byCommunity = groupBy(facts, (f) => f.communityId);
  const evaluationsByFirm = groupBy(
    facts.filter((f) => f.kind === 'evaluation'),
    (f) => f.ref,
  );

  const members = world.members.map((m) =>
    make(
      'member',
      { id: m.id, name: m.name, orgPath: m.orgPath, parentId: m.communityId },
      scoreIndex(
        rules.indices.member,
        rules.thresholds,
        memberMeasures(byMember.get(m.id) ?? [], m.reported, rules),
      ),
    ),
  );
  const membersOf = groupBy(members, (r) => r.parentId);

  const scoredCommunities = world.communities.map((c) => {
    const evaluations = c.compoundIds.flatMap((compound) =>
      (world.firmsByCompound[compound] ?? []).flatMap((firm) => evaluationsByFirm.get(firm) ?? []),
    );
    const mine = (membersOf.get(c.id) ?? []).map((r) => ({
      ratingId: r._id,
      score: r.result.score,
      colour: r.result.colour,
    }));
    const measures = communityMeasures(byCommunity.get(c.id) ?? [], evaluations, mine, rules);
    return { id: c.id, c, score: scoreIndex(rules.indices.community, rules.thresholds, measures) };
  });
  // A community under no (open) street rolls up into the county directly.
  const streetIds = new Set(world.streets.map((s) => s.id));
  const communities = applyQuota(scoredCommunities, rules.communityQuotaPercent).map(({ c, score }) =>
    make(
      'community',
      {
        id: c.id,
        name: c.name,
        orgPath: [c.path],
        parentId: c.streetId !== null && streetIds.has(c.streetId) ? c.streetId : world.county,
      },
      score,
    ),
  );
  const communitiesOf = groupBy(communities, (r) => r.parentId);

  const streets = world.streets.map((s) => {
    const mine = (communitiesOf.get(s.id) ?? []).map((r) => ({
      ratingId: r._id,
      score: r.result.score,
      colour: r.result.colour,
    }));
    return make(
      'street',
      { id: s.id, name: s.name, orgPath: [s.path], parentId: world.county },
      scoreIndex(rules.indices.street, rules.thresholds, streetMeasures(mine)),
    );
  });
  const county = make(
    'county',
    { id: world.county, name: world.countyName, orgPath: [world.countyPath], parentId: null },
    // Its streets, and the communities directly under it (a tree may skip the street level).
    rollUp([...streets, ...(communitiesOf.get(world.county) ?? [])], rules),
  );
  return [...members, ...communities, ...streets, county];
}

/**
 * The county (or city) roll-up: the mean of the ratings below, coloured by the thresholds, with
 * a line per colour naming the ratings of that colour.
 */
export function rollUp(below: Rating[], rules: RuleSet): Score {
  const mean = below.length ? below.reduce((s, r) => s + r.result.score, 0) / below.length : 0;
  const score = Math.round(mean * 100) / 100;
  const line = (colour: Colour, zh: string, en: string) => {
    const of = below.filter((r) => r.result.colour === colour);
    return {
      code: `count-${colour}`,
      label: { zh, en },
      effect: 'bonus' as const,
      units: of.length,
      points: 0,
      uncapped: 0,
      capped: false,
      events: of.map((r) => r._id),
    };
  };
  return {
    base: 0,
    bonus: score,
    deduction: 0,
    score,
    colour: below.length ? colourOf(score, rules.thresholds) : 'grey',
    reset: false,
    backward: false,
    bonusCapped: false,
    deductionCapped: false,
    contributions: [
      line('red', '红色', 'Red'),
      line('yellow', '黄色', 'Yellow'),
      line('grey', '灰色', 'Grey'),
    ],
  };
}
