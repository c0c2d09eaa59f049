// Throughput of mongoose against the embedded server (build first:
// `npm run build -w packages/embedded-mongo`, then `npm run bench -w packages/embedded-mongo`).
import mongoose from 'mongoose';
import { connectTestDatabase, startEmbeddedMongo } from '../dist/index.js';

const COLLECTION_SIZE = Number(process.env.BENCH_DOCS ?? 10_000);
const SINGLE_OPS = Number(process.env.BENCH_OPS ?? 2_000);
const SCANS = Number(process.env.BENCH_SCANS ?? 50);

const server = await startEmbeddedMongo();
const conn = await mongoose.createConnection(server.uriFor('bench')).asPromise();
const User = conn.model(
  'User',
  new mongoose.Schema({ email: { type: String, unique: true }, name: String, age: Number, tags: [String] }),
);
await User.init();

async function timed(label, ops, unit, fn) {
  const start = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rate = Math.round((ops / ms) * 1000);
  console.log(`${label.padEnd(44)} ${String(rate).padStart(8)} ${unit}/s  (${ops} in ${ms.toFixed(0)} ms)`);
  return rate;
}

const doc = (i) => ({
  email: `user${i}@example.org`,
  name: `User ${i}`,
  age: i % 90,
  tags: ['a', `t${i % 7}`],
});

await timed('insert one at a time (Model.create)', SINGLE_OPS, 'inserts', async () => {
  for (let i = 0; i < SINGLE_OPS; i++) await User.create(doc(i));
});
const bulk = COLLECTION_SIZE - SINGLE_OPS;
await timed(`insertMany in batches of 1000`, bulk, 'docs', async () => {
  for (let i = SINGLE_OPS; i < COLLECTION_SIZE; i += 1000)
    await User.insertMany(
      Array.from({ length: Math.min(1000, COLLECTION_SIZE - i) }, (_, j) => doc(i + j)),
      { lean: true },
    );
});
await timed('indexed find (findOne by unique email, lean)', SINGLE_OPS, 'finds', async () => {
  for (let i = 0; i < SINGLE_OPS; i++) {
    const u = await User.findOne({ email: `user${(i * 7919) % COLLECTION_SIZE}@example.org` }).lean();
    if (!u) throw new Error('missing document');
  }
});
await timed('findById (lean)', SINGLE_OPS, 'finds', async () => {
  const ids = (await User.find({}, { _id: 1 }).limit(SINGLE_OPS).lean()).map((d) => d._id);
  for (const id of ids) await User.findById(id).lean();
});
let matched = 0;
const scanRate = await timed(
  `full scan (age > 80 over ${COLLECTION_SIZE} docs, lean)`,
  SCANS,
  'scans',
  async () => {
    for (let i = 0; i < SCANS; i++) matched = (await User.find({ age: { $gt: 80 } }).lean()).length;
  },
);
console.log(
  `${'  = documents examined'.padEnd(44)} ${String(scanRate * COLLECTION_SIZE).padStart(8)} docs/s  (${matched} returned per scan)`,
);
await timed(`count scan (countDocuments, non-indexed)`, SCANS, 'scans', async () => {
  for (let i = 0; i < SCANS; i++) await User.countDocuments({ tags: 't3' });
});
await timed('updateOne by unique email ($inc)', SINGLE_OPS, 'updates', async () => {
  for (let i = 0; i < SINGLE_OPS; i++)
    await User.updateOne({ email: `user${i}@example.org` }, { $inc: { age: 1 } });
});

await conn.close();
await server.stop();

// What a service test pays for isolation: a fresh database, a mongoose
// connection to it, a first write (creates the collection), then the drop.
const FRESH = Number(process.env.BENCH_FRESH_DBS ?? 200);
const freshRate = await timed('fresh test database (connect, insert, drop)', FRESH, 'dbs', async () => {
  for (let i = 0; i < FRESH; i++) {
    const t = await connectTestDatabase();
    const c = await mongoose.createConnection(t.uri).asPromise();
    await c.collection('probe').insertOne({ i });
    await c.close();
    await t.stop();
  }
});
console.log(`${'  = per database'.padEnd(44)} ${(1000 / freshRate).toFixed(2).padStart(8)} ms`);
