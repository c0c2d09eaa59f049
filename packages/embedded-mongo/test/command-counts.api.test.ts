// serverStatus metrics.commands.<name>.{total, failed}, as mongod reports them: how many round
// trips a piece of code costs (the bench prints database commands per request from it).
import { openDriver } from './helpers.js';
import type { DriverFixture } from './helpers.js';

let fx: DriverFixture;
beforeAll(async () => {
  fx = await openDriver();
});
afterAll(async () => {
  await fx.close();
});

const counts = async () => {
  const status = await fx.client.db('admin').command({ serverStatus: 1 });
  const of = (name: string) => ({
    total: Number(status.metrics.commands[name]?.total ?? 0),
    failed: Number(status.metrics.commands[name]?.failed ?? 0),
  });
  return { find: of('find'), insert: of('insert') };
};

test('counts each command run, and the failed ones apart', async () => {
  const c = fx.coll('counted');
  await c.createIndex({ key: 1 }, { unique: true });
  const before = await counts();
  await c.insertOne({ key: 1 });
  await expect(c.insertOne({ key: 1 })).rejects.toThrow(/duplicate key/);
  await c.findOne({ key: 1 });
  await c.findOne({ key: 2 });
  await c.findOne({ key: 3 });
  const after = await counts();
  expect(after.find.total - before.find.total).toBe(3);
  expect(after.find.failed - before.find.failed).toBe(0);
  // A duplicate key is a write error in an ok reply, as mongod counts it: not a failed command.
  expect(after.insert.total - before.insert.total).toBe(2);
});

test('a command that fails outright counts as failed', async () => {
  const before = await fx.client.db('admin').command({ serverStatus: 1 });
  await expect(fx.client.db('x').command({ find: 'c', filter: 1 })).rejects.toThrow();
  const after = await fx.client.db('admin').command({ serverStatus: 1 });
  expect(Number(after.metrics.commands.find.failed) - Number(before.metrics.commands.find?.failed ?? 0)).toBe(
    1,
  );
});
