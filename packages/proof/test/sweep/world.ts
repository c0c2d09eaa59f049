import { CITY, type Actor } from './actors.js';
import { isObject, itemsOf, type Json } from './http.js';
import {
  fieldNamesFor,
  lastSegment,
  segmentBefore,
  singular,
  type Operation,
  type Schema,
} from './openapi.js';
import { isoDay, type Hint } from './sample.js';

/**
 * What the suite knows about the data behind the API: every record any list endpoint showed to
 * any caller, where it came from, and whose it is (county, member, firm, published). Path
 * parameters are bound from these records generically: `/x/{id}` takes the ids of `GET /x` (or of
 * a nested list ending in `x`, of records of kind `x`, or the `xId` fields of records), any other
 * `{param}` the values of fields of that name.
 */

export interface Owner {
  /** County the record belongs to; undefined for city-level or unknown. */
  county?: string;
  /** The caller who created it, when the suite did. */
  creator?: string;
  member?: string;
  firm?: string;
  /** Published documents are public to every role of the service. */
  published: boolean;
}

export interface Record_ {
  service: string;
  /** Template of the list operation that showed it. */
  listTemplate: string;
  item: Json;
  /** Owner of the list's parent (nested lists), for records without a county of their own. */
  parent?: Owner;
  /** Counties of the scoped callers that saw it in a list. */
  seenBy: Set<string>;
  /** The caller who created it through the suite (seeded records). */
  creator?: string;
}

export interface Binding {
  values: Record<string, string>;
  /** The parameter naming the object (the one replaced by a made-up id for the twin request). */
  primary: string;
  owner: Owner;
  /** Where the values came from, for messages. */
  source: string;
}

const COUNTY = /^\d{6}$/;
const COUNTY_PREFIX = /^(\d{6})-/;

function deepFind(value: unknown, key: string, depth: number): unknown {
  if (!isObject(value) || depth < 0) return undefined;
  if (key in value && value[key] !== undefined && value[key] !== null && typeof value[key] !== 'object')
    return value[key];
  for (const v of Object.values(value)) {
    const found = deepFind(v, key, depth - 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

const scalar = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;

export class World {
  private readonly records = new Map<string, Record_>();
  readonly memberIds = new Set<string>();
  readonly firmIds = new Set<string>();

  /** Records a list answer (as seen by `viewer`). */
  add(
    service: string,
    listTemplate: string,
    body: unknown,
    viewer?: Actor,
    parent?: Owner,
    creator?: string,
  ): number {
    const items = itemsOf(body) ?? [];
    for (const item of items) {
      const id = scalar(item.id) ?? scalar(item.resultId) ?? scalar(item.memberId) ?? JSON.stringify(item);
      const key = `${listTemplate}|${id}`;
      let record = this.records.get(key);
      if (!record) {
        record = { service, listTemplate, item, ...(parent ? { parent } : {}), seenBy: new Set() };
        this.records.set(key, record);
      }
      if (parent && !record.parent) record.parent = parent;
      if (creator) record.creator = creator;
      if (viewer?.county && !viewer.roles.includes('city-admin')) record.seenBy.add(viewer.county);
      if (typeof item.memberId === 'string') this.memberIds.add(item.memberId);
      if (lastSegment(listTemplate) === 'members' && typeof item.id === 'string') this.memberIds.add(item.id);
      const firm = scalar(item.firmId) ?? scalar(isObject(item.firm) ? item.firm.id : undefined);
      if (firm) this.firmIds.add(firm);
      if (item.kind === 'property-firm' && typeof item.id === 'string') this.firmIds.add(item.id);
    }
    return items.length;
  }

  all(): Record_[] {
    return [...this.records.values()];
  }

  /** Values every hint gives whatever the county (`url`: the suite's webhook sink). */
  readonly fixed = new Map<string, string>();

  /** Whose a record is. `visibility`: fall back on which county's callers saw it. */
  ownerOf(record: Record_, primaryValue?: string, visibility = true): Owner {
    const { item } = record;
    let county: string | undefined;
    if ('county' in item) county = typeof item.county === 'string' ? item.county : undefined;
    else {
      const nested = deepFind(item, 'county', 3);
      county = typeof nested === 'string' ? nested : undefined;
    }
    county ??= COUNTY_PREFIX.exec(scalar(item.id) ?? '')?.[1];
    county ??= primaryValue ? COUNTY_PREFIX.exec(primaryValue)?.[1] : undefined;
    county ??= record.parent?.county;
    if (!county && visibility && record.seenBy.size === 1) county = [...record.seenBy][0];
    if (county && (!COUNTY.test(county) || county === CITY)) county = undefined;
    let member = scalar(item.memberId);
    if (!member && lastSegment(record.listTemplate) === 'members') member = scalar(item.id);
    if (!member && typeof item.subjectId === 'string' && this.memberIds.has(item.subjectId))
      member = item.subjectId;
    member ??= record.parent?.member;
    let firm = scalar(item.firmId) ?? scalar(isObject(item.firm) ? item.firm.id : undefined);
    if (!firm && item.kind === 'property-firm') firm = scalar(item.id);
    firm ??= record.parent?.firm;
    if (primaryValue && this.memberIds.has(primaryValue)) member = primaryValue;
    if (primaryValue && this.firmIds.has(primaryValue)) firm = primaryValue;
    const published =
      item.status === 'published' || record.listTemplate.includes('/published') || !!record.parent?.published;
    return {
      ...(county ? { county } : {}),
      ...(record.creator ? { creator: record.creator } : {}),
      ...(member ? { member } : {}),
      ...(firm ? { firm } : {}),
      published,
    };
  }

  /** The value of `{param}` of `template` in a record, if it has one. */
  private valueIn(record: Record_, template: string, param: string): string | undefined {
    if (param === 'id') {
      const seg = segmentBefore(template, 'id');
      const listPath = template.slice(0, template.indexOf('/{id}'));
      if (record.listTemplate === listPath || (seg && lastSegment(record.listTemplate) === seg))
        return scalar(record.item.id) ?? scalar(record.item[fieldNamesFor(template, 'id')[1] ?? 'id']);
      // `/alliances/{id}` also takes records of that kind from another list (`/orgs`, kind alliance).
      if (seg && typeof record.item.kind === 'string' && record.item.kind === singular(seg))
        return scalar(record.item.id);
      const alias = fieldNamesFor(template, 'id')[1];
      return alias ? scalar(record.item[alias]) : undefined;
    }
    return scalar(deepFind(record.item, param, 3));
  }

  /**
   * Every way to fill the path parameters of `op` from records (one record supplying all of them,
   * same service first), each with its owner; unique by values.
   */
  bindings(op: Operation): Binding[] {
    if (op.pathParams.length === 0) return [];
    const primary =
      [...op.pathParams].reverse().find((p) => p === 'id' || /Id$/.test(p)) ?? op.pathParams.at(-1)!;
    const out = new Map<string, Binding>();
    const sameService = this.all().filter((r) => r.service === op.service);
    for (const pool of [sameService, this.all()]) {
      for (const record of pool) {
        const values: Record<string, string> = {};
        for (const p of op.pathParams) {
          const v = this.valueIn(record, op.path, p);
          if (v === undefined) break;
          values[p] = v;
        }
        if (Object.keys(values).length !== op.pathParams.length) continue;
        const key = JSON.stringify(values);
        if (out.has(key)) continue;
        out.set(key, {
          values,
          primary,
          owner: this.ownerOf(record, values[primary]),
          source: `${record.listTemplate}`,
        });
      }
      if (out.size > 0) break;
    }
    return [...out.values()];
  }

  /** Values of fields named `name` (or ending in it: `residenceCompoundId` for `compoundId`) in `county`. */
  valuesFor(name: string, county?: string): string[] {
    const found = new Set<string>();
    const suffix = name.charAt(0).toUpperCase() + name.slice(1);
    const listSegment = name.endsWith('Id') ? name.slice(0, -2) : undefined;
    for (const record of this.all()) {
      const owner = this.ownerOf(record);
      if (county && owner.county && owner.county !== county) continue;
      for (const [key, value] of Object.entries(record.item)) {
        const v = scalar(value);
        if (!v || (key !== name && !key.endsWith(suffix))) continue;
        if (county && COUNTY_PREFIX.exec(v) && COUNTY_PREFIX.exec(v)![1] !== county) continue;
        found.add(v);
      }
      if (listSegment && singular(lastSegment(record.listTemplate)) === listSegment) {
        const id = scalar(record.item.id);
        if (id && (!county || owner.county === county)) found.add(id);
      }
    }
    return [...found];
  }

  /**
   * Field values for bodies and query strings aimed at `county`: its ids (communityId, memberId…),
   * the county itself, a period; undefined for anything else (the schema decides).
   */
  hints(county: string | undefined, now = Date.now()): Hint {
    const cache = new Map<string, string | undefined>();
    return (name: string, schema: Schema) => {
      if (this.fixed.has(name)) return this.fixed.get(name);
      if (name === 'county') return county;
      if (name === 'period') {
        const year = String(new Date(now).getFullYear());
        const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern) : undefined;
        return !pattern || pattern.test(year) ? year : undefined;
      }
      if (!/Id$/.test(name) || name === 'id') return undefined;
      if (!cache.has(name)) {
        let value: string | undefined;
        // residenceCompoundId → compoundId, toPartyOrgId → partyOrgId → orgId
        for (
          let n = name;
          n && !value;
          n = n.replace(/^[a-z]+(?=[A-Z])/, '').replace(/^./, (c) => c.toLowerCase())
        ) {
          const own = this.valuesFor(n, county);
          value = own.find((v) => county && v.startsWith(`${county}-`)) ?? own[0];
          if (!/[A-Z]/.test(n.slice(1, -2))) break;
        }
        cache.set(name, value);
      }
      return cache.get(name);
    };
  }
}

/** Today as YYYY-MM-DD (what the registry's effective dates want). */
export const today = () => isoDay(Date.now());
