// OP_MSG (all commands) and the legacy OP_QUERY / OP_REPLY pair, which
// drivers still use for the very first `isMaster` of a connection.
import { calculateObjectSize, deserialize, serialize, serializeWithBufferAndIndex } from 'bson';
import type { Doc } from '../values.js';
import { HEADER_SIZE, writeHeader } from './framing.js';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const FLAG_CHECKSUM = 1;
const FLAG_MORE_TO_COME = 2;
const FLAG_EXHAUST_ALLOWED = 1 << 16;
const KNOWN_FLAGS = FLAG_CHECKSUM | FLAG_MORE_TO_COME | FLAG_EXHAUST_ALLOWED;

/**
 * Exact values: numbers stay Int32/Double/Long/Decimal128 wrappers and
 * regexes keep their PCRE options, so nothing is lost between client and storage.
 */
export const DESERIALIZE_OPTIONS = { promoteValues: false, promoteBuffers: false, bsonRegExp: true } as const;
const SERIALIZE_OPTIONS = { checkKeys: false, ignoreUndefined: false } as const;

export class ProtocolError extends Error {}

/** serialize() works in a 17 MiB scratch buffer; larger replies need an explicit size. */
export function toBson(doc: Doc): Buffer {
  try {
    const u8 = serialize(doc, SERIALIZE_OPTIONS);
    return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const buf = Buffer.alloc(calculateObjectSize(doc, { ignoreUndefined: false }));
    const end = serializeWithBufferAndIndex(doc, buf, SERIALIZE_OPTIONS);
    return buf.subarray(0, end + 1);
  }
}

export interface ParsedOpMsg {
  command: Doc;
  moreToCome: boolean;
}

export function parseOpMsg(msg: Buffer): ParsedOpMsg {
  const flags = msg.readUInt32LE(HEADER_SIZE);
  // unknown required bits (0-15) must make the server reject the message
  if ((flags & 0xffff & ~KNOWN_FLAGS) !== 0) throw new ProtocolError(`unsupported OP_MSG flag bits ${flags}`);
  const end = flags & FLAG_CHECKSUM ? msg.length - 4 : msg.length;
  let pos = HEADER_SIZE + 4;
  let body: Doc | undefined;
  const sequences: Record<string, Doc[]> = {};
  while (pos < end) {
    const kind = msg[pos++];
    const size = msg.readInt32LE(pos);
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG with more than one body section');
      body = deserialize(msg.subarray(pos, pos + size), DESERIALIZE_OPTIONS) as Doc;
      pos += size;
    } else if (kind === 1) {
      const sectionEnd = pos + size;
      let p = pos + 4;
      const zero = msg.indexOf(0, p);
      const id = msg.toString('utf8', p, zero);
      p = zero + 1;
      const docs: Doc[] = [];
      while (p < sectionEnd) {
        const docSize = msg.readInt32LE(p);
        docs.push(deserialize(msg.subarray(p, p + docSize), DESERIALIZE_OPTIONS) as Doc);
        p += docSize;
      }
      sequences[id] = docs;
      pos = sectionEnd;
    } else throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  // document sequences (insert documents, update statements, ...) are command fields
  for (const [id, docs] of Object.entries(sequences)) {
    if (id in body) throw new ProtocolError(`duplicate field ${id} in OP_MSG body and document sequence`);
    body[id] = docs;
  }
  return { command: body, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
}

export function encodeOpMsg(reply: Doc, requestId: number, responseTo: number): Buffer {
  const doc = toBson(reply);
  const out = Buffer.allocUnsafe(HEADER_SIZE + 5 + doc.length);
  writeHeader(out, requestId, responseTo, OP_MSG);
  out.writeUInt32LE(0, HEADER_SIZE);
  out[HEADER_SIZE + 4] = 0;
  doc.copy(out, HEADER_SIZE + 5);
  return out;
}

export interface ParsedOpQuery {
  fullCollectionName: string;
  query: Doc;
}

export function parseOpQuery(msg: Buffer): ParsedOpQuery {
  let pos = HEADER_SIZE + 4; // flags
  const zero = msg.indexOf(0, pos);
  const fullCollectionName = msg.toString('utf8', pos, zero);
  pos = zero + 1 + 8; // numberToSkip, numberToReturn
  const size = msg.readInt32LE(pos);
  const query = deserialize(msg.subarray(pos, pos + size), DESERIALIZE_OPTIONS) as Doc;
  return { fullCollectionName, query };
}

export function encodeOpReply(
  reply: Doc,
  requestId: number,
  responseTo: number,
  queryFailure = false,
): Buffer {
  const doc = toBson(reply);
  const out = Buffer.allocUnsafe(HEADER_SIZE + 20 + doc.length);
  writeHeader(out, requestId, responseTo, OP_REPLY);
  out.writeInt32LE(queryFailure ? 2 : 0, HEADER_SIZE); // responseFlags
  out.writeBigInt64LE(0n, HEADER_SIZE + 4); // cursorID
  out.writeInt32LE(0, HEADER_SIZE + 12); // startingFrom
  out.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
  doc.copy(out, HEADER_SIZE + 20);
  return out;
}
