import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SuiteConfigSchema, startSuite, type RunningSuite } from '@honglian/cli';
import { createLogger } from '@honglian/service-kit';
import { demoActors, Tokens } from './actors.js';
import type { ProofContext } from './context.js';
import { disclosing } from './discover.js';
import { Gateway, is2xx, isObject, type Exchange, type Json } from './http.js';
import { operationsOf, templateMatcher } from './openapi.js';
import { PiiScanner } from './pii.js';
import { World } from './world.js';

/**
 * Knobs from the environment: PROOF_LONG=1 for the long mode (more objects per path, 100 fuzz
 * runs per endpoint), PROOF_RUNS=<n> fuzz runs per write endpoint in either mode, PROOF_SEED to
 * replay another seed, PROOF_CONCURRENCY requests in flight (default 8).
 */
export const SETTINGS = (() => {
  const runs = Number(process.env.PROOF_RUNS ?? '');
  const long = process.env.PROOF_LONG === '1' || process.env.PROOF_LONG === 'true';
  const fuzzRuns = runs > 0 ? Math.floor(runs) : long ? 100 : 8;
  return {
    long,
    /** Fuzz cases per write endpoint (list endpoints get a third). */
    runs: fuzzRuns,
    /** Objects per path, per reason and caller (another county, member, firm). */
    cap: long ? 6 : 2,
    seed: Number(process.env.PROOF_SEED ?? '') || 20_260_301,
    concurrency: Number(process.env.PROOF_CONCURRENCY ?? '') || 8,
    /** Per test: generous in CI (no timed assertions), hours in the long mode. */
    timeoutMs: long || fuzzRuns > 20 ? 6 * 3_600_000 : 900_000,
  };
})();

export interface ProofRun {
  suite: RunningSuite;
  ctx: ProofContext;
  scanner: PiiScanner;
  /** Lines the suite's logger wrote, per service. */
  logServices: Map<string, number>;
  piiKey: string;
  close(): Promise<void>;
}

const UNLIMITED = '100000000';

/**
 * The suite in this process with a fresh PII_KEY, rate limits out of the way (the sweep is one
 * caller sending thousands of requests: a 429 would prove nothing), a logger at `info` writing to
 * the scanner, and every answer scanned on arrival.
 */
export async function startProof(): Promise<ProofRun> {
  // Webhook subscribers must be on the allow-list: a sink here that takes every delivery.
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const key = randomBytes(32);
  const piiKey = key.toString('base64');
  const scanner = new PiiScanner([piiKey, key.toString('base64url'), key.toString('hex')]);
  const stream = scanner.logStream();
  const config = SuiteConfigSchema.parse({
    PORT: '0',
    DATA_DIR: '',
    LOG_LEVEL: 'info',
    PII_KEY: piiKey,
    RATE_LIMIT_MAX: UNLIMITED,
    RATE_LIMIT_ANON_MAX: UNLIMITED,
    RATE_LIMIT_TOKEN_MAX: UNLIMITED,
    SERVICE_RATE_LIMIT_MAX: UNLIMITED,
    SERVICE_RATE_LIMIT_ANON_MAX: UNLIMITED,
    EVALUATION_WEBHOOK_ALLOWLIST: sinkUrl,
  });
  const logger = createLogger({ name: 'proof', level: 'info', destination: stream });
  const suite = await startSuite(config, logger, { busEnv: {} });

  let disclosures: { method: string; re: RegExp }[] = [];
  const observe = (x: Exchange) => {
    const path = x.url.split('?')[0]!;
    const where = `${x.method} ${x.url} → ${x.answer.status}`;
    const disclosed = disclosures.find((d) => d.method === x.method && d.re.test(path));
    if (disclosed && is2xx(x.answer.status)) scanner.exempt(`${x.method} ${disclosed.re.source}`);
    else scanner.scanBody(x.answer.text, where);
  };
  const gateway = new Gateway(suite.gateway.http.url, observe);
  // The gateway merges the services' documents with a short timeout each and caches the merge for
  // 5 s; a service busy seeding on a loaded machine can miss one merge. Bounded retries.
  let doc: Json = {};
  let missing: [string, unknown][] = [];
  for (const deadline = Date.now() + 180_000; ;) {
    const docAnswer = await gateway.send('GET', '/openapi.json');
    if (docAnswer.status !== 200 || !isObject(docAnswer.body)) throw new Error('no OpenAPI document');
    doc = docAnswer.body as Json;
    const services = isObject(doc['x-honglian-services']) ? doc['x-honglian-services'] : {};
    missing = Object.entries(services).filter(([, s]) => !(isObject(s) && s.ok === true));
    if (missing.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 6_000));
  }
  if (missing.length) throw new Error(`services missing from the document: ${JSON.stringify(missing)}`);
  const ops = operationsOf(doc);
  disclosures = ops.filter(disclosing).map((op) => ({ method: op.method, re: templateMatcher(op.path) }));

  const ctx: ProofContext = {
    gateway,
    tokens: new Tokens(gateway),
    doc,
    ops,
    actors: demoActors(),
    world: new World(),
    concurrency: SETTINGS.concurrency,
    long: SETTINGS.long,
  };
  ctx.world.fixed.set('url', `${sinkUrl}/hook`);
  return {
    suite,
    ctx,
    scanner,
    logServices: stream.services,
    piiKey,
    close: async () => {
      await suite.close();
      await new Promise((resolve) => sink.close(resolve));
    },
  };
}
