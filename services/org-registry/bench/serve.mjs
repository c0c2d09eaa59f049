// The registry module served alone for its benches: the embedded MongoDB (or MONGO_URL), the
// in-process bus, a test token issuer; the city admin's token.
import { createServer } from 'node:http';
import mongoose from 'mongoose';
import { connectTestDatabase } from '@honglian/embedded-mongo';
import { InProcessEventBus } from '@honglian/messaging';
import { buildModuleService, createLogger, systemClock } from '@honglian/service-kit';
import { TEST_USERS, startTestIssuer } from '@honglian/testkit';

/** Serves `module` (org-registry's, from whichever build) with files up to `importMaxBytes`. */
export async function serveRegistry(module, { importMaxBytes }) {
  const db = process.env.MONGO_URL
    ? { uri: process.env.MONGO_URL, stop: async () => {} }
    : await connectTestDatabase();
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const bus = new InProcessEventBus();
  const issuer = await startTestIssuer();
  const service = buildModuleService(module, {
    logger: createLogger({ name: 'org-registry-bench', level: 'silent' }),
    clock: systemClock,
    auth: issuer.authenticator(),
    db: conn,
    bus,
    settings: { piiKey: Buffer.alloc(32, 7), importMaxBytes },
  });
  await service.start();
  await bus.start();
  const server = createServer(service.app);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${server.address().port}/api/v1/registry`,
    auth: { authorization: `Bearer ${await issuer.token(TEST_USERS.cityAdmin, { expiresIn: 3600 })}` },
    close: async () => {
      server.close();
      await service.stop();
      await bus.stop();
      await conn.close();
      await db.stop();
      await issuer.close();
    },
  };
}
