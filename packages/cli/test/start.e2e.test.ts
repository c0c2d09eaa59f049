import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { EmbeddedMongo } from '@honglian/embedded-mongo';
import { MongoClient } from 'mongodb';
import { demoToken } from './support.js';

const BIN = path.join(__dirname, '..', 'dist', 'bin.js');

function startCli(env: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  lines: Promise<string[]>;
} {
  // Each run gets its own data directory unless the test names one.
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'honglian-start-'));
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: { PATH: process.env.PATH!, DATA_DIR: dataDir, ...env },
  });
  if (!env.DATA_DIR) child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
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

// Each test starts the whole suite as a child process and seeds the demo city into every service:
// on a shared, slow CI machine that takes well over jest's default 30 s. Generous, never timed.
jest.setTimeout(240_000);

describe('honglian start', () => {
  it('prints one line per service and a ready line, serves health, and exits 0 on SIGTERM', async () => {
    const { child, lines } = startCli({ PORT: '0' });
    let exited = false;
    try {
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
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
      exited = true;
    } finally {
      // A failed assertion must not leave the suite running after the test.
      if (!exited && child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('prints the token URL; a demo user’s token works through the gateway; a bare service call gets 401', async () => {
    const { child, lines } = startCli({ PORT: '0' });
    try {
      const output = await lines;
      const ready = output.at(-1)!;
      const gatewayUrl = ready.match(/ready at (http:\/\/\S+)/)![1]!;
      const tokenUrl = ready.match(/tokens (http:\/\/\S+?)\)?$/)![1]!;
      expect(tokenUrl).toBe(`${gatewayUrl}/realms/honglian/protocol/openid-connect/token`);
      const grant = await fetch(tokenUrl, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'honglian-web',
          username: 'county-admin-331003',
          password: 'honglian-demo',
        }),
      });
      expect(grant.status).toBe(200);
      const { access_token: token } = (await grant.json()) as { access_token: string };
      const whoami = await fetch(`${gatewayUrl}/api/v1/registry/whoami`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(whoami.status).toBe(200);
      expect(await whoami.json()).toMatchObject({
        service: 'org-registry',
        roles: ['county-admin'],
        county: '331003',
        scope: { level: 'county', county: '331003' },
      });
      expect((await fetch(`${gatewayUrl}/api/v1/registry/whoami`)).status).toBe(401);
      // Every service verifies tokens itself: straight to its port without one is 401, with one 200.
      for (const line of output.slice(0, -1).filter((l) => !/ gateway /.test(l))) {
        const [, , url, prefix] = line.split(/\s+/);
        const bare = await fetch(`${url}${prefix}/whoami`);
        expect({ line, status: bare.status }).toEqual({ line, status: 401 });
        expect(bare.headers.get('www-authenticate')).toBe('Bearer');
        const direct = await fetch(`${url}${prefix}/whoami`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        expect({ line, status: direct.status }).toEqual({ line, status: 200 });
      }
    } finally {
      child.kill('SIGTERM');
      await exitOf(child);
    }
  });

  it('seeds the demo city on an empty database, matching the demo users, and keeps it across a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'honglian-persist-'));
    const run = async <T>(
      check: (gatewayUrl: string, token: (user: string) => Promise<string>) => Promise<T>,
    ) => {
      const { child, lines } = startCli({ PORT: '0', DATA_DIR: dataDir });
      try {
        const gatewayUrl = (await lines).at(-1)!.match(/ready at (http:\/\/\S+)/)![1]!;
        const token = (username: string) => demoToken(gatewayUrl, username);
        return await check(gatewayUrl, token);
      } finally {
        child.kill('SIGTERM');
        expect(await exitOf(child)).toBe(0);
      }
    };
    const orgsOf = async (gatewayUrl: string, token: string) => {
      const res = await fetch(`${gatewayUrl}/api/v1/registry/orgs?county=331003&limit=200`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: { id: string }[] }).items.map((o) => o.id).sort();
    };
    try {
      const first = await run(async (gatewayUrl, token) => {
        const admin = await token('county-admin-331003');
        // The demo member record the member-331003 user's token points at.
        const member = await fetch(`${gatewayUrl}/api/v1/registry/members/331003-member-01`, {
          headers: { Authorization: `Bearer ${admin}` },
        });
        expect(member.status).toBe(200);
        expect(await member.json()).toMatchObject({
          residenceCompoundId: '331003-compound-01',
          workUnitId: '331003-agency-01',
          idNumber: expect.stringMatching(/^3310\*+\d{3}[\dX]$/),
        });
        // The community staff user's subtree is the demo community.
        const staff = await token('staff-331003');
        const tree = await fetch(`${gatewayUrl}/api/v1/registry/orgs/331003-community-01/tree`, {
          headers: { Authorization: `Bearer ${staff}` },
        });
        expect(tree.status).toBe(200);
        const coverage = await fetch(`${gatewayUrl}/api/v1/registry/coverage?orgId=331003`, {
          headers: { Authorization: `Bearer ${admin}` },
        });
        expect(((await coverage.json()) as { counts: Record<string, number> }).counts).toMatchObject({
          street: 2,
          community: 3,
          compound: 4,
        });
        // The demo's ratings of this year (issue 16): every member, community and street rated,
        // red, yellow and grey among them, each explanation naming the events behind it. The demo
        // computes once, after the other services' demo events went quiet; on a slow machine some
        // may arrive later, so until the bound the check recomputes as an administrator would.
        const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
        const city = await token('city-admin');
        const asCity = { Authorization: `Bearer ${city}` };
        const readRatings = async () => {
          const ratings: { level: string; colour: string; sources: string[] }[] = [];
          for (const level of ['member', 'community', 'street']) {
            const res = await fetch(
              `${gatewayUrl}/api/v1/assessment/ratings?period=${year}&level=${level}&limit=200`,
              { headers: asCity },
            );
            expect(res.status).toBe(200);
            ratings.push(...((await res.json()) as { items: typeof ratings }).items);
          }
          return {
            levels: [...new Set(ratings.map((r) => r.level))].sort(),
            colours: [...new Set(ratings.map((r) => r.colour))].sort(),
            withoutSources: ratings.filter((r) => r.sources.length === 0),
          };
        };
        const wanted = {
          levels: ['community', 'member', 'street'],
          colours: ['grey', 'red', 'yellow'],
          withoutSources: [],
        };
        let seen = await readRatings();
        for (const deadline = Date.now() + 120_000; JSON.stringify(seen) !== JSON.stringify(wanted);) {
          if (Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          const compute = await fetch(`${gatewayUrl}/api/v1/assessment/periods/${year}/compute`, {
            method: 'POST',
            headers: { ...asCity, 'content-type': 'application/json' },
            body: '{}',
          });
          expect(compute.status).toBe(200);
          seen = await readRatings();
        }
        expect(seen).toEqual(wanted);
        return orgsOf(gatewayUrl, admin);
      });
      expect(first).toEqual(expect.arrayContaining(['331003', '331003-community-01', '331003-compound-01']));
      // Second run on the same data directory: the same organisations, not seeded twice.
      const second = await run(async (gatewayUrl, token) =>
        orgsOf(gatewayUrl, await token('county-admin-331003')),
      );
      expect(second).toEqual(first);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('starts with OTEL_ENABLED=true (telemetry loads before the services) and stops cleanly', async () => {
    // An exporter endpoint nobody listens on: export failures are logged, never fatal.
    const { child, lines } = startCli({
      PORT: '0',
      OTEL_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    });
    try {
      expect((await lines).at(-1)).toMatch(/ready at http:/);
    } finally {
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
    }
  });

  it('keeps a write through kill -9 (no clean stop): the embedded store snapshots while data changes', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'honglian-crash-'));
    /** Whether the snapshot on disk holds the org yet (read from a copy, in a server of its own). */
    const onDisk = async (orgId: string) => {
      const copy = mkdtempSync(path.join(tmpdir(), 'honglian-crash-copy-'));
      try {
        copyFileSync(
          path.join(dataDir, 'embedded-mongo.snapshot'),
          path.join(copy, 'embedded-mongo.snapshot'),
        );
        const server = await EmbeddedMongo.start({ dataDir: copy, snapshotEveryMs: 0 });
        const client = await MongoClient.connect(server.uriFor('org-registry'));
        try {
          return (
            (await client
              .db('org-registry')
              .collection('orgs')
              .countDocuments({ _id: orgId as never })) > 0
          );
        } finally {
          await client.close();
          await server.stop();
        }
      } catch {
        return false; // no snapshot yet
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    };
    try {
      const first = startCli({ PORT: '0', DATA_DIR: dataDir });
      let created: string;
      try {
        const gatewayUrl = (await first.lines).at(-1)!.match(/ready at (http:\/\/\S+)/)![1]!;
        const admin = await demoToken(gatewayUrl, 'county-admin-331003');
        const res = await fetch(`${gatewayUrl}/api/v1/registry/orgs`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            kind: 'compound',
            name: '崩溃前小区',
            parentId: '331003-community-01',
            effectiveFrom: '2026-01-01',
          }),
        });
        expect(res.status).toBe(201);
        created = ((await res.json()) as { id: string }).id;
        // However slow the machine: wait until a snapshot on disk has the write, then crash.
        while (!(await onDisk(created))) await new Promise((r) => setTimeout(r, 200));
      } finally {
        first.child.kill('SIGKILL');
        await exitOf(first.child);
      }
      expect(first.child.signalCode).toBe('SIGKILL');
      const second = startCli({ PORT: '0', DATA_DIR: dataDir });
      try {
        const gatewayUrl = (await second.lines).at(-1)!.match(/ready at (http:\/\/\S+)/)![1]!;
        const admin = await demoToken(gatewayUrl, 'county-admin-331003');
        const res = await fetch(`${gatewayUrl}/api/v1/registry/orgs/${created}`, {
          headers: { Authorization: `Bearer ${admin}` },
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ id: created, name: '崩溃前小区' });
      } finally {
        second.child.kill('SIGTERM');
        expect(await exitOf(second.child)).toBe(0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('with DATA_DIR= (empty) keeps everything in memory: no snapshot written, none read', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'honglian-memory-'));
    const filesIn = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(cwd, path.join(e.parentPath, e.name)));
    const run = async <T>(env: Record<string, string>, check: (gatewayUrl: string) => Promise<T>) => {
      const child = spawn(process.execPath, [BIN, 'start'], {
        cwd,
        env: { PATH: process.env.PATH!, PORT: '0', ...env },
      });
      try {
        const gatewayUrl = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const ready = /ready at (http:\/\/\S+)/.exec(out);
            if (ready) resolve(ready[1]!);
          });
          child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
          child.once('exit', (code) => reject(new Error(`exited ${code} before ready:\n${out}`)));
        });
        return await check(gatewayUrl);
      } finally {
        child.kill('SIGTERM');
        expect(await exitOf(child)).toBe(0);
      }
    };
    const orgCount = async (gatewayUrl: string) => {
      const res = await fetch(`${gatewayUrl}/api/v1/registry/orgs?county=331003&limit=200`, {
        headers: { Authorization: `Bearer ${await demoToken(gatewayUrl, 'county-admin-331003')}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: unknown[] }).items.length;
    };
    try {
      // The demo city is written (seeded) into the in-memory database, and nothing reaches the disk.
      expect(await run({ DATA_DIR: '' }, orgCount)).toBeGreaterThan(0);
      expect(filesIn(cwd)).toEqual([]);
      // Unset, DATA_DIR is the default directory: a snapshot is written there on a clean stop...
      const seeded = await run({}, orgCount);
      const snapshot = path.join(cwd, '.honglian-data', 'embedded-mongo.snapshot');
      expect(filesIn(cwd)).toEqual([path.relative(cwd, snapshot)]);
      const before = readFileSync(snapshot);
      expect(seeded).toBeGreaterThan(0);
      // ...which DATA_DIR= neither reads (an empty registry without seeding) nor rewrites.
      expect(await run({ DATA_DIR: '', SEED_DEMO: 'false' }, orgCount)).toBe(0);
      expect(readFileSync(snapshot).equals(before)).toBe(true);
      expect(filesIn(cwd)).toEqual([path.relative(cwd, snapshot)]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('refuses the development identity provider under NODE_ENV=production', async () => {
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: { PATH: process.env.PATH!, PORT: '0', NODE_ENV: 'production' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exitOf(child as ChildProcessWithoutNullStreams)).toBe(1);
    expect(err).toMatch(/AUTH_MODE: embedded .*NODE_ENV=production/);
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
