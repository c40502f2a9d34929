/** Loose email shape check for forms (the server decides); shared by sign-up and checkout. */
export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
