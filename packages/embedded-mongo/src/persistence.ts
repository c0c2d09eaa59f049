// Optional snapshots: the committed state written as a stream of BSON
// documents (header, then per collection a descriptor followed by its
// documents, then an end marker), atomically via temp file + rename.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
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

export async function saveSnapshot(catalog: Catalog, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, SNAPSHOT_FILE);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      await handle.write(Buffer.concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    };
    const emit = async (doc: Doc): Promise<void> => {
      const b = toBson(doc);
      pending.push(b);
      pendingBytes += b.length;
      if (pendingBytes > 4 * 1024 * 1024) await flush();
    };
    await emit({ format: FORMAT, version: VERSION, createdAt: new Date() });
    let collections = 0;
    for (const colls of catalog.dbs.values()) {
      for (const c of colls.values()) {
        collections++;
        await emit({
          kind: 'collection',
          db: c.db,
          name: c.name,
          uuid: c.uuid,
          options: c.options,
          indexes: [...c.indexes.values()].filter((ix) => !ix.isId).map((ix) => ix.spec),
          count: c.docs.size,
        });
        for (const d of c.docs.values()) await emit(d);
      }
    }
    await emit({ kind: 'end', collections });
    await flush();
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
