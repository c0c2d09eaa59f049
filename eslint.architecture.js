// Import rules that keep the shape of a service (DESIGN.md "Inside a service", docs/architecture.md):
// - a service never imports another service (nor the cli that composes them);
// - only packages/cli composes services: no other package imports one;
// - `domain/` is pure: no framework, store, bus or I/O; from the kit only `import type` or the
//   pure subpath `@honglian/service-kit/domain`; none of the outer layers of its service.
// The rules are built from the services found on disk, so a new service is covered at once.
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const root = new URL('./', import.meta.url);

/** Every service: its folder under services/ and its package name. */
export const SERVICES = readdirSync(new URL('services/', root), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`services/${d.name}/package.json`, root)))
  .map((d) => ({
    dir: d.name,
    name: JSON.parse(readFileSync(new URL(`services/${d.name}/package.json`, root), 'utf8')).name,
  }));

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const NOT_ANOTHER_SERVICE =
  'A service never imports another service: exchange facts as events on the bus or call its public API (DESIGN.md).';
const ONLY_CLI_COMPOSES =
  'Only packages/cli (the all-in-one suite) composes services (packages/proof starts that suite).';
const PURE_DOMAIN =
  'domain/ is pure (no framework, store, bus or I/O): take what it needs as arguments, ' +
  'and from the kit use `import type` or `@honglian/service-kit/domain`.';
const QUERIES_IN_DATA =
  'Queries live in data/ (stores per aggregate): app/, api/ and events/ call their methods and import ' +
  'mongoose or the driver only as types (`import type`).';
const storeRestrictions = {
  paths: ['mongoose', 'mongodb'].map((name) => ({ name, allowTypeImports: true, message: QUERIES_IN_DATA })),
  patterns: [],
};
const DOMAIN_LAYERS =
  'domain/ does not reach into api/, app/, data/, events/ or the entry points (module.ts, main.ts…): they call the domain, not the other way.';

/** No import of the given services, by package name, subpath or relative path into their folders. */
function serviceRestrictions(services, message) {
  if (services.length === 0) return { paths: [], patterns: [] };
  const names = services.map((s) => escape(s.name)).join('|');
  const dirs = services.map((s) => escape(s.dir)).join('|');
  return {
    paths: [
      ...services.map((s) => ({ name: s.name, message })),
      { name: '@honglian/cli', message: ONLY_CLI_COMPOSES },
    ],
    patterns: [
      { regex: `^(${names})/`, message },
      { regex: `^\\.{1,2}/(.*/)?(${dirs})/(src|test|dist|bench)(/|$)`, message },
    ],
  };
}

const FRAMEWORKS_AND_STORES = [
  'express',
  'helmet',
  'pino',
  'pino-http',
  'prom-client',
  'keycloak-connect',
  'express-rate-limit',
  'http-proxy-middleware',
  'supertest',
  'mongoose',
  'mongodb',
  'kafkajs',
  'exceljs',
  'csv-parse',
  'csv-stringify',
  '@honglian/messaging',
  '@honglian/embedded-mongo',
  '@honglian/testkit',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'http',
  'node:http',
  'https',
  'node:https',
  'net',
  'node:net',
  'child_process',
  'node:child_process',
];

const domainRestrictions = {
  paths: [
    ...FRAMEWORKS_AND_STORES.map((name) => ({ name, message: PURE_DOMAIN })),
    { name: '@honglian/service-kit', allowTypeImports: true, message: PURE_DOMAIN },
  ],
  patterns: [
    { regex: '^@honglian/service-kit/(?!domain$)', message: PURE_DOMAIN },
    { regex: '^@opentelemetry/', message: PURE_DOMAIN },
    { regex: '^(\\.\\./)+(api|app|data|events|imports|demo)(/|\\.js$)', message: DOMAIN_LAYERS },
    { regex: '^(\\.\\./)+(module|main|config|index)\\.js$', message: DOMAIN_LAYERS },
  ],
};

/**
 * Imports that broke these rules before they existed, per file: each listed import is allowed in
 * that file only, until the module migration removes it. Anything new fails. Keep it shrinking.
 */
export const BASELINE = {};

const merge = (...parts) => ({
  paths: parts.flatMap((p) => p.paths),
  patterns: parts.flatMap((p) => p.patterns),
});
/** The restrictions with these exact import specifiers let through. */
const allowing = (restrictions, specifiers) => {
  const exact = `(?!(?:${specifiers.map(escape).join('|')})$)`;
  return {
    paths: restrictions.paths.filter((p) => !specifiers.includes(p.name)),
    patterns: restrictions.patterns.map((p) => ({ ...p, regex: `^${exact}${p.regex.replace(/^\^/, '')}` })),
  };
};
const rule = (restrictions) => ({ 'no-restricted-imports': ['error', restrictions] });

/** Flat-config blocks; later blocks override earlier ones for a file, so each carries the full set. */
export function architectureRules() {
  const blocks = [
    {
      files: ['packages/**/*.{ts,js,mjs,cjs}'],
      // The suite composes services; the proof suite starts that suite to attack it whole.
      ignores: ['packages/cli/**', 'packages/proof/**'],
      rules: rule(serviceRestrictions(SERVICES, ONLY_CLI_COMPOSES)),
    },
  ];
  for (const service of SERVICES) {
    const others = serviceRestrictions(
      SERVICES.filter((s) => s.dir !== service.dir),
      NOT_ANOTHER_SERVICE,
    );
    blocks.push(
      { files: [`services/${service.dir}/**/*.{ts,js,mjs,cjs}`], rules: rule(others) },
      {
        files: [`services/${service.dir}/src/domain/**/*.ts`],
        rules: rule(merge(others, domainRestrictions)),
      },
      {
        files: [`services/${service.dir}/src/{app,api,events}/**/*.ts`],
        rules: rule(merge(others, storeRestrictions)),
      },
    );
    for (const [file, allowed] of Object.entries(BASELINE)) {
      if (!file.startsWith(`services/${service.dir}/`)) continue;
      const full = file.startsWith(`services/${service.dir}/src/domain/`)
        ? merge(others, domainRestrictions)
        : others;
      blocks.push({ files: [file], rules: rule(allowing(full, allowed)) });
    }
  }
  return blocks;
}
