// What the rest of the app may use of the account feature: who is signed in, and signing out.
export { sessionHint, useLogout, useMe } from './api/session';
