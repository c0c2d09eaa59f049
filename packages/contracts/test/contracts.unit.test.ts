import { z } from 'zod';
import {
  BANDS,
  COLOURS,
  Colour,
  ROLES,
  createEvent,
  deadLetterTopic,
  defineEvent,
  labelOf,
  topicOf,
  validateEvent,
} from '../src/index.js';

describe('enumerations', () => {
  it('carry zh-CN and en labels for every code', () => {
    for (const table of [ROLES, COLOURS, BANDS]) {
      for (const label of Object.values(table)) {
        expect(label.zh).toMatch(/[\u4e00-\u9fff]/);
        expect(label.en.length).toBeGreaterThan(0);
      }
    }
    expect(labelOf(COLOURS, 'red')).toBe('红');
    expect(labelOf(COLOURS, 'grey', 'en')).toBe('Grey');
  });

  it('accept only known codes', () => {
    expect(Colour.safeParse('red').success).toBe(true);
    expect(Colour.safeParse('green').success).toBe(false);
  });
});

describe('topics', () => {
  it('are one per service with a dead-letter twin', () => {
    expect(topicOf('member-checkin')).toBe('honglian.member-checkin.v1');
    expect(deadLetterTopic('honglian.member-checkin.v1')).toBe('honglian.member-checkin.v1.dlq');
  });
});

describe('events', () => {
  const Sample = defineEvent(
    'honglian.contracts-test.sample.recorded.v1',
    z.object({ hours: z.number().min(0) }),
  );

  it('builds a CloudEvents 1.0 envelope that validates', () => {
    const event = createEvent({
      type: Sample.type,
      source: '/contracts-test',
      subject: 'agg-1',
      county: '331003',
      data: { hours: 2 },
    });
    expect(event.specversion).toBe('1.0');
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(validateEvent(event)).toEqual({ ok: true, event });
  });

  it('rejects bad data, a bad envelope and an unknown type with a reason', () => {
    const base = { type: Sample.type, source: '/t', subject: 'a', data: { hours: 1 } };
    const badData = validateEvent(createEvent({ ...base, data: { hours: -1 } }));
    expect(badData).toMatchObject({ ok: false, reason: expect.stringContaining('data: hours') });
    const badCounty = validateEvent({ ...createEvent(base), county: 'x' });
    expect(badCounty).toMatchObject({ ok: false, reason: expect.stringContaining('county') });
    const unknown = validateEvent(createEvent({ ...base, type: 'honglian.nobody.nothing.happened.v1' }));
    expect(unknown).toMatchObject({ ok: false, reason: expect.stringContaining('unknown event type') });
  });

  it('refuses to redefine a type with another schema', () => {
    expect(() => defineEvent(Sample.type, z.object({}))).toThrow(/already defined/);
  });
});
