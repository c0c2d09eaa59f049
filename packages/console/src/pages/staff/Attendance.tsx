import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { usePaged } from '../../api/paged';
import type { Activity, Attendance as AttendanceRow, SessionStatus } from '../../api/types';
import { StatusBadge } from '../../components/Badges';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime, formatNumber } from '../../format';
import { useLang } from '../../i18n';
import { AutoClosedActions } from './AutoClosedActions';
import { WitnessForm } from './WitnessForm';

const STATUSES: SessionStatus[] = ['open', 'closed', 'auto-closed', 'dismissed'];
const tone = (s: SessionStatus) =>
  s === 'closed' ? 'ok' : s === 'open' ? 'info' : s === 'auto-closed' ? 'warn' : 'bad';

/** Attendance in scope; auto-closed sessions wait for staff to confirm the check-out they witnessed, or dismiss. */
export function Attendance() {
  const { t } = useTranslation();
  const lang = useLang();
  const [params, setParams] = useSearchParams();
  const activity = params.get('activity') ?? undefined;
  const status = params.get('status') ?? '';
  const shown = useLoad(
    (api) =>
      activity ? api.get<Activity>(`${API.checkin}/activities/${encodeURIComponent(activity)}`) : null,
    [activity],
  );
  const list = usePaged<AttendanceRow>(
    `${API.checkin}/attendances`,
    { activityId: activity, status: status || undefined },
    50,
  );
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <>
      <PageHeader title={t('attendance.title')} subtitle={t('attendance.subtitle')} />
      <section className="panel" aria-labelledby="attendance-list">
        <h2 id="attendance-list">
          {activity
            ? t('attendance.ofActivity', { title: shown.data?.title ?? activity })
            : t('attendance.all')}
        </h2>
        <div className="toolbar">
          <label className="inline-field">
            {t('common.status')}
            <select
              value={status}
              onChange={(e) => set('status', e.target.value)}
              data-testid="attendance-status"
            >
              <option value="">{t('common.all')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`attendance.status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          {activity && (
            <button type="button" className="secondary small" onClick={() => set('activity', '')}>
              {t('attendance.allActivities')}
            </button>
          )}
          <button type="button" className="secondary small" onClick={list.reload}>
            {t('common.refresh')}
          </button>
        </div>
        {list.loading && list.items.length === 0 && <Loading />}
        <ErrorBox error={list.error} onRetry={list.reload} />
        <DataTable
          caption={t('attendance.title')}
          testId="attendance-list"
          rows={list.items}
          rowKey={(a) => a.id}
          columns={[
            { key: 'member', header: t('reports.member'), render: (a) => a.memberName },
            { key: 'in', header: t('attendance.checkIn'), render: (a) => formatDateTime(a.checkInAt, lang) },
            {
              key: 'out',
              header: t('attendance.checkOut'),
              render: (a) => formatDateTime(a.checkOutAt, lang),
            },
            {
              key: 'method',
              header: t('attendance.method'),
              render: (a) => t(`attendance.methods.${a.method}`),
            },
            {
              key: 'hours',
              header: t('attendance.hours'),
              render: (a) => formatNumber(a.hours, lang, 2),
              className: 'num',
            },
            {
              key: 'status',
              header: t('common.status'),
              render: (a) => (
                <StatusBadge tone={tone(a.status)}>{t(`attendance.status.${a.status}`)}</StatusBadge>
              ),
            },
            {
              key: 'actions',
              header: t('common.actions'),
              render: (a) =>
                a.status === 'auto-closed' ? <AutoClosedActions attendance={a} onDone={list.reload} /> : null,
            },
          ]}
        />
        <LoadMore shown={list.items.length} total={list.total} more={list.more} busy={list.loading} />
      </section>
      {activity && <WitnessForm activityId={activity} onDone={list.reload} />}
    </>
  );
}
