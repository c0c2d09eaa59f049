import type { Role } from './auth/claims';

export interface NavItem {
  to: string;
  /** i18n key of the link text. */
  label: string;
  roles: readonly Role[];
}
export interface NavSection {
  label: string;
  items: NavItem[];
}

const ADMINS: readonly Role[] = ['city-admin', 'county-admin'];
const OFFICIALS: readonly Role[] = [...ADMINS, 'community-staff'];
const EVALUATION: readonly Role[] = [...OFFICIALS, 'property-firm', 'compound-committee'];

/** The official pages, by area; each shows only to the roles whose API calls it makes. */
export const CONSOLE_NAV: NavSection[] = [
  {
    label: 'nav.sections.registry',
    items: [
      { to: '/dashboard', label: 'nav.dashboard', roles: ADMINS },
      { to: '/orgs', label: 'nav.orgs', roles: OFFICIALS },
      { to: '/members', label: 'nav.members', roles: OFFICIALS },
      { to: '/imports', label: 'nav.imports', roles: ADMINS },
      { to: '/coverage', label: 'nav.coverage', roles: ADMINS },
    ],
  },
  {
    label: 'nav.sections.checkin',
    items: [
      { to: '/reports', label: 'nav.reports', roles: OFFICIALS },
      { to: '/activities', label: 'nav.activities', roles: OFFICIALS },
      { to: '/attendance', label: 'nav.attendance', roles: OFFICIALS },
      { to: '/feedback', label: 'nav.feedback', roles: OFFICIALS },
    ],
  },
  {
    label: 'nav.sections.points',
    items: [
      { to: '/orders', label: 'nav.orders', roles: [...OFFICIALS, 'resident'] },
      { to: '/points', label: 'nav.accounts', roles: OFFICIALS },
      { to: '/leaderboard', label: 'nav.leaderboard', roles: OFFICIALS },
    ],
  },
  {
    label: 'nav.sections.evaluation',
    items: [{ to: '/evaluation', label: 'nav.evaluation', roles: EVALUATION }],
  },
  {
    label: 'nav.sections.assessment',
    items: [{ to: '/assessment', label: 'nav.assessment', roles: OFFICIALS }],
  },
];

/** The member's phone pages (bottom tab bar). */
export const MEMBER_NAV: NavItem[] = [
  { to: '/m', label: 'member.nav.home', roles: ['member'] },
  { to: '/m/reports', label: 'member.nav.reports', roles: ['member'] },
  { to: '/m/check-in', label: 'member.nav.checkIn', roles: ['member'] },
  { to: '/m/points', label: 'member.nav.points', roles: ['member'] },
  { to: '/m/star', label: 'member.nav.star', roles: ['member'] },
];

export const visible = (items: readonly NavItem[], roles: readonly Role[]) =>
  items.filter((i) => i.roles.some((r) => roles.includes(r)));
