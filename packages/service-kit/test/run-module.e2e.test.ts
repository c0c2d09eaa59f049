import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
// Child processes start slowly on a loaded machine: bounds are generous, never a measure.
jest.setTimeout(300_000);

// Runs the built kit (dist) in a child process, as a service's main.ts does.
const fixture = (name: string) => path.join(__dirname, 'fixtures', name);
const baseEnv = { PATH: process.env.PATH, LOG_LEVEL: 'silent' };

function run(file: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [fixture(file)], {
    env: { ...baseEnv, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** Exit 1, the config message naming the variable, and no stack trace. */
function expectConfigExit(result: ReturnType<typeof run>, variable: string) {
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(new RegExp(`^Invalid configuration:\\n\\s+${variable}: `));
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('a service main that cannot start for its configuration', () => {
  it('names a missing production secret checked by the module settings', () => {
    expectConfigExit(run('module-main.mjs', { NODE_ENV: 'production' }), 'TOY_SECRET');
  });

  it('names the identity settings that do not fit production', () => {
    expectConfigExit(run('module-main.mjs', { NODE_ENV: 'production', TOY_SECRET: 's' }), 'AUTH_MODE');
  });

  it('names MONGO_URL when production has no database', () => {
    const result = run('module-main.mjs', {
      NODE_ENV: 'production',
      TOY_SECRET: 's',
      AUTH_MODE: 'keycloak',
      KEYCLOAK_URL: 'http://127.0.0.1:9',
    });
    expectConfigExit(result, 'MONGO_URL');
  });

  it('names a bad Kafka setting', () => {
    expectConfigExit(run('module-main.mjs', { KAFKA_BROKERS: 'k:9092', KAFKA_SSL: 'maybe' }), 'KAFKA_SSL');
  });

  it('names a variable its schema refuses', () => {
    expectConfigExit(run('module-main.mjs', { PORT: 'eighty' }), 'PORT');
  });

  it('does the same for services still on runServiceMain (a ConfigError thrown while building)', () => {
    expectConfigExit(run('service-main.mjs', { NODE_ENV: 'production' }), 'PII_KEY');
  });
});

describe('runModule', () => {
  it('serves the module with its database and bus, ready, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [fixture('module-main.mjs')], {
      env: { ...baseEnv, LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      let url: string | undefined;
      while (!url && Date.now() < deadline) {
        url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*toy-secret listening/.exec(out)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(url).toBeDefined();
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: object }).checks).toEqual({
        mongodb: { ok: true },
        outbox: { ok: true },
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
