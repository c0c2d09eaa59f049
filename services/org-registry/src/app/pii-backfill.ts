import type { RegistryContext } from './context.js';

const BATCH = 500;

/**
 * Fills in the phone hash (search by phone, README Search) of member versions recorded before it
 * was kept: decrypts each such phone, hashes it as a new one is hashed (already normalised when
 * sealed) and sets it beside its ciphertext. Run at start (module `prepare`), before the routes
 * serve; idempotent, and a no-op once every version has one. Resolves to the members updated.
 */
export async function backfillPhoneHashes(ctx: Pick<RegistryContext, 'members' | 'vault' | 'logger'>) {
  let after: string | undefined;
  let updated = 0;
  for (;;) {
    const docs = await ctx.members.withoutPhoneHash(after, BATCH);
    for (const doc of docs) {
      after = doc._id;
      const hashes = new Map<string, string>();
      for (const v of doc.versions) {
        if (v.phoneHash === undefined && !hashes.has(v.phoneEnc)) {
          // Hashed under the key that sealed it, so the version's key id covers both (a key
          // rotation in progress may not have re-sealed it yet).
          const { value, keyId } = ctx.vault.open(v.phoneEnc, v.piiKeyId);
          hashes.set(v.phoneEnc, ctx.vault.vaultOf(keyId)!.hash(value));
        }
      }
      await ctx.members.setPhoneHashes(doc._id, hashes);
      updated += 1;
    }
    if (docs.length < BATCH) break;
  }
  if (updated > 0) ctx.logger.info({ members: updated }, 'phone hashes backfilled');
  return updated;
}
