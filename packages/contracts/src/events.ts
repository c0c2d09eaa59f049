import type { z } from 'zod';
import { CloudEventEnvelope, type CloudEvent } from './cloudevent.js';

/**
 * Registry of event data schemas by CloudEvents `type`. The issues that
 * introduce an event register its schema here, so producers and consumers
 * validate against one definition.
 */
const schemas = new Map<string, z.ZodType>();

/** An event contract: its CloudEvents `type` (kept as a literal type) and the zod schema of its data. */
export interface EventDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly type: T;
  readonly data: S;
}

export function defineEvent<T extends string, S extends z.ZodType>(type: T, data: S): EventDefinition<T, S> {
  const known = schemas.get(type);
  if (known && known !== data) throw new Error(`event type ${type} is already defined`);
  schemas.set(type, data);
  return { type, data };
}

export function eventSchemaOf(type: string): z.ZodType | undefined {
  return schemas.get(type);
}

export function knownEventTypes(): string[] {
  return [...schemas.keys()].sort();
}

export type EventValidation = { ok: true; event: CloudEvent } | { ok: false; reason: string };

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates the envelope and, by its type, the data. Unknown types are invalid. */
export function validateEvent(candidate: unknown): EventValidation {
  const envelope = CloudEventEnvelope.safeParse(candidate);
  if (!envelope.success) return { ok: false, reason: `envelope: ${describe(envelope.error)}` };
  const schema = schemas.get(envelope.data.type);
  if (!schema) return { ok: false, reason: `unknown event type ${envelope.data.type}` };
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, reason: `data: ${describe(data.error)}` };
  return { ok: true, event: { ...(envelope.data as CloudEvent), data: data.data } };
}
