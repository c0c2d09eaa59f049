import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { usePaged } from '../../api/paged';
import type { Bilingual } from '../../api/errors';
import { Bi } from '../../components/Badges';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';
import { formatDate } from '../../format';
import { useLang } from '../../i18n';

interface NoShowRow {
  reportId: string;
  memberName: string;
  kindLabel: Bilingual;
  communityName: string;
  lastAttendanceAt: string | null;
  daysWithoutAttendance: number;
}

/** 报而不到: active reports with no attendance in the window (default 180 days). */
export function NoShowList() {
  const { t } = useTranslation();
  const lang = useLang();
  const list = usePaged<NoShowRow>(`${API.checkin}/views/no-shows`, {}, 50);
  return (
    <section className="panel">
      {list.loading && list.items.length === 0 && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      <DataTable
        caption={t('reports.tabs.no-shows')}
        rows={list.items}
        rowKey={(r) => r.reportId}
        empty={t('reports.noNoShows')}
        columns={[
          { key: 'member', header: t('reports.member'), render: (r) => r.memberName },
          { key: 'kind', header: t('reports.kind'), render: (r) => <Bi label={r.kindLabel} /> },
          { key: 'community', header: t('reports.community'), render: (r) => r.communityName },
          {
            key: 'last',
            header: t('reports.lastAttendance'),
            render: (r) => formatDate(r.lastAttendanceAt, lang),
          },
          {
            key: 'days',
            header: t('reports.daysWithout'),
            render: (r) => r.daysWithoutAttendance,
            className: 'num',
          },
        ]}
      />
      <LoadMore shown={list.items.length} total={list.total} more={list.more} busy={list.loading} />
    </section>
  );
}
