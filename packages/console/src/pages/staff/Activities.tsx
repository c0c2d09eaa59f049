import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { usePaged } from '../../api/paged';
import type { Activity } from '../../api/types';
import { Bi, StatusBadge } from '../../components/Badges';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime } from '../../format';
import { useLang } from '../../i18n';
import { ActivityForm } from './ActivityForm';
import { ResponsesPanel } from './ResponsesPanel';

/** Activities and whistle calls (社区吹哨) in scope: publish one, show its QR code, see who responded. */
export function Activities() {
  const { t } = useTranslation();
  const lang = useLang();
  const [creating, setCreating] = useState(false);
  const [kind, setKind] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const list = usePaged<Activity>(`${API.checkin}/activities`, { kind: kind || undefined }, 50);
  return (
    <>
      <PageHeader
        title={t('activities.title')}
        subtitle={t('activities.subtitle')}
        actions={
          <button
            type="button"
            onClick={() => setCreating((c) => !c)}
            aria-expanded={creating}
            data-testid="new-activity"
          >
            {t('activities.new')}
          </button>
        }
      />
      {creating && (
        <ActivityForm
          onCreated={() => {
            setCreating(false);
            list.reload();
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      <section className="panel" aria-labelledby="activity-list">
        <h2 id="activity-list">{t('activities.list')}</h2>
        <div className="toolbar">
          <label className="inline-field">
            {t('activities.kind')}
            <select value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">{t('common.all')}</option>
              <option value="activity">{t('activities.kinds.activity')}</option>
              <option value="call">{t('activities.kinds.call')}</option>
            </select>
          </label>
        </div>
        {list.loading && list.items.length === 0 && <Loading />}
        <ErrorBox error={list.error} onRetry={list.reload} />
        <DataTable
          caption={t('activities.list')}
          testId="activity-list"
          rows={list.items}
          rowKey={(a) => a.id}
          columns={[
            { key: 'title', header: t('activities.titleField'), render: (a) => a.title },
            { key: 'kind', header: t('activities.kind'), render: (a) => <Bi label={a.kindLabel} /> },
            { key: 'community', header: t('reports.community'), render: (a) => a.communityName },
            {
              key: 'when',
              header: t('activities.when'),
              render: (a) => `${formatDateTime(a.startsAt, lang)} – ${formatDateTime(a.endsAt, lang)}`,
            },
            {
              key: 'responses',
              header: t('activities.responses'),
              render: (a) => a.responses,
              className: 'num',
            },
            {
              key: 'status',
              header: t('common.status'),
              render: (a) =>
                a.status === 'cancelled' ? (
                  <StatusBadge tone="warn">{t('activities.cancelled')}</StatusBadge>
                ) : (
                  <StatusBadge tone="ok">{t('activities.published')}</StatusBadge>
                ),
            },
            {
              key: 'actions',
              header: t('common.actions'),
              render: (a) => (
                <div className="row-actions">
                  {a.status === 'published' && (
                    <Link
                      className="button small"
                      to={`/activities/${encodeURIComponent(a.id)}/qr`}
                      data-testid="open-qr"
                    >
                      {t('activities.showQr')}
                    </Link>
                  )}
                  <Link
                    className="button secondary small"
                    to={`/attendance?activity=${encodeURIComponent(a.id)}`}
                  >
                    {t('activities.attendance')}
                  </Link>
                  <button
                    type="button"
                    className="secondary small"
                    aria-expanded={open === a.id}
                    onClick={() => setOpen(open === a.id ? null : a.id)}
                  >
                    {t('activities.whoResponded')}
                  </button>
                </div>
              ),
            },
          ]}
        />
        <LoadMore shown={list.items.length} total={list.total} more={list.more} busy={list.loading} />
      </section>
      {open && <ResponsesPanel activityId={open} />}
    </>
  );
}
