import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { usePaged } from '../../api/paged';
import type { Member } from '../../api/types';
import { isAdmin } from '../../auth/claims';
import { useAuth } from '../../auth/context';
import { Bi } from '../../components/Badges';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { RevealCell } from './RevealCell';
import { RevealLog } from './RevealLog';

/** Members in scope with their ID number and phone masked; a full value only through the audited reveal. */
export function Members() {
  const { t } = useTranslation();
  const { session } = useAuth();
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const list = usePaged<Member>(`${API.registry}/members`, { q: q || undefined }, 50);
  return (
    <>
      <PageHeader title={t('members.title')} subtitle={t('members.subtitle')} />
      <section className="panel" aria-labelledby="members-list">
        <h2 id="members-list" className="sr-only">
          {t('members.title')}
        </h2>
        <form
          className="toolbar"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setQ(draft.trim());
          }}
        >
          <label className="inline-field">
            {t('members.searchName')}
            <input value={draft} onChange={(e) => setDraft(e.target.value)} data-testid="member-search" />
          </label>
          <button type="submit">{t('common.search')}</button>
        </form>
        {list.loading && list.items.length === 0 && <Loading />}
        <ErrorBox error={list.error} onRetry={list.reload} />
        <DataTable
          caption={t('members.title')}
          testId="member-list"
          rows={list.items}
          rowKey={(m) => m.id}
          columns={[
            { key: 'name', header: t('common.name'), render: (m) => m.name },
            { key: 'category', header: t('members.category'), render: (m) => <Bi label={m.categoryLabel} /> },
            { key: 'org', header: t('members.partyOrg'), render: (m) => m.partyOrgName ?? m.partyOrgId },
            { key: 'unit', header: t('members.workUnit'), render: (m) => m.workUnitName ?? '—' },
            {
              key: 'home',
              header: t('members.residence'),
              render: (m) =>
                [m.residenceCompoundName, m.residenceBuildingName].filter(Boolean).join(' ') || '—',
            },
            { key: 'pii', header: t('members.pii'), render: (m) => <RevealCell member={m} /> },
          ]}
        />
        <LoadMore shown={list.items.length} total={list.total} more={list.more} busy={list.loading} />
      </section>
      {isAdmin(session) && <RevealLog />}
    </>
  );
}
