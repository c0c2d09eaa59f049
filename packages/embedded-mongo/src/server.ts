// The TCP side: accepts connections, frames wire messages, runs commands
// synchronously (one command at a time, so every command is atomic) and
// writes replies in order.
import net from 'node:net';
import { ObjectId } from 'bson';
import { runCommand } from './commands/index.js';
import type { ConnectionInfo, ServerState } from './commands/context.js';
import { CursorManager } from './cursors.js';
import { ErrorCodes } from './errors.js';
import { Catalog } from './storage/catalog.js';
import { TransactionManager } from './transactions.js';
import type { Doc } from './values.js';
import { MessageFramer, readHeader } from './wire/framing.js';
import { encodeOpMsg, encodeOpReply, OP_MSG, OP_QUERY, parseOpMsg, parseOpQuery } from './wire/opmsg.js';

export interface WireServerOptions {
  port: number;
  host: string;
  /** undefined: a standalone server (no sessions-based transactions) */
  replSetName: string | undefined;
  /** don't keep the process alive for this server (shared test server) */
  unref?: boolean;
}

const DEBUG = process.env.EMBEDDED_MONGO_DEBUG === '1';
const LEGACY_HANDSHAKE = new Set(['isMaster', 'ismaster', 'hello']);

function advertisedHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export class WireServer implements ServerState {
  readonly catalog: Catalog;
  readonly cursors = new CursorManager();
  readonly txns: TransactionManager;
  readonly replSetName: string | undefined;
  readonly startedAt = new Date();
  readonly electionId = new ObjectId('7fffffff0000000000000001');
  address = '';
  port = 0;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;
  private nextRequestId = 1;

  private constructor(
    private readonly opts: WireServerOptions,
    catalog: Catalog,
  ) {
    this.catalog = catalog;
    this.txns = new TransactionManager(catalog);
    this.replSetName = opts.replSetName;
    this.server = net.createServer((s) => this.onConnection(s));
  }

  static async listen(opts: WireServerOptions, catalog = new Catalog()): Promise<WireServer> {
    const s = new WireServer(opts, catalog);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(opts.port, opts.host, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    const addr = s.server.address() as net.AddressInfo;
    s.port = addr.port;
    s.address = `${advertisedHost(opts.host)}:${addr.port}`;
    if (opts.unref) s.server.unref();
    return s;
  }

  connections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.txns.abortAll();
    this.cursors.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    if (this.opts.unref) socket.unref();
    socket.setNoDelay(true);
    const conn: ConnectionInfo = {
      id: this.nextConnectionId++,
      remote: `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`,
    };
    const framer = new MessageFramer();
    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const msg of messages) {
        let out: Buffer | undefined;
        try {
          out = this.onMessage(msg, conn);
        } catch (e) {
          // malformed wire data: mongod closes the connection
          if (DEBUG) process.stderr.write(`embedded-mongo: closing connection ${conn.id}: ${String(e)}\n`);
          socket.destroy();
          return;
        }
        if (out) socket.write(out);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private execute(cmd: Doc, conn: ConnectionInfo): Doc {
    const reply = runCommand(this, conn, cmd);
    if (DEBUG) {
      const name = Object.keys(cmd)[0];
      const status = reply.ok ? 'ok' : `error ${String(reply.code)} ${String(reply.errmsg)}`;
      process.stderr.write(`embedded-mongo: [${conn.id}] ${String(cmd.$db)}.${name} -> ${status}\n`);
    }
    return reply;
  }

  private onMessage(msg: Buffer, conn: ConnectionInfo): Buffer | undefined {
    const header = readHeader(msg);
    if (header.opCode === OP_MSG) {
      const { command, moreToCome } = parseOpMsg(msg);
      const reply = this.execute(command, conn);
      return moreToCome ? undefined : encodeOpMsg(reply, this.nextRequestId++, header.requestId);
    }
    if (header.opCode === OP_QUERY) {
      // Only the connection handshake still uses OP_QUERY.
      const { fullCollectionName, query } = parseOpQuery(msg);
      const cmd = (query.$query && typeof query.$query === 'object' ? query.$query : query) as Doc;
      const name = Object.keys(cmd)[0] ?? '';
      const dot = fullCollectionName.indexOf('.');
      if (!fullCollectionName.endsWith('.$cmd') || !LEGACY_HANDSHAKE.has(name)) {
        const reply = {
          $err: `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`,
          code: ErrorCodes.UnsupportedOpQueryCommand,
          ok: 0,
        };
        return encodeOpReply(reply, this.nextRequestId++, header.requestId, true);
      }
      const reply = this.execute({ ...cmd, $db: fullCollectionName.slice(0, dot) }, conn);
      return encodeOpReply(reply, this.nextRequestId++, header.requestId);
    }
    throw new Error(`unsupported opCode ${header.opCode}`);
  }
}
