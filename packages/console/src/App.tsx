import { Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import type { Role } from './auth/claims';
import { ConsoleLayout } from './components/ConsoleLayout';
import { Loading } from './components/Loading';
import { MemberLayout } from './components/MemberLayout';
import { RoleGate } from './components/RoleGate';
import { lazyPage } from './lazy';
import { Home } from './pages/common/Home';
import { NoAccess } from './pages/common/NoAccess';
import { NotFound } from './pages/common/NotFound';

const admin = () => import('./pages/admin');
const staff = () => import('./pages/staff');
const member = () => import('./pages/member');
const points = () => import('./pages/points');
const evaluation = () => import('./pages/evaluation');
const assessment = () => import('./pages/assessment');

const Dashboard = lazyPage(admin, 'Dashboard');
const OrgTree = lazyPage(admin, 'OrgTree');
const Members = lazyPage(admin, 'Members');
const Imports = lazyPage(admin, 'Imports');
const Coverage = lazyPage(admin, 'Coverage');
const Reports = lazyPage(staff, 'Reports');
const Activities = lazyPage(staff, 'Activities');
const ActivityQr = lazyPage(staff, 'ActivityQr');
const Attendance = lazyPage(staff, 'Attendance');
const Feedback = lazyPage(staff, 'Feedback');
const MemberHome = lazyPage(member, 'MemberHome');
const MyReports = lazyPage(member, 'MyReports');
const Pledge = lazyPage(member, 'Pledge');
const CheckIn = lazyPage(member, 'CheckIn');
const MyPoints = lazyPage(member, 'MyPoints');
const MyStar = lazyPage(member, 'MyStar');
const MyOrders = lazyPage(member, 'MyOrders');
const Orders = lazyPage(points, 'Orders');
const Accounts = lazyPage(points, 'Accounts');
const Leaderboard = lazyPage(points, 'Leaderboard');
const Scorecards = lazyPage(evaluation, 'Scorecards');
const TriColour = lazyPage(assessment, 'TriColour');
const RatingDetail = lazyPage(assessment, 'RatingDetail');

const ADMINS: Role[] = ['city-admin', 'county-admin'];
const OFFICIALS: Role[] = [...ADMINS, 'community-staff'];
const MEMBER: Role[] = ['member'];

const gate = (roles: Role[], page: ReactNode) => <RoleGate roles={roles}>{page}</RoleGate>;

/** Every page by role; the API decides what each shows (the caller's scope). */
export function App() {
  return (
    <BrowserRouter>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/callback" element={<Home />} />
          <Route path="/activities/:id/qr" element={gate(OFFICIALS, <ActivityQr />)} />
          <Route path="/m" element={gate(MEMBER, <MemberLayout />)}>
            <Route index element={<MemberHome />} />
            <Route path="reports" element={<MyReports />} />
            <Route path="pledge" element={<Pledge />} />
            <Route path="check-in" element={<CheckIn />} />
            <Route path="points" element={<MyPoints />} />
            <Route path="star" element={<MyStar />} />
            <Route path="orders" element={<MyOrders />} />
          </Route>
          <Route element={<ConsoleLayout />}>
            <Route path="/dashboard" element={gate(ADMINS, <Dashboard />)} />
            <Route path="/orgs" element={gate(OFFICIALS, <OrgTree />)} />
            <Route path="/members" element={gate(OFFICIALS, <Members />)} />
            <Route path="/imports" element={gate(ADMINS, <Imports />)} />
            <Route path="/coverage" element={gate(ADMINS, <Coverage />)} />
            <Route path="/reports" element={gate(OFFICIALS, <Reports />)} />
            <Route path="/activities" element={gate(OFFICIALS, <Activities />)} />
            <Route path="/attendance" element={gate(OFFICIALS, <Attendance />)} />
            <Route path="/feedback" element={gate(OFFICIALS, <Feedback />)} />
            <Route path="/orders" element={gate([...OFFICIALS, 'resident'], <Orders />)} />
            <Route path="/points" element={gate(OFFICIALS, <Accounts />)} />
            <Route path="/leaderboard" element={gate(OFFICIALS, <Leaderboard />)} />
            <Route
              path="/evaluation"
              element={gate([...OFFICIALS, 'property-firm', 'compound-committee'], <Scorecards />)}
            />
            <Route path="/assessment" element={gate(OFFICIALS, <TriColour />)} />
            <Route path="/assessment/:period/:subjectId" element={gate(OFFICIALS, <RatingDetail />)} />
            <Route path="/no-access" element={<NoAccess />} />
          </Route>
          <Route path="/index.html" element={<Navigate to="/" replace />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
