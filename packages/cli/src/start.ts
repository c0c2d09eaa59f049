import { createLogger, exitOnSignal, loadConfigOrExit } from '@honglian/service-kit';
import { SuiteConfigSchema, startSuite } from './suite.js';

/** `honglian start`: the whole suite in one process, for a laptop or a demo. */
export async function runStart(out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const config = loadConfigOrExit(SuiteConfigSchema);
  const logger = createLogger({ name: 'honglian', level: config.LOG_LEVEL });
  const suite = await startSuite(config, logger);
  exitOnSignal(() => suite.close(), { logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS + 1000 });
  for (const s of suite.all()) {
    out.write(`honglian  ${s.name.padEnd(20)} ${s.url.padEnd(24)} ${s.prefix}\n`);
  }
  const publicUrl = suite.gateway.http.url.replace('127.0.0.1', 'localhost');
  out.write(`honglian  ready at ${publicUrl}  (health ${publicUrl}/healthz, API ${publicUrl}/api/v1)\n`);
}
