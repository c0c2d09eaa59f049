import { ConfigError, createLogger, exitOnSignal, loadConfigOrExit } from '@honglian/service-kit';
import { SUITE_CONFIG_OPTIONS, SuiteConfigSchema, startSuite, type RunningSuite } from './suite.js';

/** `honglian start`: the whole suite in one process, for a laptop or a demo. */
export async function runStart(out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const config = loadConfigOrExit(SuiteConfigSchema, process.env, SUITE_CONFIG_OPTIONS);
  // Logs (JSON) go to stderr so stdout carries only the status lines people read.
  const logger = createLogger({ name: 'honglian', level: config.LOG_LEVEL, destination: process.stderr });
  let suite: RunningSuite;
  try {
    suite = await startSuite(config, logger);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(err.message + '\n');
    process.exit(1);
  }
  // The gateway's drain, then the services' (in parallel), then the bus and the database.
  exitOnSignal(() => suite.close(), { logger, timeoutMs: 2 * config.SHUTDOWN_TIMEOUT_MS + 2000 });
  for (const s of suite.all()) {
    out.write(`honglian  ${s.name.padEnd(20)} ${s.url.padEnd(24)} ${s.prefix}\n`);
  }
  const publicUrl = suite.gateway.http.url.replace('127.0.0.1', 'localhost');
  out.write(
    `honglian  ready at ${publicUrl}  (health ${publicUrl}/healthz, API ${publicUrl}/api/v1, ` +
      `docs ${publicUrl}/docs, tokens ${suite.identity.tokenUrl()})\n`,
  );
}
