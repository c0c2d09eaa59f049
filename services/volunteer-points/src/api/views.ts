import type { z } from 'zod';
import type { Balance } from '../app/points.js';
import type { PublicCertificate } from '../app/certificates.js';
import type { Page } from '../data/page.js';
import type { StarDoc } from '../data/types.js';
import type { Certificate } from '../domain/certificates.js';
import { totalsOfAccount, type Account, type Entry } from '../domain/ledger.js';
import type { Order } from '../domain/orders.js';
import type { ServiceRecord } from '../domain/records.js';
import type { CatalogueItem, Redemption } from '../domain/redemption.js';
import type { RuleVersion } from '../domain/rules.js';
import type {
  AccountView,
  BalanceView,
  CertificateView,
  EntryView,
  ItemView,
  OrderView,
  PublicCertificateView,
  RecordView,
  RedemptionView,
  RuleVersionView,
  StarView,
} from './schemas.js';

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d ? iso(d) : null);

export function pageView<T, V>(p: Page<T>, view: (t: T) => V) {
  return { items: p.items.map(view), nextCursor: p.nextCursor, total: p.total };
}

export const balanceView = (b: Balance): z.infer<typeof BalanceView> => ({
  memberId: b.memberId,
  county: b.county,
  name: b.name,
  balance: b.balance,
  hours: b.hours,
  entries: b.entries,
  stars: b.stars,
  nextStarHours: b.nextStarHours,
});

export const entryView = (e: Entry): z.infer<typeof EntryView> => ({
  id: e._id,
  county: e.county,
  memberId: e.memberId,
  communityId: e.communityId,
  kind: e.kind,
  points: e.points,
  hours: e.hours,
  cause: { type: e.cause.type, id: e.cause.id },
  ruleVersion: e.ruleVersion,
  reason: e.reason,
  reverses: e.reverses,
  teamId: e.teamId ?? null,
  at: iso(e.at),
  by: e.by,
});

export const accountView = (a: Account): z.infer<typeof AccountView> => ({
  memberId: a._id,
  county: a.county,
  communityId: a.communityId ?? null,
  ...totalsOfAccount(a),
});

export const starView = (s: StarDoc): z.infer<typeof StarView> => ({
  memberId: s.memberId,
  county: s.county,
  level: s.level,
  hours: s.hours,
  at: iso(s.at),
});

export const ruleVersionView = (r: RuleVersion): z.infer<typeof RuleVersionView> => ({
  id: r._id,
  scope: r.scope,
  version: r.version,
  rules: r.rules,
  createdAt: iso(r.createdAt),
  createdBy: r.createdBy,
});

export const recordView = (r: ServiceRecord): z.infer<typeof RecordView> => ({
  id: r._id,
  county: r.county,
  memberId: r.memberId,
  memberName: r.memberName,
  communityId: r.communityId,
  content: r.content,
  date: r.date,
  hours: r.hours,
  organiserId: r.organiserId,
  organiserName: r.organiserName,
  training: r.training,
  evaluation: r.evaluation,
  teamId: r.teamId ?? null,
  source: r.source,
  sourceId: r.sourceId,
  status: r.status,
  recordedBy: r.recordedBy,
  decidedBy: r.decidedBy,
  decidedAt: isoOrNull(r.decidedAt),
  decisionNote: r.decisionNote,
  createdAt: iso(r.createdAt),
});

export const orderView = (o: Order): z.infer<typeof OrderView> => ({
  id: o._id,
  county: o.county,
  communityId: o.communityId,
  streetId: o.streetId,
  kind: o.kind,
  title: o.title,
  description: o.description,
  budget: o.budget,
  residentName: o.residentName,
  status: o.status,
  dispatchedTo: o.dispatchedTo,
  claimant: o.claimant ? { kind: o.claimant.kind, id: o.claimant.id } : null,
  memberId: o.memberId,
  hours: o.hours,
  proof: o.proof,
  rating: o.rating,
  ratingComment: o.ratingComment,
  escalated: o.escalated,
  history: o.history.map((s) => ({ from: s.from, to: s.to, at: iso(s.at), by: s.by, note: s.note })),
  createdAt: iso(o.createdAt),
  updatedAt: iso(o.updatedAt),
});

export const itemView = (i: CatalogueItem): z.infer<typeof ItemView> => ({
  id: i._id,
  county: i.county,
  communityId: i.communityId,
  name: i.name,
  price: i.price,
  stock: i.stock,
  active: i.active,
});

export const redemptionView = (r: Redemption): z.infer<typeof RedemptionView> => ({
  id: r._id,
  county: r.county,
  communityId: r.communityId,
  memberId: r.memberId,
  itemId: r.itemId,
  itemName: r.itemName,
  quantity: r.quantity,
  points: r.points,
  status: r.status,
  entryId: r.entryId,
  createdAt: iso(r.createdAt),
  cancelledAt: isoOrNull(r.cancelledAt),
  cancelReason: r.cancelReason,
});

export const certificateView = (c: Certificate): z.infer<typeof CertificateView> => ({
  id: c._id,
  county: c.county,
  memberId: c.memberId,
  memberName: c.memberName,
  number: c.number,
  issuer: c.issuer,
  periodFrom: c.periodFrom,
  periodTo: c.periodTo,
  hours: c.hours,
  status: c.status,
  noticeFrom: iso(c.noticeFrom),
  noticeUntil: iso(c.noticeUntil),
  issuedAt: isoOrNull(c.issuedAt),
  code: c.code,
});

export const publicCertificateView = (c: PublicCertificate): z.infer<typeof PublicCertificateView> => ({
  number: c.number,
  memberName: c.memberName,
  issuer: c.issuer,
  hours: c.hours,
  periodFrom: c.periodFrom,
  periodTo: c.periodTo,
  status: c.status,
  noticeUntil: iso(c.noticeUntil),
  issuedAt: isoOrNull(c.issuedAt),
});
