import { Kafka, type Admin } from 'kafkajs';
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
  const newBus = () =>
    new KafkaEventBus({
      brokers,
      clientId: 'honglian-messaging-contract-test',
      partitions: 3,
      replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1000,
    });
  let admin: Admin | undefined;
  afterAll(() => admin?.disconnect());
  eventBusContract(`kafka (${brokers.join(',')})`, async () => {
    let bus = newBus();
    await bus.start();
    return {
      settled: async (groupId, members) => {
        admin ??= new Kafka({ clientId: 'honglian-messaging-contract-admin', brokers }).admin();
        await admin.connect();
        // Bounded by the test timeout.
        for (;;) {
          const [group] = (await admin.describeGroups([groupId])).groups;
          if (group?.state === 'Stable' && group.members.length === members) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      bus,
      publishRaw: (topic, message) => bus.publishRaw(topic, message),
      restart: async () => {
        await bus.stop();
        bus = newBus();
        await bus.start();
        return bus;
      },
      eventually: (assertion) => pollUntil(assertion, 40_000),
      teardown: () => bus.stop(),
    };
  });
}
