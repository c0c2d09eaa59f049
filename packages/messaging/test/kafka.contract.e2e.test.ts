import { Kafka, type Admin } from 'kafkajs';
import { KafkaEventBus } from '../src/index.js';
import { eventBusContract } from './support/contract.js';
import { pollUntil } from './support/poll.js';
import { realKafkaBrokers } from './support/real-kafka.js';

// Runs the EventBus contract against a real Kafka when KAFKA_BROKERS is set, e.g.
//   npm run stack:up && KAFKA_BROKERS=127.0.0.1:9092 npx turbo run test --filter=@honglian/messaging
const brokers = realKafkaBrokers('Kafka EventBus contract (kafka.contract.test.ts)') ?? [];

if (brokers.length === 0) {
  describe.skip('EventBus contract: kafka (skipped: KAFKA_BROKERS not set)', () => {
    it('needs a Kafka broker', () => {});
  });
} else {
  // Generous: group joins and rebalances on a shared two-core machine can take many seconds.
  jest.setTimeout(180_000);
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
      eventually: (assertion) => pollUntil(assertion, 120_000),
      teardown: () => bus.stop(),
    };
  });
}
