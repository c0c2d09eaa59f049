import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import { SigningKeyRing } from '../src/index.js';

/** A realm serving its JWKS over HTTP (what Keycloak does), with a switch to answer badly. */
export async function startRealm(realm = 'honglian') {
  const keys = new SigningKeyRing();
  let mode: 'ok' | 'html' | 'error' = 'ok';
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url !== `/realms/${realm}/protocol/openid-connect/certs`) return res.writeHead(404).end();
    fetches += 1;
    if (mode === 'html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy</html>');
    if (mode === 'error') return res.writeHead(500).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(keys.jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${url}/realms/${realm}`;
  return {
    url,
    issuer,
    keys,
    get fetches() {
      return fetches;
    },
    answer(next: typeof mode) {
      mode = next;
    },
    claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
      const now = Math.floor(Date.now() / 1000);
      return {
        iat: now,
        exp: now + 300,
        iss: issuer,
        aud: 'honglian-gateway',
        sub: 'user-1',
        typ: 'Bearer',
        azp: 'honglian-web',
        realm_access: { roles: ['county-admin'] },
        county: '331003',
        ...extra,
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The smallest thing an Authenticator reads: the request headers. */
export function requestWith(authorization?: string): Request {
  return { headers: authorization === undefined ? {} : { authorization } } as Request;
}
