import { PiiKeyError } from '../domain/pii.js';
import {
  countReseals,
  noReseals,
  resealMember,
  type MemberReseal,
  type Resealer,
  type ResealCounts,
} from '../domain/pii-rotation.js';
import type { RegistryContext } from './context.js';

/** Why a member could not be re-sealed (the rotation goes on with the others, then fails). */
export type RotationFailure =
  /** No key held opens one of its values: PII_KEY_PREVIOUS is not the key that sealed it. */
  | 'unreadable'
  /** Its ID number's new hash is already another member's: the same person registered twice across keys. */
  | 'hash-taken';

export interface RotationOptions {
  /** Count and check (every value must open) without writing. */
  dryRun?: boolean;
  /** Members read and written per batch. Default 500. */
  batchSize?: number;
  /** Called after each batch (progress lines); a throw stops the rotation there, as a crash would. */
  onBatch?: (progress: RotationProgress) => void | Promise<void>;
}

export interface RotationProgress {
  /** Members not on the new key when the rotation began. */
  pending: number;
  /** Members read so far (every pass). */
  scanned: number;
  /** Re-sealed so far (in a dry run: would be). */
  resealed: ResealCounts;
  failed: number;
}

export interface RotationReport extends RotationProgress {
  dryRun: boolean;
  /** Fingerprints (never the keys): the key everything is re-sealed under, and the previous one. */
  keyId: string;
  previousKeyId: string | null;
  /** Members still not on the new key at the end (in a dry run: all the pending ones). */
  remaining: number;
  /** The members that could not be re-sealed, and why (ids only). */
  failures: { memberId: string; reason: RotationFailure }[];
}

const BATCH = 500;
/** Passes over what is left: a member changed while it was re-sealed is picked up by the next. */
const MAX_PASSES = 5;

/**
 * Rotates the personal-data key (deploy/README.md, Rotating PII_KEY): re-seals every member not yet
 * wholly on the current key (domain/pii-rotation.ts), opening each value with the key its stored
 * key id names (the previous key, PII_KEY_PREVIOUS), one atomic update per member, in batches.
 * Safe to re-run and to resume after a crash: a member is stamped with the new key's id in the
 * same update that re-seals it, and members already on it are never read again. A pass leaves
 * alone a member changed meanwhile; passes repeat while they make progress.
 */
export async function rotatePiiKey(
  ctx: Pick<RegistryContext, 'members' | 'vault' | 'logger'>,
  opts: RotationOptions = {},
): Promise<RotationReport> {
  const { vault, members } = ctx;
  const keys: Resealer = {
    keyId: vault.keyId,
    open: (sealed, keyId) => vault.decrypt(sealed, keyId),
    seal: (value) => vault.current.encrypt(value),
    hash: (value) => vault.current.hash(value),
  };
  const batch = opts.batchSize ?? BATCH;
  const dryRun = opts.dryRun ?? false;
  const failures = new Map<string, RotationFailure>();
  const progress: RotationProgress = {
    pending: await members.countNotOnKey(vault.keyId),
    scanned: 0,
    resealed: noReseals(),
    failed: 0,
  };
  for (let pass = 1; pass <= MAX_PASSES; pass += 1) {
    let after: string | undefined;
    let written = 0;
    let left = 0;
    for (;;) {
      const page = await members.notOnKeyPage(vault.keyId, after, batch);
      const done: MemberReseal[] = [];
      for (const doc of page) {
        after = doc._id;
        if (failures.has(doc._id)) continue;
        progress.scanned += 1;
        let reseal: MemberReseal | null;
        try {
          reseal = resealMember(doc, keys);
        } catch (err) {
          if (!(err instanceof PiiKeyError)) throw err;
          failures.set(doc._id, 'unreadable');
          continue;
        }
        if (!reseal) continue;
        if (dryRun) {
          done.push(reseal);
          continue;
        }
        const outcome = await members.reseal(reseal);
        if (outcome === 'resealed') done.push(reseal);
        else if (outcome === 'hash-taken') failures.set(doc._id, 'hash-taken');
        else left += 1;
      }
      countReseals(done, progress.resealed);
      written += done.length;
      progress.failed = failures.size;
      await opts.onBatch?.({ ...progress, resealed: { ...progress.resealed } });
      if (page.length < batch) break;
    }
    // Another pass only for members changed while they were re-sealed, and only while it helps.
    if (dryRun || left === 0 || written === 0) break;
  }
  const remaining = dryRun ? progress.pending : await members.countNotOnKey(vault.keyId);
  const report: RotationReport = {
    ...progress,
    dryRun,
    keyId: vault.keyId,
    previousKeyId: vault.previous?.keyId ?? null,
    remaining,
    failures: [...failures].map(([memberId, reason]) => ({ memberId, reason })),
  };
  ctx.logger.info(
    {
      dryRun,
      keyId: report.keyId,
      previousKeyId: report.previousKeyId,
      resealed: report.resealed,
      remaining,
      failed: report.failed,
    },
    dryRun ? 'personal-data key rotation checked (dry run)' : 'personal-data key rotation ran',
  );
  return report;
}
