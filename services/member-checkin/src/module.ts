import { randomBytes } from 'node:crypto';
import { TOPICS, type DemoDirectory } from '@honglian/contracts';
import { defineServiceModule, type ServiceOf } from '@honglian/service-kit';
import { ActivityService } from './app/activities.js';
import { AttendanceSources } from './app/attendance-source.js';
import { CheckIn } from './app/check-in.js';
import { CheckOut } from './app/check-out.js';
import { CountyViews } from './app/county-views.js';
import type { CheckinContext } from './app/context.js';
import { seedDemoCheckin } from './app/demo.js';
import { FeedbackService } from './app/feedback.js';
import { References } from './app/references.js';
import { RegistrySync } from './app/registry-sync.js';
import { ReportService } from './app/reports.js';
import { Sessions } from './app/sessions.js';
import { SweepService, type SweepTimers } from './app/sweep.js';
import {
  activityRoutes,
  attendanceRoutes,
  feedbackRoutes,
  reportRoutes,
  type CheckinServices,
} from './api/routes.js';
import { activityChangeRoutes } from './api/activity-change-routes.js';
import { countyViewRoutes } from './api/county-routes.js';
import { CheckinConfigSchema, qrSecretOf, rulesOf, type CheckinConfig } from './config.js';
import { checkinData } from './data/index.js';
import { prepareCheckin } from './data/models.js';
import type { CheckinRules } from './domain/rules.js';
import { registryHandlers } from './events/registry.js';

export const SERVICE = {
  name: 'member-checkin',
  prefix: '/api/v1/checkin',
  title: 'Honglian member check-in (双联系双报到)',
  description: 'Dual reports, activities and whistle calls, QR attendance, no-show flags.',
} as const;

/** Consumer group of the registry read model. */
export const REGISTRY_GROUP = 'member-checkin.registry';

/** What member-checkin runs with, from its config (`checkinSettingsOf`) or given by a test. */
export interface CheckinSettings {
  /** Secret (≥ 32 bytes) signing QR tokens; all replicas need the same. Absent: random per process. */
  qrSecret?: Buffer | undefined;
  /** City rules (cap, QR rotation, 180-day window, 95 % threshold…). */
  rules: CheckinRules;
  /** How often the sweep (auto-close, 报而不到) runs once started; 0 = never. */
  scanIntervalMs: number;
  /** Documents the sweep reads at a time. Default 500. */
  scanBatchSize?: number;
  /** Schedules the sweep (default Node's timers); tests inject timers they tick by hand. */
  timers?: SweepTimers;
}

/** The settings from the environment; a bad or (in production) missing CHECKIN_QR_SECRET is a ConfigError. */
export function checkinSettingsOf(config: CheckinConfig): CheckinSettings {
  return {
    qrSecret: qrSecretOf(config),
    rules: rulesOf(config),
    scanIntervalMs: config.CHECKIN_SCAN_INTERVAL_SECONDS * 1000,
  };
}

/**
 * member-checkin as the kit runs it: the routes, the registry read model as a consumer group,
 * the outbox relay of its topic and the sweep as a background timer.
 */
export const memberCheckinModule = defineServiceModule({
  ...SERVICE,
  config: CheckinConfigSchema,
  settings: checkinSettingsOf,
  outbox: { topic: TOPICS.memberCheckin },
  create: ({ db, clock, logger, settings }) => {
    const qrSecret = settings.qrSecret ?? randomBytes(32);
    if (qrSecret.length < 32) throw new Error('qrSecret must be at least 32 bytes');
    const data = checkinData(db);
    const ctx: CheckinContext = { conn: db, data, clock, logger, rules: settings.rules, qrSecret };
    // Every id a request names is resolved here, within the caller's scope.
    const refs = new References(ctx);
    const sources = new AttendanceSources(ctx, refs);
    const sweep = new SweepService(ctx, {
      ...(settings.timers ? { timers: settings.timers } : {}),
      ...(settings.scanBatchSize ? { batchSize: settings.scanBatchSize } : {}),
    });
    const services: CheckinServices = {
      ctx,
      reports: new ReportService(ctx, refs),
      activities: new ActivityService(ctx, refs),
      checkIn: new CheckIn(ctx, sources, sweep),
      checkOut: new CheckOut(ctx, sources),
      sessions: new Sessions(ctx, refs),
      feedback: new FeedbackService(ctx, refs),
      sweep,
    };
    return {
      routes: (api) => {
        reportRoutes(api, services);
        activityRoutes(api, services);
        attendanceRoutes(api, services);
        feedbackRoutes(api, services);
        activityChangeRoutes(api, services.activities);
        countyViewRoutes(api, new CountyViews(ctx), () => clock.now());
      },
      prepare: () => prepareCheckin(data.models),
      consumers: [
        {
          group: REGISTRY_GROUP,
          topics: [TOPICS.orgRegistry],
          handle: registryHandlers(data.readModel, new RegistrySync(ctx)),
        },
      ],
      background: [
        {
          name: 'sweep',
          start: () => sweep.startTimer(settings.scanIntervalMs),
          stop: () => sweep.stopTimer(),
        },
      ],
      seedDemo: (demo: DemoDirectory) => seedDemoCheckin(ctx, demo),
      expose: {
        services,
        /** Runs the scheduled sweep once, at the injected clock's now (tests, operators). */
        scan: () => sweep.run(),
      },
    };
  },
});

/** The service the kit builds from the module. */
export type MemberCheckinService = ServiceOf<typeof memberCheckinModule>;
