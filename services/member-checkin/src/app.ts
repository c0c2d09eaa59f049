import { randomBytes } from 'node:crypto';
import { TOPICS } from '@honglian/contracts';
import { OutboxRelay, idempotent, type EventBus, type Subscriber } from '@honglian/messaging';
import {
  createServiceApp,
  databaseCheck,
  type ServiceContext,
  type ServiceHandle,
} from '@honglian/service-kit';
import type { Connection } from 'mongoose';
import { ActivityService } from './app/activities.js';
import { AttendanceService } from './app/attendance.js';
import type { CheckinContext } from './app/context.js';
import { FeedbackService } from './app/feedback.js';
import { ReportService } from './app/reports.js';
import { ScanService, type ScanResult, type SweepTimers } from './app/scan.js';
import {
  activityRoutes,
  attendanceRoutes,
  feedbackRoutes,
  reportRoutes,
  type CheckinServices,
} from './api/routes.js';
import { checkinModels, prepareCheckin } from './data/models.js';
import { DEFAULT_RULES, type CheckinRules } from './domain/rules.js';
import { applyRegistryEvent } from './events/registry.js';

export const SERVICE = {
  name: 'member-checkin',
  prefix: '/api/v1/checkin',
  title: 'Honglian member check-in (双联系双报到)',
  description: 'Dual reports, activities and whistle calls, QR attendance, no-show flags.',
} as const;

/** Consumer group of the registry read model. */
export const REGISTRY_GROUP = 'member-checkin.registry';

export interface MemberCheckinDeps extends ServiceContext {
  /** This service's own database. */
  db: Connection;
  bus: EventBus;
  /** Secret (≥ 32 bytes) signing QR tokens; all replicas need the same. Default: random per process. */
  qrSecret?: Buffer;
  /** City rules (cap, QR rotation, 180-day window, 95 % threshold…); defaults from DOMAIN.md. */
  rules?: Partial<CheckinRules>;
  /** How often the sweep (auto-close, 报而不到) runs after start(). Default 10 minutes; 0 = never. */
  scanIntervalMs?: number;
  /** Schedules the sweep (default Node's timers); tests inject timers they tick by hand. */
  timers?: SweepTimers;
  /** Documents the sweep reads at a time. Default 500. */
  scanBatchSize?: number;
}

export interface MemberCheckinService extends ServiceHandle {
  services: CheckinServices;
  /** Runs the scheduled sweep once, at the injected clock's now (tests, operators). */
  scan(): Promise<ScanResult>;
}

/** Builds the member-checkin service from its dependencies; no I/O until start(). */
export function createService(deps: MemberCheckinDeps): MemberCheckinService {
  const qrSecret = deps.qrSecret ?? randomBytes(32);
  if (qrSecret.length < 32) throw new Error('qrSecret must be at least 32 bytes');
  const models = checkinModels(deps.db);
  const ctx: CheckinContext = {
    conn: deps.db,
    models,
    clock: deps.clock,
    logger: deps.logger,
    rules: { ...DEFAULT_RULES, ...deps.rules },
    qrSecret,
  };
  const reports = new ReportService(ctx);
  const attendance = new AttendanceService(ctx, reports);
  const scan = new ScanService(ctx, attendance, {
    ...(deps.timers ? { timers: deps.timers } : {}),
    ...(deps.scanBatchSize ? { batchSize: deps.scanBatchSize } : {}),
  });
  const services: CheckinServices = {
    ctx,
    reports,
    activities: new ActivityService(ctx),
    attendance,
    feedback: new FeedbackService(ctx),
    scan,
  };
  const relay = new OutboxRelay({ connection: deps.db, bus: deps.bus, logger: deps.logger });
  let subscriber: Subscriber | undefined;

  const handle = createServiceApp(deps, {
    ...SERVICE,
    routes: (api) => {
      reportRoutes(api, services);
      activityRoutes(api, services);
      attendanceRoutes(api, services);
      feedbackRoutes(api, services);
    },
    start: async () => {
      await prepareCheckin(models);
      await relay.start();
      subscriber = await deps.bus.subscribe({
        groupId: REGISTRY_GROUP,
        topics: [TOPICS.orgRegistry],
        fromBeginning: true,
        handler: idempotent(
          deps.db,
          REGISTRY_GROUP,
          async (event, { session }) => {
            await applyRegistryEvent(models, event, session);
          },
          { logger: deps.logger },
        ),
      });
      scan.startTimer(deps.scanIntervalMs ?? 10 * 60_000);
    },
    stop: async () => {
      await scan.stopTimer();
      await subscriber?.close();
      subscriber = undefined;
      await relay.stop();
    },
  });
  handle.readiness.register('mongodb', databaseCheck(deps.db));
  handle.readiness.register('outbox', () => relay.health());
  return { ...handle, services, scan: () => scan.run() };
}
