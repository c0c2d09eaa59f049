import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { ActivityResponse } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { Loading } from '../../components/Loading';
import { formatDateTime } from '../../format';
import { useLang } from '../../i18n';

/** Who signed up or answered a call, how fast, and whether they arrived in time. */
export function ResponsesPanel({ activityId }: { activityId: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { data, error, loading, reload } = useLoad(
    (api) =>
      api.get<{ items: ActivityResponse[] }>(
        `${API.checkin}/activities/${encodeURIComponent(activityId)}/responses`,
      ),
    [activityId],
  );
  return (
    <section className="panel" aria-labelledby="responses-title">
      <h2 id="responses-title">{t('activities.whoResponded')}</h2>
      {loading && <Loading />}
      <ErrorBox error={error} onRetry={reload} />
      {data && (
        <DataTable
          caption={t('activities.whoResponded')}
          rows={data.items}
          rowKey={(r) => r.memberId}
          columns={[
            { key: 'member', header: t('reports.member'), render: (r) => r.memberId },
            {
              key: 'at',
              header: t('activities.respondedAt'),
              render: (r) => formatDateTime(r.respondedAt, lang),
            },
            {
              key: 'in',
              header: t('attendance.checkIn'),
              render: (r) => formatDateTime(r.checkedInAt, lang),
            },
            {
              key: 'arrival',
              header: t('activities.arrival'),
              render: (r) =>
                r.arrivalMinutes === null
                  ? '—'
                  : `${r.arrivalMinutes} ${t('common.minutes')} ${r.arrivedInTime ? '✓' : '✗'}`,
            },
          ]}
        />
      )}
    </section>
  );
}
