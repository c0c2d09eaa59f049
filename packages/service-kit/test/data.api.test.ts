import { ConfigError, openDatabaseServer } from '../src/index.js';
import { memoryLogger } from './helpers.js';

const { logger } = memoryLogger('data');

describe('openDatabaseServer', () => {
  it('without MONGO_URL starts the embedded server: one database per service, isolated', async () => {
    const databases = await openDatabaseServer({ production: false, logger });
    try {
      expect(databases.kind).toBe('embedded');
      const a = await databases.connect('svc-a');
      const b = await databases.connect('svc-b');
      await a.collection('things').insertOne({ name: 'only in a' });
      expect(await a.collection('things').countDocuments()).toBe(1);
      expect(await b.collection('things').countDocuments()).toBe(0);
    } finally {
      await databases.close();
    }
  });

  it('refuses to run without MONGO_URL under NODE_ENV=production, naming the variable', async () => {
    await expect(openDatabaseServer({ production: true, logger })).rejects.toThrow(ConfigError);
    await expect(openDatabaseServer({ production: true, logger })).rejects.toThrow(/MONGO_URL/);
  });

  it('MONGO_IMPL=memory-server without the optional package is a config error naming MONGO_IMPL', async () => {
    let installed = true;
    try {
      require.resolve('mongodb-memory-server');
    } catch {
      installed = false;
    }
    if (installed) {
      const databases = await openDatabaseServer({ production: false, impl: 'memory-server', logger });
      try {
        expect(databases.kind).toBe('memory-server');
        const conn = await databases.connect('svc');
        await conn.collection('things').insertOne({ ok: 1 });
        expect(await conn.collection('things').countDocuments()).toBe(1);
      } finally {
        await databases.close();
      }
      return;
    }
    console.info(
      'mongodb-memory-server is not installed: checking only that MONGO_IMPL=memory-server says so',
    );
    await expect(openDatabaseServer({ production: false, impl: 'memory-server', logger })).rejects.toThrow(
      /MONGO_IMPL: .*needs the 'mongodb-memory-server' package/,
    );
  });
});
