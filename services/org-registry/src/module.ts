import { TOPICS } from '@honglian/contracts';
import { defineServiceModule, type ServiceOf } from '@honglian/service-kit';
import { z } from 'zod';
import { CoverageService } from './app/coverage.js';
import { ImportJobs } from './app/import-jobs.js';
import { ImportService, type ImportReport } from './app/imports.js';
import { seedDemoCity, type DemoCityInput } from './demo/demo-city.js';
import { importRoutes } from './api/import-routes.js';
import { exportRoutes } from './api/export-routes.js';
import { today, type RegistryContext } from './app/context.js';
import { IdentityReviews } from './app/identity-reviews.js';
import { ImportRows } from './app/import-rows.js';
import { MemberQueries } from './app/member-queries.js';
import { MemberService } from './app/members.js';
import { Naming } from './app/names.js';
import { backfillPhoneHashes } from './app/pii-backfill.js';
import { rotatePiiKey, type RotationOptions } from './app/pii-rotation.js';
import { OrgQueries } from './app/org-queries.js';
import { OrgService } from './app/orgs.js';
import { RelationQueries } from './app/relation-queries.js';
import { RelationService } from './app/relations.js';
import { Coverage } from './api/schemas.js';
import { AuditLog } from './data/audit.js';
import { IdentityReviewStore } from './data/identity-reviews.js';
import { ImportJobStore, ImportStore } from './data/imports.js';
import { MemberRepository } from './data/members.js';
import { OrgRepository } from './data/orgs.js';
import { RelationRepository } from './data/relations.js';
import { memberRoutes, orgRoutes, relationsRoutes, type RegistryServices } from './api/routes.js';
import { RegistryConfigSchema, piiKeyOf, previousPiiKeyOf, type RegistryConfig } from './config.js';
import { prepareRegistry, registryModels } from './data/models.js';
import { Day, OrgId } from './domain/commands.js';
import { PiiKeyring } from './domain/pii.js';
import { DEFAULT_DATE_RULES, type DateRules } from './domain/dates.js';
import { REGISTRY_MANAGERS } from './domain/scope.js';

export const SERVICE = {
  name: 'org-registry',
  prefix: '/api/v1/registry',
  title: 'Honglian org registry (组织体系)',
  description: 'The city’s organisation graph, relations and member directory.',
} as const;

/** What the org registry runs with, from its config (`registrySettingsOf`) or given by a test. */
export interface RegistrySettings {
  /** Secret (≥ 32 bytes) protecting ID numbers and phones at rest. */
  piiKey: Buffer;
  /**
   * During a key rotation: the key `piiKey` replaces. What it sealed still opens (by the stored
   * key id) and its hashes still match searches and duplicate checks until the rotation is done.
   */
  piiKeyPrevious?: Buffer;
  /** Largest import file accepted. Default 50 MB. */
  importMaxBytes: number;
  /**
   * Plausible dates (README, Input sanity): earliest effective day, how far ahead a record may take
   * effect or end, a member's age bounds. Defaults (DEFAULT_DATE_RULES) when a test leaves it out.
   */
  dates?: DateRules;
}

/** The settings from the environment; a bad or (in production) missing PII_KEY (or a bad PII_KEY_PREVIOUS) is a ConfigError. */
export function registrySettingsOf(config: RegistryConfig): RegistrySettings {
  return {
    piiKey: piiKeyOf(config),
    ...(config.PII_KEY_PREVIOUS ? { piiKeyPrevious: previousPiiKeyOf(config) } : {}),
    importMaxBytes: config.IMPORT_MAX_BYTES,
    dates: {
      earliest: config.REGISTRY_EARLIEST_DAY,
      maxDaysAhead: config.REGISTRY_MAX_DAYS_AHEAD,
      maxEndYearsAhead: config.REGISTRY_MAX_END_YEARS_AHEAD,
      minMemberAge: config.MEMBER_MIN_AGE,
      maxAge: config.MEMBER_MAX_AGE,
    },
  };
}

/**
 * The org registry as the kit runs it: its routes and the outbox relay of its topic. It consumes
 * nothing; the all-in-one run seeds the demo city through `seedDemo`.
 */
export const orgRegistryModule = defineServiceModule({
  ...SERVICE,
  config: RegistryConfigSchema,
  settings: registrySettingsOf,
  outbox: { topic: TOPICS.orgRegistry },
  create: ({ db, clock, logger, settings }) => {
    const models = registryModels(db);
    const ctx: RegistryContext = {
      conn: db,
      orgs: new OrgRepository(models),
      members: new MemberRepository(models),
      relations: new RelationRepository(models),
      imports: new ImportStore(models),
      importJobs: new ImportJobStore(models),
      identityReviews: new IdentityReviewStore(models),
      audit: new AuditLog(models),
      clock,
      vault: new PiiKeyring(settings.piiKey, settings.piiKeyPrevious),
      logger,
      dates: { ...DEFAULT_DATE_RULES, ...settings.dates },
    };
    // Every id a write names is resolved by one rule (domain/references.ts): the cross-county rule lives there (README).
    const reviews = new IdentityReviews(ctx);
    const services: RegistryServices = {
      ctx,
      orgs: new OrgService(ctx),
      orgQueries: new OrgQueries(ctx),
      relations: new RelationService(ctx),
      relationQueries: new RelationQueries(ctx),
      members: new MemberService(ctx, reviews),
      memberQueries: new MemberQueries(ctx),
      reviews,
      names: new Naming(ctx),
    };
    const coverage = new CoverageService(ctx);
    const imports = new ImportService(ctx, new ImportRows(ctx, services), reviews);
    const jobs = new ImportJobs(ctx, imports);
    // The demo city through the import path when the registry is empty; null when it was not.
    const seedDemo = (input: DemoCityInput): Promise<ImportReport[] | null> =>
      seedDemoCity(
        imports,
        () => ctx.orgs.any(),
        input,
        (allianceId, memberOrgId, period, principal) =>
          services.relations.joinAlliance(allianceId, memberOrgId, period, principal),
      );

    return {
      routes: (api) => {
        orgRoutes(api, services);
        relationsRoutes(api, services);
        memberRoutes(api, services);
        exportRoutes(api, services);
        importRoutes(api, { ctx, imports, jobs, maxBytes: settings.importMaxBytes });
        api.route(
          {
            method: 'get',
            path: '/coverage',
            summary: 'Counts per level and the gaps that matter (compounds without a branch, firm…)',
            tags: ['Coverage 覆盖情况'],
            roles: REGISTRY_MANAGERS,
            request: { query: z.strictObject({ orgId: OrgId.optional(), asOf: Day.optional() }) },
            responses: { 200: { description: 'The coverage report', schema: Coverage } },
          },
          async ({ query, principal }) => ({
            body: await coverage.report(query.orgId, query.asOf ?? today(ctx), principal),
          }),
        );
      },
      prepare: async () => {
        await prepareRegistry(models);
        // Versions recorded before phones were hashed get their hash (search by phone).
        await backfillPhoneHashes(ctx);
      },
      expose: {
        services,
        imports,
        /** Imports running in the background (Prefer: respond-async). */
        jobs,
        /** Seeds the demo city, resolving to the import reports (null when the registry was not empty). */
        seedDemoCity: seedDemo,
        /** The start-up backfill of phone hashes (idempotent), for operators and tests. */
        backfillPhoneHashes: () => backfillPhoneHashes(ctx),
        /** Re-seals every member under the current key (`honglian pii rotate` runs the same without the service). */
        rotatePiiKey: (opts?: RotationOptions) => rotatePiiKey(ctx, opts),
      },
      // The all-in-one run logs the summary: rows created per import kind.
      seedDemo: async (input: DemoCityInput) => {
        const reports = await seedDemo(input);
        return reports && { rows: reports.map((r) => `${r.kind}:${r.created}`) };
      },
    };
  },
});

/** The service the kit builds from the module. */
export type OrgRegistryService = ServiceOf<typeof orgRegistryModule>;
