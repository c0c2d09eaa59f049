import type { MemberDoc, MemberVersion } from './records.js';

// Rotating the personal-data key (deploy/README.md, Rotating PII_KEY): every ciphertext re-sealed
// and every keyed hash recomputed under the new key, one member at a time, each member stamped
// with the new key's fingerprint so a re-run or a resumed run skips it. Pure: the keys come in as
// functions (app/pii-rotation.ts hands them from the keyring), nothing is read or written here.

/** What re-sealing needs of the keys: opening under whichever key sealed, sealing and hashing under the target. */
export interface Resealer {
  /** The target (new) key's fingerprint. */
  keyId: string;
  /** The clear value of a ciphertext, under the key its stored key id names (or any key held). */
  open(sealed: string, keyId: string | undefined): string;
  seal(value: string): string;
  hash(value: string): string;
}

/** The sealed fields of a member, as the rotation reads them. */
export type SealedMember = Pick<MemberDoc, '_id' | 'idHash' | 'idEnc' | 'piiKeyId' | 'lock'> & {
  versions: Pick<MemberVersion, 'phoneEnc' | 'phoneHash' | 'piiKeyId'>[];
};

/** One version's re-sealed phone, by its index (the member's versions as read, under `lock`). */
export interface VersionReseal {
  index: number;
  phoneEnc: string;
  phoneHash: string;
  piiKeyId: string;
}

/** What re-sealing a member changes; written only if the member still has the `lock` it was read with. */
export interface MemberReseal {
  _id: string;
  lock: number;
  /** The ID number re-sealed, when it was not on the target key. */
  id?: { idHash: string; idEnc: string; piiKeyId: string };
  versions: VersionReseal[];
}

/** How much a set of re-seals changes (the rotation's report, and the dry run's). */
export interface ResealCounts {
  /** Members with anything to re-seal. */
  members: number;
  /** ID numbers re-encrypted (and their hashes recomputed). */
  idNumbers: number;
  /** Versions whose phone was re-encrypted and re-hashed. */
  phones: number;
}

/** Whether everything personal on a member is sealed under the key `keyId`. */
export function onKey(doc: Pick<SealedMember, 'piiKeyId' | 'versions'>, keyId: string): boolean {
  return doc.piiKeyId === keyId && doc.versions.every((v) => v.piiKeyId === keyId);
}

/**
 * Re-seals a member under the target key: the ID number (hash and ciphertext) unless already on
 * it, and each version's phone (ciphertext and hash; a missing hash is filled in) unless already
 * on it. Versions sharing one ciphertext (a change copies the phone) share the new one. Null when
 * everything is already on the target key: a second run changes nothing.
 */
export function resealMember(doc: SealedMember, keys: Resealer): MemberReseal | null {
  if (onKey(doc, keys.keyId)) return null;
  const reseal: MemberReseal = { _id: doc._id, lock: doc.lock, versions: [] };
  if (doc.piiKeyId !== keys.keyId) {
    const id = keys.open(doc.idEnc, doc.piiKeyId);
    reseal.id = { idHash: keys.hash(id), idEnc: keys.seal(id), piiKeyId: keys.keyId };
  }
  const phones = new Map<string, { phoneEnc: string; phoneHash: string }>();
  doc.versions.forEach((v, index) => {
    if (v.piiKeyId === keys.keyId) return;
    let sealed = phones.get(v.phoneEnc);
    if (!sealed) {
      const phone = keys.open(v.phoneEnc, v.piiKeyId);
      sealed = { phoneEnc: keys.seal(phone), phoneHash: keys.hash(phone) };
      phones.set(v.phoneEnc, sealed);
    }
    reseal.versions.push({ index, ...sealed, piiKeyId: keys.keyId });
  });
  return reseal;
}

/** The counts of a batch of re-seals, added to `into`. */
export function countReseals(reseals: readonly MemberReseal[], into: ResealCounts): ResealCounts {
  for (const r of reseals) {
    into.members += 1;
    if (r.id) into.idNumbers += 1;
    into.phones += r.versions.length;
  }
  return into;
}

export const noReseals = (): ResealCounts => ({ members: 0, idNumbers: 0, phones: 0 });
