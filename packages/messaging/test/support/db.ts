import { connectTestDatabase } from '@honglian/embedded-mongo';
import mongoose, { type Connection } from 'mongoose';

export interface TestDb {
  conn: Connection;
  close(): Promise<void>;
}

/** A fresh isolated database (embedded MongoDB, or MONGO_URL when set) and a mongoose connection to it. */
export async function openTestDb(): Promise<TestDb> {
  const db = await connectTestDatabase();
  const conn = await mongoose.createConnection(db.uri).asPromise();
  return {
    conn,
    async close() {
      await conn.close();
      await db.stop();
    },
  };
}
