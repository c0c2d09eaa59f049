import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { Principal } from '@honglian/service-kit';
import type { UploadPlacement } from '../data/models.js';
import { importRefusals } from '../domain/import-refusals.js';
import { managesPlacement } from '../domain/scope.js';
import { refusalError } from './context.js';

export interface Upload {
  file: string;
  hash: string;
  bytes: number;
  head: Buffer;
  cleanup(): Promise<void>;
}

/** Spools an upload to a temporary file (two passes read it) while hashing it. */
export async function spool(body: Readable, maxBytes: number): Promise<Upload> {
  const dir = await mkdtemp(path.join(tmpdir(), 'honglian-import-'));
  const file = path.join(dir, 'upload');
  const hash = createHash('sha256');
  let bytes = 0;
  let head = Buffer.alloc(0);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(refusalError(importRefusals.tooLarge(maxBytes)));
      if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await pipeline(body, meter, createWriteStream(file));
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { file, hash: hash.digest('hex'), bytes: (await stat(file)).size, head, cleanup };
}

/** Where an upload comes from: its import record and job are placed there (README, Imports). */
export function uploadPlacement(principal: Principal): UploadPlacement {
  return { county: principal.county ?? null, orgPath: principal.orgPath ?? null };
}

/** Whether the caller may see an import record or job: the read rule over where it was uploaded. */
export function seesUpload(principal: Principal, upload: UploadPlacement): boolean {
  return managesPlacement(principal, {
    county: upload.county ?? '',
    paths: upload.orgPath ? [upload.orgPath] : [],
  });
}
