// The signed-in user: `GET /api/me`, and logging in, registering and logging out.
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, http, isProblem } from '../../../lib/api/client';
import { keys } from '../../../lib/api/keys';
import type { Credentials, Registration, User } from '../../../lib/api/types';

// A non-secret hint that this browser has logged in, so anonymous shoppers do not fire a
// `GET /api/me` that can only answer 401 on every page load.
const SESSION_HINT = 'ecomm.session';
export const sessionHint = {
  get: () => {
    try {
      return localStorage.getItem(SESSION_HINT) === '1';
    } catch {
      return false;
    }
  },
  set: (on: boolean) => {
    try {
      if (on) localStorage.setItem(SESSION_HINT, '1');
      else localStorage.removeItem(SESSION_HINT);
    } catch {
      /* private mode */
    }
  },
};

export const meQuery = () =>
  queryOptions({
    queryKey: keys.me,
    queryFn: async ({ signal }) => {
      if (!sessionHint.get()) return null;
      try {
        return await call(http.GET('/api/me', { signal }));
      } catch (e) {
        if (!isProblem(e, 'unauthorized')) throw e;
        sessionHint.set(false);
        return null;
      }
    },
    staleTime: 60_000,
  });

export const useMe = () => useQuery(meQuery());

function useSessionChange() {
  const qc = useQueryClient();
  return (user: User | null) => {
    sessionHint.set(!!user);
    qc.setQueryData(keys.me, user);
    qc.invalidateQueries({ queryKey: keys.cart });
    qc.removeQueries({ queryKey: keys.orders });
    qc.removeQueries({ queryKey: keys.admin });
  };
}

export function useLogin() {
  const changed = useSessionChange();
  return useMutation({
    mutationFn: (body: Credentials) => call(http.POST('/api/auth/login', { body })),
    onSuccess: changed,
  });
}

/** Registering answers the same for a new and a known address, and signs nobody in: signing in with the
 * new password follows (and fails with `invalid-credentials` when the address already had an account). */
export function useRegister() {
  const changed = useSessionChange();
  return useMutation({
    mutationFn: async (body: Registration) => {
      await call(http.POST('/api/auth/register', { body }));
      return call(http.POST('/api/auth/login', { body: { email: body.email, password: body.password } }));
    },
    onSuccess: changed,
  });
}

export function useLogout() {
  const changed = useSessionChange();
  return useMutation({
    mutationFn: () => call(http.POST('/api/auth/logout', { body: {} })),
    onSettled: () => changed(null),
  });
}
