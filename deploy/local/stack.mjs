#!/usr/bin/env node
// The development stack: a real Apache Kafka broker and a real Keycloak on this machine, without
// Docker. The versions are pinned in deploy/local/pom.xml (the same as docker-compose.yml); mvn
// fetches them once into the git-ignored .stack/ folder. See the README, "Real servers on this machine".
//
//   node deploy/local/stack.mjs up [--only kafka|keycloak]   fetch (once), start, wait until ready, print the env
//   node deploy/local/stack.mjs down [--wipe]                stop by the recorded process ids; --wipe deletes the data
//   node deploy/local/stack.mjs status                       what runs, its ports, readiness and memory
//   node deploy/local/stack.mjs env                          the environment lines (KAFKA_BROKERS=…, KEYCLOAK_URL=…)
//   node deploy/local/stack.mjs fetch                        only fetch
//
// Exit codes: 0 done, 1 failed, 3 a prerequisite (java, mvn) is missing — CI then runs without real servers.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const POM = path.join(here, 'pom.xml');
const REALM_FILE = path.join(root, 'deploy', 'keycloak', 'realm-honglian.json');
const STACK_DIR = path.resolve(process.env.HONGLIAN_STACK_DIR || path.join(root, '.stack'));

/** Fixed loopback ports (README, "Real servers on this machine"). */
export const PORTS = { kafka: 9092, kafkaController: 9093, keycloak: 8180, keycloakManagement: 9180 };
const HOST = '127.0.0.1';
export const KAFKA_BROKERS = `${HOST}:${PORTS.kafka}`;
export const KEYCLOAK_URL = `http://${HOST}:${PORTS.keycloak}`;
/** The bootstrap administrator of the master realm (as in docker-compose.yml); loopback only. */
const KEYCLOAK_ADMIN_PASSWORD = process.env.KEYCLOAK_ADMIN_PASSWORD || 'change-me';

const HEAP = { kafka: ['-Xms128m', '-Xmx512m'], keycloak: '-Xms64m -Xmx768m' };
const seconds = (name, fallback) => Number(process.env[name] || fallback) * 1000;
/** Generous: Keycloak's first start (it builds itself) takes a minute or more on two shared cores. */
const TIMEOUT = {
  kafka: seconds('STACK_KAFKA_TIMEOUT_SECONDS', 180),
  keycloak: seconds('STACK_KEYCLOAK_TIMEOUT_SECONDS', 600),
};

const EXIT_MISSING = 3;

class MissingPrerequisite extends Error {}

const say = (line) => process.stdout.write(`stack: ${line}\n`);
const warn = (line) => process.stderr.write(`stack: ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const elapsed = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

export function versions() {
  const pom = fs.readFileSync(POM, 'utf8');
  const prop = (name) => {
    const m = new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom);
    if (!m) throw new Error(`${POM}: no <${name}>`);
    return m[1].trim();
  };
  // STACK_KAFKA_VERSION / STACK_KEYCLOAK_VERSION try another version (e.g. a kafkajs check against
  // a newer broker); the pinned ones are those in pom.xml.
  return {
    kafka: process.env.STACK_KAFKA_VERSION || prop('kafka.version'),
    keycloak: process.env.STACK_KEYCLOAK_VERSION || prop('keycloak.version'),
  };
}

const V = versions();
const paths = {
  kafkaLibs: path.join(STACK_DIR, 'dist', `kafka-${V.kafka}`, 'libs'),
  keycloakHome: path.join(STACK_DIR, 'dist', `keycloak-${V.keycloak}`),
  kafkaDir: path.join(STACK_DIR, 'kafka'),
  // One log directory per version: a broker never reads another version's metadata.
  kafkaData: path.join(STACK_DIR, 'kafka', `data-${V.kafka}`),
  keycloakDir: path.join(STACK_DIR, 'keycloak'),
};
const files = {
  kafka: { pid: path.join(paths.kafkaDir, 'kafka.pid'), log: path.join(paths.kafkaDir, 'kafka.log') },
  keycloak: {
    pid: path.join(paths.keycloakDir, 'keycloak.pid'),
    log: path.join(paths.keycloakDir, 'keycloak.log'),
  },
};

// ---------------------------------------------------------------- prerequisites

function javaVersionOf(javaBin) {
  const run = spawnSync(javaBin, ['-version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return null;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(run.stderr + run.stdout);
  if (!m) return null;
  const major = Number(m[1]) === 1 ? Number(m[2]) : Number(m[1]);
  return { javaBin, major };
}

/** A Java of at least `min`: JAVA_HOME, `java` on PATH, else the newest JDK under /usr/lib/jvm. */
function findJava(min) {
  const candidates = [];
  if (process.env.JAVA_HOME) candidates.push(path.join(process.env.JAVA_HOME, 'bin', 'java'));
  candidates.push('java');
  const jvmDir = '/usr/lib/jvm';
  if (fs.existsSync(jvmDir)) {
    for (const name of fs.readdirSync(jvmDir)) candidates.push(path.join(jvmDir, name, 'bin', 'java'));
  }
  const found = candidates.map(javaVersionOf).filter(Boolean);
  const good = found.filter((j) => j.major >= min);
  if (good.length === 0) {
    const seen = found.map((j) => `${j.javaBin} (${j.major})`).join(', ') || 'none';
    throw new MissingPrerequisite(`Java ${min} or newer is needed and was not found (found: ${seen})`);
  }
  // The first acceptable one in the order above: an explicit JAVA_HOME wins over PATH, PATH over the rest.
  return good[0];
}

function javaHomeOf(javaBin) {
  if (javaBin === 'java') {
    const real = fs.realpathSync(execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim());
    return path.dirname(path.dirname(real));
  }
  return path.dirname(path.dirname(javaBin));
}

function requireMaven() {
  const run = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new MissingPrerequisite(
      'mvn (Apache Maven) is needed to fetch Kafka and Keycloak and was not found',
    );
  }
}

// ---------------------------------------------------------------- fetch (once)

function mvn(args) {
  // Quiet unless it fails: then everything it said.
  const run = spawnSync('mvn', ['-B', '--no-transfer-progress', '-Dstyle.color=never', '-f', POM, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (run.error || run.status !== 0) {
    process.stderr.write(`${run.stdout ?? ''}${run.stderr ?? ''}`);
    throw new Error(`mvn ${args[0]} failed (exit ${run.status})`);
  }
}

function fetchKafka() {
  if (fs.existsSync(paths.kafkaLibs)) return;
  requireMaven();
  const t0 = Date.now();
  say(`fetching Apache Kafka ${V.kafka} with mvn (once) into ${path.relative(root, paths.kafkaLibs)}`);
  const tmp = `${paths.kafkaLibs}.partial`;
  fs.rmSync(tmp, { recursive: true, force: true });
  mvn([
    'dependency:copy-dependencies',
    `-Dkafka.version=${V.kafka}`,
    '-DincludeScope=runtime',
    `-DoutputDirectory=${tmp}`,
  ]);
  fs.renameSync(tmp, paths.kafkaLibs);
  say(`fetched Kafka ${V.kafka} in ${elapsed(t0)}`);
}

function fetchKeycloak() {
  if (fs.existsSync(path.join(paths.keycloakHome, 'bin', 'kc.sh'))) return;
  requireMaven();
  const t0 = Date.now();
  say(`fetching Keycloak ${V.keycloak} with mvn (once) into ${path.relative(root, paths.keycloakHome)}`);
  const tmp = path.join(STACK_DIR, 'dist', `keycloak-${V.keycloak}.partial`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  mvn([
    'dependency:copy',
    `-Dartifact=org.keycloak:keycloak-quarkus-dist:${V.keycloak}:zip`,
    `-DoutputDirectory=${tmp}`,
  ]);
  const zip = path.join(tmp, `keycloak-quarkus-dist-${V.keycloak}.zip`);
  const unzip = spawnSync('unzip', ['-q', zip, '-d', tmp], { stdio: 'inherit' });
  if (unzip.error || unzip.status !== 0) {
    // No unzip on the machine: the JDK's jar tool extracts zips too.
    const jar = spawnSync('jar', ['xf', zip], { cwd: tmp, stdio: 'inherit' });
    if (jar.error || jar.status !== 0) throw new Error(`could not extract ${zip} (neither unzip nor jar)`);
  }
  fs.rmSync(paths.keycloakHome, { recursive: true, force: true });
  fs.renameSync(path.join(tmp, `keycloak-${V.keycloak}`), paths.keycloakHome);
  fs.rmSync(tmp, { recursive: true, force: true });
  say(`fetched Keycloak ${V.keycloak} in ${elapsed(t0)}`);
}

// ---------------------------------------------------------------- processes

function readPid(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Processes of the group `pgid` (each server runs in its own group, led by the recorded pid). */
function groupMembers(pgid) {
  const members = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

function cmdlineOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

const MARKS = { kafka: 'kafka.Kafka', keycloak: 'keycloak' };

/** The recorded process group of a server when it still runs (and is ours: its command line says so). */
function running(name) {
  const pid = readPid(files[name].pid);
  if (!pid) return null;
  const members = groupMembers(pid);
  if (!members.some((p) => cmdlineOf(p).includes(MARKS[name]))) return null;
  return { pid, members };
}

function rssMiB(members) {
  let kib = 0;
  for (const pid of members) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kib += Number(m[1]);
    } catch {
      // gone
    }
  }
  return Math.round(kib / 1024);
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function startDetached(name, command, args, options) {
  fs.mkdirSync(path.dirname(files[name].log), { recursive: true });
  const log = fs.openSync(files[name].log, 'a');
  fs.writeSync(log, `\n===== ${new Date().toISOString()} stack: starting ${name}\n`);
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.unref();
  fs.writeFileSync(files[name].pid, `${child.pid}\n`);
  return child.pid;
}

function logTail(name, lines = 30) {
  try {
    return fs.readFileSync(files[name].log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `check` until it resolves true; fails when the server exits or the time is up. */
async function waitUntil(name, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running(name)) {
      throw new Error(`${name} exited during start-up; the end of ${files[name].log}:\n${logTail(name)}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${name} not ready after ${timeoutMs / 1000} s; the end of ${files[name].log}:\n${logTail(name)}`,
      );
    }
    await sleep(500);
  }
}

async function assertPortsFree(name, ports) {
  for (const port of ports) {
    if (await portOpen(port)) {
      throw new Error(
        `port ${port} (${name}) is taken by another process; stop it, or stop a stack started elsewhere`,
      );
    }
  }
}

// ---------------------------------------------------------------- Kafka

function kafkaProperties() {
  return [
    '# Written by deploy/local/stack.mjs at every start: a single-node KRaft broker on loopback.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${PORTS.kafkaController}`,
    `listeners=PLAINTEXT://${HOST}:${PORTS.kafka},CONTROLLER://${HOST}:${PORTS.kafkaController}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${PORTS.kafka}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${paths.kafkaData}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

async function kafkaReady() {
  const require = createRequire(path.join(root, 'packages', 'messaging', 'package.json'));
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({
    clientId: 'honglian-stack',
    brokers: [KAFKA_BROKERS],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2000,
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function upKafka() {
  const t0 = Date.now();
  const java = findJava(17);
  fetchKafka();
  const already = running('kafka');
  if (already && (await kafkaReady().catch(() => false))) {
    say(`kafka ${V.kafka} already running (pid ${already.pid})`);
    return;
  }
  if (!already) await assertPortsFree('kafka', [PORTS.kafka, PORTS.kafkaController]);
  fs.mkdirSync(paths.kafkaDir, { recursive: true });
  const props = path.join(paths.kafkaDir, 'server.properties');
  fs.writeFileSync(props, kafkaProperties());
  const classpath = `${paths.kafkaLibs}/*`;
  if (!fs.existsSync(path.join(paths.kafkaData, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    const format = spawnSync(
      java.javaBin,
      [
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        props,
        '--ignore-formatted',
      ],
      { encoding: 'utf8' },
    );
    if (format.status !== 0)
      throw new Error(`kafka storage format failed:\n${format.stdout}${format.stderr}`);
  }
  if (!already) {
    startDetached(
      'kafka',
      java.javaBin,
      [
        ...HEAP.kafka,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        '-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss,SSS',
        '-cp',
        classpath,
        'kafka.Kafka',
        props,
      ],
      { cwd: paths.kafkaDir },
    );
  }
  await waitUntil('kafka', kafkaReady, TIMEOUT.kafka);
  const { pid, members } = running('kafka');
  say(
    `kafka ${V.kafka} ready at ${KAFKA_BROKERS} in ${elapsed(t0)} (pid ${pid}, ${rssMiB(members)} MiB, Java ${java.major})`,
  );
}

// ---------------------------------------------------------------- Keycloak

const sha256 = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function keycloakReady() {
  const health = await fetch(`http://${HOST}:${PORTS.keycloakManagement}/health/ready`, {
    signal: AbortSignal.timeout(3000),
  });
  if (health.status !== 200 || (await health.json()).status !== 'UP') return false;
  const realm = await fetch(`${KEYCLOAK_URL}/realms/honglian/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(3000),
  });
  return realm.status === 200;
}

async function upKeycloak() {
  const t0 = Date.now();
  const java = findJava(17);
  fetchKeycloak();
  const already = running('keycloak');
  if (already && (await keycloakReady().catch(() => false))) {
    say(`keycloak ${V.keycloak} already running (pid ${already.pid})`);
    return;
  }
  if (!already) {
    await assertPortsFree('keycloak', [PORTS.keycloak, PORTS.keycloakManagement]);
    fs.mkdirSync(paths.keycloakDir, { recursive: true });
    // The realm is imported when Keycloak's database lacks it. A changed realm file resets the
    // (development) database, so the realm that runs is always the one in deploy/keycloak.
    const importDir = path.join(paths.keycloakHome, 'data', 'import');
    const database = path.join(paths.keycloakHome, 'data', 'h2');
    const hashFile = path.join(paths.keycloakDir, 'realm.sha256');
    const hash = sha256(REALM_FILE);
    const previous = fs.existsSync(hashFile) ? fs.readFileSync(hashFile, 'utf8').trim() : null;
    if (previous !== hash && fs.existsSync(database)) {
      say('deploy/keycloak/realm-honglian.json changed: resetting Keycloak’s development database');
      fs.rmSync(database, { recursive: true, force: true });
    }
    fs.mkdirSync(importDir, { recursive: true });
    fs.copyFileSync(REALM_FILE, path.join(importDir, 'realm-honglian.json'));
    fs.writeFileSync(hashFile, `${hash}\n`);
    startDetached(
      'keycloak',
      'bash',
      [
        path.join(paths.keycloakHome, 'bin', 'kc.sh'),
        'start-dev',
        '--import-realm',
        `--http-host=${HOST}`,
        `--http-port=${PORTS.keycloak}`,
        `--http-management-port=${PORTS.keycloakManagement}`,
        `--hostname=${KEYCLOAK_URL}`,
        '--health-enabled=true',
      ],
      {
        cwd: paths.keycloakDir,
        env: {
          ...process.env,
          JAVA_HOME: javaHomeOf(java.javaBin),
          JAVA_OPTS_KC_HEAP: `${HEAP.keycloak}`,
          KC_BOOTSTRAP_ADMIN_USERNAME: 'admin',
          KC_BOOTSTRAP_ADMIN_PASSWORD: KEYCLOAK_ADMIN_PASSWORD,
        },
      },
    );
  }
  await waitUntil('keycloak', keycloakReady, TIMEOUT.keycloak);
  const { pid, members } = running('keycloak');
  say(
    `keycloak ${V.keycloak} ready at ${KEYCLOAK_URL} in ${elapsed(t0)} (pid ${pid}, ${rssMiB(members)} MiB, Java ${java.major}; health http://${HOST}:${PORTS.keycloakManagement}/health/ready)`,
  );
}

// ---------------------------------------------------------------- stop, status, env

async function stop(name) {
  const proc = running(name);
  if (!proc) {
    fs.rmSync(files[name].pid, { force: true });
    say(`${name} not running`);
    return;
  }
  const t0 = Date.now();
  process.kill(-proc.pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (groupMembers(proc.pid).length > 0 && Date.now() < deadline) await sleep(250);
  if (groupMembers(proc.pid).length > 0) {
    warn(`${name} did not stop in 60 s: killing process group ${proc.pid}`);
    process.kill(-proc.pid, 'SIGKILL');
  }
  fs.rmSync(files[name].pid, { force: true });
  say(`${name} stopped (pid ${proc.pid}) in ${elapsed(t0)}`);
}

function wipe() {
  fs.rmSync(paths.kafkaData, { recursive: true, force: true });
  fs.rmSync(path.join(paths.keycloakHome, 'data', 'h2'), { recursive: true, force: true });
  fs.rmSync(path.join(paths.keycloakDir, 'realm.sha256'), { force: true });
  say('data wiped (Kafka log directory, Keycloak database); the fetched servers are kept');
}

function envLines() {
  return [`KAFKA_BROKERS=${KAFKA_BROKERS}`, `KEYCLOAK_URL=${KEYCLOAK_URL}`];
}

async function status() {
  const ready = { kafka: kafkaReady, keycloak: keycloakReady };
  const where = { kafka: KAFKA_BROKERS, keycloak: KEYCLOAK_URL };
  let all = true;
  for (const name of ['kafka', 'keycloak']) {
    const proc = running(name);
    const ok = proc ? await ready[name]().catch(() => false) : false;
    all &&= ok;
    const version = V[name];
    process.stdout.write(
      proc
        ? `${name.padEnd(9)} ${version.padEnd(8)} ${ok ? 'ready  ' : 'starting'} ${where[name].padEnd(22)} pid ${proc.pid}, ${rssMiB(proc.members)} MiB\n`
        : `${name.padEnd(9)} ${version.padEnd(8)} stopped  ${where[name]}\n`,
    );
  }
  return all;
}

function parseOnly(args) {
  const i = args.indexOf('--only');
  if (i < 0) return ['kafka', 'keycloak'];
  const names = (args[i + 1] ?? '').split(',').filter(Boolean);
  if (names.length === 0 || names.some((n) => !['kafka', 'keycloak'].includes(n))) {
    throw new Error('--only takes kafka, keycloak or kafka,keycloak');
  }
  return names;
}

async function main(argv) {
  const [command = 'status', ...args] = argv;
  fs.mkdirSync(STACK_DIR, { recursive: true });
  switch (command) {
    case 'up': {
      const only = parseOnly(args);
      for (const name of only) (name === 'kafka' ? fetchKafka : fetchKeycloak)();
      const t0 = Date.now();
      // Both start at once: Kafka is ready long before Keycloak.
      await Promise.all(only.map((name) => (name === 'kafka' ? upKafka() : upKeycloak())));
      const lines = envLines();
      fs.writeFileSync(path.join(STACK_DIR, 'env'), lines.map((l) => `export ${l}`).join('\n') + '\n');
      say(
        `up in ${elapsed(t0)}; use (or: source ${path.relative(process.cwd(), path.join(STACK_DIR, 'env'))}):`,
      );
      for (const line of lines) process.stdout.write(`${line}\n`);
      return 0;
    }
    case 'down': {
      for (const name of ['keycloak', 'kafka']) await stop(name);
      if (args.includes('--wipe')) wipe();
      return 0;
    }
    case 'status':
      return (await status()) ? 0 : 1;
    case 'env':
      for (const line of envLines()) process.stdout.write(`${line}\n`);
      return 0;
    case 'fetch':
      fetchKafka();
      fetchKeycloak();
      say(`Kafka ${V.kafka} and Keycloak ${V.keycloak} are in ${path.relative(root, STACK_DIR)}/dist`);
      return 0;
    case 'versions':
      process.stdout.write(`kafka ${V.kafka}\nkeycloak ${V.keycloak}\n`);
      return 0;
    default:
      warn(`unknown command "${command}" (up, down, status, env, fetch, versions)`);
      return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof MissingPrerequisite) {
        warn(`MISSING PREREQUISITE: ${error.message}`);
        process.exit(EXIT_MISSING);
      }
      warn(`failed: ${error.message}`);
      process.exit(1);
    },
  );
}
