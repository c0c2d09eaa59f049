import { useTranslation } from 'react-i18next';
import { API } from '../../api/client';
import { usePaged } from '../../api/paged';
import type { Order } from '../../api/types';
import { ErrorBox } from '../../components/ErrorBox';
import { LoadMore } from '../../components/LoadMore';
import { Loading } from '../../components/Loading';
import { OrderActions } from '../points/OrderActions';
import { OrderStatusBadge } from '../points/OrderStatusBadge';

/** Orders a member may take (open ones) and the ones they took (党员接单). */
export function MyOrders() {
  const { t } = useTranslation();
  const list = usePaged<Order>(`${API.points}/orders`, {}, 50);
  return (
    <>
      <h1>{t('member.orders.title')}</h1>
      {list.loading && list.items.length === 0 && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      <ul className="cards">
        {list.items.length === 0 && !list.loading && <li className="empty">{t('common.empty')}</li>}
        {list.items.map((o) => (
          <li key={o.id} className="card">
            <h2>{o.title}</h2>
            <p>
              <OrderStatusBadge status={o.status} /> {o.description}
            </p>
            <OrderActions order={o} onDone={list.reload} />
          </li>
        ))}
      </ul>
      <LoadMore shown={list.items.length} total={list.total} more={list.more} busy={list.loading} />
    </>
  );
}
