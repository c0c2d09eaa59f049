import { useTranslation } from 'react-i18next';
import type { OrderStatus } from '../../api/types';
import { StatusBadge } from '../../components/Badges';

const TONE: Record<OrderStatus, 'ok' | 'warn' | 'bad' | 'info'> = {
  posted: 'info',
  open: 'info',
  dispatched: 'info',
  claimed: 'warn',
  done: 'ok',
  rated: 'ok',
  rejected: 'bad',
  cancelled: 'bad',
};

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const { t } = useTranslation();
  return <StatusBadge tone={TONE[status]}>{t(`orders.status.${status}`)}</StatusBadge>;
}
