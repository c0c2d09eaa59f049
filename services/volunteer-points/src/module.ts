import { TOPICS, topicOfEventType, type CloudEvent, type DemoDirectory } from '@honglian/contracts';
import { defineServiceModule, type ServiceOf } from '@honglian/service-kit';
import { CertificateService } from './app/certificates.js';
import type { PointsContext } from './app/context.js';
import { seedDemoPoints } from './app/demo.js';
import { Jobs, type JobTimers } from './app/jobs.js';
import { Ledger } from './app/ledger.js';
import { OrderService } from './app/orders.js';
import { PointsService } from './app/points.js';
import { RecordService } from './app/records.js';
import { RedemptionService } from './app/redemption.js';
import { References } from './app/references.js';
import { ledgerRoutes } from './api/ledger-routes.js';
import { orderRoutes } from './api/order-routes.js';
import { certificateRoutes, recordRoutes } from './api/record-routes.js';
import type { PointsServices } from './api/services.js';
import { shopRoutes } from './api/shop-routes.js';
import { PointsConfigSchema, pointsSettingsOf, type PointsSettings } from './config.js';
import { pointsData } from './data/index.js';
import { preparePoints } from './data/models.js';
import { checkinHandlers, orderHandlers, registryHandlers } from './events/handlers.js';

export const SERVICE = {
  name: 'volunteer-points',
  prefix: '/api/v1/points',
  title: 'Honglian volunteer points (志愿积分)',
  description: 'Service records, points ledger, orders, redemption, stars and certificates.',
} as const;

/** Consumer groups. */
export const POINTS_GROUPS = {
  registry: 'volunteer-points.registry',
  checkin: 'volunteer-points.checkin',
  orders: 'volunteer-points.orders',
} as const;

/** The settings (from the environment, or given by a test), plus timers tests tick by hand. */
export type VolunteerPointsSettings = PointsSettings & { timers?: JobTimers };

/**
 * volunteer-points as the kit runs it: its routes, the outbox relay of its topic, three
 * consumer groups (registry read model, check-in attendance, its own order steps) and the
 * scheduled jobs (escalation, year end) as a background timer.
 */
export const volunteerPointsModule = defineServiceModule({
  ...SERVICE,
  config: PointsConfigSchema,
  settings: (config): VolunteerPointsSettings => pointsSettingsOf(config),
  outbox: { topic: TOPICS.volunteerPoints },
  create: ({ db, bus, clock, logger, settings }) => {
    const data = pointsData(db);
    const ctx: PointsContext = { conn: db, data, clock, logger, settings };
    // Every id a request names is resolved here, within the caller's scope.
    const refs = new References(ctx);
    const ledger = new Ledger(ctx);
    const records = new RecordService(ctx, refs, ledger);
    const orders = new OrderService(ctx, refs, records, ledger);
    const jobs = new Jobs(ctx, orders, settings.timers);
    const services: PointsServices = {
      ctx,
      points: new PointsService(ctx, refs, ledger),
      records,
      orders,
      shop: new RedemptionService(ctx, refs),
      certificates: new CertificateService(ctx, refs),
      jobs,
    };
    return {
      routes: (api) => {
        ledgerRoutes(api, services);
        recordRoutes(api, services);
        certificateRoutes(api, services);
        orderRoutes(api, services);
        shopRoutes(api, services);
      },
      prepare: () => preparePoints(data.models),
      consumers: [
        {
          group: POINTS_GROUPS.registry,
          topics: [TOPICS.orgRegistry],
          handle: registryHandlers(data.readModel),
        },
        { group: POINTS_GROUPS.checkin, topics: [TOPICS.memberCheckin], handle: checkinHandlers(records) },
        { group: POINTS_GROUPS.orders, topics: [TOPICS.volunteerPoints], handle: orderHandlers(orders) },
      ],
      background: [
        { name: 'jobs', start: () => jobs.start(settings.jobIntervalMs), stop: () => jobs.stop() },
      ],
      expose: {
        services,
        /** Runs the scheduled jobs once at the injected clock's now (tests, operators). */
        runJobs: () => jobs.run(),
        /** Delivers an event again, as an at-least-once broker may (operators replaying; tests of idempotence). */
        redeliver: (event: CloudEvent) => bus.publish(topicOfEventType(event.type), event),
      },
      seedDemo: (demo: DemoDirectory) => seedDemoPoints(ctx, ledger, demo),
    };
  },
});

/** The service the kit builds from the module. */
export type VolunteerPointsService = ServiceOf<typeof volunteerPointsModule>;
