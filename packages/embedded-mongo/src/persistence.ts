// Optional snapshots: the committed state written as a stream of BSON
// documents (header, then per collection a descriptor followed by its
// documents, then an end marker), atomically via temp file + rename.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { deserialize, UUID } from 'bson';
import { toDouble } from './numeric.js';
import type { Catalog } from './storage/catalog.js';
import { Collection, idKeyOf } from './storage/collection.js';
import type { Doc } from './values.js';
import { DESERIALIZE_OPTIONS, toBson } from './wire/opmsg.js';

export const SNAPSHOT_FILE = 'embedded-mongo.snapshot';
const FORMAT = 'honglian-embedded-mongo-snapshot';
const VERSION = 1;

/**
 * The committed state as BSON chunks, taken synchronously: no command runs in between, so the
 * snapshot is one point in time even while clients keep writing (a periodic snapshot).
 */
export function serializeCatalog(catalog: Catalog): { chunks: Buffer[]; bytes: number } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const emit = (doc: Doc): void => {
    const b = toBson(doc);
    chunks.push(b);
    bytes += b.length;
  };
  emit({ format: FORMAT, version: VERSION, createdAt: new Date() });
  let collections = 0;
  for (const colls of catalog.dbs.values()) {
    for (const c of colls.values()) {
      collections++;
      emit({
        kind: 'collection',
        db: c.db,
        name: c.name,
        uuid: c.uuid,
        options: c.options,
        indexes: [...c.indexes.values()].filter((ix) => !ix.isId).map((ix) => ix.spec),
        count: c.docs.size,
      });
      for (const d of c.docs.values()) emit(d);
    }
  }
  emit({ kind: 'end', collections });
  return { chunks, bytes };
}

/** Writes the state to `dir` atomically (temp file, fsync, rename): a crash mid-write keeps the previous one. */
export async function saveSnapshot(catalog: Catalog, dir: string): Promise<string> {
  const { chunks } = serializeCatalog(catalog);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, SNAPSHOT_FILE);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    // in writes of about 4 MB
    for (let i = 0; i < chunks.length;) {
      let size = 0;
      let j = i;
      while (j < chunks.length && size < 4 * 1024 * 1024) size += chunks[j++]!.length;
      await handle.write(Buffer.concat(chunks.slice(i, j), size));
      i = j;
    }
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  await rename(tmp, file);
  return file;
}

/** Temp files of snapshots a crash interrupted: never complete, removed on start. */
export async function removeUnfinishedSnapshots(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((n) => n.startsWith(`${SNAPSHOT_FILE}.`) && n.endsWith('.tmp'))
      .map((n) => rm(path.join(dir, n), { force: true })),
  );
}

/** Load a snapshot into an empty catalog. Returns false when there is none. */
export async function loadSnapshot(catalog: Catalog, dir: string): Promise<boolean> {
  const file = path.join(dir, SNAPSHOT_FILE);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  let pos = 0;
  const next = (): Doc => {
    if (pos + 4 > buf.length) throw new Error(`embedded-mongo: snapshot ${file} is truncated`);
    const size = buf.readInt32LE(pos);
    if (size < 5 || pos + size > buf.length)
      throw new Error(`embedded-mongo: snapshot ${file} is corrupt at byte ${pos}`);
    const doc = deserialize(buf.subarray(pos, pos + size), DESERIALIZE_OPTIONS) as Doc;
    pos += size;
    return doc;
  };
  const header = next();
  if (header.format !== FORMAT || toDouble(header.version) !== VERSION)
    throw new Error(`embedded-mongo: ${file} is not a snapshot of this format/version`);
  for (;;) {
    const d = next();
    if (d.kind === 'end') break;
    if (d.kind !== 'collection')
      throw new Error(`embedded-mongo: snapshot ${file} is corrupt (unexpected record)`);
    const coll = new Collection(
      d.db as string,
      d.name as string,
      catalog.metrics,
      (d.options as Doc) ?? {},
      d.uuid instanceof UUID ? d.uuid : undefined,
    );
    const count = toDouble(d.count);
    for (let i = 0; i < count; i++) {
      const doc = next();
      coll.docs.set(idKeyOf(doc._id), doc);
    }
    for (const spec of (d.indexes as Doc[]) ?? []) coll.addIndex(spec);
    catalog.install(coll);
  }
  return true;
}
