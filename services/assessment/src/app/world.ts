import type { ClientSession } from 'mongoose';
import type { MemberRm, OrgRm } from '../data/models.js';
import { chinaDayOf } from '../domain/manual-items.js';
import type { CountyWorld } from '../domain/ratings.js';
import type { AssessmentContext } from './context.js';

/** Where a member sits: the home community and the org paths a rating (or item) of theirs is scoped by. */
export interface MemberPlacement {
  communityId: string | null;
  orgPath: string[];
}

/** The org of `kind` nearest to the end of `path` (itself included), among the orgs known. */
const nearestOf = (byId: Map<string, OrgRm>, path: string, kind: string): OrgRm | null =>
  path
    .split('/')
    .filter(Boolean)
    .reverse()
    .map((id) => byId.get(id))
    .find((o) => o?.kind === kind) ?? null;

/**
 * A member's home community (from the residence compound, else the residence community, else
 * the party organisation's path) and org paths (community and party organisation), from the
 * orgs the read model knows (`byId` must hold the orgs along those paths).
 */
export function placeMember(m: MemberRm, byId: Map<string, OrgRm>): MemberPlacement {
  const nearest = (path: string, kind: string) => nearestOf(byId, path, kind);
  const compound = m.residenceCompoundId ? byId.get(m.residenceCompoundId) : undefined;
  const party = byId.get(m.partyOrgId);
  const community =
    (compound && nearest(compound.path, 'community')) ??
    (m.residenceCommunityId ? (byId.get(m.residenceCommunityId) ?? null) : null) ??
    (party ? nearest(party.path, 'community') : null);
  const paths = [community?.path, party?.path].filter((x): x is string => Boolean(x));
  return {
    communityId: community?._id ?? null,
    orgPath: paths.length ? [...new Set(paths)] : [`/${m.county}`],
  };
}

/** One member's placement, reading only the orgs along their paths. */
export async function placementOf(
  ctx: AssessmentContext,
  m: MemberRm,
  session?: ClientSession,
): Promise<MemberPlacement> {
  const p = ctx.data.projections;
  const direct = [m.residenceCompoundId, m.residenceCommunityId, m.partyOrgId].filter((x): x is string =>
    Boolean(x),
  );
  const first = await p.orgsByIds(direct, session);
  const along = [...new Set(first.flatMap((o) => o.path.split('/').filter(Boolean)))];
  const orgs = await p.orgsByIds([...new Set([...direct, ...along])], session);
  return placeMember(m, new Map(orgs.map((o) => [o._id, o])));
}

/**
 * A county as the read model knows it, for a rating run: its active members (home community
 * from the residence compound or the party organisation's path), communities with their street
 * and compounds, streets, and which firms serve which compounds during the period (`range`:
 * contracts in force on at least one of its days; an ended contract no longer ties a firm's
 * results to the compound).
 */
export async function loadWorld(
  ctx: AssessmentContext,
  county: string,
  range?: { from: string; to: string },
): Promise<CountyWorld> {
  const p = ctx.data.projections;
  const [orgs, members, contracts, reported] = await Promise.all([
    p.orgs(county),
    p.members(county),
    p.contracts(county),
    // Reported by the period's end: a report made later does not reach back into it.
    p.reportedMembers(county, range?.to),
  ]);
  const byId = new Map(orgs.map((o) => [o._id, o]));
  const countyOrg = orgs.find((o) => o.kind === 'county' && o._id === county);
  const communities = orgs.filter((o) => o.kind === 'community' && o.closedOn === null);
  const compounds = orgs.filter((o) => o.kind === 'compound');
  const firmsByCompound: Record<string, string[]> = {};
  const first = range ? chinaDayOf(new Date(range.from)) : null;
  const last = range ? chinaDayOf(new Date(Date.parse(range.to) - 1)) : null;
  const inForce = (c: { validFrom: string; validTo: string | null }) =>
    (last === null || c.validFrom <= last) && (first === null || c.validTo === null || c.validTo >= first);
  for (const c of contracts) if (inForce(c)) (firmsByCompound[c.compoundId] ??= []).push(c.firmId);
  return {
    county,
    countyName: countyOrg?.name ?? county,
    countyPath: countyOrg?.path ?? `/${county}`,
    members: members.map((m) => ({
      id: m._id,
      name: m.name,
      ...placeMember(m, byId),
      reported: reported.has(m._id),
    })),
    communities: communities.map((c) => ({
      id: c._id,
      name: c.name,
      path: c.path,
      streetId: nearestOf(byId, c.path, 'street')?._id ?? null,
      compoundIds: compounds.filter((x) => x.path.startsWith(`${c.path}/`)).map((x) => x._id),
    })),
    streets: orgs
      .filter((o) => o.kind === 'street' && o.closedOn === null)
      .map((s) => ({ id: s._id, name: s.name, path: s.path })),
    firmsByCompound,
  };
}
