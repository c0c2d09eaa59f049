import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { usePaged } from '../../api/paged';
import type { Order, OrderStatus } from '../../api/types';
import { hasRole } from '../../auth/claims';
import { useAuth } from '../../auth/context';
import { DataTable } from '../../components/DataTable';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime } from '../../format';
import { useLang } from '../../i18n';
import { OrderActions } from './OrderActions';
import { OrderForm } from './OrderForm';
import { OrderStatusBadge } from './OrderStatusBadge';

const STATUSES: OrderStatus[] = [
  'posted',
  'open',
  'dispatched',
  'claimed',
  'done',
  'rated',
  'rejected',
  'cancelled',
];

/** Requests and micro-wishes (点单 / 微心愿) in scope, with the step each one waits for. */
export function Orders() {
  const { t } = useTranslation();
  const lang = useLang();
  const { session } = useAuth();
  const [status, setStatus] = useState('');
  const [posting, setPosting] = useState(false);
  const list = usePaged<Order>(`${API.points}/orders`, { status: status || undefined }, 50);
  const canPost = hasRole(session, 'resident', 'city-admin', 'county-admin', 'community-staff');
  return (
    <>
      <PageHeader
        title={t('orders.title')}
        subtitle={t('orders.subtitle')}
        actions={
          canPost && (
            <button type="button" onClick={() => setPosting((p) => !p)} aria-expanded={posting}>
              {t('orders.new')}
            </button>
          )
        }
      />
      {posting && (
        <OrderForm
          onPosted={() => {
            setPosting(false);
            list.reload();
          }}
        />
      )}
      <section className="panel" aria-labelledby="orders-list">
        <h2 id="orders-list" className="sr-only">
          {t('orders.title')}
        </h2>
        <div className="toolbar">
          <label className="inline-field">
            {t('common.status')}
            <select value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">{t('common.all')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`orders.status.${s}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {list.loading && list.items.length === 0 && <Loading />}
        <ErrorBox error={list.error} onRetry={list.reload} />
        <DataTable
          caption={t('orders.title')}
          testId="order-list"
          rows={list.items}
          rowKey={(o) => o.id}
          columns={[
            { key: 'title', header: t('orders.titleField'), render: (o) => o.title },
            { key: 'kind', header: t('orders.kind'), render: (o) => t(`orders.kinds.${o.kind}`) },
            { key: 'resident', header: t('orders.resident'), render: (o) => o.residentName },
            {
              key: 'status',
              header: t('common.status'),
              render: (o) => <OrderStatusBadge status={o.status} />,
            },
            { key: 'member', header: t('orders.member'), render: (o) => o.memberId ?? o.dispatchedTo ?? '—' },
            { key: 'created', header: t('orders.created'), render: (o) => formatDateTime(o.createdAt, lang) },
            {
              key: 'rating',
              header: t('orders.rating'),
              render: (o) => (o.rating ? '★'.repeat(o.rating) : '—'),
            },
            {
              key: 'actions',
              header: t('common.actions'),
              render: (o) => <OrderActions order={o} onDone={list.reload} />,
            },
          ]}
        />
        <LoadMore shown={list.items.length} total={list.total} more={list.more} busy={list.loading} />
      </section>
    </>
  );
}
