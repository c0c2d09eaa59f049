import { Schema, type Connection, type Model } from 'mongoose';
import type { Certificate } from '../domain/certificates.js';
import type { Account, Entry } from '../domain/ledger.js';
import type { Order } from '../domain/orders.js';
import type { ServiceRecord } from '../domain/records.js';
import type { CatalogueItem, Redemption } from '../domain/redemption.js';
import type { RuleVersion, YearEndSetting } from './types.js';
import type { MemberRm, OrgRm, PairingRm, StarDoc, CounterDoc } from './types.js';

/**
 * The collections. Shapes are the domain's types (domain/*.ts); the schemas
 * only name the id and the indexes, and store documents as the domain built
 * them (`strict: false`): every write goes through a store of data/ that
 * takes a domain type, so nothing else reaches a collection.
 */
// Typed loosely on purpose: the models are typed by the domain's types below (mongoose's own
// inference over a generic schema is what the compiler would otherwise spend its time on).
const loose = (collection: string): Schema =>
  new Schema(
    { _id: { type: String, required: true } },
    { versionKey: false, strict: false, strictQuery: false, collection },
  );

const Orgs = loose('orgs');
Orgs.index({ kind: 1, county: 1 });
const Members = loose('members');
const Pairings = loose('pairings');
Pairings.index({ agencyUnitId: 1 });
Pairings.index({ agencyOrgId: 1 });
const Entries = loose('entries');
Entries.index({ memberId: 1, at: 1 });
Entries.index({ memberId: 1, day: 1 });
Entries.index({ county: 1, at: 1 });
Entries.index({ communityId: 1, at: 1 });
const Accounts = loose('accounts');
Accounts.index({ county: 1, communityPath: 1 });
const Stars = loose('stars');
const Records = loose('records');
// A record from an attendance or an order exists once, however often its event arrives.
Records.index(
  { source: 1, sourceId: 1 },
  { unique: true, partialFilterExpression: { sourceId: { $type: 'string' } } },
);
Records.index({ memberId: 1, date: 1 });
Records.index({ county: 1, status: 1 });
const Orders = loose('orders');
Orders.index({ status: 1, escalated: 1, createdAt: 1 });
Orders.index({ residentSub: 1 });
const Items = loose('catalogue');
Items.index({ communityId: 1 });
const Redemptions = loose('redemptions');
Redemptions.index({ memberId: 1 });
const Certificates = loose('certificates');
Certificates.index({ code: 1 }, { unique: true });
Certificates.index({ number: 1 }, { unique: true });
const Rules = loose('rules');
Rules.index({ scope: 1, version: 1 }, { unique: true });
const Settings = loose('settings');
const Counters = loose('counters');

export interface PointsModels {
  Org: Model<OrgRm>;
  Member: Model<MemberRm>;
  Pairing: Model<PairingRm>;
  Entry: Model<Entry>;
  Account: Model<Account>;
  Star: Model<StarDoc>;
  Record: Model<ServiceRecord>;
  Order: Model<Order>;
  Item: Model<CatalogueItem>;
  Redemption: Model<Redemption>;
  Certificate: Model<Certificate>;
  Rule: Model<RuleVersion>;
  Setting: Model<YearEndSetting>;
  Counter: Model<CounterDoc>;
}

export function pointsModels(conn: Connection): PointsModels {
  const m = <T>(name: string, schema: Schema): Model<T> =>
    (conn.models[name] ?? conn.model(name, schema)) as unknown as Model<T>;
  return {
    Org: m('Org', Orgs),
    Member: m('Member', Members),
    Pairing: m('Pairing', Pairings),
    Entry: m('Entry', Entries),
    Account: m('Account', Accounts),
    Star: m('Star', Stars),
    Record: m('Record', Records),
    Order: m('Order', Orders),
    Item: m('Item', Items),
    Redemption: m('Redemption', Redemptions),
    Certificate: m('Certificate', Certificates),
    Rule: m('Rule', Rules),
    Setting: m('Setting', Settings),
    Counter: m('Counter', Counters),
  };
}

/** Collections and indexes, before the relay and the consumers start (none is created in a transaction). */
export async function preparePoints(models: PointsModels): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) {
    await model.createCollection().catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
    await model.syncIndexes();
  }
}
