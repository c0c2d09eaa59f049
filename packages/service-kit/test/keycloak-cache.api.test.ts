import crypto from 'node:crypto';
import { HttpProblem, createKeycloakAuthenticator, type Authenticator } from '../src/index.js';
import { requestWith, startRealm } from './realm-fixture.js';

// Verified tokens are remembered per process: the gateway and every in-process service verify a
// token's signature once, and the rules that must hold on every use still do.

type Realm = Awaited<ReturnType<typeof startRealm>>;
let realm: Realm;

beforeAll(async () => {
  realm = await startRealm();
});
afterAll(() => realm.close());

async function outcome(token: string, using: Authenticator) {
  try {
    return { principal: await using.authenticate(requestWith(`Bearer ${token}`)) };
  } catch (err) {
    if (!(err instanceof HttpProblem)) throw err;
    return { status: err.status, detail: err.message };
  }
}

/** RSA signature verifications (keycloak-connect's crypto.createVerify) while `fn` runs. */
async function verificationsDuring(fn: () => Promise<unknown>): Promise<number> {
  const spy = jest.spyOn(crypto, 'createVerify');
  try {
    await fn();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

const authenticator = (extra: Parameters<typeof createKeycloakAuthenticator>[0] | object = {}) =>
  createKeycloakAuthenticator({ serverUrl: realm.url, jwksMinIntervalSeconds: 0, ...extra });

describe('verified-token cache', () => {
  it('verifies a token once per process, for every authenticator of the same realm', async () => {
    const gateway = authenticator();
    const service = authenticator();
    // each learns the realm's keys first (a cached result is used only by a verifier that knows them)
    for (const a of [gateway, service]) await outcome(await realm.keys.sign(realm.claims()), a);
    const token = await realm.keys.sign(realm.claims({ sub: 'once' }));
    const n = await verificationsDuring(async () => {
      for (const a of [gateway, service, gateway, service]) {
        expect((await outcome(token, a)).principal?.subject).toBe('once');
      }
    });
    expect(n).toBe(1);
  });

  it('does not share results between verifiers that trust different audiences', async () => {
    const token = await realm.keys.sign(realm.claims({ sub: 'aud' }));
    expect((await outcome(token, authenticator())).principal?.subject).toBe('aud');
    const other = authenticator({ audience: 'another-client' });
    await outcome(await realm.keys.sign(realm.claims({ aud: 'another-client' })), other);
    expect(await outcome(token, other)).toMatchObject({ status: 401 });
  });

  it('refuses a remembered token once it expires', async () => {
    const a = authenticator();
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = await realm.keys.sign(realm.claims({ sub: 'short', exp }));
    expect((await outcome(token, a)).principal?.subject).toBe('short');
    // The clock moves past exp (no waiting: a slow machine cannot expire it early).
    const later = jest.spyOn(Date, 'now').mockReturnValue((exp + 1) * 1000);
    try {
      expect(await outcome(token, a)).toMatchObject({ status: 401, detail: 'The access token has expired.' });
    } finally {
      later.mockRestore();
    }
  });

  it('refuses a remembered token at the first refresh after its key was retired', async () => {
    const a = authenticator({ jwksMaxAgeSeconds: 0.05 });
    const oldKid = realm.keys.jwks().keys[0]!.kid;
    const token = await realm.keys.sign(realm.claims({ sub: 'retired' }));
    expect((await outcome(token, a)).principal?.subject).toBe('retired');
    expect((await outcome(token, a)).principal?.subject).toBe('retired');
    realm.keys.rotate();
    realm.keys.retire(oldKid);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await outcome(token, a)).toMatchObject({ status: 401 });
    // and for another authenticator of the process, which never saw the key go
    expect(await outcome(token, authenticator())).toMatchObject({ status: 401 });
  });

  it('hands every caller its own principal', async () => {
    const a = authenticator();
    const token = await realm.keys.sign(realm.claims({ sub: 'copy' }));
    const first = (await outcome(token, a)).principal!;
    first.roles.push('city-admin');
    expect((await outcome(token, a)).principal?.roles).toEqual(['county-admin']);
  });
});
