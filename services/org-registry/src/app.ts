import {
  createServiceApp,
  databaseCheck,
  type ServiceContext,
  type ServiceHandle,
} from '@honglian/service-kit';
import { OutboxRelay, type EventBus } from '@honglian/messaging';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { CoverageService } from './app/coverage.js';
import { ImportJobs } from './app/import-jobs.js';
import { ImportService, type ImportReport } from './app/imports.js';
import { seedDemoCity, type DemoCityInput } from './demo/demo-city.js';
import { importRoutes } from './api/import-routes.js';
import { exportRoutes } from './api/export-routes.js';
import { today, type RegistryContext } from './app/context.js';
import { MemberService } from './app/members.js';
import { OrgService } from './app/orgs.js';
import { RelationService } from './app/relations.js';
import { memberRoutes, orgRoutes, relationsRoutes, type RegistryServices } from './api/routes.js';
import { prepareRegistry, registryModels } from './data/models.js';
import { Day, OrgId } from './domain/commands.js';
import { PiiVault } from './domain/pii.js';
import { REGISTRY_MANAGERS } from './domain/scope.js';

export const SERVICE = {
  name: 'org-registry',
  prefix: '/api/v1/registry',
  title: 'Honglian org registry (组织体系)',
  description: 'The city’s organisation graph, relations and member directory.',
} as const;

export interface OrgRegistryDeps extends ServiceContext {
  /** This service's own database. */
  db: Connection;
  bus: EventBus;
  /** Secret (≥ 32 bytes) protecting ID numbers and phones at rest. */
  piiKey: Buffer;
  /** Largest import file accepted. Default 50 MB. */
  importMaxBytes?: number;
}

export interface OrgRegistryService extends ServiceHandle {
  services: RegistryServices;
  imports: ImportService;
  /** Imports running in the background (Prefer: respond-async). */
  jobs: ImportJobs;
  /** Seeds the demo city through the import path when the registry is empty; null when it was not. */
  seedDemoCity(input: DemoCityInput): Promise<ImportReport[] | null>;
}

/** Builds the org registry from its dependencies; no I/O until start(). */
export function createService(deps: OrgRegistryDeps): OrgRegistryService {
  const models = registryModels(deps.db);
  const ctx: RegistryContext = {
    conn: deps.db,
    models,
    clock: deps.clock,
    vault: new PiiVault(deps.piiKey),
    logger: deps.logger,
  };
  const orgs = new OrgService(ctx);
  const services: RegistryServices = {
    ctx,
    orgs,
    relations: new RelationService(ctx, orgs),
    members: new MemberService(ctx, orgs),
  };
  const coverage = new CoverageService(ctx, orgs);
  const imports = new ImportService(ctx, services);
  const jobs = new ImportJobs(ctx, imports);
  const relay = new OutboxRelay({ connection: deps.db, bus: deps.bus, logger: deps.logger });

  const handle = createServiceApp(deps, {
    ...SERVICE,
    routes: (api) => {
      orgRoutes(api, services);
      relationsRoutes(api, services);
      memberRoutes(api, services);
      exportRoutes(api, services);
      importRoutes(api, { ctx, imports, jobs, maxBytes: deps.importMaxBytes ?? 50 * 1024 * 1024 });
      api.route(
        {
          method: 'get',
          path: '/coverage',
          summary: 'Counts per level and the gaps that matter (compounds without a branch, firm…)',
          tags: ['Coverage 覆盖情况'],
          roles: REGISTRY_MANAGERS,
          request: { query: z.strictObject({ orgId: OrgId.optional(), asOf: Day.optional() }) },
          responses: { 200: { description: 'The coverage report' } },
        },
        async ({ query, principal }) => ({
          body: await coverage.report(query.orgId, query.asOf ?? today(ctx), principal),
        }),
      );
    },
    start: async () => {
      await prepareRegistry(models);
      await relay.start();
    },
    stop: async () => {
      await relay.stop();
    },
  });
  handle.readiness.register('mongodb', databaseCheck(deps.db));
  handle.readiness.register('outbox', () => relay.health());
  return {
    ...handle,
    services,
    imports,
    jobs,
    seedDemoCity: (input) => seedDemoCity(imports, async () => (await models.Org.exists({})) !== null, input),
  };
}
