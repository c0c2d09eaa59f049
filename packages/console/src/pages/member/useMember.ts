import { useAuth } from '../../auth/context';

/** The signed-in member's id (the token's member_id claim). */
export function useMemberId(): string {
  const { session } = useAuth();
  return session.memberId ?? '';
}
