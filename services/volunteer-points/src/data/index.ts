import type { Connection } from 'mongoose';
import { LedgerStore } from './ledger.js';
import { pointsModels, type PointsModels } from './models.js';
import { OrderStore } from './orders.js';
import { ReadModel } from './read-model.js';
import { RecordStore } from './records.js';

/** The service's stores: ledger, records (and rules, settings), orders (and catalogue, certificates), read model. */
export interface PointsData {
  models: PointsModels;
  ledger: LedgerStore;
  records: RecordStore;
  orders: OrderStore;
  readModel: ReadModel;
}

export function pointsData(conn: Connection): PointsData {
  const models = pointsModels(conn);
  return {
    models,
    ledger: new LedgerStore(models),
    records: new RecordStore(models),
    orders: new OrderStore(models),
    readModel: new ReadModel(models),
  };
}
