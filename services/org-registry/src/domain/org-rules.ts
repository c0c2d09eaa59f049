import { ORG_KIND_PARENTS, isAllowedParent, labelOf, ORG_KINDS, type OrgKind } from '@honglian/contracts';
import type { Reason } from './identifiers.js';

export interface OrgNode {
  id: string;
  kind: OrgKind;
  county: string;
  path: string;
}

/** Kinds registered with a unified social credit code (GB 32100): enterprises, public bodies, social organisations. */
export const CREDIT_CODE_KINDS: readonly OrgKind[] = [
  'property-firm',
  'industry-association',
  'agency-unit',
  'social-organisation',
];

/** Why a unit of `kind` cannot hang under `parent`, or null when it can. */
export function parentRuleViolation(kind: OrgKind, parent: OrgNode | null): Reason | null {
  if (isAllowedParent(kind, parent?.kind ?? null)) return null;
  const allowed = ORG_KIND_PARENTS[kind].filter((k): k is OrgKind => k !== null);
  if (!parent) {
    return {
      zh: `${labelOf(ORG_KINDS, kind)}必须有上级(${allowed.map((k) => labelOf(ORG_KINDS, k)).join('、')})`,
      en: `a ${kind} needs a parent (${allowed.join(', ')})`,
    };
  }
  return {
    zh: `${labelOf(ORG_KINDS, kind)}不能隶属于${labelOf(ORG_KINDS, parent.kind)}`,
    en: `a ${kind} cannot be under a ${parent.kind}; allowed: ${allowed.join(', ') || 'none (root only)'}`,
  };
}

/** Path of a child: the parent's path plus the child's id. */
export function childPath(parent: OrgNode | null, id: string): string {
  return `${parent?.path ?? ''}/${id}`;
}

/** True when `path` is `ancestor` itself or lies beneath it. */
export function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor.endsWith('/') ? ancestor : `${ancestor}/`);
}

/** A unit must not become its own ancestor when it moves. */
export function wouldCreateCycle(moving: OrgNode, newParent: OrgNode): boolean {
  return isWithin(newParent.path, moving.path);
}
