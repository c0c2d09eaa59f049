export { CheckIn } from './CheckIn';
export { MemberHome } from './MemberHome';
export { MyOrders } from './MyOrders';
export { MyPoints } from './MyPoints';
export { MyReports } from './MyReports';
export { MyStar } from './MyStar';
export { Pledge } from './Pledge';
export { ReportForm } from './ReportForm';
