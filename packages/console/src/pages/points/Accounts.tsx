import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { usePaged } from '../../api/paged';
import type { Account } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { formatNumber } from '../../format';
import { useLang } from '../../i18n';
import { MemberEntries } from './MemberEntries';

interface Star {
  memberId: string;
  level: number;
  hours: number;
}

/** Volunteer point balances in scope; each member's ledger; who holds a star. */
export function Accounts() {
  const { t } = useTranslation();
  const lang = useLang();
  const [member, setMember] = useState<string | null>(null);
  const accounts = usePaged<Account>(`${API.points}/accounts`, {}, 50);
  const stars = useLoad((api) => api.get<Star[]>(`${API.points}/stars`), []);
  return (
    <>
      <PageHeader title={t('points.title')} subtitle={t('points.subtitle')} />
      <section className="panel" aria-labelledby="accounts-title">
        <h2 id="accounts-title">{t('points.accounts')}</h2>
        {accounts.loading && accounts.items.length === 0 && <Loading />}
        <ErrorBox error={accounts.error} onRetry={accounts.reload} />
        <DataTable
          caption={t('points.accounts')}
          testId="account-list"
          rows={accounts.items}
          rowKey={(a) => a.memberId}
          columns={[
            {
              key: 'member',
              header: t('reports.member'),
              render: (a) => (
                <button type="button" className="link" onClick={() => setMember(a.memberId)}>
                  {a.memberId}
                </button>
              ),
            },
            {
              key: 'balance',
              header: t('points.balance'),
              render: (a) => formatNumber(a.balance, lang, 2),
              className: 'num',
            },
            {
              key: 'hours',
              header: t('points.hours'),
              render: (a) => formatNumber(a.hours, lang, 2),
              className: 'num',
            },
            { key: 'entries', header: t('points.entries'), render: (a) => a.entries, className: 'num' },
          ]}
        />
        <LoadMore
          shown={accounts.items.length}
          total={accounts.total}
          more={accounts.more}
          busy={accounts.loading}
        />
      </section>
      {member && <MemberEntries memberId={member} />}
      <section className="panel" aria-labelledby="stars-title">
        <h2 id="stars-title">{t('points.stars')}</h2>
        <ErrorBox error={stars.error} onRetry={stars.reload} />
        {stars.data && (
          <DataTable
            caption={t('points.stars')}
            rows={stars.data}
            rowKey={(s) => s.memberId}
            columns={[
              { key: 'member', header: t('reports.member'), render: (s) => s.memberId },
              { key: 'level', header: t('points.level'), render: (s) => '★'.repeat(s.level) },
              {
                key: 'hours',
                header: t('points.hours'),
                render: (s) => formatNumber(s.hours, lang),
                className: 'num',
              },
            ]}
          />
        )}
      </section>
    </>
  );
}
