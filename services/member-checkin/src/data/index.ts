import type { Connection } from 'mongoose';
import { ActivityStore } from './activities.js';
import { AttendanceStore } from './attendance.js';
import { checkinModels, type CheckinModels } from './models.js';
import { ReadModel } from './read-model.js';
import { ReportStore } from './reports.js';

/** The service's stores: one per aggregate, and the registry's read model. */
export interface CheckinData {
  models: CheckinModels;
  reports: ReportStore;
  activities: ActivityStore;
  attendance: AttendanceStore;
  readModel: ReadModel;
}

export function checkinData(conn: Connection): CheckinData {
  const models = checkinModels(conn);
  return {
    models,
    reports: new ReportStore(models),
    activities: new ActivityStore(models),
    attendance: new AttendanceStore(models),
    readModel: new ReadModel(models),
  };
}
