import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoToken } from './support.js';

/**
 * `honglian pii rotate` against the DATA_DIR of an embedded run: the demo city is seeded under key
 * A; the command (old key A as PII_KEY_PREVIOUS, new key B as PII_KEY) re-seals it; the suite
 * started again with key B alone reveals and finds the same member. A dry run writes nothing, a
 * wrong old key fails (exit 1) writing nothing, a second run re-seals nothing.
 */

const BIN = path.join(__dirname, '..', 'dist', 'bin.js');
const KEY_A = Buffer.alloc(32, 21).toString('base64');
const KEY_B = Buffer.alloc(32, 22).toString('base64');
const KEY_C = Buffer.alloc(32, 23).toString('base64');

let dataDir: string;
const baseEnv = () => ({ PATH: process.env.PATH!, DATA_DIR: dataDir, LOG_LEVEL: 'warn' });

/** Runs `honglian pii rotate …` to its end: exit code and output. */
function rotate(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'pii', 'rotate', ...args], { env: { ...baseEnv(), ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

/** The suite on the data directory with these keys, until `stop` (SIGTERM: snapshot written). */
async function withSuite<T>(
  env: Record<string, string>,
  use: (gatewayUrl: string) => Promise<T>,
): Promise<T> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [BIN, 'start'], {
    env: { ...baseEnv(), PORT: '0', ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const gatewayUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const ready = out.match(/ready at (http:\/\/\S+)/);
        if (ready) resolve(ready[1]!);
      });
      child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
      child.once('exit', (code) => reject(new Error(`exited ${code} before ready:\n${out}`)));
    });
    const result = await use(gatewayUrl);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    return result;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** A member of the demo city as the registry reveals it, and whom a search by each value finds. */
async function revealAndSearch(gatewayUrl: string, memberId?: string) {
  const auth = { authorization: `Bearer ${await demoToken(gatewayUrl, 'city-admin')}` };
  const api = `${gatewayUrl}/api/v1/registry`;
  const id =
    memberId ??
    ((await (await fetch(`${api}/members?limit=1`, { headers: auth })).json()) as { items: { id: string }[] })
      .items[0]!.id;
  const res = await fetch(`${api}/members/${id}/reveal`, { headers: auth });
  expect(res.status).toBe(200);
  const revealed = (await res.json()) as { idNumber: string; phone: string };
  const found = async (body: object) => {
    const r = await fetch(`${api}/members/search`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return ((await r.json()) as { items: { id: string }[] }).items.map((m) => m.id);
  };
  return {
    id,
    revealed,
    byIdNumber: await found({ idNumber: revealed.idNumber }),
    byPhone: await found({ phone: revealed.phone }),
  };
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'honglian-pii-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('honglian pii rotate', () => {
  it('re-seals an embedded run’s data from the old key to the new one, resumably', async () => {
    const before = await withSuite({ PII_KEY: KEY_A }, (url) => revealAndSearch(url));
    expect(before.byIdNumber).toContain(before.id);

    const usage = await rotate([], { PII_KEY: KEY_B });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('PII_KEY_PREVIOUS');

    const wrong = await rotate([], { PII_KEY: KEY_B, PII_KEY_PREVIOUS: KEY_C });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/re-sealed 0 members/);
    expect(wrong.stdout).toMatch(/FAILED \S+: unreadable/);

    const dry = await rotate(['--dry-run'], { PII_KEY: KEY_B, PII_KEY_PREVIOUS: KEY_A });
    expect(dry.code).toBe(0);
    const pending = Number(dry.stdout.match(/(\d+) members not on the new key/)![1]);
    expect(pending).toBeGreaterThan(0);
    expect(dry.stdout).toContain(`would re-seal ${pending} members (${pending} ID numbers`);

    const run = await rotate(['--batch-size', '50'], { PII_KEY: KEY_B, PII_KEY_PREVIOUS: KEY_A });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${pending} members not on the new key`);
    expect(run.stdout).toContain(`done: re-sealed ${pending} members`);
    expect(run.stdout).toContain('0 members still not on the new key; 0 failed');

    const again = await rotate([], { PII_KEY: KEY_B, PII_KEY_PREVIOUS: KEY_A });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('done: re-sealed 0 members');

    // Neither a key nor a value is ever printed.
    for (const out of [usage, wrong, dry, run, again].flatMap((r) => [r.stdout, r.stderr])) {
      for (const secret of [KEY_A, KEY_B, KEY_C, before.revealed.idNumber, before.revealed.phone]) {
        expect(out).not.toContain(secret);
      }
    }

    const after = await withSuite({ PII_KEY: KEY_B }, (url) => revealAndSearch(url, before.id));
    expect(after).toEqual(before);
  }, 300_000);
});
