// A consumer process that dies (SIGKILL, no goodbye to the group, no commit) while handling the
// event whose `n` is CRASH_AT. Used by kafka-broker.e2e.test.ts; runs the built package (dist).
//   node crashing-consumer.mjs <brokers> <topic> <groupId> <crashAt> <seenFile>
import fs from 'node:fs';
import { defineEvent } from '@honglian/contracts';
import { z } from 'zod';
import { KafkaEventBus } from '../../dist/index.js';

const [brokers, topic, groupId, crashAt, seenFile] = process.argv.slice(2);
defineEvent(
  'honglian.test-bus.thing.happened.v1',
  z.object({ n: z.number().int().nonnegative(), note: z.string().optional() }),
);
const bus = new KafkaEventBus({
  brokers: brokers.split(','),
  clientId: 'honglian-crashing-consumer',
  partitions: 1,
  replicationFactor: 1,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1000,
});
await bus.start();
await bus.subscribe({
  groupId,
  topics: [topic],
  handler: async (event) => {
    const { n } = event.data;
    fs.appendFileSync(seenFile, `${n}\n`);
    if (n === Number(crashAt)) process.kill(process.pid, 'SIGKILL');
  },
});
fs.appendFileSync(seenFile, 'subscribed\n');
