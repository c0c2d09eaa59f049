import type { Principal } from '@honglian/service-kit';
import { refuse } from '@honglian/service-kit/domain';
import type { CoverageView } from '../api/schemas.js';
import {
  BUILDING_LEADER_POSTS,
  GAP_LABELS,
  coverage,
  type CoverageUnit,
  type GapName,
} from '../domain/coverage.js';
import { holdsOn, versionOn } from '../domain/effective.js';
import { honoursPairing, managesPlacement } from '../domain/scope.js';
import { refusalError, type RegistryContext } from './context.js';

const LISTED = 100;

export class CoverageService {
  constructor(private readonly ctx: RegistryContext) {}

  /** The unit a report is about by default: the county of a county admin, the subtree of community staff. */
  private defaultRoot(principal: Principal): string | undefined {
    if (principal.roles.includes('city-admin')) return undefined;
    if (principal.roles.includes('county-admin')) return principal.county;
    return principal.orgPath?.split('/').filter(Boolean).at(-1);
  }

  async report(orgId: string | undefined, day: string, principal: Principal): Promise<CoverageView> {
    const rootId = orgId ?? this.defaultRoot(principal);
    let rootPath = '';
    if (rootId) {
      const root = await this.ctx.orgs.versionOn(rootId, day);
      if (!root || !managesPlacement(principal, { county: root.doc.county, paths: [root.version.path] })) {
        throw refusalError(refuse.notFound(), `Organisation ${rootId} was not found.`);
      }
      rootPath = root.version.path;
    } else if (!principal.roles.includes('city-admin')) {
      throw refusalError(refuse.notFound(), 'No organisation in scope.');
    }
    const docs = await this.ctx.orgs.within(rootPath);
    const units: CoverageUnit[] = [];
    // The gaps' names on the report day, from the units already loaded (no query per unit).
    const names = new Map<string, string>();
    for (const d of docs) {
      const v = versionOn(d.versions, day);
      if (v && (!rootPath || v.path === rootPath || v.path.startsWith(rootPath + '/'))) {
        units.push({ id: d._id, kind: d.kind, parentId: v.parentId });
        names.set(d._id, v.name);
      }
    }
    const ids = new Set(units.map((u) => u.id));
    const countyOf = new Map(docs.map((d) => [d._id, d.county]));
    const relations = await this.ctx.relations.within(rootPath);
    const inForce = relations.filter((r) => holdsOn(r, day));
    // Only pairings naming a unit of this subtree as its agency (not the whole city's).
    const pairings = await this.ctx.relations.pairingsOfAgencies([...ids]);
    const result = coverage({
      units,
      compoundsWithFirm: new Set(inForce.filter((r) => r.type === 'contract').map((r) => r.toId)),
      unitsWithBuildingLeader: new Set(
        inForce
          .filter((r) => r.type === 'appointment' && BUILDING_LEADER_POSTS.includes(r.post ?? ''))
          .map((r) => r.toId),
      ),
      // An agency unit may sit outside the subtree of the community it is paired with.
      pairedAgencies: new Set(
        pairings
          .filter((p) => holdsOn(p, day))
          .flatMap((p) => [p.fromId, p.agencyUnitId ?? ''].map((id) => [p, id] as const))
          // A cross-county pairing counts only when the city recorded it (domain/scope.ts).
          .filter(([p, id]) => id && ids.has(id) && honoursPairing(p, countyOf.get(id) ?? null))
          .map(([, id]) => id),
      ),
    });
    return {
      orgId: rootId ?? null,
      asOf: day,
      counts: result.counts,
      gaps: Object.fromEntries(
        (Object.keys(GAP_LABELS) as GapName[]).map((name) => [
          name,
          {
            label: GAP_LABELS[name],
            count: result.gaps[name].length,
            ids: result.gaps[name].slice(0, LISTED),
            units: result.gaps[name].slice(0, LISTED).map((id) => ({ id, name: names.get(id) ?? id })),
          },
        ]),
      ) as CoverageView['gaps'],
    };
  }
}
