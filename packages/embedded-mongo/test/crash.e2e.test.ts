// The embedded run survives a crash: with a data directory the server snapshots a changed
// database every `snapshotEveryMs`, so a process killed with SIGKILL (no stop(), no final
// snapshot) loses at most that much. No timing is asserted: the test waits until the write is
// in a snapshot on disk, then kills the process.
import { fork } from 'node:child_process';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { EmbeddedMongo } from '../src/index.js';
import { loadSnapshot, SNAPSHOT_FILE } from '../src/persistence.js';
import { Catalog } from '../src/storage/catalog.js';

const CHILD = path.join(__dirname, 'fixtures', 'crash-child.mjs');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'embedded-crash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Whether the snapshot on disk now holds the document (read from a copy: the server may replace it). */
async function onDisk(id: string): Promise<boolean> {
  const copy = await mkdtemp(path.join(tmpdir(), 'embedded-crash-copy-'));
  try {
    await copyFile(path.join(dir, SNAPSHOT_FILE), path.join(copy, SNAPSHOT_FILE));
    const catalog = new Catalog();
    await loadSnapshot(catalog, copy);
    return [...(catalog.get('crash', 'writes')?.docs.values() ?? [])].some((d) => d._id === id);
  } catch {
    return false; // no snapshot yet
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}
test('a write survives kill -9 once the periodic snapshot has it; the next start reads it', async () => {
  const child = fork(CHILD, [], {
    env: { ...process.env, DATA_DIR: dir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await new Promise((resolve) => child.once('message', resolve)); // ready
    child.send({ id: 'before-the-crash' });
    await new Promise((resolve) => child.once('message', resolve)); // written
    // However slow the machine: poll until a snapshot on disk holds the write.
    while (!(await onDisk('before-the-crash'))) await new Promise((r) => setTimeout(r, 100));
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  expect(child.signalCode).toBe('SIGKILL');
  const server = await EmbeddedMongo.start({ dataDir: dir });
  const client = await MongoClient.connect(server.uriFor('crash'));
  try {
    expect(
      await client
        .db('crash')
        .collection('writes')
        .findOne({ _id: 'before-the-crash' as never }),
    ).toMatchObject({
      _id: 'before-the-crash',
    });
  } finally {
    await client.close();
    await server.stop();
  }
});

test('an unchanged database is not written again; a snapshot cut short leaves the previous one', async () => {
  const server = await EmbeddedMongo.start({ dataDir: dir, snapshotEveryMs: 50 });
  const client = await MongoClient.connect(server.uriFor('crash'));
  try {
    await client
      .db('crash')
      .collection('writes')
      .insertOne({ _id: 'one' as never });
    while (!(await onDisk('one'))) await new Promise((r) => setTimeout(r, 50));
    const first = (await stat(path.join(dir, SNAPSHOT_FILE))).mtimeMs;
    // Several intervals without a write: the file stays as it was.
    await new Promise((r) => setTimeout(r, 300));
    expect((await stat(path.join(dir, SNAPSHOT_FILE))).mtimeMs).toBe(first);
  } finally {
    await client.close();
    await server.stop();
  }
  // A temp file a crash left mid-write is ignored and removed on the next start.
  const leftover = path.join(dir, `${SNAPSHOT_FILE}.12345.deadbeef.tmp`);
  await copyFile(path.join(dir, SNAPSHOT_FILE), leftover);
  const again = await EmbeddedMongo.start({ dataDir: dir, snapshotEveryMs: 0 });
  try {
    await expect(stat(leftover)).rejects.toThrow(/ENOENT/);
  } finally {
    await again.stop();
  }
});
