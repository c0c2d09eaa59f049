import type { ReactNode } from 'react';
import { useAuth } from '../auth/context';
import type { Role } from '../auth/claims';
import { NoAccess } from '../pages/common/NoAccess';

/** Renders the page only for the roles the API lets make its calls. */
export function RoleGate({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const { session } = useAuth();
  return roles.some((r) => session.roles.includes(r)) ? <>{children}</> : <NoAccess />;
}
