// The all-in-one suite under test, in a process of its own (as `npm start` runs it), driven by
// bench/run.mjs over IPC. Starts exactly what `honglian start` starts (startSuite), in memory
// (no DATA_DIR), with the rate limits raised so they do not cap the load. Besides the suite it
// offers the driver: RSS (current and peak since the last reset), document counts in the
// embedded database, and a probe consumer on the suite's event bus (an idempotent handler that
// writes its effect in a transaction, like the suite's own consumers) that records when each
// event's effect committed.
//
// Two hooks reach objects startSuite keeps to itself: the embedded server and the in-process bus
// are captured when they start. They only record the instance; nothing else changes.
if (process.env.OTEL_ENABLED === 'true') await import('@honglian/service-kit/telemetry');

const { EmbeddedMongo } = await import('@honglian/embedded-mongo');
const { InProcessEventBus, idempotent } = await import('@honglian/messaging');
const { createLogger, loadConfig } = await import('@honglian/service-kit');
const { SuiteConfigSchema, startSuite } = await import('@honglian/cli');
const { default: mongoose } = await import('mongoose');

let database;
let bus;
const startDatabase = EmbeddedMongo.start;
EmbeddedMongo.start = async function (...args) {
  database = await startDatabase.apply(this, args);
  return database;
};
const startBus = InProcessEventBus.prototype.start;
InProcessEventBus.prototype.start = async function (...args) {
  // eslint-disable-next-line @typescript-eslint/no-this-alias -- keeping the instance is the point
  bus ??= this;
  return startBus.apply(this, args);
};

const send = (msg) => process.send?.(msg);
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
sampler.unref();

const config = loadConfig(SuiteConfigSchema, {
  ...process.env,
  PORT: '0',
  SERVICE_PORT_BASE: '0',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
// Memory only: a bench must not read or leave a snapshot behind.
config.DATA_DIR = '';
const logger = createLogger({ name: 'honglian', level: config.LOG_LEVEL, destination: process.stderr });
const t0 = performance.now();
// the in-process bus whatever KAFKA_* the environment holds: the bench measures the all-in-one
const suite = await startSuite(config, logger, { busEnv: {} });
const startupMs = performance.now() - t0;

let probe;
let counter;
let inspector;
/** Subscribes a consumer group to `topic`; every event's effect is a document written with it. */
async function startProbe(topic) {
  const conn = await mongoose.createConnection(database.uriFor('bench-probe')).asPromise();
  const arrivals = [];
  const subscriber = await bus.subscribe({
    groupId: 'bench.probe',
    topics: [topic],
    fromBeginning: false,
    handler: idempotent(conn, 'bench.probe', async (event, { session }) => {
      await conn
        .collection('effects')
        .insertOne({ _id: event.id, type: event.type, subject: event.subject }, { session });
      // wall clock: compared with the event's own `time`, stamped by the producing service
      arrivals.push({ id: event.id, type: event.type, time: event.time, at: Date.now() });
    }),
  });
  probe = { conn, subscriber, arrivals };
}

process.on('message', async (msg) => {
  const reply = (body) => send({ id: msg.id, ...body });
  try {
    if (msg.type === 'rss') reply({ rss: process.memoryUsage().rss, peak: peakRss });
    else if (msg.type === 'cpu') reply({ cpu: process.cpuUsage() });
    else if (msg.type === 'reset-peak') {
      peakRss = process.memoryUsage().rss;
      reply({ rss: peakRss });
    } else if (msg.type === 'count') {
      counter ??= await mongoose.createConnection(database.uriFor('admin')).asPromise();
      const n = await counter
        .useDb(msg.db, { useCache: true })
        .collection(msg.collection)
        .countDocuments(msg.filter ?? {});
      reply({ n });
    } else if (msg.type === 'db-commands') {
      // every command the embedded server ran (serverStatus metrics.commands): round trips per request
      counter ??= await mongoose.createConnection(database.uriFor('admin')).asPromise();
      const status = await counter.db.admin().command({ serverStatus: 1 });
      const byName = Object.fromEntries(
        Object.entries(status.metrics.commands ?? {}).map(([name, c]) => [name, Number(c.total)]),
      );
      reply({ total: Object.values(byName).reduce((a, b) => a + b, 0), byName });
    } else if (msg.type === 'probe-start') {
      await startProbe(msg.topic);
      reply({});
    } else if (msg.type === 'probe-take') reply({ arrivals: probe ? probe.arrivals.splice(0) : [] });
    else if (msg.type === 'profile-start') {
      inspector ??= new (await import('node:inspector/promises')).Session();
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
      reply({});
    } else if (msg.type === 'profile-stop') {
      const { profile } = await inspector.post('Profiler.stop');
      inspector.disconnect();
      await (await import('node:fs/promises')).writeFile(msg.file, JSON.stringify(profile));
      reply({ file: msg.file });
    } else if (msg.type === 'stop') {
      await probe?.subscriber.close();
      await probe?.conn.close();
      await counter?.close();
      await suite.close();
      reply({});
      process.exit(0);
    }
  } catch (err) {
    reply({ error: String(err?.stack ?? err) });
  }
});

send({
  type: 'ready',
  startupMs,
  gateway: suite.gateway.http.url,
  services: Object.fromEntries(suite.services.map((s) => [s.handle.name, s.http.url])),
  rss: process.memoryUsage().rss,
  otel: process.env.OTEL_ENABLED === 'true',
});
