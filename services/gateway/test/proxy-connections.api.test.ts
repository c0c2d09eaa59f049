import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_USERS, startTestIssuer, type TestIssuer } from '@honglian/testkit';
import { startGateway } from './support.js';

// The proxy keeps its connections to a service open between requests: without a keep-alive
// agent every call opened a connection to the service and, through the `connection: close`
// the service then answered, cost the caller its connection too.

let issuer: TestIssuer;
let backend: http.Server;
let connections = 0;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let token: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  backend = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url }));
  });
  backend.on('connection', () => connections++);
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  gateway = await startGateway({ auth: issuer.authenticator(), services: { 'org-registry': url } });
  token = await issuer.token({ ...TEST_USERS.cityAdmin, sub: 'keep-alive' });
});
afterAll(async () => {
  await gateway.close();
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
  await issuer.close();
});

/** A GET through the gateway on `agent`, answering the status and the Connection header. */
function get(agent: http.Agent, path: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${gateway.url}${path}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
      })
      .on('error', reject);
  });
}

it('reuses its connection to a service, and leaves the caller’s open', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const before = connections;
    for (let i = 0; i < 5; i++) {
      expect(await get(agent, `/api/v1/registry/orgs/${i}`)).toEqual({
        status: 200,
        connection: 'keep-alive',
      });
    }
    expect(connections - before).toBe(1);
  } finally {
    agent.destroy();
  }
});
