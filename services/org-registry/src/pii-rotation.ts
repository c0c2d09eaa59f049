import type { Logger } from '@honglian/service-kit';
import type { Connection } from 'mongoose';
import { rotatePiiKey, type RotationOptions, type RotationReport } from './app/pii-rotation.js';
import { MemberRepository } from './data/members.js';
import { registryModels } from './data/models.js';
import { PiiKeyring } from './domain/pii.js';

export type { RotationOptions, RotationProgress, RotationReport } from './app/pii-rotation.js';
export { keyIdOf } from './domain/pii.js';

/**
 * The personal-data key rotation on the registry's own database, without the service (the
 * `honglian pii rotate` command): every member re-sealed from `previousKey` to `key`
 * (app/pii-rotation.ts). Resumable; the service may keep running meanwhile if it already runs
 * with `key` as PII_KEY and `previousKey` as PII_KEY_PREVIOUS.
 */
export function rotateRegistryPiiKey(
  db: Connection,
  keys: { key: Buffer; previousKey?: Buffer },
  logger: Logger,
  opts: RotationOptions = {},
): Promise<RotationReport> {
  const models = registryModels(db);
  return rotatePiiKey(
    { members: new MemberRepository(models), vault: new PiiKeyring(keys.key, keys.previousKey), logger },
    opts,
  );
}
