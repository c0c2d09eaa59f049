import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OrgCreated, TOPICS, createEvent } from '@honglian/contracts';
import { REGISTRY_GROUP } from '@honglian/member-checkin';
import { KafkaEventBus, kafkaInspector, type KafkaInspector } from '@honglian/messaging';
import { keycloakTokens, requireRealServer, type KeycloakTokens } from '@honglian/testkit';
import { untilQuiet } from './support.js';

/**
 * `honglian start` itself (the built command, in a child process) on the real servers: Kafka at
 * KAFKA_BROKERS and Keycloak at KEYCLOAK_URL with AUTH_MODE=keycloak (`npm run stack:up` starts
 * both). Keycloak's own tokens pass the gateway or not as the README says; and the suite's events
 * outlive the process — unlike the in-process bus, a restart loses none, and a consumer group
 * picks up what was published while the suite was down. Skipped, with the reason, without them.
 */
const what = '`honglian start` on the real servers (real-servers.e2e.test.ts)';
const brokers = requireRealServer('KAFKA_BROKERS', what);
const keycloak = requireRealServer('KEYCLOAK_URL', what);
const BIN = path.join(__dirname, '..', 'dist', 'bin.js');

const NEW_COMMUNITY = '331003-community-98';

if (!brokers || !keycloak) {
  describe.skip('`honglian start` on the real servers (skipped: KAFKA_BROKERS or KEYCLOAK_URL not set)', () => {
    it('needs Kafka and Keycloak (npm run stack:up)', () => {});
  });
} else {
  // Generous: two start-ups of the whole suite on Kafka and Keycloak, on a shared two-core machine.
  jest.setTimeout(600_000);

  describe('`honglian start` on the real servers', () => {
    const namespace = `test-start-${randomUUID().slice(0, 8)}.`;
    let dataDir: string;
    let kc: KeycloakTokens;
    let inspector: KafkaInspector;
    let env: Record<string, string>;

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'honglian-real-'));
      kc = keycloakTokens(keycloak);
      inspector = kafkaInspector({ brokers: brokers.split(','), namespace });
      env = {
        PATH: process.env.PATH!,
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
        KAFKA_BROKERS: brokers,
        KAFKA_NAMESPACE: namespace,
        KAFKA_REPLICATION_FACTOR: '1',
        AUTH_MODE: 'keycloak',
        KEYCLOAK_URL: keycloak,
        KEYCLOAK_ISSUER: await kc.issuer(),
      };
    });
    const running = new Set<ChildProcessWithoutNullStreams>();
    afterAll(async () => {
      // A failed test leaves its suite running: stop it before deleting its topics.
      for (const child of running) child.kill('SIGKILL');
      await inspector?.deleteNamespace().catch(() => {});
      await inspector?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    /** Starts the command and resolves with its gateway URL once it printed its ready line. */
    const start = async (): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> => {
      const child = spawn(process.execPath, [BIN, 'start'], { env });
      running.add(child);
      child.once('exit', () => running.delete(child));
      child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const ready = /ready at (http:\/\/\S+)/.exec(out);
          if (ready) resolve(ready[1]!);
        });
        child.once('exit', (code) =>
          reject(new Error(`honglian start exited ${code} before ready:\n${out}`)),
        );
      });
      return { child, url };
    };
    const stop = async (child: ChildProcessWithoutNullStreams) => {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    };
    const get = async (url: string, token: string) => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.text() };
    };
    const newActivity = (url: string, token: string) =>
      fetch(`${url}/api/v1/checkin/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          communityId: NEW_COMMUNITY,
          title: '新社区报到活动',
          startsAt: new Date(Date.now() + 86_400_000).toISOString(),
          endsAt: new Date(Date.now() + 86_400_000 + 7_200_000).toISOString(),
          place: '党群服务中心',
        }),
      });

    it('passes Keycloak’s tokens or refuses them (401 expired / other audience / other realm, 403 without the role), and keeps its events across a restart', async () => {
      // First run: the demo city is seeded, and its events go to Kafka.
      const first = await start();
      const reports = `${first.url}/api/v1/checkin/reports`;
      const matrix: [string, string, number][] = [
        ['county admin', await kc.user('county-admin-331003'), 200],
        ['expired', await kc.expired('county-admin-331003'), 401],
        ['other audience (admin-cli)', await kc.wrongAudience('county-admin-331003'), 401],
        ['other realm’s key (master)', await kc.otherRealm(), 401],
        ['resident (no role for reports)', await kc.user('resident-331003'), 403],
      ];
      const got = [];
      for (const [name, token] of matrix) {
        const res = await get(reports, token);
        got.push([name, res.status, res.status === 401 ? res.challenge : null]);
      }
      expect(got).toEqual(
        matrix.map(([name, , status]) => [
          name,
          status,
          status === 401 ? expect.stringContaining('error="invalid_token"') : null,
        ]),
      );
      const consumer = await get(`${first.url}/api/v1/registry/whoami`, await kc.apiConsumer());
      expect({ status: consumer.status, body: JSON.parse(consumer.body) }).toMatchObject({
        status: 200,
        body: { roles: ['api-consumer'], clientId: 'api-consumer-demo' },
      });

      const admin = await kc.user('county-admin-331003');
      await untilQuiet(inspector, REGISTRY_GROUP, [TOPICS.orgRegistry]);
      const seeded = await inspector.messageCount(TOPICS.orgRegistry);
      expect(seeded).toBeGreaterThan(0);
      // The check-in service does not know a community the registry never announced.
      expect((await newActivity(first.url, admin)).status).toBe(422);
      await stop(first.child);

      // Down: the events are still on the broker. Another org-registry (a replica, an import
      // job) announces a community meanwhile.
      expect(await inspector.messageCount(TOPICS.orgRegistry)).toBe(seeded);
      const peer = new KafkaEventBus({
        brokers: brokers.split(','),
        clientId: 'honglian-test-peer',
        namespace,
        replicationFactor: 1,
      });
      await peer.start();
      await peer.publish(
        TOPICS.orgRegistry,
        createEvent({
          type: OrgCreated.type,
          source: '/org-registry',
          subject: NEW_COMMUNITY,
          county: '331003',
          data: {
            orgId: NEW_COMMUNITY,
            county: '331003',
            kind: 'community',
            name: '示范第九十八社区',
            parentId: '331003-street-01',
            path: `/331000/331003/331003-street-01/${NEW_COMMUNITY}`,
            effectiveFrom: '2026-01-01',
          },
        }),
      );
      await peer.stop();
      expect(await inspector.lag(REGISTRY_GROUP, [TOPICS.orgRegistry])).toBe(1);

      // Second run, same data directory: the group resumes at its committed offset, so only the
      // new event is consumed; the seeded city is not seeded again.
      const second = await start();
      try {
        await untilQuiet(inspector, REGISTRY_GROUP, [TOPICS.orgRegistry]);
        expect(await inspector.messageCount(TOPICS.orgRegistry)).toBe(seeded + 1);
        const created = await newActivity(second.url, await kc.user('county-admin-331003'));
        expect(created.status).toBe(201);
      } finally {
        await stop(second.child);
      }
    });
  });
}
