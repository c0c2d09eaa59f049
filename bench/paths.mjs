// Where a request's time goes, hop by hop: the same paths through the gateway and straight to a
// service, each with the suite process's CPU time per request (which moves far less with machine
// load than rates do). Subtracting rows attributes the cost: gateway healthz = the gateway's own
// express stack; gateway whoami − service whoami = the proxy hop; service read − service whoami =
// the read itself (query, mongoose, the embedded server).
//
//   node bench/paths.mjs                        the default paths
//   node bench/paths.mjs gw:/healthz reg:/api/v1/registry/whoami   (gw: gateway, reg: org-registry)
//   PROFILE=/tmp/p node bench/paths.mjs …       also a CPU profile per path (/tmp/p-<n>.cpuprofile)
//
// Needs a build (npm run build); asserts nothing.
import { fork } from 'node:child_process';
import autocannon from 'autocannon';

const DEFAULT = [
  'gw:/healthz',
  'reg:/healthz',
  'gw:/api/v1/registry/whoami',
  'reg:/api/v1/registry/whoami',
  'gw:/api/v1/registry/orgs/331003-community-01',
  'reg:/api/v1/registry/orgs/331003-community-01',
];
const cases = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT;
const RAISED = '1000000000';
const host = fork(new URL('./suite-host.mjs', import.meta.url), [], {
  env: {
    ...process.env,
    RATE_LIMIT_MAX: RAISED,
    RATE_LIMIT_ANON_MAX: RAISED,
    SERVICE_RATE_LIMIT_MAX: RAISED,
    SERVICE_RATE_LIMIT_ANON_MAX: RAISED,
  },
  stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
});
const ready = await new Promise((resolve) => host.on('message', (m) => m.type === 'ready' && resolve(m)));
let seq = 0;
const call = (type, body = {}) =>
  new Promise((resolve) => {
    const id = ++seq;
    const onMessage = (m) => {
      if (m.id !== id) return;
      host.off('message', onMessage);
      resolve(m);
    };
    host.on('message', onMessage);
    host.send({ type, id, ...body });
  });
const token = (
  await (
    await fetch(`${ready.gateway}/realms/honglian/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&client_id=honglian-web&username=county-admin-331003&password=honglian-demo',
    })
  ).json()
).access_token;
const bases = { gw: ready.gateway, reg: ready.services['org-registry'] };
console.log(`${cases.length} paths, 20 connections, 5 s each after 2 s warm-up`);
for (const [n, c] of cases.entries()) {
  const [target, path] = c.split(/:(.*)/);
  const url = bases[target] + path;
  const run = (duration) =>
    new Promise((resolve, reject) =>
      autocannon({ url, headers: { authorization: `Bearer ${token}` }, connections: 20, duration }, (e, r) =>
        e ? reject(e) : resolve(r),
      ),
    );
  await run(2);
  if (process.env.PROFILE) await call('profile-start');
  const before = (await call('cpu')).cpu;
  const r = await run(5);
  const after = (await call('cpu')).cpu;
  if (process.env.PROFILE) await call('profile-stop', { file: `${process.env.PROFILE}-${n}.cpuprofile` });
  const cpu = (after.user + after.system - before.user - before.system) / 1000 / r.requests.total;
  console.log(
    `${c.padEnd(52)} ${String(Math.round(r.requests.total / r.duration)).padStart(6)} req/s  ` +
      `${cpu.toFixed(3)} ms CPU/request  p99 ${r.latency.p99} ms${r.non2xx ? `  ${r.non2xx} non-2xx` : ''}`,
  );
}
await call('stop');
