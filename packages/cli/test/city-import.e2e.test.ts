import { fixtureCity, fixtureCityWorkbook } from '@honglian/org-registry';
import { createLogger } from '@honglian/service-kit';
import { demoToken } from './support.js';
import { SuiteConfigSchema, startSuite, type RunningSuite } from '../src/suite.js';

/**
 * Issue 6 acceptance through the gateway: a city admin imports a fixture city
 * (2 counties, 4 streets, 10 communities, 40 grids, 100 compounds, 2,000
 * members) from one XLSX, then queries its tree and coverage. The import runs as a job
 * (the synchronous request is covered by org-registry's API tests), so a busy machine
 * cannot turn it into a proxy timeout. No speed is asserted (bench/fixture-city.mjs prints the rates).
 */
jest.setTimeout(600_000);

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
    // The in-process bus whatever KAFKA_BROKERS says: this is about the import, not the broker.
    suite = await startSuite(config, createLogger({ name: 'city-import', level: 'silent' }), { busEnv: {} });
    gatewayUrl = suite.gateway.http.url;
  });
  afterAll(() => suite?.close());

  interface Job {
    status: string;
    report?: { status: string; errorCount: number; rows: number; created: number };
  }
  /**
   * The workbook sent as a job (Prefer: respond-async) and polled until it ends: a slow, shared
   * machine makes the import slower, never a 504 from the gateway's proxy timeout. Only jest's
   * timeout bounds the wait.
   */
  const importAsJob = async (auth: Record<string, string>): Promise<Job> => {
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
    let polled: Job = { status: 'running' };
    while (polled.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 250));
      polled = (await (await fetch(`${gatewayUrl}${location}`, { headers: auth })).json()) as Job;
    }
    return polled;
  };

  it('imports the whole city from one XLSX, then answers its tree and coverage', async () => {
    const admin = await token('city-admin');
    const auth = { authorization: `Bearer ${admin}` };
    const first = await importAsJob(auth);
    expect(first).toMatchObject({ status: 'done', report: { status: 'applied', errorCount: 0 } });
    expect(first.report!.rows).toBe(Object.values(city.files).reduce((n, rows) => n + rows.length, 0));

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

    // The same workbook again: every row unchanged, nothing new.
    expect(await importAsJob(auth)).toMatchObject({
      status: 'done',
      report: { status: 'applied', created: 0 },
    });

    // A county admin sees only its county's half.
    const county = await fetch(`${gatewayUrl}/api/v1/registry/coverage`, {
      headers: { authorization: `Bearer ${await token('county-admin-331003')}` },
    });
    expect(((await county.json()) as { counts: Record<string, number> }).counts.compound).toBe(50);
  });
});
