import { CheckinConfigSchema, DEFAULT_RULES, qrSecretOf, rulesOf } from '../src/index.js';

describe('configuration (CHECKIN_*)', () => {
  const parse = (env: Record<string, string>) => CheckinConfigSchema.parse(env);

  it('defaults to the DOMAIN.md rules: 4 h cap, 180 days, 95 %, 30 s rotation', () => {
    expect(rulesOf(parse({}))).toEqual(DEFAULT_RULES);
  });

  it('takes a county’s own rules from the environment', () => {
    const rules = rulesOf(
      parse({ CHECKIN_CAP_HOURS: '2', CHECKIN_NO_SHOW_DAYS: '90', CHECKIN_QR_ROTATION_SECONDS: '15' }),
    );
    expect(rules).toMatchObject({ capMinutes: 120, noShowDays: 90, qrRotationSeconds: 15 });
  });

  it('takes the minimum credited minutes per kind and the activity horizon from the environment', () => {
    expect(DEFAULT_RULES).toMatchObject({
      minCreditedMinutes: { activity: 30, call: 15 },
      activityHorizonDays: 365,
    });
    const rules = rulesOf(
      parse({
        CHECKIN_MIN_ACTIVITY_MINUTES: '20',
        CHECKIN_MIN_CALL_MINUTES: '0',
        CHECKIN_ACTIVITY_HORIZON_DAYS: '90',
      }),
    );
    expect(rules).toMatchObject({ minCreditedMinutes: { activity: 20, call: 0 }, activityHorizonDays: 90 });
    expect(() => parse({ CHECKIN_ACTIVITY_HORIZON_DAYS: '0' })).toThrow();
    expect(() => parse({ CHECKIN_MIN_CALL_MINUTES: '-1' })).toThrow();
  });

  it('refuses nonsense at start', () => {
    expect(() => parse({ CHECKIN_CAP_HOURS: '0' })).toThrow();
    expect(() => parse({ CHECKIN_NO_SHOW_DAYS: 'soon' })).toThrow();
    expect(() => parse({ CHECKIN_FEEDBACK_THRESHOLD: '95' })).toThrow();
  });

  it('needs a QR secret of at least 32 bytes in production', () => {
    expect(() => qrSecretOf({ NODE_ENV: 'production' })).toThrow(/CHECKIN_QR_SECRET/);
    expect(() =>
      qrSecretOf({ NODE_ENV: 'production', CHECKIN_QR_SECRET: Buffer.alloc(16).toString('base64') }),
    ).toThrow(/32 bytes/);
    expect(
      qrSecretOf({ NODE_ENV: 'production', CHECKIN_QR_SECRET: Buffer.alloc(32, 7).toString('base64') }),
    ).toEqual(Buffer.alloc(32, 7));
    expect(qrSecretOf({ NODE_ENV: 'development' })).toBeUndefined();
  });
});
