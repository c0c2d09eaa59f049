import type { OrgKind } from './enums.js';

/**
 * Which kinds may hang under which (DOMAIN.md §1). Administrative levels may
 * be skipped where reality skips them (a compound directly under a community);
 * typed organisations sit beside the tree under the unit they belong to.
 * `null` means the kind may be a root (the city).
 */
export const ORG_KIND_PARENTS: { readonly [K in OrgKind]: readonly (OrgKind | null)[] } = {
  city: [null],
  county: ['city'],
  street: ['county'],
  community: ['street', 'county'],
  grid: ['community'],
  lane: ['community'],
  compound: ['grid', 'community'],
  building: ['compound'],
  'street-working-committee': ['street'],
  'community-party-committee': ['community'],
  'grid-party-branch': ['grid'],
  'compound-party-branch': ['compound'],
  'building-party-group': ['building'],
  'lane-party-group': ['lane'],
  'owners-committee': ['compound'],
  'supervisory-committee': ['compound'],
  'property-firm': ['county', 'city'],
  'industry-association': ['county', 'city'],
  'agency-unit': ['county', 'city'],
  'agency-party-organisation': ['agency-unit'],
  'social-organisation': ['county', 'street', 'community'],
  'volunteer-team': ['county', 'street', 'community', 'agency-unit', 'social-organisation'],
  alliance: ['county', 'street', 'community', 'city'],
  'service-station': ['street', 'community', 'grid', 'compound'],
};

/** Party organisations, whose members and posts the registry tracks. */
export const PARTY_ORG_KINDS: readonly OrgKind[] = [
  'street-working-committee',
  'community-party-committee',
  'grid-party-branch',
  'compound-party-branch',
  'building-party-group',
  'lane-party-group',
  'agency-party-organisation',
];

/** Kinds that carry a term of office (owners' and supervisory committees). */
export const TERMED_ORG_KINDS: readonly OrgKind[] = ['owners-committee', 'supervisory-committee'];

export function isAllowedParent(kind: OrgKind, parentKind: OrgKind | null): boolean {
  return ORG_KIND_PARENTS[kind].includes(parentKind);
}
