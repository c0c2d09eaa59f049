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

  constructor(secret: Buffer) {
    if (secret.length < 32) throw new Error('the personal-data key must be at least 32 bytes');
    this.hashKey = createHmac('sha256', secret).update('honglian/pii/hash').digest();
    this.encKey = createHmac('sha256', secret).update('honglian/pii/enc').digest();
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
