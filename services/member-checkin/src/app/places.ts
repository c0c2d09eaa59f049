import type { MemberRm, OrgRm, PairingRm } from '../data/models.js';
import type { ReadModel } from '../data/read-model.js';
import { honoursPairing } from '../domain/scope.js';

/**
 * The org tree as county views need it, resolved in a few batch reads rather than per member:
 * the community each residence compound lies in, the community each pairing lands in, names.
 */
export class Places {
  private readonly orgs = new Map<string, OrgRm>();

  private constructor(private readonly dir: ReadModel) {}

  /** Loads the orgs the members and pairings name, and every org on their paths. */
  static async load(dir: ReadModel, members: readonly MemberRm[], pairings: readonly PairingRm[]) {
    const places = new Places(dir);
    await places.add([
      ...members.flatMap((m) => [m.residenceCompoundId, m.residenceCommunityId, m.workUnitId]),
      ...pairings.flatMap((p) => [p.targetId, p.agencyOrgId, p.agencyUnitId]),
    ]);
    await places.add([...places.orgs.values()].flatMap((o) => o.path.split('/')));
    return places;
  }

  private async add(ids: readonly (string | null)[]): Promise<void> {
    const missing = [...new Set(ids.filter((id): id is string => !!id && !this.orgs.has(id)))];
    if (missing.length === 0) return;
    for (const org of await this.dir.orgsByIds(missing)) this.orgs.set(org._id, org);
  }

  org(id: string | null): OrgRm | null {
    return (id && this.orgs.get(id)) || null;
  }

  name(id: string | null): string | null {
    return this.org(id)?.name ?? null;
  }

  /** The nearest community on the org's path (the org itself when it is one). */
  communityOf(id: string | null): OrgRm | null {
    const org = this.org(id);
    if (!org) return null;
    const onPath = org.path.split('/').filter(Boolean).reverse();
    for (const step of onPath) {
      const o = this.orgs.get(step);
      if (o?.kind === 'community') return o;
    }
    return null;
  }

  /** The community of the member's residence compound (the event's community as a fallback). */
  residenceCommunity(member: MemberRm): OrgRm | null {
    return this.communityOf(member.residenceCompoundId) ?? this.org(member.residenceCommunityId);
  }

  /** Pairings that count (honoursPairing), as the communities each work unit is linked with. */
  workCommunities(
    pairings: readonly PairingRm[],
  ): Map<string, { communityId: string | null; validFrom: string }[]> {
    const byUnit = new Map<string, { communityId: string | null; validFrom: string }[]>();
    for (const p of pairings) {
      const agency = this.org(p.agencyUnitId ?? p.agencyOrgId);
      if (!honoursPairing(p, agency?.county ?? null)) continue;
      const link = { communityId: this.communityOf(p.targetId)?._id ?? null, validFrom: p.validFrom };
      for (const unit of new Set([p.agencyUnitId, p.agencyOrgId].filter((u): u is string => !!u)))
        byUnit.set(unit, [...(byUnit.get(unit) ?? []), link]);
    }
    return byUnit;
  }
}
