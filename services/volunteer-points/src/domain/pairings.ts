/**
 * Pairings (结对共建) as the micro-wish rule needs them (issue 14 item 5: a micro-wish is
 * claimable by a paired unit). A pairing links an agency (its party organisation
 * `agencyOrgId`, and the unit it belongs to `agencyUnitId`) with a community or one of its
 * compounds over `[validFrom, validTo)`, the registry's effective dating. The rules are the
 * same as member-checkin's (its domain/scope.ts `honoursPairing`, data/read-model.ts
 * `pairingsOf`).
 */
export interface PairingFacts {
  /** The county the registry filed it under (a city-made cross-county pairing: the target's). */
  county: string;
  agencyOrgId: string;
  agencyUnitId: string | null;
  targetId: string;
  targetKind: 'community' | 'compound';
  validFrom: string;
  /** Exclusive; an ended pairing's is its `endedOn`. */
  validTo: string | null;
  /** Who recorded it (the registry's event); null on events from before it said. */
  creatorLevel: 'city' | 'county' | 'community' | null;
}

/** In force on `day` (CST calendar day): `validFrom ≤ day < validTo`. */
export function pairingInForce(p: Pick<PairingFacts, 'validFrom' | 'validTo'>, day: string): boolean {
  return p.validFrom <= day && (p.validTo === null || day < p.validTo);
}

/**
 * Whether a pairing counts at all. Within one county, always. Across counties only when the
 * city recorded it: only the city may link counties (org-registry README, Cross-county links),
 * so a cross-county pairing recorded by a county or a community (or whose creator the event
 * does not state) grants nothing. `agencyCounty` is the agency's county as the read model has
 * it (null when it does not know the agency).
 */
export function honoursPairing(
  p: Pick<PairingFacts, 'county' | 'creatorLevel'>,
  agencyCounty: string | null,
): boolean {
  if (agencyCounty !== null && agencyCounty === p.county) return true;
  return p.creatorLevel === 'city';
}

/** The pairing's agency side is this unit: the agency unit itself or its party organisation. */
export function pairingOfUnit(
  p: Pick<PairingFacts, 'agencyOrgId' | 'agencyUnitId'>,
  unitId: string,
): boolean {
  return p.agencyUnitId === unitId || p.agencyOrgId === unitId;
}

/**
 * The pairing's target lies in the community: the community itself, or a compound whose path
 * in the org tree (ids from the city down, as the read model holds it) runs through the
 * community. `targetPath` is null when the read model does not know the target.
 */
export function pairingReaches(
  p: Pick<PairingFacts, 'targetId' | 'targetKind'>,
  targetPath: string | null,
  communityId: string,
): boolean {
  if (p.targetKind === 'community') return p.targetId === communityId;
  return !!targetPath && targetPath.split('/').includes(communityId);
}

/**
 * May `unitId` claim a micro-wish of `communityId` on `day` through this pairing: the pairing
 * is the unit's, in force that day, honoured, and its target lies in the community.
 */
export function pairingLinks(
  p: PairingFacts,
  claim: { unitId: string; communityId: string; day: string },
  tree: { agencyCounty: string | null; targetPath: string | null },
): boolean {
  return (
    pairingOfUnit(p, claim.unitId) &&
    pairingInForce(p, claim.day) &&
    honoursPairing(p, tree.agencyCounty) &&
    pairingReaches(p, tree.targetPath, claim.communityId)
  );
}
