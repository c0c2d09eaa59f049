import type { QrToken } from '../../api/types';

/** The link the member's phone camera opens: the console's check-in page with the activity and the token. */
export function checkInUrl(
  activityId: string,
  token: string,
  origin: string = window.location.origin,
): string {
  const url = new URL('/m/check-in', origin);
  url.searchParams.set('activity', activityId);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * When to fetch the next token: a few seconds before it rotates, at least once per rotation
 * period, and never sooner than 2 s (the server's clock may differ from this screen's).
 */
export function nextRefreshMs(qr: Pick<QrToken, 'rotatesAt' | 'rotationSeconds'>, now = Date.now()): number {
  const period = Math.max(qr.rotationSeconds, 5) * 1000;
  const untilRotation = Date.parse(qr.rotatesAt) - now - 3000;
  return Math.min(period, Math.max(2000, Number.isFinite(untilRotation) ? untilRotation : period));
}
