import { randomUUID } from 'node:crypto';
import { kafkaConfigFromEnv, kafkaInspector, type KafkaInspector } from '@honglian/messaging';
import { requireRealServer } from '@honglian/testkit';
import { runScenario, summary, type RunOptions, type RunOutcome } from './delivery/harness.js';

/**
 * Duplicate delivery and crashes. COUNT check-ins (10,000 in the long mode) (attendance.recorded, written into
 * member-checkin's outbox as its app layer does) flow through the whole suite to volunteer-points
 * (ledger) and assessment (facts, ratings), once on a plain in-process bus, then with every event
 * delivered three times, consumers crashing before or after their handler (never so often that a
 * message is dead-lettered), and member-checkin's outbox relay restarted in the middle of its
 * batches (gracefully and as a crash that loses the batch's marks) — on the in-process bus and,
 * when KAFKA_BROKERS is set, on Kafka. Each run is checked against the points rules computed here
 * (one entry per check-in; per member and day min(12, Σ min(h, 8)) points), and the chaos runs
 * against the clean one: the same balances, entries, facts and ratings; nothing lost, nothing
 * counted twice; no dead letter. Waits are bounded polls until the pipelines are quiet.
 */
const LONG = process.env.PROOF_LONG === '1' || process.env.PROOF_LONG === 'true';
/**
 * Check-ins per run: 500 by default (every run of `npm test`, CI's included: a few minutes on two
 * cores), the full 10,000 with PROOF_LONG=1 (about 15 minutes per run), or any count.
 */
const COUNT = Number(process.env.PROOF_DELIVERY_COUNT || (LONG ? 10_000 : 500));
const SEED = Number(process.env.PROOF_SEED ?? 20_250_106);
/** The n-th attendance publishes at which the check-in relay is restarted (mid-batch: batches are 100). */
const RESTART_AT = [0.015, 0.255, 0.505, 0.755].map((f) => Math.max(1, Math.round(f * COUNT)));
const CRASH_RATE = 0.04;
// Bounds of the waits, not expectations: 10,000 check-ins through the embedded database on two
// shared cores take tens of minutes per run (the figures print each run's time).
const WAIT_MS = (LONG ? 60 : 20) * 60_000;
jest.setTimeout((LONG ? 4 * 60 : 60) * 60_000);

const log = (line: string) => console.log(line);
const base = (label: string): Omit<RunOptions, 'busEnv' | 'chaos'> => ({
  label,
  seed: SEED,
  count: COUNT,
  crashRate: CRASH_RATE,
  restartAt: RESTART_AT,
  waitMs: WAIT_MS,
  log,
});

/** A run, its failure printed at once (jest reports it only after the file's other runs). */
const attempt = (options: RunOptions): Promise<RunOutcome> =>
  runScenario(options).catch((error: unknown) => {
    log(`${options.label} failed: ${error instanceof Error ? error.stack : String(error)}`);
    throw error;
  });

/** No mismatch; when there are some, the first ones are what the failure shows. */
function expectNone(mismatches: string[]): void {
  expect({ count: mismatches.length, first: mismatches.slice(0, 40) }).toEqual({ count: 0, first: [] });
}

/** What a chaos run must share with the clean run: every figure that is not about delivery. */
function differences(run: RunOutcome, clean: RunOutcome): string[] {
  const out: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      out.push(`${what}: ${JSON.stringify(a)} ≠ clean ${JSON.stringify(b)}`);
  };
  for (const m of Object.keys(clean.balances)) same(`balance of ${m}`, run.balances[m], clean.balances[m]);
  for (const m of Object.keys(clean.awards))
    same(`attendance awards of ${m}`, run.awards[m], clean.awards[m]);
  // A handler run twice would emit its events again under new ids: as many distinct events as clean.
  same('distinct events published', run.stats.events, clean.stats.events);
  same('ledger entries', run.ledgerEntries, clean.ledgerEntries);
  same('facts', run.facts, clean.facts);
  same('rated subjects', Object.keys(run.ratings).sort(), Object.keys(clean.ratings).sort());
  for (const [subject, r] of Object.entries(clean.ratings))
    same(`rating of ${subject}`, run.ratings[subject], r);
  return out;
}

/** The chaos actually happened: a run without duplicates or crashes would prove nothing. */
function expectChaos(run: RunOutcome): void {
  const s = run.stats;
  expect(s.messages).toBe(3 * s.published);
  expect(s.duplicates).toBeGreaterThanOrEqual(2 * run.plan.length);
  expect(s.crashesBefore).toBeGreaterThan(0);
  expect(s.crashesAfter).toBeGreaterThan(0);
  expect(s.maxCrashesOfOneMessage).toBeLessThan(5);
  expect(s.acksLost).toBe(RESTART_AT.length);
  expect(run.restarts.map((r) => r.kind)).toEqual(['graceful', 'crash', 'graceful', 'crash']);
  expect(run.restarts.every((r) => r.pendingAfterStop > 0)).toBe(true);
}

/**
 * The plain in-process run: the reference of the chaos runs (Kafka's included), run once (alone,
 * with `-t Kafka`, the Kafka case starts it); a failed one fails every comparison without a rerun.
 */
let plainRun: Promise<RunOutcome> | undefined;
const reference = (): Promise<RunOutcome> =>
  (plainRun ??= attempt({ ...base('in-process, plain'), busEnv: {}, chaos: false }).then((run) => {
    log(summary(run, run.mismatches.length));
    return run;
  }));

describe(`duplicate delivery and crashes: ${COUNT.toLocaleString('en-US')} check-ins to points and assessment`, () => {
  it('a plain in-process run gives exactly what the points rules say (the reference)', async () => {
    const run = await reference();
    expectNone(run.mismatches);
    expect(run.stats.duplicates).toBe(0);
    expect(run.stats.crashesBefore + run.stats.crashesAfter).toBe(0);
  });

  it('in-process: every event three times, consumers crashing, the relay restarted mid-batch — the same ledger and ratings', async () => {
    const plain = await reference();
    expectNone(plain.mismatches);
    const run = await attempt({ ...base('in-process, chaos'), busEnv: {}, chaos: true });
    const mismatches = [...run.mismatches, ...differences(run, plain)];
    log(summary(run, mismatches.length));
    log(`  relay restarts: ${JSON.stringify(run.restarts)}`);
    expectNone(mismatches);
    expectChaos(run);
  });
});

const what = 'the duplicate-delivery proof on Kafka (delivery.e2e.test.ts)';
const brokers = requireRealServer('KAFKA_BROKERS', what);
if (!brokers) {
  describe.skip(`${what} (skipped: KAFKA_BROKERS not set)`, () => {
    it('needs KAFKA_BROKERS (npm run stack:up, then the variables of npm run stack:env)', () => {});
  });
} else {
  describe(`duplicate delivery and crashes on Kafka (${brokers})`, () => {
    // Its own topics and consumer groups on the shared broker, deleted afterwards.
    const namespace = `proof-delivery-${randomUUID().slice(0, 8)}.`;
    const config = kafkaConfigFromEnv({ ...process.env, KAFKA_NAMESPACE: namespace })!;
    let inspector: KafkaInspector;
    beforeAll(() => {
      inspector = kafkaInspector(config);
    });
    afterAll(async () => {
      await inspector?.deleteNamespace().catch(() => {});
      await inspector?.close();
    });

    it('every event three times, consumers crashing, the relay restarted mid-batch — the same ledger and ratings as the plain run', async () => {
      // The reference is the plain in-process run of this file (same check-ins, same seed).
      const plain = await reference();
      expectNone(plain.mismatches);
      const run = await attempt({
        ...base('Kafka, chaos'),
        busEnv: {
          ...process.env,
          KAFKA_NAMESPACE: namespace,
          KAFKA_REPLICATION_FACTOR: process.env.KAFKA_REPLICATION_FACTOR ?? '1',
        },
        chaos: true,
        inspector,
      });
      const mismatches = [...run.mismatches, ...differences(run, plain)];
      log(summary(run, mismatches.length));
      log(`  relay restarts: ${JSON.stringify(run.restarts)}`);
      expectNone(mismatches);
      expectChaos(run);
    });
  });
}
