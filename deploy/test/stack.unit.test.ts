import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * The development stack (deploy/local: `npm run stack:up`) runs the same Kafka and Keycloak as
 * docker-compose.yml, pinned in one place each; and what it writes stays out of git.
 */
const root = path.join(__dirname, '..', '..');
const pom = fs.readFileSync(path.join(root, 'deploy/local/pom.xml'), 'utf8');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; command?: string[] }>;
};
const property = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom)?.[1];

describe('the development stack (deploy/local)', () => {
  it('pins exact versions of Kafka and Keycloak, the ones docker-compose.yml runs', () => {
    const kafka = property('kafka.version');
    const keycloak = property('keycloak.version');
    expect(kafka).toMatch(/^\d+\.\d+\.\d+$/);
    expect(keycloak).toMatch(/^26\.\d+\.\d+$/);
    expect(compose.services.kafka!.image).toBe(`apache/kafka:${kafka}`);
    expect(compose.services.keycloak!.image).toBe(`quay.io/keycloak/keycloak:${keycloak}`);
  });

  it('fetches the broker with an SLF4J binding, so it logs', () => {
    expect(pom).toContain('<artifactId>kafka_2.13</artifactId>');
    expect(pom).toMatch(/<artifactId>slf4j-simple<\/artifactId>/);
  });

  it('imports the shipped realm in development mode, like compose', () => {
    const stack = fs.readFileSync(path.join(root, 'deploy/local/stack.mjs'), 'utf8');
    for (const arg of ['start-dev', '--import-realm', '--health-enabled=true']) {
      expect(stack).toContain(`'${arg}'`);
      expect(compose.services.keycloak!.command).toContain(arg);
    }
    expect(stack).toContain("'deploy', 'keycloak', 'realm-honglian.json'");
  });

  it('keeps its cache folder out of git', () => {
    const ignored = fs.readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain('.stack/');
  });
});
