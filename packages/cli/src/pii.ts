/**
 * `honglian pii rotate`: re-seals the registry's personal data (ID numbers, phones: ciphertexts and
 * keyed hashes) from PII_KEY_PREVIOUS to PII_KEY, directly on the registry's database (MONGO_URL,
 * or the embedded server's DATA_DIR as `honglian start` uses it). Procedure: deploy/README.md,
 * Rotating PII_KEY. Prints key fingerprints and counts, never a key nor a value.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  BaseConfigSchema,
  ConfigError,
  createLogger,
  databaseOptionsOf,
  loadConfig,
  openDatabaseServer,
  type DatabaseServer,
} from '@honglian/service-kit';
import {
  orgRegistryModule,
  piiKeyOf,
  previousPiiKeyOf,
  rotateRegistryPiiKey,
  type RotationProgress,
} from '@honglian/org-registry';
import { z } from 'zod';
import { SUITE_CONFIG_OPTIONS, SuiteConfigSchema } from './suite.js';

export const PII_USAGE = `Usage: honglian pii rotate [--dry-run] [--batch-size N]

Re-encrypts every ID number and phone of the registry and recomputes their keyed hashes, from the
old key PII_KEY_PREVIOUS to the new key PII_KEY (both base64, at least 32 bytes). Run it once the
registry runs with PII_KEY=new and PII_KEY_PREVIOUS=old; then drop PII_KEY_PREVIOUS. Safe to
re-run and to resume: members already on the new key are skipped.

  --dry-run       check that every value opens and print what would change; write nothing
  --batch-size N  members per batch (default 500)

Database: MONGO_URL, else the embedded server's DATA_DIR (default .honglian-data; stop
\`honglian start\` first: one process at a time owns a data directory).
`;

const PiiConfigSchema = BaseConfigSchema.pick({ NODE_ENV: true, MONGO_URL: true, MONGO_IMPL: true }).extend({
  LOG_LEVEL: BaseConfigSchema.shape.LOG_LEVEL.unwrap().default('warn'),
  DATA_DIR: SuiteConfigSchema.shape.DATA_DIR,
  PII_KEY: z.string({ error: 'required: the new key (base64, at least 32 bytes)' }).min(1),
  PII_KEY_PREVIOUS: z
    .string({ error: 'required: the key being replaced (base64, at least 32 bytes)' })
    .min(1),
});

const counts = (p: RotationProgress) =>
  `${p.resealed.members} members (${p.resealed.idNumbers} ID numbers, ${p.resealed.phones} phones)`;

/** `honglian pii …`; resolves to the exit code (0 done, 1 failed or left members behind, 2 usage). */
export async function runPii(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let values: { 'dry-run'?: boolean; 'batch-size'?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean' },
        'batch-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    err.write(`honglian pii: ${(e as Error).message}\n\n${PII_USAGE}`);
    return 2;
  }
  if (values.help) {
    out.write(PII_USAGE);
    return 0;
  }
  const batchSize = values['batch-size'] === undefined ? 500 : Number(values['batch-size']);
  if (
    positionals.length !== 1 ||
    positionals[0] !== 'rotate' ||
    !Number.isInteger(batchSize) ||
    batchSize < 1
  ) {
    err.write(`honglian pii: expected \`rotate\` (and a whole --batch-size)\n\n${PII_USAGE}`);
    return 2;
  }
  let keys: { key: Buffer; previousKey: Buffer };
  let config: z.infer<typeof PiiConfigSchema>;
  try {
    config = loadConfig(PiiConfigSchema, env, SUITE_CONFIG_OPTIONS);
    keys = { key: piiKeyOf(config), previousKey: previousPiiKeyOf(config)! };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err.write(`honglian pii: ${e.message}\n`);
    return 2;
  }
  if (!config.MONGO_URL && !config.DATA_DIR) {
    err.write('honglian pii: set MONGO_URL or DATA_DIR (an in-memory database has nothing to rotate)\n');
    return 2;
  }
  if (!config.MONGO_URL && !existsSync(path.join(config.DATA_DIR, 'embedded-mongo.snapshot'))) {
    err.write(`honglian pii: no embedded database in DATA_DIR ${config.DATA_DIR} (nothing to rotate)\n`);
    return 2;
  }
  const dryRun = values['dry-run'] ?? false;
  const logger = createLogger({ name: 'honglian', level: config.LOG_LEVEL, destination: process.stderr });
  let databases: DatabaseServer | undefined;
  try {
    databases = await openDatabaseServer({
      ...databaseOptionsOf(config, logger),
      ...(config.MONGO_URL ? {} : { dataDir: config.DATA_DIR }),
    });
    const db = await databases.connect(orgRegistryModule.name);
    const where = config.MONGO_URL ? 'MONGO_URL' : `DATA_DIR ${config.DATA_DIR}`;
    out.write(
      `honglian pii rotate${dryRun ? ' (dry run)' : ''}: ${orgRegistryModule.name} database on ${where}\n`,
    );
    let announced = false;
    const report = await rotateRegistryPiiKey(db, keys, logger, {
      dryRun,
      batchSize,
      onBatch: (p) => {
        if (!announced) {
          out.write(`  ${p.pending} members not on the new key\n`);
          announced = true;
        }
        out.write(
          `  ${dryRun ? 'would re-seal' : 're-sealed'} ${counts(p)}; read ${p.scanned}` +
            `${p.failed ? `; ${p.failed} failed` : ''}\n`,
        );
      },
    });
    out.write(`  key ${report.previousKeyId} -> ${report.keyId} (fingerprints)\n`);
    for (const f of report.failures.slice(0, 20)) {
      out.write(`  FAILED ${f.memberId}: ${f.reason}\n`);
    }
    if (report.failures.length > 20) out.write(`  … and ${report.failures.length - 20} more failed\n`);
    if (dryRun) {
      out.write(
        `done (dry run): would re-seal ${counts(report)}; ${report.failures.length} unreadable; nothing written\n`,
      );
      return report.failures.length > 0 ? 1 : 0;
    }
    out.write(
      `done: re-sealed ${counts(report)}; ${report.remaining} members still not on the new key; ` +
        `${report.failures.length} failed\n`,
    );
    if (report.failures.some((f) => f.reason === 'unreadable')) {
      err.write('honglian pii: some values open with neither key: is PII_KEY_PREVIOUS the old key?\n');
    }
    if (report.failures.some((f) => f.reason === 'hash-taken')) {
      err.write(
        'honglian pii: some ID numbers are registered twice (once per key): merge those members, then re-run\n',
      );
    }
    return report.failures.length > 0 || report.remaining > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`honglian pii: ${e.message}\n`);
      return 2;
    }
    err.write(`honglian pii: the rotation stopped: ${(e as Error).message}\n(re-run it to resume)\n`);
    return 1;
  } finally {
    await databases?.close();
  }
}
