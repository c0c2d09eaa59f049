import { TOPICS, type DemoDirectory } from '@honglian/contracts';
import { defineServiceModule, type ServiceOf } from '@honglian/service-kit';
import { ConsequenceService } from './app/consequences.js';
import type { AssessmentContext } from './app/context.js';
import { seedDemoAssessment } from './app/demo.js';
import { RatingJobs } from './app/jobs.js';
import { ManualItemService } from './app/manual-items.js';
import { Projector } from './app/projector.js';
import { RatingService } from './app/ratings.js';
import { RuleService } from './app/rules.js';
import { RatingSchedule } from './app/schedule.js';
import { manualItemRoutes } from './api/manual-routes.js';
import { ratingRoutes, type AssessmentServices } from './api/routes.js';
import { ruleRoutes } from './api/rule-routes.js';
import { AssessmentConfigSchema, assessmentSettingsOf } from './config.js';
import { assessmentData } from './data/index.js';
import { prepareAssessment } from './data/models.js';
import { projectionHandlers } from './events/registry.js';

export const SERVICE = {
  name: 'assessment',
  prefix: '/api/v1/assessment',
  title: 'Honglian red/yellow/grey assessment (红黄灰三色管理)',
  description: 'Pioneer, fortress and service indices with explanations.',
} as const;

/** Consumer group of the projections (every other service's topic). */
export const PROJECTION_GROUP = 'assessment.projections';

/**
 * assessment as the kit runs it: projections of every service's events, period ratings on
 * demand (or as jobs) and on schedule (a background timer), manual organisational items,
 * publication with consequences, city and county rule versions with replay, read API.
 */
export const assessmentModule = defineServiceModule({
  ...SERVICE,
  config: AssessmentConfigSchema,
  settings: assessmentSettingsOf,
  outbox: { topic: TOPICS.assessment },
  create: ({ db, clock, logger, settings }) => {
    const data = assessmentData(db);
    const ctx: AssessmentContext = { conn: db, data, clock, logger };
    const rules = new RuleService(ctx);
    const projector = new Projector(ctx);
    const ratings = new RatingService(ctx, rules);
    const schedule = new RatingSchedule(ctx, ratings, settings.timers);
    const services: AssessmentServices = {
      ctx,
      rules,
      ratings,
      consequences: new ConsequenceService(ctx),
      jobs: new RatingJobs(ctx),
      projector,
      manualItems: new ManualItemService(ctx),
      schedule,
    };
    return {
      routes: (api) => {
        ratingRoutes(api, services);
        ruleRoutes(api, services);
        manualItemRoutes(api, services);
      },
      prepare: () => prepareAssessment(data.models),
      consumers: [
        {
          group: PROJECTION_GROUP,
          topics: [
            TOPICS.orgRegistry,
            TOPICS.memberCheckin,
            TOPICS.volunteerPoints,
            TOPICS.propertyEvaluation,
          ],
          handle: projectionHandlers(projector),
        },
      ],
      background: [
        {
          name: 'schedule',
          start: () => schedule.start(settings.scheduleMs),
          stop: () => schedule.stop(),
        },
      ],
      expose: {
        services,
        /** Runs the scheduled computation once at the injected clock's now (tests, operators). */
        tick: () => schedule.tick(),
      },
      seedDemo: (demo: DemoDirectory) => seedDemoAssessment(ctx, services, demo),
    };
  },
});

/** The service the kit builds from the module. */
export type AssessmentService = ServiceOf<typeof assessmentModule>;
