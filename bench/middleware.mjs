// What each piece of a service's express stack costs per request (CPU of the server process):
// bare express, + helmet, + pino-http (as service-kit configured it before it was made lazy), +
// prom-client metrics, and service-kit's createApp as it is now. Each variant runs alone in a
// child process; the variants run in turn, twice, so a change in machine load shows as a spread.
//   node bench/middleware.mjs          (after npm run build)
import { fork } from 'node:child_process';
import autocannon from 'autocannon';

const VARIANTS = ['bare', 'helmet', 'pino-http', 'metrics', 'service-kit'];
for (const round of [1, 2])
  for (const variant of VARIANTS) {
    const server = fork(new URL('./middleware-server.mjs', import.meta.url), {
      env: { ...process.env, VARIANT: variant },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const { port } = await new Promise((resolve) => server.once('message', resolve));
    const run = (duration) =>
      new Promise((resolve) =>
        autocannon({ url: `http://127.0.0.1:${port}/x`, connections: 20, duration }, (_e, r) => resolve(r)),
      );
    const cpu = () =>
      new Promise((resolve) => {
        server.once('message', (m) => resolve(m.cpu));
        server.send('cpu');
      });
    await run(2);
    const a = await cpu();
    const r = await run(5);
    const b = await cpu();
    const us = (b.user + b.system - a.user - a.system) / r.requests.total;
    console.log(
      `round ${round}  ${variant.padEnd(12)} ${String(Math.round(r.requests.total / r.duration)).padStart(6)} req/s  ${us.toFixed(0).padStart(4)} µs CPU/request`,
    );
    server.send('stop');
  }
