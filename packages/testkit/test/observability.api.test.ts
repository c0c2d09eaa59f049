import fs from 'node:fs';
import path from 'node:path';
import { createEvent } from '@honglian/contracts';
import { MESSAGING_METRICS } from '@honglian/service-kit';
import request from 'supertest';
import { TEST_USERS, startModule, type ModuleHarness } from '../src/index.js';
import { BoardOpened } from './support/toy/contracts.js';
import { toyNotes } from './support/toy/module.js';

/**
 * deploy/observability: every metric the Grafana dashboard or a Prometheus alert rule names is
 * really exported by a service built by the kit (here the toy module: outbox, consumer, routes),
 * scraped from its `/metrics` after it handled requests and events. The one exception is consumer
 * lag, which Strimzi's Kafka Exporter exports from the brokers.
 */
const root = path.join(__dirname, '..', '..', '..');
const EXTERNAL = new Set(['kafka_consumergroup_lag']);
const METRIC = /\b((?:honglian|http|kafka)_[a-z0-9_]+)\b/g;

function namedIn(file: string): Set<string> {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return new Set([...text.matchAll(METRIC)].map((m) => m[1]!));
}

describe('the dashboards and alerts name only exported metrics', () => {
  let h: ModuleHarness<typeof toyNotes>;
  let exported: Map<string, string>;

  beforeAll(async () => {
    h = await startModule(toyNotes);
    await h.publish(
      createEvent({
        type: BoardOpened.type,
        source: '/honglian/toy-registry',
        subject: 'b-1',
        county: '331003',
        data: { boardId: 'b-1', county: '331003', name: '东城公告栏' },
      }),
    );
    expect(
      (await h.http.post('/boards/b-1/notes', TEST_USERS.countyAdmin331003, { title: '通知' })).status,
    ).toBe(201);
    await h.settle();
    const res = await request(h.service.app).get('/metrics');
    expect(res.status).toBe(200);
    // `# TYPE <name> <type>`: histograms also export <name>_bucket, _sum and _count.
    exported = new Map(
      [...res.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!] as [string, string]),
    );
  });
  afterAll(() => h?.close());

  const isExported = (name: string) => {
    if (exported.has(name)) return true;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return base !== name && exported.get(base) === 'histogram';
  };

  it.each([
    'deploy/observability/grafana/dashboards/honglian.json',
    'deploy/observability/prometheus/alerts.yml',
  ])('%s', (file) => {
    const names = [...namedIn(file)].filter((n) => !EXTERNAL.has(n));
    expect(names.length).toBeGreaterThan(3);
    expect(names.filter((n) => !isExported(n))).toEqual([]);
  });

  it('exports the outbox backlog, relay and consumer metrics, and the dashboard shows each', () => {
    const dashboard = namedIn('deploy/observability/grafana/dashboards/honglian.json');
    for (const name of Object.values(MESSAGING_METRICS)) {
      expect(exported.has(name)).toBe(true);
      expect(dashboard).toContain(name);
    }
  });

  it('counts the consumed event as handled for the toy consumer group', async () => {
    const res = await request(h.service.app).get('/metrics');
    const handled = res.text
      .split('\n')
      .filter((l) => l.startsWith(`${MESSAGING_METRICS.consumerEvents}{`) && l.includes('outcome="handled"'));
    expect(handled.some((l) => !l.endsWith(' 0'))).toBe(true);
    expect(res.text).toMatch(new RegExp(`^${MESSAGING_METRICS.outboxPending}\\{[^}]*\\} 0$`, 'm'));
  });
});
