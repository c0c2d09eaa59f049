import type { Bilingual } from './errors';

// The shapes of the API answers the console reads (services/*/src/api/*schemas.ts), only the fields used.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

/* ---------- registry ---------- */

export interface Org {
  id: string;
  county: string;
  kind: string;
  kindLabel: Bilingual;
  name: string;
  parentId: string | null;
  parentName: string | null;
  path: string;
  creditCode?: string;
  validFrom: string;
  validTo: string | null;
}
export type OrgTreeNode = Org & { children: OrgTreeNode[] };

export interface Member {
  id: string;
  county: string;
  name: string;
  idNumber: string;
  phone: string;
  category: string;
  categoryLabel: Bilingual;
  status: 'active' | 'inactive';
  partyOrgId: string;
  partyOrgName: string | null;
  workUnitName: string | null;
  residenceCompoundName: string | null;
  residenceBuildingName: string | null;
  validFrom: string;
  validTo: string | null;
}

export interface Reveal {
  id: string;
  idNumber: string;
  phone: string;
}

export interface RevealLogEntry {
  id: string;
  at: string;
  actor: string;
  memberId: string;
  memberName: string | null;
  outcome: 'revealed' | 'not-found' | 'out-of-scope' | 'denied';
}

export interface CoverageGap {
  label: Bilingual;
  count: number;
  units: { id: string; name: string }[];
}
export interface Coverage {
  orgId: string | null;
  asOf: string;
  counts: Record<string, number>;
  gaps: Record<string, CoverageGap>;
}

export interface RowError {
  sheet?: string;
  row: number;
  column: string;
  reason: Bilingual;
}
export interface ImportReport {
  importId: string | null;
  kind: string;
  dryRun: boolean;
  status: 'valid' | 'invalid' | 'applied';
  applied: boolean;
  rows: number;
  created: number;
  unchanged: number;
  planned: { created: number; unchanged: number };
  errorCount: number;
  errors: RowError[];
  sheets: {
    sheet: string | null;
    kind: string;
    rows: number;
    created: number;
    unchanged: number;
    errorCount: number;
  }[];
}

/* ---------- check-in ---------- */

export type ReportStatus = 'submitted' | 'active' | 'rejected' | 'ended';
export interface CheckinReport {
  id: string;
  memberId: string;
  memberName: string;
  workUnitId: string | null;
  kind: 'residence' | 'work';
  kindLabel: Bilingual;
  communityId: string;
  communityName: string;
  status: ReportStatus;
  statusLabel: Bilingual;
  specialties: string[];
  preferences: string[];
  submittedAt: string;
  activatedAt: string | null;
  closeReason: string | null;
  pledge: { items: string[]; signedAt: string } | null;
  placement: { gridName: string | null; post: string; duties: string[] } | null;
  lastAttendanceAt: string | null;
  noShow: boolean;
}

export interface Activity {
  id: string;
  communityId: string;
  communityName: string;
  kind: 'activity' | 'call';
  kindLabel: Bilingual;
  title: string;
  description: string;
  place: string;
  startsAt: string;
  endsAt: string;
  capacity: number | null;
  responses: number;
  arrivalWithinMinutes: number | null;
  status: 'published' | 'cancelled';
}

export interface ActivityResponse {
  activityId: string;
  memberId: string;
  respondedAt: string;
  responseSeconds: number;
  checkedInAt: string | null;
  arrivalMinutes: number | null;
  arrivedInTime: boolean | null;
}

export interface QrToken {
  activityId: string;
  token: string;
  rotatesAt: string;
  expiresAt: string;
  rotationSeconds: number;
}

export type SessionStatus = 'open' | 'closed' | 'auto-closed' | 'dismissed';
export interface Attendance {
  id: string;
  memberId: string;
  memberName: string;
  activityId: string;
  activityKind: 'activity' | 'call';
  communityId: string;
  method: 'qr' | 'witnessed';
  checkInAt: string;
  checkOutAt: string | null;
  status: SessionStatus;
  hours: number;
  flags: string[];
}

export interface Flag {
  code: string;
  zh: string;
  en: string;
}
export interface FeedbackSheet {
  unitId: string;
  unitName: string | null;
  period: { label: string; from: string; to: string };
  threshold: number;
  members: {
    memberId: string;
    name: string;
    category: string;
    reports: {
      reportId: string;
      kind: string;
      communityName: string;
      status: ReportStatus;
      attendances: number;
      hours: number;
      noShow: boolean;
    }[];
    missingReports: string[];
    attendances: number;
    hours: number;
    reported: boolean;
    completed: boolean;
    noShow: boolean;
    ratingCeiling: 'basic' | null;
    flags: Flag[];
  }[];
  totals: {
    members: number;
    reported: number;
    completed: number;
    reportRate: number | null;
    completionRate: number | null;
    attendances: number;
    hours: number;
  };
  redFlag: boolean;
  redFlags: Flag[];
}

export interface MemberSummary {
  member: { id: string; name: string };
  period: { label: string; from: string; to: string };
  reports: CheckinReport[];
  attendances: number;
  hours: number;
  noShow: boolean;
  sessions: Attendance[];
  open: Attendance[];
  owed: {
    kind: 'residence' | 'work';
    communities: { id: string; name: string | null }[];
    dueOn: string;
    overdue: boolean;
  }[];
}

/* ---------- points ---------- */

export interface Balance {
  memberId: string;
  name: string | null;
  balance: number;
  hours: number;
  entries: number;
  stars: number;
  nextStarHours: number | null;
}

export interface Entry {
  id: string;
  kind: 'award' | 'bonus' | 'redemption' | 'expiry' | 'reversal';
  points: number;
  hours: number;
  cause: { type: string; id: string };
  reason: string | null;
  at: string;
}

export interface Account {
  memberId: string;
  county: string;
  communityId: string | null;
  balance: number;
  hours: number;
  entries: number;
}

export type OrderStatus =
  'posted' | 'open' | 'dispatched' | 'claimed' | 'done' | 'rated' | 'rejected' | 'cancelled';
export interface Order {
  id: string;
  communityId: string;
  kind: 'request' | 'wish';
  title: string;
  description: string;
  budget: number | null;
  residentName: string;
  status: OrderStatus;
  dispatchedTo: string | null;
  memberId: string | null;
  hours: number | null;
  rating: number | null;
  escalated: boolean;
  createdAt: string;
}

export interface LeaderboardRow {
  rank: number;
  id: string;
  county: string;
  points: number;
  hours: number;
}

export interface Certificate {
  id: string;
  memberName: string;
  number: string;
  issuer: string;
  periodFrom: string;
  periodTo: string;
  hours: number;
  status: 'notice' | 'issued';
  noticeUntil: string;
  issuedAt: string | null;
  code: string;
}

/* ---------- evaluation ---------- */

export interface Cycle {
  id: string;
  county: string;
  period: string;
  kind: string;
  status: string;
  statusLabel: Bilingual;
  noticeEndsAt: string | null;
  publishedAt: string | null;
}

export interface RoleLine {
  role: string;
  weight: number;
  score: number | null;
  respondents: number | null;
}
export interface CompoundLine {
  compoundId: string;
  compoundName: string;
  households: number | null;
  scored: boolean;
  notScored: { code: string; role?: string }[];
  roles: RoleLine[];
  base: number | null;
  bonus: number;
  score: number | null;
  vetoes: { code: string }[];
}
export interface EvaluationResult {
  id: string;
  cycleId: string;
  period: string;
  firmId: string;
  firmName: string;
  status: 'computed' | 'published';
  score: number | null;
  band: string | null;
  bandLabel: Bilingual | null;
  vetoes: string[];
  tender: { bonus: number; barred: boolean };
  households: { scored: number; total: number };
  compounds: CompoundLine[];
  version: number;
}

/* ---------- assessment ---------- */

export type Colour = 'red' | 'yellow' | 'grey';
export interface Contribution {
  code: string;
  label: Bilingual;
  effect: 'bonus' | 'deduction' | 'reset' | 'backward';
  units: number;
  points: number;
  capped: boolean;
  events: string[];
}
export interface Rating {
  id: string;
  period: string;
  level: 'member' | 'community' | 'street' | 'county';
  subjectId: string;
  name: string;
  county: string;
  parentId: string | null;
  colour: Colour;
  colourLabel: Bilingual;
  score: number;
  base: number;
  bonus: number;
  deduction: number;
  reset: boolean;
  backward: boolean;
  ruleVersion: string;
  status: 'provisional' | 'published';
  computedAt: string;
  contributions: Contribution[];
  sources: string[];
}

export type ColourCounts = Record<Colour, number>;
export interface AssessmentDashboard {
  levels: Record<string, ColourCounts>;
  trend: { period: string; level: string; counts: ColourCounts }[];
}
