import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

const BIN = path.join(__dirname, '..', 'dist', 'bin.js');

function startCli(env: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  lines: Promise<string[]>;
} {
  const child = spawn(process.execPath, [BIN, 'start'], { env: { PATH: process.env.PATH!, ...env } });
  const lines = new Promise<string[]>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/ready at/.test(out)) resolve(out.trim().split('\n'));
    });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    child.once('exit', (code) => reject(new Error(`exited ${code} before ready:\n${out}`)));
  });
  return { child, lines };
}

const exitOf = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('honglian start', () => {
  it('prints one line per service and a ready line, serves health, and exits 0 on SIGTERM', async () => {
    const { child, lines } = startCli({ PORT: '0' });
    const output = await lines;
    const names = output.slice(0, -1).map((l) => l.split(/\s+/)[1]);
    expect(names).toEqual([
      'org-registry',
      'member-checkin',
      'volunteer-points',
      'property-evaluation',
      'assessment',
      'gateway',
    ]);
    const gatewayUrl = output.at(-1)!.match(/ready at (http:\/\/\S+)/)![1]!;
    const health = await fetch(`${gatewayUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    for (const line of output.slice(0, -1)) {
      const url = line.split(/\s+/)[2]!;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    }
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('exits 0 on Ctrl-C (SIGINT)', async () => {
    const { child, lines } = startCli({ PORT: '0' });
    await lines;
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(0);
  });

  it('refuses bad configuration naming the variable', async () => {
    const child = spawn(process.execPath, [BIN, 'start'], { env: { PATH: process.env.PATH!, PORT: 'http' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exitOf(child as ChildProcessWithoutNullStreams)).toBe(1);
    expect(err).toMatch(/PORT: /);
  });

  it('prints usage for an unknown command and exits 2', async () => {
    const child = spawn(process.execPath, [BIN, 'fly'], { env: { PATH: process.env.PATH! } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exitOf(child as ChildProcessWithoutNullStreams)).toBe(2);
    expect(err).toMatch(/unknown command "fly"/);
  });
});
