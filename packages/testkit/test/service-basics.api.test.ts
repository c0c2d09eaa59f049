import { createServiceApp } from '@honglian/service-kit';
import { describeServiceBasics, testContext } from '../src/index.js';

const spec = { name: 'sample', prefix: '/api/v1/sample', title: 'Sample' };

describeServiceBasics(spec, (ctx) => createServiceApp(ctx, spec));

describe('testContext', () => {
  it('has a fixed clock so period rules are deterministic', () => {
    expect(testContext().clock.now().toISOString()).toBe('2026-06-30T00:00:00.000Z');
  });
});
