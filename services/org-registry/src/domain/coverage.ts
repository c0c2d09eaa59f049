import type { OrgKind } from '@honglian/contracts';

/** A unit as it stood on the report day. */
export interface CoverageUnit {
  id: string;
  kind: OrgKind;
  parentId: string | null;
}

export interface CoverageInput {
  units: CoverageUnit[];
  /** Compounds with a service contract in force. */
  compoundsWithFirm: ReadonlySet<string>;
  /** Units (buildings) where someone holds a building-leader post. */
  unitsWithBuildingLeader: ReadonlySet<string>;
  /** Agency units (or their party organisations) in a pairing in force. */
  pairedAgencies: ReadonlySet<string>;
}

export const GAP_LABELS = {
  compoundsWithoutPartyBranch: { zh: '未建小区党支部的小区', en: 'Compounds without a party branch' },
  compoundsWithoutOwnersCommittee: { zh: '未成立业委会的小区', en: 'Compounds without an owners’ committee' },
  compoundsWithoutFirm: { zh: '无物业服务企业的小区', en: 'Compounds without a property firm' },
  buildingsWithoutLeader: { zh: '无楼栋长/红管家的楼栋', en: 'Buildings without a building leader' },
  gridsWithoutPartyBranch: { zh: '未建网格党支部的网格', en: 'Grids without a party branch' },
  agencyUnitsWithoutPairing: { zh: '未结对共建的机关单位', en: 'Agency units without a pairing' },
} as const;
export type GapName = keyof typeof GAP_LABELS;

/** Posts that count as a building leader (楼栋长, 红管家). */
export const BUILDING_LEADER_POSTS = ['楼栋长', '红管家'];

/** Counts per kind and the gaps that matter (DOMAIN.md §1, coverage report). Pure. */
export function coverage(input: CoverageInput): {
  counts: Partial<Record<OrgKind, number>>;
  gaps: Record<GapName, string[]>;
} {
  const counts: Partial<Record<OrgKind, number>> = {};
  const childKinds = new Map<string, Set<OrgKind>>();
  const childIds = new Map<string, string[]>();
  for (const u of input.units) {
    counts[u.kind] = (counts[u.kind] ?? 0) + 1;
    if (u.parentId) {
      childKinds.set(u.parentId, (childKinds.get(u.parentId) ?? new Set()).add(u.kind));
      childIds.set(u.parentId, [...(childIds.get(u.parentId) ?? []), u.id]);
    }
  }
  const of = (kind: OrgKind) =>
    input.units
      .filter((u) => u.kind === kind)
      .map((u) => u.id)
      .sort();
  const lacks = (id: string, kind: OrgKind) => !childKinds.get(id)?.has(kind);
  const compounds = of('compound');
  return {
    counts,
    gaps: {
      compoundsWithoutPartyBranch: compounds.filter((id) => lacks(id, 'compound-party-branch')),
      compoundsWithoutOwnersCommittee: compounds.filter((id) => lacks(id, 'owners-committee')),
      compoundsWithoutFirm: compounds.filter((id) => !input.compoundsWithFirm.has(id)),
      buildingsWithoutLeader: of('building').filter(
        (id) =>
          !input.unitsWithBuildingLeader.has(id) &&
          !(childIds.get(id) ?? []).some((child) => input.unitsWithBuildingLeader.has(child)),
      ),
      gridsWithoutPartyBranch: of('grid').filter((id) => lacks(id, 'grid-party-branch')),
      agencyUnitsWithoutPairing: of('agency-unit').filter(
        (id) =>
          !input.pairedAgencies.has(id) && !(childIds.get(id) ?? []).some((c) => input.pairedAgencies.has(c)),
      ),
    },
  };
}
