import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { usePaged } from '../../api/paged';
import type { Balance, Entry } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { formatDateTime, formatNumber } from '../../format';
import { useLang } from '../../i18n';

/** One member's balance and every ledger entry with its cause (append-only: corrections are reversals). */
export function MemberEntries({ memberId }: { memberId: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const id = encodeURIComponent(memberId);
  const balance = useLoad((api) => api.get<Balance>(`${API.points}/members/${id}/balance`), [id]);
  const entries = usePaged<Entry>(`${API.points}/members/${id}/entries`, {}, 50);
  const name = balance.data?.name ?? memberId;
  return (
    <section className="panel" aria-labelledby="entries-title">
      <h2 id="entries-title">{t('points.ledgerOf', { name })}</h2>
      <ErrorBox error={balance.error ?? entries.error} />
      {balance.data && (
        <p>
          {t('points.balance')}: <strong>{formatNumber(balance.data.balance, lang, 2)}</strong> ·{' '}
          {t('points.hours')}: <strong>{formatNumber(balance.data.hours, lang, 2)}</strong>
        </p>
      )}
      <DataTable
        caption={t('points.ledgerOf', { name })}
        rows={entries.items}
        rowKey={(e) => e.id}
        columns={[
          { key: 'at', header: t('common.time'), render: (e) => formatDateTime(e.at, lang) },
          { key: 'kind', header: t('points.kind'), render: (e) => t(`member.points.kinds.${e.kind}`) },
          { key: 'cause', header: t('points.cause'), render: (e) => `${e.cause.type} ${e.cause.id}` },
          {
            key: 'points',
            header: t('points.points'),
            render: (e) => formatNumber(e.points, lang, 2),
            className: 'num',
          },
          { key: 'reason', header: t('points.reason'), render: (e) => e.reason ?? '—' },
        ]}
      />
      <LoadMore
        shown={entries.items.length}
        total={entries.total}
        more={entries.more}
        busy={entries.loading}
      />
    </section>
  );
}
