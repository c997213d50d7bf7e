import { useContext } from 'react';
import type { DtsApi } from '../api/dts';
import { SessionContext, type SessionValue } from '../providers/SessionProvider';

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession needs a SessionProvider');
  return value;
}

/** The logged-in user and the API acting for them: for the views behind the login. */
export function useSignedIn(): { username: string; api: DtsApi } {
  const { username, api } = useSession();
  if (!username) throw new Error('useSignedIn is for the views of a logged-in user');
  return { username, api };
}
