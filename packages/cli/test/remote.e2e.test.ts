import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@honglian/service-kit';
import { demoToken } from './support.js';
import { SuiteConfigSchema, startSuite, type RunningSuite } from '../src/suite.js';

/**
 * `honglian import FILE` and `honglian seed` against a running suite, as an operator runs them:
 * the command is the built bin in a process of its own, signing in at the gateway as a demo user.
 */
jest.setTimeout(600_000);

const BIN = path.join(__dirname, '..', 'dist', 'bin.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH!, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

describe('honglian import and seed', () => {
  let suite: RunningSuite;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    const config = SuiteConfigSchema.parse({ PORT: '0', DATA_DIR: '' });
    suite = await startSuite(config, createLogger({ name: 'remote', level: 'silent' }), { busEnv: {} });
    url = suite.gateway.http.url;
    dir = mkdtempSync(path.join(tmpdir(), 'honglian-remote-'));
  });
  afterAll(async () => {
    await suite?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const orgsCsv = (rows: string[]) => {
    const file = path.join(dir, `orgs-${rows.length}-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(file, ['编码,名称,类型,上级编码,所属区县,生效日期', ...rows].join('\r\n') + '\r\n');
    return file;
  };
  const org = async (id: string) =>
    fetch(`${url}/api/v1/registry/orgs/${id}`, {
      headers: { authorization: `Bearer ${await demoToken(url, 'county-admin-331003')}` },
    });

  it('imports a file as the named user; a dry run writes nothing; errors are listed in zh and en with exit 1', async () => {
    const good = orgsCsv(['CLI-x1,命令行小区,小区,331003-community-01,,2024-01-01']);
    const dry = await run([
      'import',
      good,
      '--kind',
      'orgs',
      '--dry-run',
      '--url',
      url,
      '--user',
      'county-admin-331003',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run/);
    expect((await org('CLI-x1')).status).toBe(404);

    const applied = await run([
      'import',
      good,
      '--kind',
      'orgs',
      '--url',
      url,
      '--user',
      'county-admin-331003',
    ]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/created 1/);
    expect((await org('CLI-x1')).status).toBe(200);

    const bad = orgsCsv(['CLI-x2,坏小区,小区,no-such-parent,,2024-01-01']);
    const refused = await run([
      'import',
      bad,
      '--kind',
      'orgs',
      '--url',
      url,
      '--user',
      'county-admin-331003',
    ]);
    expect(refused.code).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/row 2/);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/);
    expect((await org('CLI-x2')).status).toBe(404);
  });

  it('seeds a generated city through the API: organisations first, then its members', async () => {
    const seeded = await run(['seed', '--members', '40'], { HONGLIAN_URL: url });
    expect(seeded.stderr).toBe('');
    if (seeded.code !== 0) console.log(seeded.stdout);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/40 members: .*created 40/);
    const coverage = await fetch(`${url}/api/v1/registry/coverage`, {
      headers: { authorization: `Bearer ${await demoToken(url, 'city-admin')}` },
    });
    expect(
      ((await coverage.json()) as { counts: Record<string, number> }).counts.compound,
    ).toBeGreaterThanOrEqual(100);
  });

  it('refuses a wrong use with exit 2 and says why', async () => {
    expect((await run(['import'])).code).toBe(2);
    const wrongKind = await run(['import', orgsCsv([]), '--kind', 'people', '--url', url]);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toMatch(/--kind must be one of/);
    expect((await run(['seed', '--members', 'many', '--url', url])).code).toBe(2);
  });
});
