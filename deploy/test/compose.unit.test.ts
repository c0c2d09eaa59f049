import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROLES } from '@honglian/contracts';

const root = path.join(__dirname, '..', '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    Record<string, unknown> & { build?: { dockerfile: string; args: { SERVICE: string } } }
  >;
};
const serviceDirs = fs.readdirSync(path.join(root, 'services'));
const realm = JSON.parse(fs.readFileSync(path.join(root, 'deploy/keycloak/realm-honglian.json'), 'utf8'));

describe('docker-compose.yml', () => {
  it('runs every service from the one Dockerfile with its own SERVICE', () => {
    for (const name of serviceDirs) {
      const svc = compose.services[name];
      expect(svc).toBeDefined();
      expect(svc!.build).toMatchObject({ dockerfile: 'deploy/Dockerfile', args: { SERVICE: name } });
      expect(svc!.environment).toMatchObject({ NODE_ENV: 'production', KAFKA_BROKERS: 'kafka:9092' });
    }
  });

  it('gives each service its own MongoDB database on the replica set', () => {
    const urls = serviceDirs
      .filter((n) => n !== 'gateway')
      .map((n) => (compose.services[n]!.environment as Record<string, string>).MONGO_URL);
    expect(new Set(urls).size).toBe(urls.length);
    for (const url of urls) expect(url).toMatch(/^mongodb:\/\/mongo:27017\/[a-z-]+\?replicaSet=rs0$/);
  });

  it('runs MongoDB as a replica set initiated by its healthcheck', () => {
    const mongo = compose.services.mongo!;
    expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(JSON.stringify(mongo.healthcheck)).toMatch(/rs\.initiate/);
  });

  it('runs Kafka in KRaft mode without ZooKeeper', () => {
    const env = compose.services.kafka!.environment as Record<string, string>;
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(compose.services.zookeeper).toBeUndefined();
  });

  it('imports the Keycloak realm with every Honglian role', () => {
    const keycloak = compose.services.keycloak!;
    expect(keycloak.command).toEqual(expect.arrayContaining(['--import-realm']));
    expect(keycloak.volumes).toEqual(['./deploy/keycloak:/opt/keycloak/data/import:ro']);
    expect(fs.readdirSync(path.join(root, 'deploy/keycloak'))).toEqual(['realm-honglian.json']);
    expect(realm.realm).toBe('honglian');
    expect(realm.roles.realm.map((r: { name: string }) => r.name).sort()).toEqual(Object.keys(ROLES).sort());
  });

  it('verifies tokens against Keycloak in every service, with the issuer clients see', () => {
    const hostname = (compose.services.keycloak!.environment as Record<string, string>).KC_HOSTNAME;
    for (const name of serviceDirs) {
      expect(compose.services[name]!.environment).toMatchObject({
        AUTH_MODE: 'keycloak',
        KEYCLOAK_URL: 'http://keycloak:8080',
        KEYCLOAK_REALM: 'honglian',
        KEYCLOAK_ISSUER: `${hostname}/realms/honglian`,
      });
    }
    const gateway = compose.services.gateway!.environment as Record<string, string>;
    const routed = gateway.SERVICE_URLS!.split(',').map((e) => e.split('=')[0]);
    expect(routed.sort()).toEqual(serviceDirs.filter((n) => n !== 'gateway').sort());
    expect(gateway.PUBLIC_URL).toBe('http://localhost:8080');
  });
  it('gives every long-running container a healthcheck (services through the image)', () => {
    for (const name of ['mongo', 'kafka', 'keycloak'])
      expect(compose.services[name]!.healthcheck).toBeDefined();
  });

  const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  const validate = dockerCompose.status === 0 ? it : it.skip;
  if (dockerCompose.status !== 0) {
    console.warn(
      'docker-compose is not installed: skipping `docker-compose config` validation (.ci/run installs it)',
    );
  }
  validate('is valid for docker-compose (config -q)', () => {
    const run = spawnSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), 'config', '-q'], {
      encoding: 'utf8',
      cwd: root,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
