import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { usePaged } from '../../api/paged';
import type { CheckinReport } from '../../api/types';
import { Bi, StatusBadge } from '../../components/Badges';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';
import { formatDateTime } from '../../format';
import { useLang } from '../../i18n';
import { ReportActions } from './ReportActions';

const tone = (s: CheckinReport['status']) => (s === 'active' ? 'ok' : s === 'submitted' ? 'info' : 'warn');

/** Reports in the caller's scope, by status, with confirm / reject for submitted ones. */
export function ReportList({ status }: { status: CheckinReport['status'] | undefined }) {
  const { t } = useTranslation();
  const lang = useLang();
  const list = usePaged<CheckinReport>(`${API.checkin}/reports`, { status }, 50);
  return (
    <section className="panel">
      {list.loading && list.items.length === 0 && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      <DataTable
        caption={t('reports.title')}
        testId="report-list"
        rows={list.items}
        rowKey={(r) => r.id}
        empty={status === 'submitted' ? t('reports.noneToConfirm') : undefined}
        columns={[
          { key: 'member', header: t('reports.member'), render: (r) => r.memberName },
          { key: 'kind', header: t('reports.kind'), render: (r) => <Bi label={r.kindLabel} /> },
          { key: 'community', header: t('reports.community'), render: (r) => r.communityName },
          {
            key: 'submitted',
            header: t('reports.submittedAt'),
            render: (r) => formatDateTime(r.submittedAt, lang),
          },
          {
            key: 'status',
            header: t('common.status'),
            render: (r) => (
              <>
                <StatusBadge tone={tone(r.status)}>{r.statusLabel[lang]}</StatusBadge>
                {r.noShow && <StatusBadge tone="bad">{t('reports.noShow')}</StatusBadge>}
              </>
            ),
          },
          {
            key: 'pledge',
            header: t('reports.pledge'),
            render: (r) => (r.pledge ? t('reports.pledged') : '—'),
          },
          {
            key: 'actions',
            header: t('common.actions'),
            render: (r) =>
              r.status === 'submitted' ? <ReportActions report={r} onDone={list.reload} /> : null,
          },
        ]}
      />
      <LoadMore shown={list.items.length} total={list.total} more={list.more} busy={list.loading} />
    </section>
  );
}
