#!/usr/bin/env node
/**
 * The `honglian` command. Telemetry (when OTEL_ENABLED) must be set up before
 * the services' modules load, so they are imported only after it.
 */
const USAGE = `Usage: honglian <command>

Commands:
  start     run every service in one process (gateway on PORT, default 8080)
  help      show this text

Environment: PORT, HOST, LOG_LEVEL, MONGO_URL, OTEL_ENABLED, OTEL_EXPORTER_OTLP_ENDPOINT (see README).
`;

const [command] = process.argv.slice(2);

if (command === 'start') {
  await import('@honglian/service-kit/telemetry');
  const { runStart } = await import('./start.js');
  await runStart();
} else if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`honglian: unknown command "${command}"\n\n${USAGE}`);
  process.exitCode = 2;
}
