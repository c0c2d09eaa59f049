import type { ClientSession } from 'mongoose';
import type { OrgRepository } from '../data/orgs.js';
import { versionOn } from '../domain/effective.js';
import { communityOn, PLACEMENT_FIELDS, type PlacementRefs } from '../domain/members.js';
import type { OrgDoc } from '../domain/records.js';
import type { FoundOrg } from '../domain/references.js';

/** The units some member records name, loaded at once, answered for any day (decidePlacement's `loaded`). */
export class UnitLookup {
  constructor(
    private readonly units: ReadonlyMap<string, OrgDoc>,
    private readonly communities: ReadonlyMap<string, OrgDoc>,
  ) {}

  on(day: string) {
    return {
      unitOn: (id: string): FoundOrg | undefined => {
        const doc = this.units.get(id);
        const version = doc && versionOn(doc.versions, day);
        return doc && version ? { doc, version } : undefined;
      },
      communityOf: (path: string) => communityOn(path, day, this.communities),
    };
  }
}

/**
 * Two queries for any number of records: the units they name, then the communities above the
 * compounds among them (a member's residence community is published with every member event).
 */
export async function loadUnits(
  repo: OrgRepository,
  records: Iterable<Partial<PlacementRefs>>,
  session?: ClientSession,
): Promise<UnitLookup> {
  const ids = new Set<string>();
  for (const r of records) for (const f of PLACEMENT_FIELDS) if (r[f]) ids.add(r[f]);
  const units = await repo.findByIds(ids, session);
  const above = new Set<string>();
  for (const d of units.values()) {
    if (d.kind !== 'compound') continue;
    for (const v of d.versions) for (const id of v.path.split('/').filter(Boolean)) above.add(id);
  }
  const communities = above.size > 0 ? await repo.communitiesAmong([...above], session) : [];
  return new UnitLookup(units, new Map(communities.map((c) => [c._id, c])));
}
