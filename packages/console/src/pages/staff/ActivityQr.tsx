import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import QRCode from 'qrcode';
import { API } from '../../api/client';
import { useApiClient } from '../../api/context';
import { useLoad } from '../../api/hooks';
import type { Activity, QrToken } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { Loading } from '../../components/Loading';
import { formatDateTime } from '../../format';
import { useLang } from '../../i18n';
import { checkInUrl, nextRefreshMs } from './qr';

/** The rotating QR code of an activity, full screen, for members to scan at the door. */
export function ActivityQr() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const lang = useLang();
  const api = useApiClient();
  const activity = useLoad(
    (a) => a.get<Activity>(`${API.checkin}/activities/${encodeURIComponent(id)}`),
    [id],
  );
  const [qr, setQr] = useState<{ token: QrToken; url: string; image: string } | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [seconds, setSeconds] = useState(0);
  const screen = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const refresh = async () => {
      try {
        const token = await api.get<QrToken>(`${API.checkin}/activities/${encodeURIComponent(id)}/qr`);
        const url = checkInUrl(id, token.token);
        const image = await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2, width: 640 });
        if (!live) return;
        setQr({ token, url, image });
        setError(undefined);
        const wait = nextRefreshMs(token);
        setSeconds(Math.round(wait / 1000));
        timer = window.setTimeout(() => void refresh(), wait);
      } catch (err) {
        if (!live) return;
        setError(err);
        timer = window.setTimeout(() => void refresh(), 10_000);
      }
    };
    void refresh();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [api, id]);

  useEffect(() => {
    const tick = window.setInterval(() => setSeconds((s) => Math.max(0, s - 1)), 1000);
    return () => window.clearInterval(tick);
  }, []);

  const a = activity.data;
  return (
    <div className="qr-screen" ref={screen}>
      <header className="qr-top">
        <Link to="/activities">← {t('activities.back')}</Link>
        <div className="qr-tools">
          <LanguageSwitch />
          <button
            type="button"
            className="secondary"
            onClick={() =>
              document.fullscreenElement
                ? void document.exitFullscreen()
                : void screen.current?.requestFullscreen()
            }
          >
            {t('qr.fullscreen')}
          </button>
        </div>
      </header>
      <main id="main" className="qr-main">
        <h1>{a ? a.title : t('qr.title')}</h1>
        {a && (
          <p className="qr-meta">
            {a.communityName} · {a.place} · {formatDateTime(a.startsAt, lang)} –{' '}
            {formatDateTime(a.endsAt, lang)}
          </p>
        )}
        <ErrorBox error={activity.error ?? error} />
        {qr ? (
          <figure
            className="qr-figure"
            data-testid="qr"
            data-checkin-url={qr.url}
            data-token={qr.token.token}
          >
            <img src={qr.image} alt={t('qr.alt', { title: a?.title ?? id })} width={480} height={480} />
            <figcaption>
              <p className="qr-hint">{t('qr.scan')}</p>
              <p className="qr-rotates" aria-live="off">
                {t('qr.rotates', { seconds })}
              </p>
              <details>
                <summary>{t('qr.cannotScan')}</summary>
                <a href={qr.url} data-testid="qr-link" className="qr-link">
                  {qr.url}
                </a>
                <p>
                  {t('qr.token')}: <code data-testid="qr-token">{qr.token.token}</code>
                </p>
              </details>
            </figcaption>
          </figure>
        ) : (
          !error && <Loading />
        )}
      </main>
    </div>
  );
}
