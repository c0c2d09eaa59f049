import { TOPICS, type DemoDirectory } from '@honglian/contracts';
import { defineServiceModule, type ServiceOf } from '@honglian/service-kit';
import { AppealService } from './app/appeals.js';
import type { EvaluationContext } from './app/context.js';
import { CycleService } from './app/cycles.js';
import { seedDemoEvaluation } from './app/demo.js';
import { PublishedQueries } from './app/published.js';
import { References } from './app/references.js';
import { ResultService } from './app/results.js';
import { SubmissionService } from './app/submissions.js';
import { TemplateService } from './app/templates.js';
import { WebhookService } from './app/webhooks.js';
import { webhookRoutes } from './api/webhook-routes.js';
import { webhookHandlers } from './events/own.js';
import { publishedRoutes } from './api/published-routes.js';
import { appealRoutes, resultRoutes, submissionRoutes, type ReviewServices } from './api/review-routes.js';
import { cycleRoutes, templateRoutes } from './api/routes.js';
import { EvaluationConfigSchema, evaluationSettingsOf } from './config.js';
import { evaluationData } from './data/index.js';
import { prepareEvaluation } from './data/models.js';
import { registryHandlers } from './events/registry.js';

export const SERVICE = {
  name: 'property-evaluation',
  prefix: '/api/v1/evaluation',
  title: 'Honglian property-firm evaluation (物业服务质量评价)',
  description: 'Templates, cycles, multi-rater submissions, scoring, notice, appeal and publication.',
} as const;

/** Consumer group of the registry read model (firms, compounds, contracts, the org tree). */
export const REGISTRY_GROUP = 'property-evaluation.registry';
/** Consumer group turning the service's own publications into webhook deliveries. */
export const WEBHOOK_GROUP = 'property-evaluation.webhooks';

export type { EvaluationSettings } from './config.js';

/**
 * property-evaluation as the kit runs it: its routes, the registry read model as a consumer group,
 * the outbox relay of its topic, the default template saved before it serves, the demo data.
 */
export const propertyEvaluationModule = defineServiceModule({
  ...SERVICE,
  config: EvaluationConfigSchema,
  settings: evaluationSettingsOf,
  outbox: { topic: TOPICS.propertyEvaluation },
  create: ({ db, clock, logger, settings }) => {
    const data = evaluationData(db);
    const ctx: EvaluationContext = {
      conn: db,
      data,
      clock,
      logger,
      settings,
    };
    // Every id a request names is resolved here, within the caller's scope.
    const refs = new References(ctx);
    const templates = new TemplateService(ctx, refs);
    const cycles = new CycleService(ctx, refs, templates);
    const review: ReviewServices = {
      submissions: new SubmissionService(ctx, refs, cycles),
      results: new ResultService(ctx, refs, cycles),
      appeals: new AppealService(ctx, refs, cycles),
    };
    const published = new PublishedQueries(ctx);
    const webhooks = new WebhookService(ctx, settings.webhookSender);
    return {
      routes: (api) => {
        templateRoutes(api, templates);
        cycleRoutes(api, cycles);
        submissionRoutes(api, review);
        resultRoutes(api, review);
        appealRoutes(api, review);
        publishedRoutes(api, published);
        webhookRoutes(api, webhooks);
      },
      prepare: async () => {
        await prepareEvaluation(data.models);
        await templates.ensureDefault();
      },
      consumers: [
        { group: REGISTRY_GROUP, topics: [TOPICS.orgRegistry], handle: registryHandlers(data.readModel) },
        { group: WEBHOOK_GROUP, topics: [TOPICS.propertyEvaluation], handle: webhookHandlers(webhooks) },
      ],
      background: [
        { name: 'webhooks', start: () => webhooks.startTimer(), stop: () => webhooks.stopTimer() },
      ],
      expose: {
        ctx,
        templates,
        cycles,
        ...review,
        published,
        webhooks,
        /** Sends the webhook deliveries due at the injected clock's now (tests, operators). */
        dispatchWebhooks: () => webhooks.dispatch(),
      },
      // Demo data never stops the suite from starting: a failure is logged and nothing more.
      seedDemo: (demo: DemoDirectory) =>
        seedDemoEvaluation(ctx, demo).catch((err: unknown) => {
          logger.error({ err }, 'demo evaluation data could not be seeded');
          return null;
        }),
    };
  },
});

/** The service the kit builds from the module. */
export type PropertyEvaluationService = ServiceOf<typeof propertyEvaluationModule>;
