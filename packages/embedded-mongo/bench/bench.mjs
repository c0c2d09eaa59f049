// Throughput of mongoose against the embedded server, for the operations the services issue.
// Build first, then: `npm run build -w packages/embedded-mongo && npm run bench -w packages/embedded-mongo`
// (`-- --quick` for a short run). Prints one line per operation: the rate, and the documents the
// server examined per operation (serverStatus scannedObjects), which shows whether an operation
// used an index (a handful) or scanned the collection (thousands). Asserts nothing.
import mongoose from 'mongoose';
import { connectTestDatabase, startEmbeddedMongo } from '../dist/index.js';

const QUICK = process.argv.includes('--quick');
const ORGS = Number(process.env.BENCH_DOCS ?? (QUICK ? 5_000 : 20_000));
const OPS = Number(process.env.BENCH_OPS ?? (QUICK ? 500 : 2_000));
const SCANS = Number(process.env.BENCH_SCANS ?? (QUICK ? 10 : 50));
const COUNTIES = ['331002', '331003', '331004', '331081'];

const server = await startEmbeddedMongo();
const conn = await mongoose.createConnection(server.uriFor('bench')).asPromise();
const { Schema } = mongoose;

// Shapes and indexes as the services declare them (org-registry, member-checkin, the outbox).
const OrgSchema = new Schema(
  {
    _id: String,
    county: String,
    kind: String,
    versions: [{ name: String, path: String, parentId: String, validFrom: String }],
    paths: [String],
  },
  { versionKey: false },
);
OrgSchema.index({ county: 1, kind: 1 });
OrgSchema.index({ paths: 1 });
OrgSchema.index({ 'versions.parentId': 1 });
const Org = conn.model('Org', OrgSchema);
const MemberSchema = new Schema(
  { _id: String, county: String, name: String, idHash: String, status: String },
  { versionKey: false },
);
MemberSchema.index({ idHash: 1 }, { unique: true });
MemberSchema.index({ county: 1 });
const Member = conn.model('Member', MemberSchema);
const AttendanceSchema = new Schema(
  { _id: String, memberId: String, activityId: String, status: String, checkInAt: Date },
  { versionKey: false },
);
AttendanceSchema.index({ memberId: 1, checkInAt: -1 });
AttendanceSchema.index({ activityId: 1 });
const Attendance = conn.model('Attendance', AttendanceSchema);
await Promise.all([Org.init(), Member.init(), Attendance.init()]);
const outbox = conn.collection('outbox');
await outbox.createIndex({ lane: 1, seq: 1 }, { unique: true, name: 'lane_seq_unique' });
await outbox.createIndex({ status: 1, lane: 1, seq: 1 }, { name: 'status_lane_seq' });
const sequences = conn.collection('outbox_sequence');
const admin = conn.db.admin();

async function scanned() {
  return (await admin.command({ serverStatus: 1 })).metrics.queryExecutor.scannedObjects;
}

async function timed(label, ops, unit, fn, { count = true } = {}) {
  const before = count ? await scanned() : 0;
  const start = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const examined = count
    ? `${(((await scanned()) - before) / ops).toFixed(1).padStart(8)} docs examined/op`
    : '';
  const rate = Math.round((ops / ms) * 1000);
  console.log(
    `${label.padEnd(58)} ${String(rate).padStart(7)} ${unit}/s  ${examined}  (${ops} in ${ms.toFixed(0)} ms)`,
  );
  return rate;
}

const org = (i) => {
  const county = COUNTIES[i % COUNTIES.length];
  const path = `/331000/${county}/c${i % 50}/org-${i}`;
  return {
    _id: `org-${String(i).padStart(6, '0')}`,
    county,
    kind: ['compound', 'building', 'grid'][i % 3],
    versions: [{ name: `单位${i}`, path, parentId: `c${i % 50}`, validFrom: '2024-01-01' }],
    paths: [path],
  };
};
const member = (i) => ({
  _id: `m-${String(i).padStart(6, '0')}`,
  county: COUNTIES[i % COUNTIES.length],
  name: `党员${i}`,
  idHash: `h${i}`,
  status: 'active',
});
const pick = (i, n) => (i * 7919) % n;

console.log(`node ${process.version}; ${ORGS} orgs, ${ORGS} members; ${OPS} operations per line`);
await timed(`insertMany orgs in batches of 1000`, ORGS, 'docs', async () => {
  for (let i = 0; i < ORGS; i += 1000)
    await Org.insertMany(
      Array.from({ length: Math.min(1000, ORGS - i) }, (_, j) => org(i + j)),
      { lean: true },
    );
});
await timed('insert with a unique index, one at a time (Model.create)', OPS, 'inserts', async () => {
  for (let i = 0; i < OPS; i++) await Member.create([member(i)]);
});
await Member.insertMany(
  Array.from({ length: ORGS - OPS }, (_, j) => member(OPS + j)),
  { lean: true },
);
await timed('indexed find: findById, lean', OPS, 'finds', async () => {
  for (let i = 0; i < OPS; i++)
    if (!(await Org.findById(org(pick(i, ORGS))._id).lean())) throw new Error('miss');
});
await timed('indexed find: findOne by a unique key, lean', OPS, 'finds', async () => {
  for (let i = 0; i < OPS; i++)
    if (!(await Member.findOne({ idHash: `h${pick(i, ORGS)}` }).lean())) throw new Error('miss');
});
await timed('indexed find: findOne on an array field (paths), lean', OPS, 'finds', async () => {
  for (let i = 0; i < OPS; i++) await Org.findOne({ paths: org(pick(i, ORGS)).paths[0] }).lean();
});
const processed = conn.collection('processed_events');
await processed.createIndex({ groupId: 1, eventId: 1 }, { unique: true, name: 'group_event_unique' });
await processed.insertMany(Array.from({ length: ORGS }, (_, j) => ({ groupId: 'g', eventId: `e${j}` })));
await timed(`compound key: processed {groupId, eventId}, ${ORGS} in the group`, OPS, 'finds', async () => {
  for (let i = 0; i < OPS; i++)
    if (!(await processed.findOne({ groupId: 'g', eventId: `e${pick(i, ORGS)}` }))) throw new Error('miss');
});
await timed(
  `scoped list: {county} sort _id limit 100 (${ORGS / COUNTIES.length} in scope)`,
  SCANS * 4,
  'pages',
  async () => {
    for (let i = 0; i < SCANS * 4; i++) {
      const page = await Org.find({ county: COUNTIES[i % COUNTIES.length] })
        .sort({ _id: 1 })
        .limit(100)
        .lean();
      if (page.length !== 100) throw new Error('short page');
    }
  },
);
await timed(
  'scoped list, next page: {county, _id > cursor} sort _id limit 100',
  SCANS * 4,
  'pages',
  async () => {
    for (let i = 0; i < SCANS * 4; i++)
      await Org.find({ county: COUNTIES[i % COUNTIES.length], _id: { $gt: org(ORGS / 2)._id } })
        .sort({ _id: 1 })
        .limit(100)
        .lean();
  },
);
await timed(`full scan: kind and name regex over ${ORGS} docs, lean`, SCANS, 'scans', async () => {
  for (let i = 0; i < SCANS; i++) await Org.find({ 'versions.name': /99$/ }).lean();
});

/** What withOutbox does around a check-in: read, lock, insert, reserve a sequence, insert the event. */
let txnSeq = 0;
async function checkinTransaction() {
  const i = txnSeq++;
  await conn.transaction(async (session) => {
    const m = await Member.findById(member(pick(i, ORGS))._id)
      .session(session)
      .lean();
    await Attendance.find({ memberId: m._id, status: 'open' }).session(session).lean();
    await Attendance.create(
      [{ _id: `att-${i}`, memberId: m._id, activityId: 'a-1', status: 'open', checkInAt: new Date() }],
      {
        session,
      },
    );
    const lane = i % 1024;
    const counter = await sequences.findOneAndUpdate(
      { _id: lane },
      { $inc: { seq: 1 } },
      { session, returnDocument: 'after', upsert: true },
    );
    await outbox.insertOne(
      {
        _id: `evt-${i}`,
        lane,
        seq: counter.seq,
        topic: 't',
        key: m._id,
        status: 'pending',
        event: { id: `evt-${i}` },
      },
      { session },
    );
  });
}
await timed('transaction: find, insert, sequence, outbox insert (empty outbox)', OPS, 'txns', async () => {
  for (let i = 0; i < OPS; i++) await checkinTransaction();
});
await outbox.updateMany({ status: 'pending' }, { $set: { status: 'sent' } });
await outbox.insertMany(
  Array.from({ length: ORGS }, (_, j) => ({
    _id: `old-${j}`,
    lane: 2000 + j,
    seq: 1,
    status: 'sent',
    event: {},
  })),
);
await timed(`transaction, as above, with ${ORGS} events in the outbox`, OPS, 'txns', async () => {
  for (let i = 0; i < OPS; i++) await checkinTransaction();
});
await timed('relay poll: {status: pending} sort lane, seq limit 100', SCANS * 4, 'polls', async () => {
  for (let i = 0; i < SCANS * 4; i++)
    await outbox.find({ status: 'pending' }).sort({ lane: 1, seq: 1 }).limit(100).toArray();
});
await timed('updateOne by _id ($set), as the relay marks an event sent', OPS, 'updates', async () => {
  for (let i = 0; i < OPS; i++)
    await outbox.updateOne({ _id: `evt-${i}` }, { $set: { status: 'sent', sentAt: new Date() } });
});

await conn.close();
await server.stop();

// What a service test pays for isolation: a fresh database, a mongoose
// connection to it, a first write (creates the collection), then the drop.
const FRESH = Number(process.env.BENCH_FRESH_DBS ?? (QUICK ? 50 : 200));
const freshRate = await timed(
  'fresh test database (connect, insert, drop)',
  FRESH,
  'dbs',
  async () => {
    for (let i = 0; i < FRESH; i++) {
      const t = await connectTestDatabase();
      const c = await mongoose.createConnection(t.uri).asPromise();
      await c.collection('probe').insertOne({ i });
      await c.close();
      await t.stop();
    }
  },
  { count: false },
);
console.log(`${'  = per database'.padEnd(58)} ${(1000 / freshRate).toFixed(2).padStart(7)} ms`);
