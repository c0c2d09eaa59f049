// The two databases of the pipeline benches on one embedded server: the writer's check-ins (and
// its outbox) and the consumer's balances, keyed by member. `close()` stops all of it.
import { startEmbeddedMongo } from '@honglian/embedded-mongo';
import mongoose from 'mongoose';

/** `amount`: the balance's number field (hours or points). */
export async function pipelineDatabases(amount) {
  const server = await startEmbeddedMongo();
  const writer = await mongoose.createConnection(server.uriFor('bench_writer')).asPromise();
  const reader = await mongoose.createConnection(server.uriFor('bench_reader')).asPromise();
  const Checkin = writer.model('Checkin', new mongoose.Schema({ memberId: String, hours: Number }));
  const Balance = reader.model(
    'Balance',
    new mongoose.Schema({ memberId: { type: String, unique: true }, [amount]: Number }),
  );
  await Checkin.init();
  await Balance.init();
  return {
    writer,
    reader,
    Checkin,
    Balance,
    close: async () => {
      await writer.close();
      await reader.close();
      await server.stop();
    },
  };
}
