import { KafkaEventBus } from '../src/index.js';
import { eventBusContract } from './support/contract.js';
import { pollUntil } from './support/poll.js';

// Runs the EventBus contract against a real Kafka when KAFKA_BROKERS is set, e.g.
//   KAFKA_BROKERS=localhost:9092 npx turbo run test --filter=@honglian/messaging
const brokers =
  process.env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean) ?? [];

if (brokers.length === 0) {
  const reason = 'Kafka EventBus contract skipped: KAFKA_BROKERS not set (e.g. KAFKA_BROKERS=localhost:9092)';
  // jest hides console output of suites that only skip: write to stderr as well.
  console.warn(reason);
  process.stderr.write(`\n[@honglian/messaging] ${reason}\n`);
  describe.skip('EventBus contract: kafka (skipped: KAFKA_BROKERS not set)', () => {
    it('needs a Kafka broker', () => {});
  });
} else {
  jest.setTimeout(60_000);
  eventBusContract(`kafka (${brokers.join(',')})`, async () => {
    const bus = new KafkaEventBus({
      brokers,
      clientId: 'honglian-messaging-contract-test',
      partitions: 3,
      replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1000,
    });
    await bus.start();
    return {
      bus,
      publishRaw: (topic, message) => bus.publishRaw(topic, message),
      eventually: (assertion) => pollUntil(assertion, 40_000),
      teardown: () => bus.stop(),
    };
  });
}
