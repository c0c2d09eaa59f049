import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { RawMessage } from '../port.js';

export function toKafkaHeaders(headers: Record<string, string>): IHeaders {
  return { ...headers };
}

function text(value: Buffer | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** Kafka record → RawMessage: UTF-8 key/value, headers as strings (the last value of a repeated header wins). */
export function fromKafkaMessage(message: KafkaMessage): RawMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    const decoded = text(last);
    if (decoded !== null) headers[name] = decoded;
  }
  return { key: text(message.key), value: text(message.value) ?? '', headers };
}
