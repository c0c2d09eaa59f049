import { Navigate } from 'react-router-dom';
import { useAuth } from '../../auth/context';
import { homeOf } from '../../auth/claims';

/** `/` sends each role to its first page. */
export function Home() {
  const { session } = useAuth();
  return <Navigate to={homeOf(session)} replace />;
}
