import { ORG_KINDS, OrgChanged, OrgClosed, OrgCreated, TERMED_ORG_KINDS } from '@honglian/contracts';
import {
  accept,
  draftEvent,
  refuse,
  type Decision,
  type EventDraft,
  type Principal,
  type Reason,
  type Refusal,
} from '@honglian/service-kit/domain';
import type { ChangeOrg, CreateOrg } from './commands.js';
import {
  CREDIT_CODE_KINDS,
  childPath,
  isWithin,
  parentRuleViolation,
  wouldCreateCycle,
  type OrgNode,
} from './org-rules.js';
import type { OrgDoc, OrgVersion } from './records.js';
import { isRefused, type FoundOrg, type RefSpec } from './references.js';
import { managesPlacement } from './scope.js';
import type { DateRules } from './dates.js';

/** A unit's parent: the side that files it, so the read rule applies as it is. */
export const PARENT: RefSpec = { field: 'parentId', label: { zh: '上级组织', en: 'parent' } };

/** Who acts and when: the use case reads the clock, the domain never does. */
export interface Stamp {
  principal: Principal;
  actor: string;
  now: Date;
  /** The plausible-date bounds (settings); absent in pure tests: the defaults. */
  dates?: DateRules;
}

type CreditHolder = Pick<OrgDoc, '_id' | 'county' | 'paths'> | null;

const invalid = (r: Reason, field?: string) => refuse.invalid(r, field ? { field } : {});
const concurrent = (id: string) =>
  refuse.conflict('该组织刚被他人修改，请重试', `Organisation ${id} was changed concurrently; try again.`);
export const orgConflict = concurrent;

/** What the registry publishes about a unit in a version. */
export function orgState(doc: Pick<OrgDoc, '_id' | 'county' | 'kind'>, v: OrgVersion) {
  return {
    orgId: doc._id,
    county: doc.county,
    kind: doc.kind,
    name: v.name,
    parentId: v.parentId,
    path: v.path,
    ...(v.creditCode ? { code: v.creditCode } : {}),
    ...(v.term?.start ? { term: { start: v.term.start, end: v.term.end } } : {}),
    effectiveFrom: v.validFrom,
  };
}

const nodeOf = (f: FoundOrg): OrgNode => ({
  id: f.doc._id,
  kind: f.doc.kind,
  county: f.doc.county,
  path: f.version.path,
});

/**
 * A unified social credit code identifies one organisation, city-wide. The holder is named only
 * to a caller who manages it: a code is public, whose record holds it is not.
 */
function creditCodeTaken(principal: Principal, code: string, holder: CreditHolder): Refusal | null {
  if (!holder) return null;
  if (managesPlacement(principal, { county: holder.county, paths: holder.paths })) {
    return refuse.conflict(
      { zh: `统一社会信用代码已登记给${holder._id}`, en: 'credit code already registered' },
      { field: 'creditCode', extras: { id: holder._id } },
    );
  }
  return refuse.conflict(
    { zh: '统一社会信用代码已登记', en: 'credit code already registered' },
    { field: 'creditCode' },
  );
}

function countyOf(cmd: CreateOrg, id: string, parent?: OrgDoc): string | Refusal {
  if (cmd.kind === 'city' || cmd.kind === 'county') {
    const code = cmd.county ?? (/^\d{6}$/.test(id) ? id : undefined);
    return (
      code ??
      invalid(
        { zh: '须填写区划代码', en: `a ${cmd.kind} needs its 6-digit division code (county)` },
        'county',
      )
    );
  }
  if (parent && parent.kind !== 'city') {
    if (cmd.county && cmd.county !== parent.county) {
      return invalid(
        {
          zh: '所属区县与上级组织不一致',
          en: `county ${cmd.county} differs from the parent's ${parent.county}`,
        },
        'county',
      );
    }
    return parent.county;
  }
  return (
    cmd.county ??
    invalid({ zh: '须填写所属区县', en: 'county is required for a unit directly under the city' }, 'county')
  );
}

/**
 * One owners' committee per compound (DOMAIN §1): the owners' committee in force under
 * `compoundId` on `day` or later (not closed by then), other than `self`. A new committee is
 * registered once the current one is closed, effective on or before the day the new one starts.
 */
export function committeeInForce(
  units: readonly Pick<OrgDoc, '_id' | 'kind' | 'versions'>[],
  compoundId: string,
  day: string,
  self?: string,
): string | null {
  const found = units.find(
    (u) =>
      u._id !== self &&
      u.kind === 'owners-committee' &&
      u.versions.some((v) => v.parentId === compoundId && (v.validTo === null || v.validTo > day)),
  );
  return found?._id ?? null;
}

const secondCommittee = (compoundId: string, existing: string) =>
  refuse.conflict(
    {
      zh: `小区${compoundId}已有业主委员会${existing}，每个小区只能有一个业委会；请先撤销现任业委会`,
      en: `compound ${compoundId} already has owners' committee ${existing} in force; a compound has one owners' committee at a time: close it first`,
    },
    { field: 'parentId', extras: { orgId: existing } },
  );

export interface CreateOrgState {
  /** The parent as resolved in the caller's reach (or its refusal); null for a root. */
  parent: FoundOrg | Refusal | null;
  /** An owners' committee already in force under the parent compound (when creating one). */
  committeeInForce?: string | null;
  idTaken: boolean;
  creditHolder: CreditHolder;
}

/** Registers a unit (the id is chosen by the use case when the command has none). */
export function decideCreateOrg(
  cmd: CreateOrg & { id: string },
  state: CreateOrgState,
  stamp: Stamp,
): Decision<{ doc: OrgDoc; version: OrgVersion }> {
  const { principal } = stamp;
  if (state.parent && isRefused(state.parent)) return state.parent;
  const parent = state.parent ?? undefined;
  if (!parent && !principal.roles.includes('city-admin')) {
    return refuse.notFound('只有市级管理员可以登记顶级组织', 'Only city administrators create root units.');
  }
  const parentNode = parent ? nodeOf(parent) : null;
  const violation = parentRuleViolation(cmd.kind, parentNode);
  if (violation) return invalid(violation, 'parentId');
  const id = cmd.id;
  const county = countyOf(cmd, id, parent?.doc);
  if (typeof county !== 'string') return county;
  if (cmd.kind === 'property-firm' && !cmd.creditCode) {
    return invalid(
      {
        zh: '物业服务企业须填写统一社会信用代码',
        en: 'a property firm needs its unified social credit code',
      },
      'creditCode',
    );
  }
  if (cmd.creditCode && !CREDIT_CODE_KINDS.includes(cmd.kind)) {
    return invalid(
      {
        zh: `${ORG_KINDS[cmd.kind].zh}没有统一社会信用代码`,
        en: `a ${cmd.kind} has no unified social credit code`,
      },
      'creditCode',
    );
  }
  if (cmd.term && !TERMED_ORG_KINDS.includes(cmd.kind)) {
    return invalid(
      { zh: '只有业委会、监事会有任期', en: `a ${cmd.kind} has no term of office` },
      'term.start',
    );
  }
  if (cmd.kind === 'owners-committee' && cmd.parentId && state.committeeInForce) {
    return secondCommittee(cmd.parentId, state.committeeInForce);
  }
  if (state.idTaken) {
    return refuse.conflict(
      { zh: `编码${id}已被使用`, en: `code ${id} is already in use` },
      { field: 'id', extras: { id } },
    );
  }
  const taken = cmd.creditCode ? creditCodeTaken(principal, cmd.creditCode, state.creditHolder) : null;
  if (taken) return taken;
  const version: OrgVersion = {
    validFrom: cmd.effectiveFrom,
    validTo: null,
    name: cmd.name,
    parentId: cmd.parentId ?? null,
    path: childPath(parentNode, id),
    ...(cmd.creditCode ? { creditCode: cmd.creditCode } : {}),
    ...(cmd.term ? { term: cmd.term } : {}),
    recordedAt: stamp.now,
    recordedBy: stamp.actor,
  };
  const doc: OrgDoc = {
    _id: id,
    county,
    kind: cmd.kind,
    versions: [version],
    paths: [version.path],
    lock: 0,
    createdAt: stamp.now,
  };
  return accept({ doc, version }, [
    draftEvent(OrgCreated, { subject: id, county, data: orgState(doc, version) }),
  ]);
}

/** The versions once `next` starts: the latest ends on its first day, or is replaced when both start the same day. */
export function withVersion<V extends { validFrom: string; validTo: string | null }>(
  versions: readonly V[],
  next: V,
): V[] {
  const out = [...versions];
  const latest = out.at(-1)!;
  if (latest.validFrom === next.validFrom) out[out.length - 1] = next;
  else out.splice(out.length - 1, 1, { ...latest, validTo: next.validFrom }, next);
  return out;
}

/** One unit's new version history, written only if the unit is as it was read. */
export interface OrgWrite {
  doc: OrgDoc;
  versions: OrgVersion[];
  paths: string[];
}

export interface ChangeOrgState {
  /** The unit if the caller manages its latest version, else null. */
  doc: OrgDoc | null;
  /** The new parent as resolved (when the command moves the unit). */
  parent?: FoundOrg | Refusal;
  creditHolder: CreditHolder;
  /** Units that ever lay under the unit's latest path (when it moves). */
  descendants: OrgDoc[];
  /** Another owners' committee in force under the new parent (when an owners' committee moves). */
  committeeInForce?: string | null;
}

/** Renames, re-codes, re-terms or moves a unit from a day; a move re-paths everything under it. */
export function decideChangeOrg(
  id: string,
  cmd: ChangeOrg,
  state: ChangeOrgState,
  stamp: Stamp,
): Decision<{ doc: OrgDoc; version: OrgVersion; writes: OrgWrite[] }> {
  const { doc } = state;
  if (!doc) return refuse.notFound();
  const latest = doc.versions.at(-1)!;
  if (latest.validTo !== null) {
    return refuse.conflict('该组织已撤销', `Organisation ${id} was closed on ${latest.validTo}.`);
  }
  if (cmd.effectiveFrom < latest.validFrom) {
    return refuse.conflict(
      '变更生效日期不能早于现有版本',
      `Organisation ${id} has a version from ${latest.validFrom}; changes must take effect on or after it.`,
    );
  }
  const next: OrgVersion = {
    ...latest,
    validFrom: cmd.effectiveFrom,
    validTo: null,
    recordedAt: stamp.now,
    recordedBy: stamp.actor,
  };
  const changed: string[] = [];
  if (cmd.name !== undefined && cmd.name !== latest.name) {
    next.name = cmd.name;
    changed.push('name');
  }
  if (cmd.creditCode !== undefined && cmd.creditCode !== latest.creditCode) {
    if (!CREDIT_CODE_KINDS.includes(doc.kind)) {
      return invalid({ zh: '该类组织没有统一社会信用代码', en: `a ${doc.kind} has no credit code` });
    }
    const taken = creditCodeTaken(stamp.principal, cmd.creditCode, state.creditHolder);
    if (taken) return taken;
    next.creditCode = cmd.creditCode;
    changed.push('creditCode');
  }
  if (cmd.term !== undefined) {
    if (!TERMED_ORG_KINDS.includes(doc.kind)) {
      return invalid({ zh: '该类组织没有任期', en: `a ${doc.kind} has no term of office` });
    }
    next.term = cmd.term;
    changed.push('term');
  }
  const moves = cmd.parentId !== undefined && cmd.parentId !== latest.parentId;
  if (moves) {
    if (!state.parent) throw new TypeError('decideChangeOrg: a move needs the new parent loaded');
    if (isRefused(state.parent)) return state.parent;
    const parentNode = nodeOf(state.parent);
    const violation = parentRuleViolation(doc.kind, parentNode);
    if (violation) return invalid(violation, 'parentId');
    if (wouldCreateCycle({ id, kind: doc.kind, county: doc.county, path: latest.path }, parentNode)) {
      return invalid({ zh: '不能移到自己的下级之下', en: 'a unit cannot move under its own descendant' });
    }
    if (state.parent.doc.county !== doc.county && doc.kind !== 'county') {
      return invalid({ zh: '不能跨区县移动', en: 'a unit cannot move to another county' });
    }
    if (doc.kind === 'owners-committee' && state.committeeInForce) {
      return secondCommittee(cmd.parentId!, state.committeeInForce);
    }
    next.parentId = cmd.parentId!;
    next.path = childPath(parentNode, id);
    changed.push('parentId', 'path');
  }
  if (changed.length === 0) return accept({ doc, version: latest, writes: [] });
  const writes: OrgWrite[] = [];
  const events: EventDraft[] = [];
  const write = (d: OrgDoc, v: OrgVersion, what: string[]) => {
    const versions = withVersion(d.versions, v);
    writes.push({ doc: d, versions, paths: [...new Set(versions.map((x) => x.path))] });
    events.push(
      draftEvent(OrgChanged, {
        subject: d._id,
        county: d.county,
        data: { ...orgState(d, v), changed: what },
      }),
    );
  };
  write(doc, next, changed);
  if (moves) {
    const day = cmd.effectiveFrom;
    for (const d of state.descendants) {
      const v = d.versions.at(-1)!;
      if (v.validTo !== null && v.validTo <= day) continue;
      if (!isWithin(v.path, latest.path)) continue;
      if (v.validFrom > day) {
        return refuse.conflict(
          '下级组织有尚未生效的变更，请先移动它',
          `Descendant ${d._id} has a change scheduled on ${v.validFrom}; move it first.`,
        );
      }
      const moved: OrgVersion = {
        ...v,
        validFrom: day,
        path: next.path + v.path.slice(latest.path.length),
        recordedAt: stamp.now,
        recordedBy: stamp.actor,
      };
      write(d, moved, ['path']);
    }
  }
  return accept({ doc, version: next, writes }, events);
}

/** Closes a unit on a day (it stays in history); units still under it then refuse it. */
export function decideCloseOrg(
  id: string,
  closedOn: string,
  state: { doc: OrgDoc | null; children: OrgDoc[] },
): Decision<{ doc: OrgDoc; versions: OrgVersion[]; closed: OrgVersion }> {
  const { doc } = state;
  if (!doc) return refuse.notFound();
  const latest = doc.versions.at(-1)!;
  if (latest.validTo !== null) {
    return refuse.conflict('该组织已撤销', `Organisation ${id} was already closed on ${latest.validTo}.`);
  }
  if (closedOn <= latest.validFrom) {
    return refuse.conflict(
      '撤销日期须晚于现有版本的生效日期',
      `Organisation ${id} has a version from ${latest.validFrom}; it can close only after that day.`,
    );
  }
  // Units under it on the closing day or at any time after (a child registered for later counts too).
  const open = state.children
    .filter((c) => c.versions.some((v) => v.parentId === id && (v.validTo === null || v.validTo > closedOn)))
    .map((c) => c._id);
  if (open.length > 0) {
    return refuse.conflict(
      `该组织下仍有${open.length}个下级组织`,
      `Organisation ${id} still has ${open.length} active unit(s) under it on ${closedOn}.`,
      { extras: { children: open.slice(0, 20) } },
    );
  }
  const closed = { ...latest, validTo: closedOn };
  return accept({ doc, versions: [...doc.versions.slice(0, -1), closed], closed }, [
    draftEvent(OrgClosed, {
      subject: id,
      county: doc.county,
      data: { orgId: id, county: doc.county, kind: doc.kind, path: latest.path, closedOn },
    }),
  ]);
}
