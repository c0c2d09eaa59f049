import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { CheckinReport, Page } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { formatDate } from '../../format';
import { useLang } from '../../i18n';

const STANDARD = [
  'member.pledge.items.serve',
  'member.pledge.items.attend',
  'member.pledge.items.example',
] as const;

/** Sign the service pledge (服务承诺书, 亮诺) for one of my reports. */
export function Pledge() {
  const { t } = useTranslation();
  const lang = useLang();
  const [params] = useSearchParams();
  const reports = useLoad((api) => api.get<Page<CheckinReport>>(`${API.checkin}/reports`, { limit: 50 }), []);
  const open = reports.data?.items.filter((r) => r.status === 'active' || r.status === 'submitted') ?? [];
  const [reportId, setReportId] = useState(params.get('report') ?? '');
  const chosen = open.find((r) => r.id === reportId) ?? open[0];
  const [checked, setChecked] = useState<string[]>([...STANDARD]);
  const [own, setOwn] = useState('');
  const [signed, setSigned] = useState<CheckinReport | null>(null);
  const sign = useAction((api) =>
    api.put<CheckinReport>(`${API.checkin}/reports/${encodeURIComponent(chosen?.id ?? '')}/pledge`, {
      items: [
        ...checked.map((k) => t(k)),
        ...own
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
      ],
    }),
  );
  return (
    <>
      <h1>{t('member.pledge.title')}</h1>
      <p className="hint">{t('member.pledge.intro')}</p>
      {reports.loading && <Loading />}
      <ErrorBox error={reports.error} onRetry={reports.reload} />
      {reports.data && open.length === 0 && <p className="empty">{t('member.pledge.noReport')}</p>}
      {chosen && (
        <form
          className="card stack"
          onSubmit={async (e) => {
            e.preventDefault();
            const r = await sign.run();
            if (r) {
              setSigned(r);
              reports.reload();
            }
          }}
        >
          <label>
            {t('member.pledge.report')}
            <select value={chosen.id} onChange={(e) => setReportId(e.target.value)}>
              {open.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.communityName} · {r.kindLabel[lang]}
                </option>
              ))}
            </select>
          </label>
          {chosen.pledge && (
            <p className="hint">
              {t('member.reports.pledgedOn', { day: formatDate(chosen.pledge.signedAt, lang) })}
            </p>
          )}
          <fieldset>
            <legend>{t('member.pledge.promises')}</legend>
            {STANDARD.map((k) => (
              <label key={k} className="checkbox">
                <input
                  type="checkbox"
                  checked={checked.includes(k)}
                  onChange={(e) =>
                    setChecked((c) => (e.target.checked ? [...c, k] : c.filter((x) => x !== k)))
                  }
                />
                {t(k)}
              </label>
            ))}
          </fieldset>
          <label>
            {t('member.pledge.own')}
            <textarea value={own} onChange={(e) => setOwn(e.target.value)} rows={3} />
          </label>
          <button type="submit" className="big" disabled={sign.busy || (checked.length === 0 && !own.trim())}>
            {t('member.pledge.sign')}
          </button>
          {signed && (
            <p className="success" role="status">
              {t('member.pledge.signed')}
            </p>
          )}
          <ErrorBox error={sign.error} />
        </form>
      )}
    </>
  );
}
