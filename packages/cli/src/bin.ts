#!/usr/bin/env node
/**
 * The `honglian` command. Telemetry (when OTEL_ENABLED) must be set up before
 * the services' modules load, so they are imported only after it.
 */
const USAGE = `Usage: honglian <command>

Commands:
  start       run every service in one process (gateway on PORT, default 8080)
  import FILE import a CSV or XLSX file into a running suite's registry, as a job
              --kind orgs|firms|contracts|pairings|members|workbook (default: workbook for .xlsx)
              --dry-run (validate only)  --url URL (default http://localhost:8080)
              --user NAME (default city-admin; password HONGLIAN_PASSWORD or the demo one)
              or HONGLIAN_TOKEN=<access token> (e.g. from Keycloak)
  seed        import a generated city into a running suite (2 counties, 100 compounds, …)
              --members N (default 2000)  --counties 331004,331081 (default: beside the demo's)
              --url, --user as for import
  pii rotate  re-encrypt the registry's ID numbers and phones from PII_KEY_PREVIOUS to PII_KEY
              (and recompute their hashes), on MONGO_URL or DATA_DIR; resumable
              --dry-run (check and count only)  --batch-size N (default 500)
  help        show this text

Environment: PORT, HONGLIAN_URL, HONGLIAN_TOKEN, HONGLIAN_PASSWORD, HOST, LOG_LEVEL, MONGO_URL, DATA_DIR, PII_KEY, PII_KEY_PREVIOUS, OTEL_ENABLED, OTEL_EXPORTER_OTLP_ENDPOINT (see README).
`;

const [command] = process.argv.slice(2);

if (command === 'start') {
  await import('@honglian/service-kit/telemetry');
  const { runStart } = await import('./start.js');
  await runStart();
} else if (command === 'import' || command === 'seed') {
  const { runImport, runSeed } = await import('./remote.js');
  process.exitCode = await (command === 'import' ? runImport : runSeed)(process.argv.slice(3));
} else if (command === 'pii') {
  const { runPii } = await import('./pii.js');
  process.exitCode = await runPii(process.argv.slice(3));
} else if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`honglian: unknown command "${command}"\n\n${USAGE}`);
  process.exitCode = 2;
}
