// Outbox writers at once: transactions of distinct aggregates, each writing one document and one
// event through withOutbox on the embedded MongoDB. Prints transactions/s and p50/p99 per
// concurrency; asserts nothing. Run after a build, from packages/messaging:
//   node bench/concurrent-writers.mjs [transactions] [concurrency...]
import { createEvent, defineEvent } from '@honglian/contracts';
import { connectTestDatabase } from '@honglian/embedded-mongo';
import mongoose from 'mongoose';
import { z } from 'zod';
import { withOutbox } from '../dist/index.js';

const Logged = defineEvent('honglian.bench.thing.logged.v1', z.object({ n: z.number() }));
const N = Number(process.argv[2] ?? 400);
const levels = process.argv.slice(3).map(Number);

for (const concurrency of levels.length ? levels : [1, 5, 20]) {
  const db = await connectTestDatabase();
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const Thing = conn.model('Thing', new mongoose.Schema({ key: String, n: Number }));
  await Thing.init();
  let next = 0;
  const latencies = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < N) {
        const i = next++;
        const started = performance.now();
        await withOutbox(conn, async (session, outbox) => {
          await Thing.create([{ key: `k-${i}`, n: i }], { session });
          outbox.add(
            'honglian.bench.v1',
            createEvent({ type: Logged.type, source: '/bench', subject: `k-${i}`, data: { n: i } }),
          );
        });
        latencies.push(performance.now() - started);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
  console.log(
    `concurrency ${String(concurrency).padStart(3)}: ${(N / seconds).toFixed(0).padStart(5)} transactions/s, ` +
      `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
  );
  await conn.close();
  await db.stop();
}
