import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

/** A public RSA signing key as a realm publishes it in its JWKS. */
export interface PublicJwk {
  kty: 'RSA';
  kid: string;
  use: 'sig';
  alg: 'RS256';
  n: string;
  e: string;
}

interface RingKey {
  kid: string;
  privateKey: KeyObject;
  jwk: PublicJwk;
}

/**
 * RS256 signing keys of a token issuer (the development identity provider,
 * test issuers). Like Keycloak, the newest key signs and older keys stay in
 * the JWKS until retired, so tokens signed before a rotation still verify.
 * The key id is the key's RFC 7638 thumbprint.
 */
export class SigningKeyRing {
  private keys: RingKey[] = [];

  constructor() {
    this.rotate();
  }

  /** Key id new tokens are signed with. */
  get currentKid(): string {
    return this.keys.at(-1)!.kid;
  }

  /** Makes a fresh key the signing key; previous keys stay published. Returns its kid. */
  rotate(): string {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { n, e } = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    const kid = createHash('sha256')
      .update(JSON.stringify({ e, kty: 'RSA', n }))
      .digest('base64url');
    this.keys.push({ kid, privateKey, jwk: { kty: 'RSA', kid, use: 'sig', alg: 'RS256', n, e } });
    return kid;
  }

  /** Stops publishing a key (tokens it signed no longer verify). The signing key cannot be retired. */
  retire(kid: string): void {
    if (kid === this.currentKid) throw new Error('the current signing key cannot be retired; rotate first');
    this.keys = this.keys.filter((k) => k.kid !== kid);
  }

  /** The JSON Web Key Set to serve at `.../protocol/openid-connect/certs`. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.keys.map((k) => ({ ...k.jwk })) };
  }

  /** Signs claims as a compact JWS (`alg` RS256, `typ` JWT, `kid`). */
  async sign(payload: JWTPayload, opts: { kid?: string } = {}): Promise<string> {
    const key = opts.kid ? this.keys.find((k) => k.kid === opts.kid) : this.keys.at(-1);
    if (!key) throw new Error(`no signing key ${opts.kid}`);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .sign(key.privateKey);
  }
}
