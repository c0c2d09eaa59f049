import { fixtureCity, fixtureCityWorkbook } from '@honglian/org-registry';
import { createLogger } from '@honglian/service-kit';
import { demoToken } from './support.js';
import { SuiteConfigSchema, startSuite, type RunningSuite } from '../src/suite.js';

/**
 * Issue 6 acceptance through the gateway: a city admin imports a fixture city
 * (2 counties, 4 streets, 10 communities, 40 grids, 100 compounds, 2,000
 * members) from one XLSX in one request, then queries its tree and coverage.
 * No speed is asserted (bench/fixture-city.mjs prints the rates).
 */
jest.setTimeout(180_000);

interface TreeNode {
  kind: string;
  children: TreeNode[];
}
const countKinds = (node: TreeNode, into: Record<string, number> = {}): Record<string, number> => {
  into[node.kind] = (into[node.kind] ?? 0) + 1;
  for (const c of node.children) countKinds(c, into);
  return into;
};

describe('a fixture city imported through the gateway', () => {
  const city = fixtureCity();
  let suite: RunningSuite;
  let gatewayUrl: string;
  const token = (username: string) => demoToken(gatewayUrl, username);

  beforeAll(async () => {
    const config = SuiteConfigSchema.parse({ PORT: '0', DATA_DIR: '', SEED_DEMO: 'false' });
    suite = await startSuite(config, createLogger({ name: 'city-import', level: 'silent' }));
    gatewayUrl = suite.gateway.http.url;
  });
  afterAll(() => suite?.close());

  it('imports the whole city from one XLSX in one request, then answers its tree and coverage', async () => {
    const admin = await token('city-admin');
    const auth = { authorization: `Bearer ${admin}` };
    const res = await fetch(`${gatewayUrl}/api/v1/registry/imports?kind=workbook&dryRun=false`, {
      method: 'POST',
      headers: {
        ...auth,
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      body: new Uint8Array(await fixtureCityWorkbook(city)),
    });
    const report = (await res.json()) as { status: string; errorCount: number; rows: number };
    expect({ status: res.status, report }).toMatchObject({
      status: 200,
      report: { status: 'applied', errorCount: 0 },
    });
    expect(report.rows).toBe(Object.values(city.files).reduce((n, rows) => n + rows.length, 0));

    const tree = await fetch(`${gatewayUrl}/api/v1/registry/orgs/331000/tree?depth=10`, { headers: auth });
    expect(tree.status).toBe(200);
    expect(countKinds((await tree.json()) as TreeNode)).toEqual(city.expected.counts);

    const coverage = await fetch(`${gatewayUrl}/api/v1/registry/coverage`, { headers: auth });
    const body = (await coverage.json()) as {
      counts: Record<string, number>;
      gaps: Record<string, { count: number }>;
    };
    expect(body.counts).toEqual(city.expected.counts);
    expect(Object.fromEntries(Object.entries(body.gaps).map(([k, v]) => [k, v.count]))).toEqual(
      city.expected.gaps,
    );

    // The same workbook as a job (Prefer: respond-async), polled through the gateway: nothing new.
    const job = await fetch(`${gatewayUrl}/api/v1/registry/imports?kind=workbook&dryRun=false`, {
      method: 'POST',
      headers: {
        ...auth,
        prefer: 'respond-async',
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      body: new Uint8Array(await fixtureCityWorkbook(city)),
    });
    expect(job.status).toBe(202);
    const location = job.headers.get('location')!;
    let polled: { status: string; report?: { status: string; created: number } } = { status: 'running' };
    for (let i = 0; i < 600 && polled.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      polled = (await (await fetch(`${gatewayUrl}${location}`, { headers: auth })).json()) as typeof polled;
    }
    expect(polled).toMatchObject({ status: 'done', report: { status: 'applied', created: 0 } });

    // A county admin sees only its county's half.
    const county = await fetch(`${gatewayUrl}/api/v1/registry/coverage`, {
      headers: { authorization: `Bearer ${await token('county-admin-331003')}` },
    });
    expect(((await county.json()) as { counts: Record<string, number> }).counts.compound).toBe(50);
  });
});
