import { z } from 'zod';
import {
  OrgChanged,
  OrgCreated,
  createEvent,
  defineEvent,
  draftEvent,
  reason,
  sourceOfEventType,
  topicOfEventType,
  validateEvent,
  type EventData,
  type EventDraft,
  type EventInput,
  type Reason,
  type TypedEvent,
} from '../src/index.js';

// Compile-time checks: `npm run check-types` fails when a line marked @ts-expect-error compiles.
const Measured = defineEvent(
  'honglian.contracts-typed.reading.measured.v1',
  z.object({ value: z.number(), unit: z.enum(['m', 'km']).default('m') }),
);

describe('defineEvent', () => {
  it('keeps the literal type and the data type', () => {
    const type: 'honglian.contracts-typed.reading.measured.v1' = Measured.type;
    // @ts-expect-error another literal is not this event's type
    const wrong: 'honglian.contracts-typed.reading.other.v1' = Measured.type;
    // Producers may leave out what the schema defaults; consumers get it filled in.
    const input: EventInput<typeof Measured> = { value: 1 };
    const data: EventData<typeof Measured> = { value: 1, unit: 'km' };
    // @ts-expect-error a consumer's data always has the defaulted field
    const missing: EventData<typeof Measured> = { value: 1 };
    // @ts-expect-error a field of the wrong type
    const badInput: EventInput<typeof Measured> = { value: 'one' };
    expect([type, wrong, input, data, missing, badInput]).toHaveLength(6);
  });

  it('stays assignable to the old `{ type: string; data }` shape', () => {
    const legacy: { type: string; data: z.ZodType } = OrgCreated;
    expect(legacy.type).toBe('honglian.org-registry.org.created.v1');
  });

  it('lets a union of typed events narrow on type', () => {
    const summary = (e: TypedEvent<typeof OrgCreated | typeof OrgChanged>): string =>
      e.type === OrgChanged.type ? e.data.changed.join(',') : e.data.name;
    const created = createEvent({
      type: OrgCreated.type,
      source: '/honglian/org-registry',
      subject: 'cm-1',
      data: {
        orgId: 'cm-1',
        county: '331003',
        kind: 'community' as const,
        name: '双江社区',
        parentId: 'st-1',
        path: '/331000/331003/st-1/cm-1',
        effectiveFrom: '2026-01-01',
      },
    });
    expect(validateEvent(created).ok).toBe(true);
    expect(summary({ ...created, type: OrgCreated.type })).toBe('双江社区');
  });
});

describe('draftEvent', () => {
  it('carries the contract and checked facts', () => {
    const draft = draftEvent(Measured, { subject: 'r-1', county: '331003', data: { value: 3 } });
    expect(draft).toEqual({ event: Measured, subject: 'r-1', county: '331003', data: { value: 3 } });
    const drafts: EventDraft[] = [draft];
    expect(drafts).toHaveLength(1);
    // @ts-expect-error data must match the contract
    draftEvent(Measured, { subject: 'r-1', data: { value: 3, extra: true } });
  });

  it('leaves out an absent county', () => {
    expect(Object.keys(draftEvent(Measured, { subject: 'r', data: { value: 1 } }))).toEqual([
      'event',
      'subject',
      'data',
    ]);
  });
});

describe('topics and sources from the type', () => {
  it('follow honglian.<service>.<fact>.v<n>', () => {
    expect(topicOfEventType(OrgCreated.type)).toBe('honglian.org-registry.v1');
    expect(sourceOfEventType('honglian.member-checkin.report.submitted.v1')).toBe('/honglian/member-checkin');
    expect(() => topicOfEventType('com.example.thing')).toThrow(/not a Honglian event type/);
  });
});

describe('reason', () => {
  it('is a zh/en pair', () => {
    const why: Reason = reason('名称不能为空', 'the name must not be empty');
    expect(why).toEqual({ zh: '名称不能为空', en: 'the name must not be empty' });
  });
});
