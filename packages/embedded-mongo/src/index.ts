// @honglian/embedded-mongo: an in-process MongoDB wire-protocol server for
// tests and the zero-install run. See README.md for what is supported.
export { EmbeddedMongo, startEmbeddedMongo } from './embedded.js';
export type { EmbeddedMongoOptions } from './embedded.js';
export { connectTestDatabase } from './testing.js';
export type { TestDatabase } from './testing.js';
export { startMemoryServer } from './memory-server.js';
export type { MongoServerHandle } from './memory-server.js';
