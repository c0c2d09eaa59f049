// A minimal raw wire-protocol client for protocol-level tests.
import net from 'node:net';
import { deserialize, serialize } from 'bson';
import type { Document } from 'bson';

let requestId = 1000;

export class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: ((msg: Buffer) => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const len = this.buffer.readInt32LE(0);
        const msg = this.buffer.subarray(0, len);
        this.buffer = this.buffer.subarray(len);
        this.waiters.shift()?.(msg);
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private next(): Promise<Buffer> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** OP_MSG with a single body section; resolves with the reply document. */
  async command(doc: Document): Promise<Document> {
    const body = serialize(doc);
    const msg = Buffer.alloc(16 + 4 + 1 + body.length);
    msg.writeInt32LE(msg.length, 0);
    msg.writeInt32LE(requestId++, 4);
    msg.writeInt32LE(0, 8);
    msg.writeInt32LE(2013, 12);
    msg.writeUInt32LE(0, 16);
    msg[20] = 0;
    Buffer.from(body).copy(msg, 21);
    const reply = this.next();
    this.socket.write(msg);
    const r = await reply;
    return deserialize(r.subarray(21));
  }

  /** Legacy OP_QUERY; resolves with the OP_REPLY flags and document. */
  async query(ns: string, doc: Document): Promise<{ opCode: number; flags: number; doc: Document }> {
    const body = Buffer.from(serialize(doc));
    const nsBuf = Buffer.from(ns + '\0');
    const msg = Buffer.alloc(16 + 4 + nsBuf.length + 8 + body.length);
    msg.writeInt32LE(msg.length, 0);
    msg.writeInt32LE(requestId++, 4);
    msg.writeInt32LE(0, 8);
    msg.writeInt32LE(2004, 12);
    msg.writeInt32LE(0, 16);
    nsBuf.copy(msg, 20);
    msg.writeInt32LE(0, 20 + nsBuf.length);
    msg.writeInt32LE(-1, 24 + nsBuf.length);
    body.copy(msg, 28 + nsBuf.length);
    const reply = this.next();
    this.socket.write(msg);
    const r = await reply;
    return { opCode: r.readInt32LE(12), flags: r.readInt32LE(16), doc: deserialize(r.subarray(36)) };
  }

  writeRaw(buf: Buffer): void {
    this.socket.write(buf);
  }

  close(): void {
    this.socket.destroy();
  }
}
