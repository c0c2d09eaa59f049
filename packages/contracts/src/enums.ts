import { z } from 'zod';
import { codesOf, type LabelTable } from './labels.js';

/** Realm roles (DESIGN.md, Security model). */
export const ROLES = {
  'city-admin': { zh: '市委组织部管理员', en: 'City administrator' },
  'county-admin': { zh: '区县委组织部管理员', en: 'County administrator' },
  'community-staff': { zh: '街道社区工作人员', en: 'Street / community staff' },
  member: { zh: '党员', en: 'Party member' },
  'property-firm': { zh: '物业服务企业', en: 'Property firm' },
  'compound-committee': { zh: '小区党支部/业委会', en: 'Compound party branch / owners’ committee' },
  resident: { zh: '居民', en: 'Resident' },
  'api-consumer': { zh: '外部系统', en: 'API consumer' },
} as const satisfies LabelTable<string>;
export type Role = keyof typeof ROLES;
export const Role = z.enum(codesOf(ROLES));

/** Kinds of organisation units (DOMAIN.md §1). Allowed parents are added by the registry issue. */
export const ORG_KINDS = {
  city: { zh: '市', en: 'City' },
  county: { zh: '区县', en: 'County' },
  street: { zh: '街道', en: 'Street' },
  community: { zh: '社区', en: 'Community' },
  grid: { zh: '网格', en: 'Grid' },
  compound: { zh: '小区', en: 'Compound' },
  building: { zh: '楼栋', en: 'Building' },
  lane: { zh: '街巷', en: 'Lane' },
  'street-working-committee': { zh: '街道大工委', en: 'Street working committee' },
  'community-party-committee': { zh: '社区大党委', en: 'Community party committee' },
  'grid-party-branch': { zh: '网格党支部', en: 'Grid party branch' },
  'compound-party-branch': { zh: '小区党支部', en: 'Compound party branch' },
  'building-party-group': { zh: '楼栋党小组', en: 'Building party group' },
  'lane-party-group': { zh: '街巷党小组', en: 'Lane party group' },
  'owners-committee': { zh: '业主委员会', en: 'Owners’ committee' },
  'supervisory-committee': { zh: '监事会', en: 'Supervisory committee' },
  'property-firm': { zh: '物业服务企业', en: 'Property firm' },
  'industry-association': { zh: '物业管理协会', en: 'Industry association' },
  'agency-unit': { zh: '机关企事业单位', en: 'Agency unit' },
  'agency-party-organisation': { zh: '单位党组织', en: 'Agency party organisation' },
  'social-organisation': { zh: '社会组织', en: 'Social organisation' },
  'volunteer-team': { zh: '志愿服务队', en: 'Volunteer team' },
  alliance: { zh: '红色物业联盟/党建联盟', en: 'Alliance' },
  'service-station': { zh: '党群服务中心/先锋驿站', en: 'Service station' },
} as const satisfies LabelTable<string>;
export type OrgKind = keyof typeof ORG_KINDS;
export const OrgKind = z.enum(codesOf(ORG_KINDS));

/** Red / yellow / grey rating (DOMAIN.md §5). Red is best. */
export const COLOURS = {
  red: { zh: '红', en: 'Red' },
  yellow: { zh: '黄', en: 'Yellow' },
  grey: { zh: '灰', en: 'Grey' },
} as const satisfies LabelTable<string>;
export type Colour = keyof typeof COLOURS;
export const Colour = z.enum(codesOf(COLOURS));

/** Property-firm evaluation bands (DOMAIN.md §4). */
export const BANDS = {
  AAA: { zh: 'AAA级', en: 'AAA' },
  AA: { zh: 'AA级', en: 'AA' },
  A: { zh: 'A级', en: 'A' },
  B: { zh: 'B级', en: 'B' },
  C: { zh: 'C级', en: 'C' },
  blacklist: { zh: '黑名单', en: 'Blacklisted' },
} as const satisfies LabelTable<string>;
export type Band = keyof typeof BANDS;
export const Band = z.enum(codesOf(BANDS));

/** Categories of party members (DOMAIN.md §2). */
export const MEMBER_CATEGORIES = {
  'in-service': { zh: '在职党员', en: 'In-service member' },
  retired: { zh: '退休党员', en: 'Retired member' },
  floating: { zh: '流动党员', en: 'Floating member' },
} as const satisfies LabelTable<string>;
export type MemberCategory = keyof typeof MEMBER_CATEGORIES;
export const MemberCategory = z.enum(codesOf(MEMBER_CATEGORIES));

/** Volunteer star levels by cumulative hours (DOMAIN.md §3). */
export const STAR_LEVELS = {
  '1': { zh: '一星志愿者', en: 'One-star volunteer' },
  '2': { zh: '二星志愿者', en: 'Two-star volunteer' },
  '3': { zh: '三星志愿者', en: 'Three-star volunteer' },
  '4': { zh: '四星志愿者', en: 'Four-star volunteer' },
  '5': { zh: '五星志愿者', en: 'Five-star volunteer' },
} as const satisfies LabelTable<string>;
export type StarLevel = keyof typeof STAR_LEVELS;
