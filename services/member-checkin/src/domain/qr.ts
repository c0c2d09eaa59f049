import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { reason, type Reason } from '@honglian/service-kit/domain';
import { MINUTE, type CheckinRules } from './rules.js';

/**
 * Rotating QR tokens. The screen at an activity shows a token that changes
 * every `qrRotationSeconds`; it is signed (HMAC-SHA256) over the activity id,
 * the activity's time window and the rotation window, so it cannot be forged,
 * moved to another activity or kept for later. A token is accepted during its
 * own rotation window and `qrGraceRotations` after it (a scan at the edge),
 * and only while the activity's check-in window is open.
 *
 * Format: `<activityId>.<window>.<nonce>.<signature>` (URL-safe).
 */
export interface QrActivity {
  id: string;
  startsAt: Date;
  endsAt: Date;
}

export interface IssuedToken {
  token: string;
  /** Rotation window the token belongs to. */
  window: number;
  /** When the next token replaces it on screen. */
  rotatesAt: Date;
  /** Last instant it is still accepted. */
  expiresAt: Date;
}

export type TokenCheck =
  | { ok: true; activityId: string; window: number; tokenId: string }
  | {
      ok: false;
      code: 'malformed' | 'forged' | 'wrong-activity' | 'expired' | 'not-yet-valid';
      reason: Reason;
    };

/** A token that does not verify, whether its activity exists or not: one answer, so ids cannot be probed. */
export const FORGED = {
  code: 'forged',
  reason: reason('二维码签名无效', 'the QR token signature is not valid'),
} as const;

const TOKEN = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.(\d{1,15})\.([A-Za-z0-9_-]{8,32})\.([A-Za-z0-9_-]{43})$/;

export function rotationWindow(now: Date, rules: Pick<CheckinRules, 'qrRotationSeconds'>): number {
  return Math.floor(now.getTime() / (rules.qrRotationSeconds * 1000));
}

function sign(secret: Buffer, activity: QrActivity, window: number, nonce: string): string {
  return createHmac('sha256', secret)
    .update(
      [
        'honglian-checkin-qr-v1',
        activity.id,
        activity.startsAt.toISOString(),
        activity.endsAt.toISOString(),
        window,
        nonce,
      ].join('|'),
    )
    .digest('base64url');
}

/** The activity id a token claims, before it is verified (to load the activity). */
export function claimedActivity(token: string): string | null {
  return TOKEN.exec(token)?.[1] ?? null;
}

export function issueToken(
  secret: Buffer,
  activity: QrActivity,
  now: Date,
  rules: Pick<CheckinRules, 'qrRotationSeconds' | 'qrGraceRotations'>,
  nonce: string = randomBytes(9).toString('base64url'),
): IssuedToken {
  const window = rotationWindow(now, rules);
  const rotation = rules.qrRotationSeconds * 1000;
  return {
    token: `${activity.id}.${window}.${nonce}.${sign(secret, activity, window, nonce)}`,
    window,
    rotatesAt: new Date((window + 1) * rotation),
    expiresAt: new Date((window + 1 + rules.qrGraceRotations) * rotation - 1),
  };
}

/** Verifies a scanned token for an activity at `now`. */
export function verifyToken(
  secret: Buffer,
  token: string,
  activity: QrActivity,
  now: Date,
  rules: Pick<CheckinRules, 'qrRotationSeconds' | 'qrGraceRotations'>,
): TokenCheck {
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, code: 'malformed', reason: reason('二维码无效', 'the QR token is malformed') };
  const [, activityId, windowText, nonce, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (activityId !== activity.id)
    return {
      ok: false,
      code: 'wrong-activity',
      reason: reason('二维码不属于该活动', 'the QR token belongs to another activity'),
    };
  const window = Number(windowText);
  const expected = Buffer.from(sign(secret, activity, window, nonce));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, ...FORGED };
  const current = rotationWindow(now, rules);
  if (window > current)
    return {
      ok: false,
      code: 'not-yet-valid',
      reason: reason('二维码尚未生效', 'the QR token is not valid yet'),
    };
  if (current - window > rules.qrGraceRotations)
    return {
      ok: false,
      code: 'expired',
      reason: reason('二维码已过期，请扫描最新二维码', 'the QR token has expired; scan the current code'),
    };
  return { ok: true, activityId, window, tokenId: tokenId(token) };
}

/** A stable id for a token (its hash), to refuse its replay by the same member. */
export function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 32);
}

/** Whether check-in (or, with `forCheckout`, check-out) is open for the activity at `now`. */
export function attendanceWindowOpen(
  activity: Pick<QrActivity, 'startsAt' | 'endsAt'>,
  now: Date,
  rules: Pick<CheckinRules, 'opensMinutesBefore' | 'checkoutGraceMinutes'>,
  forCheckout = false,
): Reason | null {
  const opens = activity.startsAt.getTime() - rules.opensMinutesBefore * MINUTE;
  const closes = activity.endsAt.getTime() + (forCheckout ? rules.checkoutGraceMinutes * MINUTE : 0);
  if (now.getTime() < opens)
    return reason('活动尚未开始签到', 'check-in for this activity has not opened yet');
  if (now.getTime() > closes)
    return forCheckout
      ? reason('活动已结束，无法签退', 'the activity is over; check-out is closed')
      : reason('活动已结束，无法签到', 'the activity is over; check-in is closed');
  return null;
}
