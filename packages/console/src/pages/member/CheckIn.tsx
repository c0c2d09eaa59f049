import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useApiClient } from '../../api/context';
import { useAction, useLoad } from '../../api/hooks';
import type { Activity, Attendance, Page } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { formatDateTime, formatNumber } from '../../format';
import { useLang } from '../../i18n';
import { tokenOf } from './token';

type Direction = 'check-in' | 'check-out';

/**
 * Scan-to-check-in: the phone camera opens the QR code's link (`/m/check-in?activity=…&token=…`),
 * and this page checks in at once with the token. Scanning again at the end checks out; a member
 * can also type or paste the token (or the link).
 */
export function CheckIn() {
  const { t } = useTranslation();
  const lang = useLang();
  const api = useApiClient();
  const [params, setParams] = useSearchParams();
  const activityId = params.get('activity') ?? '';
  const urlToken = params.get('token') ?? '';
  const [typed, setTyped] = useState('');
  const [result, setResult] = useState<{ direction: Direction; attendance: Attendance } | null>(null);
  const open = useLoad(
    (api) => api.get<Page<Attendance>>(`${API.checkin}/attendances`, { status: 'open', limit: 20 }),
    [result],
  );
  const activity = useLoad(
    (api) =>
      activityId ? api.get<Activity>(`${API.checkin}/activities/${encodeURIComponent(activityId)}`) : null,
    [activityId],
  );
  const send = useAction((api, direction: Direction, token: string) =>
    api.post<Attendance>(`${API.checkin}/attendances/${direction}`, { token }),
  );
  const attempted = useRef<string | null>(null);

  const go = async (direction: Direction, token: string) => {
    setResult(null);
    const attendance = await send.run(direction, token);
    if (attendance) setResult({ direction, attendance });
  };

  // A scanned link is used once: it checks in, or checks out when the member is checked in at that
  // activity already; then the token leaves the address bar (it is single-use).
  useEffect(() => {
    if (!urlToken || attempted.current === urlToken) return;
    attempted.current = urlToken;
    void (async () => {
      let direction: Direction = 'check-in';
      if (activityId) {
        try {
          const mine = await api.get<Page<Attendance>>(`${API.checkin}/attendances`, {
            status: 'open',
            activityId,
            limit: 5,
          });
          if (mine.items.some((a) => a.activityId === activityId)) direction = 'check-out';
        } catch {
          // Check in: the API says why if that is refused.
        }
      }
      await go(direction, urlToken);
      setParams(activityId ? { activity: activityId } : {}, { replace: true });
    })();
    // Runs when a new token arrives in the link.
  }, [urlToken]);

  const openHere = open.data?.items.find((a) => !activityId || a.activityId === activityId);
  return (
    <>
      <h1>{t('member.checkIn.title')}</h1>
      {activity.data && (
        <section className="card" aria-label={t('member.checkIn.activity')}>
          <h2>{activity.data.title}</h2>
          <p>
            {activity.data.communityName} · {activity.data.place}
          </p>
          <p className="hint">
            {formatDateTime(activity.data.startsAt, lang)} – {formatDateTime(activity.data.endsAt, lang)}
          </p>
        </section>
      )}
      {send.busy && (
        <p role="status" className="hint">
          {t('member.checkIn.sending')}
        </p>
      )}
      {result && (
        <section className="card success-card" role="status" data-testid="checkin-result">
          <h2>{result.direction === 'check-in' ? t('member.checkIn.done') : t('member.checkIn.outDone')}</h2>
          <p>
            {formatDateTime(
              result.direction === 'check-in' ? result.attendance.checkInAt : result.attendance.checkOutAt,
              lang,
            )}
          </p>
          {result.direction === 'check-out' && (
            <p>{t('member.checkIn.credited', { hours: formatNumber(result.attendance.hours, lang, 2) })}</p>
          )}
        </section>
      )}
      <ErrorBox error={send.error} />
      {openHere && !result && (
        <p className="card" data-testid="open-session">
          {t('member.checkIn.openSince', { time: formatDateTime(openHere.checkInAt, lang) })}
        </p>
      )}
      <section className="card" aria-labelledby="manual-title">
        <h2 id="manual-title">{t('member.checkIn.manual')}</h2>
        <p className="hint">{t('member.checkIn.manualHint')}</p>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void go('check-in', tokenOf(typed));
          }}
        >
          <label>
            {t('member.checkIn.token')}
            <input
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              data-testid="token-input"
            />
          </label>
          <div className="button-row">
            <button type="submit" className="big" disabled={!typed.trim() || send.busy}>
              {t('member.checkIn.checkIn')}
            </button>
            <button
              type="button"
              className="big secondary"
              disabled={!typed.trim() || send.busy}
              onClick={() => void go('check-out', tokenOf(typed))}
            >
              {t('member.checkIn.checkOut')}
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
