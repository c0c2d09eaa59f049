import { PiiKeyError, PiiKeyring, PiiVault, keyIdOf } from '../src/domain/pii.js';
import {
  countReseals,
  noReseals,
  onKey,
  resealMember,
  type SealedMember,
} from '../src/domain/pii-rotation.js';
import { hashMatches } from '../src/domain/listing.js';
import { holderOf } from '../src/domain/import-members.js';

const A = Buffer.alloc(32, 1);
const B = Buffer.alloc(32, 2);

describe('personal-data key ids and the keyring', () => {
  it('a key id is a short fingerprint: stable, distinct per key, not the key nor its hash', () => {
    expect(keyIdOf(A)).toBe(keyIdOf(Buffer.from(A)));
    expect(keyIdOf(A)).not.toBe(keyIdOf(B));
    expect(keyIdOf(A)).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(A.toString('base64')).not.toContain(keyIdOf(A));
    expect(new PiiVault(A).hash('x')).not.toContain(keyIdOf(A));
  });

  it('opens by the stored key id, else tries the current key then the previous one', () => {
    const ring = new PiiKeyring(B, A);
    const underA = new PiiVault(A).encrypt('13800000001');
    const underB = ring.encrypt('13800000002');
    expect(ring.open(underA, keyIdOf(A))).toEqual({ value: '13800000001', keyId: keyIdOf(A) });
    expect(ring.open(underA)).toEqual({ value: '13800000001', keyId: keyIdOf(A) });
    expect(ring.open(underB)).toEqual({ value: '13800000002', keyId: keyIdOf(B) });
    // A wrong stamp does not make a wrong value: AES-GCM refuses the wrong key, the other is tried.
    expect(ring.decrypt(underB, keyIdOf(A))).toBe('13800000002');
    expect(() => new PiiKeyring(B).decrypt(underA, keyIdOf(A))).toThrow(PiiKeyError);
  });

  it('hashes under the current key; looks up under both while a previous key is held', () => {
    const ring = new PiiKeyring(B, A);
    expect(ring.hash('v')).toBe(new PiiVault(B).hash('v'));
    expect(ring.hashes('v')).toEqual([new PiiVault(B).hash('v'), new PiiVault(A).hash('v')]);
    expect(new PiiKeyring(B).hashes('v')).toEqual([new PiiVault(B).hash('v')]);
    expect(() => new PiiKeyring(A, Buffer.from(A))).toThrow(/previous/);
  });

  it('a lookup matches any of the hashes asked for', () => {
    expect(hashMatches('h1', 'h1')).toBe(true);
    expect(hashMatches('h2', ['h1', 'h2'])).toBe(true);
    expect(hashMatches(undefined, ['h1'])).toBe(false);
    expect(holderOf(new Map([['old', 'm-1']]), ['new', 'old'])).toBe('m-1');
    expect(holderOf(new Map([['old', 'm-1']]), ['new'])).toBeUndefined();
  });
});

describe('re-sealing a member (domain/pii-rotation.ts)', () => {
  const a = new PiiVault(A);
  const ring = new PiiKeyring(B, A);
  const keys = {
    keyId: ring.keyId,
    open: (sealed: string, keyId: string | undefined) => ring.decrypt(sealed, keyId),
    seal: (value: string) => ring.encrypt(value),
    hash: (value: string) => ring.hash(value),
  };
  const b = new PiiVault(B);
  const shared = a.encrypt('13800000001');
  const member = (): SealedMember => ({
    _id: 'm-1',
    lock: 3,
    idHash: a.hash('331003199001010011'),
    idEnc: a.encrypt('331003199001010011'),
    piiKeyId: keyIdOf(A),
    versions: [
      { phoneEnc: shared, phoneHash: a.hash('13800000001'), piiKeyId: keyIdOf(A) },
      // Copied by a change of something else; the hash is missing (recorded before it was kept), no stamp.
      { phoneEnc: shared },
      { phoneEnc: b.encrypt('13800000002'), phoneHash: b.hash('13800000002'), piiKeyId: keyIdOf(B) },
    ],
  });

  it('re-seals the ID number and every phone not on the new key, under it', () => {
    const r = resealMember(member(), keys)!;
    expect(r._id).toBe('m-1');
    expect(r.lock).toBe(3);
    expect(r.id).toEqual({
      idHash: b.hash('331003199001010011'),
      idEnc: expect.any(String),
      piiKeyId: keyIdOf(B),
    });
    expect(b.decrypt(r.id!.idEnc)).toBe('331003199001010011');
    expect(r.versions.map((v) => v.index)).toEqual([0, 1]);
    for (const v of r.versions) {
      expect(b.decrypt(v.phoneEnc)).toBe('13800000001');
      expect(v).toMatchObject({ phoneHash: b.hash('13800000001'), piiKeyId: keyIdOf(B) });
    }
    // One ciphertext shared by two versions stays shared.
    expect(r.versions[0]!.phoneEnc).toBe(r.versions[1]!.phoneEnc);
    expect(countReseals([r], noReseals())).toEqual({ members: 1, idNumbers: 1, phones: 2 });
  });

  it('nothing to do for a member wholly on the new key; only the rest of a half-done one', () => {
    const done = member();
    done.piiKeyId = keyIdOf(B);
    expect(onKey(done, keyIdOf(B))).toBe(false);
    done.versions = [done.versions[2]!];
    expect(onKey(done, keyIdOf(B))).toBe(true);
    expect(resealMember(done, keys)).toBeNull();
    const half = member();
    half.piiKeyId = keyIdOf(B);
    half.idEnc = b.encrypt('331003199001010011');
    const r = resealMember(half, keys)!;
    expect(r.id).toBeUndefined();
    expect(r.versions).toHaveLength(2);
  });

  it('a value no key held opens stops the member with a PiiKeyError', () => {
    expect(() =>
      resealMember(member(), { ...keys, open: (s, k) => new PiiKeyring(B).decrypt(s, k) }),
    ).toThrow(PiiKeyError);
  });
});
