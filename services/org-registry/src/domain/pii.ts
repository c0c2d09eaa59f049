import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Random bytes taken from a pool refilled from the CSPRNG: a bulk import seals two values per row,
 * and one system call per 12-byte IV costs more than the cipher. Bytes are never handed out twice.
 */
class RandomPool {
  private buf = Buffer.alloc(0);
  private at = 0;

  take(n: number): Buffer {
    if (this.at + n > this.buf.length) {
      this.buf = randomBytes(Math.max(64 * 1024, n));
      this.at = 0;
    }
    const out = Buffer.from(this.buf.subarray(this.at, this.at + n));
    this.at += n;
    return out;
  }
}

export const randomPool = new RandomPool();

/**
 * Personal data at rest (PIPL): a keyed hash for uniqueness and lookup, and
 * AES-256-GCM for the value itself. Two keys are derived from one secret so
 * a leaked hash cannot be used to decrypt and vice versa.
 */
export class PiiVault {
  private readonly hashKey: Buffer;
  private readonly encKey: Buffer;
  /** The key's fingerprint (`keyIdOf`), stored beside what it sealed; never the key. */
  readonly keyId: string;

  constructor(secret: Buffer) {
    if (secret.length < 32) throw new Error('the personal-data key must be at least 32 bytes');
    this.hashKey = createHmac('sha256', secret).update('honglian/pii/hash').digest();
    this.encKey = createHmac('sha256', secret).update('honglian/pii/enc').digest();
    this.keyId = keyIdOf(secret);
  }

  hash(value: string): string {
    return createHmac('sha256', this.hashKey).update(value).digest('base64url');
  }

  encrypt(value: string): string {
    const iv = randomPool.take(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  decrypt(sealed: string): string {
    const [version, payload] = sealed.split('.');
    if (version !== 'v1' || !payload) throw new Error('unknown personal-data envelope');
    const raw = Buffer.from(payload, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/**
 * A short fingerprint of a personal-data key (12 base64url characters of a keyed derivation, like
 * the hash and encryption keys): stored on each sealed record to say which key sealed it, and
 * printed by the rotation. It reveals nothing of the key, the hash key or the encryption key.
 */
export function keyIdOf(secret: Buffer): string {
  return createHmac('sha256', secret).update('honglian/pii/key-id').digest('base64url').slice(0, 12);
}

/**
 * The keys the registry holds: the current one (PII_KEY), which seals every new value and every
 * hash, and during a rotation the previous one (PII_KEY_PREVIOUS), which still opens what it
 * sealed and still finds what it hashed until the rotation has re-sealed everything.
 */
export class PiiKeyring {
  readonly current: PiiVault;
  readonly previous: PiiVault | undefined;

  constructor(current: Buffer, previous?: Buffer) {
    this.current = new PiiVault(current);
    this.previous = previous ? new PiiVault(previous) : undefined;
    if (this.previous?.keyId === this.current.keyId) {
      throw new Error('the previous personal-data key is the current one');
    }
  }

  /** The current key's fingerprint, stamped on what it seals. */
  get keyId(): string {
    return this.current.keyId;
  }

  /** The keyed hash under the current key (what is stored). */
  hash(value: string): string {
    return this.current.hash(value);
  }

  /** The keyed hashes a lookup matches: under the current key, then the previous one if held. */
  hashes(value: string): string[] {
    return this.previous ? [this.current.hash(value), this.previous.hash(value)] : [this.current.hash(value)];
  }

  encrypt(value: string): string {
    return this.current.encrypt(value);
  }

  /** The value sealed in `sealed` (see `open`). */
  decrypt(sealed: string, keyId?: string): string {
    return this.open(sealed, keyId).value;
  }

  /**
   * Opens a ciphertext and says which key did: the one its stored key id names first, else the
   * current key, then the previous one (records written before key ids were kept carry none). A
   * wrong key fails AES-GCM's authentication, so a ciphertext never opens to a wrong value.
   */
  open(sealed: string, keyId?: string): { value: string; keyId: string } {
    const vaults = this.previous ? [this.current, this.previous] : [this.current];
    if (keyId !== undefined && vaults[1]?.keyId === keyId) vaults.reverse();
    let failure: unknown;
    for (const vault of vaults) {
      try {
        return { value: vault.decrypt(sealed), keyId: vault.keyId };
      } catch (err) {
        failure = err;
      }
    }
    throw new PiiKeyError(keyId, failure);
  }

  /** The vault of a key id the ring holds, if it does. */
  vaultOf(keyId: string): PiiVault | undefined {
    return [this.current, this.previous].find((v) => v?.keyId === keyId);
  }
}

/** A ciphertext none of the keys held opens (a wrong PII_KEY_PREVIOUS, or a key since dropped). */
export class PiiKeyError extends Error {
  constructor(
    readonly keyId: string | undefined,
    cause: unknown,
  ) {
    super(`no personal-data key held opens this value (sealed under ${keyId ?? 'an unrecorded key'})`, {
      cause,
    });
    this.name = 'PiiKeyError';
  }
}
