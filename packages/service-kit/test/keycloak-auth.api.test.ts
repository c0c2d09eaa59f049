import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { HttpProblem, createKeycloakAuthenticator, type Authenticator } from '../src/index.js';
import { requestWith, startRealm } from './realm-fixture.js';

type Realm = Awaited<ReturnType<typeof startRealm>>;
let realm: Realm;
let auth: Authenticator;

beforeAll(async () => {
  realm = await startRealm();
  auth = createKeycloakAuthenticator({ serverUrl: realm.url, jwksMinIntervalSeconds: 0 });
});
afterAll(() => realm.close());

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** What authenticating with this Authorization header answers: the principal, or status + challenge. */
async function outcome(header: string | undefined, using = auth) {
  try {
    return { principal: await using.authenticate(requestWith(header)) };
  } catch (err) {
    if (!(err instanceof HttpProblem)) throw err;
    return { status: err.status, challenge: err.headers['WWW-Authenticate'], detail: err.message };
  }
}

describe('keycloak-connect authenticator', () => {
  it('accepts a valid token and reads roles and scope claims (unknown roles ignored)', async () => {
    const token = await realm.keys.sign(
      realm.claims({
        sub: 'u-42',
        preferred_username: 'staff-331003',
        realm_access: { roles: ['community-staff', 'offline_access', 'default-roles-honglian'] },
        org_path: '/331000/331003/st-1',
        firm_id: 'f-1',
        member_id: 'm-1',
      }),
    );
    expect((await outcome(`Bearer ${token}`)).principal).toEqual({
      subject: 'u-42',
      username: 'staff-331003',
      clientId: 'honglian-web',
      roles: ['community-staff'],
      county: '331003',
      orgPath: '/331000/331003/st-1',
      firmId: 'f-1',
      memberId: 'm-1',
    });
  });

  it('answers a missing or malformed token with 401 and a bare Bearer challenge', async () => {
    for (const header of [undefined, '', 'Basic dXNlcjpwdw==', 'Bearer', 'Bearer garbage', 'Bearer a.b.c']) {
      expect(await outcome(header)).toMatchObject({ status: 401, challenge: 'Bearer' });
    }
  });

  it('answers an invalid token with 401 invalid_token', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const claims = realm.claims();
    const { exp: _exp, ...withoutExp } = claims;
    const cases: Record<string, string> = {
      expired: await realm.keys.sign(realm.claims({ iat: now - 600, exp: now - 60 })),
      'wrong signature': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: realm.keys.currentKid })
        .sign(privateKey),
      'wrong issuer': await realm.keys.sign(realm.claims({ iss: 'http://elsewhere/realms/honglian' })),
      'wrong audience': await realm.keys.sign(realm.claims({ aud: 'account' })),
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'no exp': await realm.keys.sign(withoutExp),
      'not an access token': await realm.keys.sign(realm.claims({ typ: 'ID' })),
      'no subject': await realm.keys.sign(realm.claims({ sub: undefined })),
      'unknown key': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'nope' })
        .sign(privateKey),
      HS256: await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32)),
    };
    for (const [name, token] of Object.entries(cases)) {
      const result = await outcome(`Bearer ${token}`);
      expect({ name, ...result }).toMatchObject({
        name,
        status: 401,
        challenge: 'Bearer error="invalid_token"',
      });
    }
  });

  it('refuses iat or nbf in the future beyond the clock skew (401 invalid_token), accepts them within it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>) =>
      realm.keys.sign(realm.claims({ exp: now + 3600, ...claims }));
    const refused: Record<string, Record<string, unknown>> = {
      'iat in an hour': { iat: now + 3600 },
      'iat 2 minutes ahead': { iat: now + 120 },
      'nbf 2 minutes ahead': { nbf: now + 120 },
      'iat not a number': { iat: String(now) },
      'nbf not a number': { nbf: 'soon' },
    };
    for (const [name, claims] of Object.entries(refused)) {
      expect({ name, ...(await outcome(`Bearer ${await sign(claims)}`)) }).toMatchObject({
        name,
        status: 401,
        challenge: 'Bearer error="invalid_token"',
      });
    }
    expect((await outcome(`Bearer ${await sign({ iat: now + 3600 })}`)).detail).toMatch(/future \(iat\)/);
    // Within the default 60 s allowance, or without iat: accepted.
    for (const claims of [{ iat: now + 30, nbf: now + 30 }, { iat: undefined }]) {
      expect(await outcome(`Bearer ${await sign(claims)}`)).toMatchObject({
        principal: { subject: 'user-1' },
      });
    }
    // The allowance is configurable (KEYCLOAK_CLOCK_SKEW_SECONDS).
    const strict = createKeycloakAuthenticator({
      serverUrl: realm.url,
      jwksMinIntervalSeconds: 0,
      clockSkewSeconds: 5,
    });
    expect(await outcome(`Bearer ${await sign({ iat: now + 30 })}`, strict)).toMatchObject({ status: 401 });
  });

  it('accepts a token signed by a key published after start, without restarting (rotation)', async () => {
    const before = await realm.keys.sign(realm.claims());
    expect((await outcome(`Bearer ${before}`)).principal).toBeDefined();
    const fetched = realm.fetches;
    const newKid = realm.keys.rotate();
    const after = await realm.keys.sign(realm.claims({ sub: 'after-rotation' }));
    expect((await outcome(`Bearer ${after}`)).principal?.subject).toBe('after-rotation');
    expect(realm.fetches).toBe(fetched + 1);
    // Known keys are cached: no fetch per request.
    await outcome(`Bearer ${after}`);
    await outcome(`Bearer ${before}`);
    expect(realm.fetches).toBe(fetched + 1);
    realm.keys.retire(realm.keys.jwks().keys.find((k) => k.kid !== newKid)!.kid);
  });

  it('refuses a key the realm stopped publishing once its keys are due for a refresh', async () => {
    const auth = createKeycloakAuthenticator({
      serverUrl: realm.url,
      jwksMinIntervalSeconds: 0,
      jwksMaxAgeSeconds: 0.05,
    });
    const oldKid = realm.keys.jwks().keys[0]!.kid;
    const old = await realm.keys.sign(realm.claims({ sub: 'old-key' }));
    expect((await outcome(`Bearer ${old}`, auth)).principal?.subject).toBe('old-key');
    const newKid = realm.keys.rotate();
    realm.keys.retire(oldKid);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the cached keys are now due
    expect(await outcome(`Bearer ${old}`, auth)).toMatchObject({
      status: 401,
      challenge: 'Bearer error="invalid_token"',
    });
    const fresh = await realm.keys.sign(realm.claims({ sub: 'new-key' }));
    expect((await outcome(`Bearer ${fresh}`, auth)).principal?.subject).toBe('new-key');
    expect(realm.keys.jwks().keys.map((k) => k.kid)).toEqual([newKid]);
  });

  it('refetches keys for unknown key ids at most once per interval, quietly', async () => {
    const throttled = createKeycloakAuthenticator({ serverUrl: realm.url }); // 10 s, keycloak-connect's default
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(
        (await outcome(`Bearer ${await realm.keys.sign(realm.claims())}`, throttled)).principal,
      ).toBeDefined();
      const fetched = realm.fetches;
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      for (const kid of ['k1', 'k2', 'k3']) {
        const forged = await new SignJWT(realm.claims())
          .setProtectedHeader({ alg: 'RS256', kid })
          .sign(privateKey);
        expect(await outcome(`Bearer ${forged}`, throttled)).toMatchObject({
          status: 401,
          challenge: 'Bearer error="invalid_token"',
        });
      }
      expect(realm.fetches).toBe(fetched);
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
  });

  it('answers 503, not 401, and keeps running when the realm’s keys cannot be fetched', async () => {
    const fresh = createKeycloakAuthenticator({ serverUrl: realm.url, jwksMinIntervalSeconds: 0 });
    const token = `Bearer ${await realm.keys.sign(realm.claims())}`;
    realm.answer('html');
    expect(await outcome(token, fresh)).toMatchObject({ status: 503 });
    realm.answer('error');
    expect(await outcome(token, fresh)).toMatchObject({ status: 503 });
    const nowhere = createKeycloakAuthenticator({
      serverUrl: 'http://127.0.0.1:1',
      issuer: realm.issuer,
      jwksMinIntervalSeconds: 0,
    });
    expect(await outcome(token, nowhere)).toMatchObject({ status: 503 });
    realm.answer('ok');
    expect((await outcome(token, fresh)).principal).toBeDefined();
  });

  it('verifies with a configured realm public key, without fetching keys', async () => {
    const { keys } = realm;
    const jwk = keys.jwks().keys.at(-1)!;
    const spki = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
      .export({ format: 'der', type: 'spki' })
      .toString('base64');
    const offline = createKeycloakAuthenticator({ serverUrl: 'http://127.0.0.1:1', realmPublicKey: spki });
    const token = await keys.sign({ ...realm.claims(), iss: 'http://127.0.0.1:1/realms/honglian' });
    expect((await outcome(`Bearer ${token}`, offline)).principal?.subject).toBe('user-1');
  });

  it('expects the public issuer while fetching keys from an internal URL', async () => {
    const split = createKeycloakAuthenticator({
      serverUrl: realm.url,
      issuer: 'https://id.example.org/realms/honglian',
      jwksMinIntervalSeconds: 0,
    });
    const publicToken = await realm.keys.sign(
      realm.claims({ iss: 'https://id.example.org/realms/honglian' }),
    );
    expect(await outcome(`Bearer ${publicToken}`, split)).toMatchObject({ principal: { subject: 'user-1' } });
    const internalToken = await realm.keys.sign(realm.claims());
    expect(await outcome(`Bearer ${internalToken}`, split)).toMatchObject({ status: 401 });
  });

  it('answers 503 while a late-bound realm URL is not known yet', async () => {
    const bound: { url?: string } = {};
    const late = createKeycloakAuthenticator({
      serverUrl: () => {
        if (!bound.url) throw new Error('not yet');
        return bound.url;
      },
      jwksMinIntervalSeconds: 0,
    });
    const token = `Bearer ${await realm.keys.sign(realm.claims())}`;
    expect(await outcome(token, late)).toMatchObject({ status: 503 });
    bound.url = realm.url;
    expect(await outcome(token, late)).toMatchObject({ principal: { subject: 'user-1' } });
  });

  it('answers anything a client can send with 401, never an unexpected error', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
    );
    const claims = fc.record(
      {
        exp: fc.oneof(value, fc.constant(Math.floor(Date.now() / 1000) + 300)),
        iss: fc.oneof(value, fc.constant(realm.issuer)),
        aud: fc.oneof(value, fc.constant('honglian-gateway'), fc.constant(['x', 'honglian-gateway'])),
        typ: fc.oneof(value, fc.constant('Bearer')),
        sub: value,
        nbf: value,
        iat: value,
        realm_access: fc.oneof(value, fc.record({ roles: value })),
        county: value,
        org_path: value,
      },
      { requiredKeys: [] },
    );
    const header = fc.record(
      { alg: fc.oneof(value, fc.constantFrom('RS256', 'none', 'HS256')), kid: value, typ: value },
      { requiredKeys: [] },
    );
    const signature = fc.oneof(
      fc.constant(''),
      fc.base64String().map((b) => b.replace(/=+$/, '')),
    );
    await fc.assert(
      fc.asyncProperty(header, claims, signature, fc.string({ maxLength: 40 }), async (h, c, sig, raw) => {
        for (const authorization of [
          `Bearer ${b64(h)}.${b64(c)}.${sig}`,
          `Bearer ${raw}`,
          raw,
          `Bearer ${b64(h)}.${raw}.${sig}`,
        ]) {
          const result = await outcome(authorization);
          expect(result).toMatchObject({ status: 401 });
          expect(['Bearer', 'Bearer error="invalid_token"']).toContain(result.challenge);
        }
      }),
      { numRuns: 300 },
    );
  });
});
