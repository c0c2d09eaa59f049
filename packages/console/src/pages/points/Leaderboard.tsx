import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { LeaderboardRow } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { currentPeriods, formatNumber } from '../../format';
import { useLang } from '../../i18n';

/** Points earned and hours per member or team in a period, with the export for funders. */
export function Leaderboard() {
  const { t } = useTranslation();
  const lang = useLang();
  const [by, setBy] = useState<'member' | 'team'>('member');
  const [period, setPeriod] = useState(currentPeriods().year);
  const valid = /^\d{4}(-(H[12]|Q[1-4]|\d{2}))?$/.test(period);
  const board = useLoad(
    (api) =>
      valid
        ? api.get<{ rows: LeaderboardRow[] }>(`${API.points}/leaderboard`, { by, period, limit: 50 })
        : null,
    [by, period],
  );
  const download = useAction((api) =>
    api.download(
      `${API.points}/leaderboard`,
      { by, period, limit: 200, format: 'xlsx' },
      `leaderboard-${by}-${period}.xlsx`,
    ),
  );
  return (
    <>
      <PageHeader
        title={t('leaderboard.title')}
        subtitle={t('leaderboard.subtitle')}
        actions={
          <button
            type="button"
            className="secondary"
            onClick={() => void download.run()}
            disabled={!valid || download.busy}
          >
            {t('feedback.exportXlsx')}
          </button>
        }
      />
      <section className="panel">
        <div className="toolbar">
          <label className="inline-field">
            {t('leaderboard.by')}
            <select value={by} onChange={(e) => setBy(e.target.value as 'member' | 'team')}>
              <option value="member">{t('leaderboard.byMember')}</option>
              <option value="team">{t('leaderboard.byTeam')}</option>
            </select>
          </label>
          <label className="inline-field">
            {t('feedback.period')}
            <input value={period} onChange={(e) => setPeriod(e.target.value.trim())} size={10} />
          </label>
        </div>
        {board.loading && <Loading />}
        <ErrorBox error={board.error ?? download.error} onRetry={board.reload} />
        {board.data && (
          <DataTable
            caption={t('leaderboard.title')}
            rows={board.data.rows}
            rowKey={(r) => r.id}
            columns={[
              { key: 'rank', header: t('leaderboard.rank'), render: (r) => r.rank, className: 'num' },
              {
                key: 'id',
                header: by === 'member' ? t('reports.member') : t('leaderboard.team'),
                render: (r) => r.id,
              },
              {
                key: 'points',
                header: t('points.points'),
                render: (r) => formatNumber(r.points, lang, 2),
                className: 'num',
              },
              {
                key: 'hours',
                header: t('points.hours'),
                render: (r) => formatNumber(r.hours, lang, 2),
                className: 'num',
              },
            ]}
          />
        )}
      </section>
    </>
  );
}
