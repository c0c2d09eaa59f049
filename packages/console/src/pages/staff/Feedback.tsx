import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { ApiClient } from '../../api/client';
import type { CheckinReport, FeedbackSheet, Org, Page } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { currentPeriods } from '../../format';
import { FeedbackSheetView } from './FeedbackSheetView';

interface Pairing {
  agencyUnitId?: string | null;
  agencyUnitName?: string | null;
}

/** Work units looked up through their members' reports (community staff), at most this many. */
const MAX_REPORTED_UNITS = 20;

/**
 * The work units the caller may ask about: agency units in scope (county and city admins), units
 * paired with the caller's communities, and the work units of members who reported to them
 * (community staff see a unit through those; its name comes with its sheet).
 */
async function loadUnits(api: ApiClient, period: string): Promise<{ id: string; name: string }[]> {
  const [orgs, pairings, reports] = await Promise.allSettled([
    api.get<Page<Org>>(`${API.registry}/orgs`, { kind: 'agency-unit', limit: 200 }),
    api.get<Page<Pairing>>(`${API.registry}/pairings`, { limit: 200 }),
    api.get<Page<CheckinReport>>(`${API.checkin}/reports`, { limit: 200 }),
  ]);
  const units = new Map<string, string | null>();
  if (orgs.status === 'fulfilled') for (const o of orgs.value.items) units.set(o.id, o.name);
  if (pairings.status === 'fulfilled')
    for (const p of pairings.value.items)
      if (p.agencyUnitId && !units.get(p.agencyUnitId)) units.set(p.agencyUnitId, p.agencyUnitName ?? null);
  if (reports.status === 'fulfilled') {
    const reported = [...new Set(reports.value.items.map((r) => r.workUnitId))].filter(
      (id): id is string => !!id && !units.has(id),
    );
    for (const id of reported.slice(0, MAX_REPORTED_UNITS)) units.set(id, null);
  }
  if (orgs.status === 'rejected' && reports.status === 'rejected') throw orgs.reason;
  const named = await Promise.all(
    [...units].map(async ([id, name]) => {
      if (name) return { id, name };
      const sheet = await api
        .get<FeedbackSheet>(`${API.checkin}/units/${encodeURIComponent(id)}/feedback`, { period })
        .catch(() => null);
      return sheet ? { id, name: sheet.unitName ?? id } : null;
    }),
  );
  return named.filter((u): u is { id: string; name: string } => u !== null);
}

/** The work-unit feedback sheet (反馈单位) for a period, with its CSV / XLSX export. */
export function Feedback() {
  const { t } = useTranslation();
  const [unitId, setUnitId] = useState('');
  const [period, setPeriod] = useState(currentPeriods().half);
  const units = useLoad((api) => loadUnits(api, currentPeriods().half), []);
  const unit = unitId || units.data?.[0]?.id || '';
  const sheet = useLoad(
    (api) =>
      unit && /^\d{4}(-(H[12]|Q[1-4]|\d{2}))?$/.test(period)
        ? api.get<FeedbackSheet>(`${API.checkin}/units/${encodeURIComponent(unit)}/feedback`, { period })
        : null,
    [unit, period],
  );
  const download = useAction((api, format: 'csv' | 'xlsx') =>
    api.download(
      `${API.checkin}/units/${encodeURIComponent(unit)}/feedback`,
      { period, format },
      `feedback-${unit}-${period}.${format}`,
    ),
  );
  return (
    <>
      <PageHeader
        title={t('feedback.title')}
        subtitle={t('feedback.subtitle')}
        actions={
          <>
            <button
              type="button"
              className="secondary"
              disabled={!unit || download.busy}
              onClick={() => void download.run('csv')}
              data-testid="export-csv"
            >
              {t('feedback.exportCsv')}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!unit || download.busy}
              onClick={() => void download.run('xlsx')}
              data-testid="export-xlsx"
            >
              {t('feedback.exportXlsx')}
            </button>
          </>
        }
      />
      <section className="panel">
        <div className="toolbar">
          <label className="inline-field">
            {t('feedback.unit')}
            <select value={unit} onChange={(e) => setUnitId(e.target.value)} data-testid="feedback-unit">
              {units.data?.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            {t('feedback.period')}
            <input
              value={period}
              onChange={(e) => setPeriod(e.target.value.trim())}
              placeholder="2026-H1"
              size={10}
            />
          </label>
        </div>
        <ErrorBox error={units.error ?? download.error} />
        {units.data && units.data.length === 0 && <p className="empty">{t('feedback.noUnits')}</p>}
      </section>
      {sheet.loading && <Loading />}
      <ErrorBox error={sheet.error} onRetry={sheet.reload} />
      {sheet.data && <FeedbackSheetView sheet={sheet.data} />}
    </>
  );
}
