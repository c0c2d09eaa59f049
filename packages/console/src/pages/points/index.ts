export { Accounts } from './Accounts';
export { Leaderboard } from './Leaderboard';
export { MemberEntries } from './MemberEntries';
export { OrderActions } from './OrderActions';
export { OrderForm } from './OrderForm';
export { OrderStatusBadge } from './OrderStatusBadge';
export { Orders } from './Orders';
