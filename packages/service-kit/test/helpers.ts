import { Writable } from 'node:stream';
import { createLogger } from '../src/index.js';

/** A logger that keeps its JSON lines in memory so tests can read them. */
export function memoryLogger(name = 'test') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ name, level: 'info', destination }), lines };
}
