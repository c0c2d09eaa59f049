/**
 * The real Kafka of a test run: KAFKA_BROKERS (e.g. from `npm run stack:up`), or null after telling
 * why the suite is skipped — on stderr too, since jest hides the console output of suites that only
 * skip. REAL_SERVERS_UNAVAILABLE (set by .ci/run where java or mvn is missing) says why there is none.
 */
export function realKafkaBrokers(suite: string): string[] | null {
  const brokers =
    process.env.KAFKA_BROKERS?.split(',')
      .map((b) => b.trim())
      .filter(Boolean) ?? [];
  if (brokers.length > 0) return brokers;
  const why = process.env.REAL_SERVERS_UNAVAILABLE;
  const reason =
    `${suite} skipped: KAFKA_BROKERS not set` +
    (why
      ? ` (no real servers: ${why})`
      : ' (start a broker with `npm run stack:up`, then KAFKA_BROKERS=127.0.0.1:9092)');
  console.warn(reason);
  process.stderr.write(`\n[@honglian/messaging] ${reason}\n`);
  return null;
}
