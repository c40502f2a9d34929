import type { FormEvent, ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage, isProblem, type ProblemType } from '../../../lib/api/client';
import { useLogin, useRegister } from '../api/session';
import { Field } from '../../../components/ui';
import { useForm, type FormErrors } from '../../../lib/form';
import { useDocumentTitle } from '../../../lib/hooks';
import { EMAIL_RE } from '../../../lib/email';

/** Only same-site relative paths are followed after login. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Where to go after logging in or registering (the `next` parameter), and how to get there. */
function useAfterAuth() {
  const [sp] = useSearchParams();
  const next = safeNext(sp.get('next'));
  const navigate = useNavigate();
  return { next, go: () => navigate(next, { replace: true }) };
}

/** The card both forms live in: a heading, the server's refusal (if any), the form, a link to the other. */
function AuthCard({
  id,
  title,
  error,
  knownProblem,
  footer,
  children,
}: {
  id: string;
  title: string;
  error: unknown;
  /** A problem this form expects, and what to tell the user about it. */
  knownProblem: [ProblemType[], string];
  footer: ReactNode;
  children: ReactNode;
}) {
  const [types, message] = knownProblem;
  return (
    <section className="auth-card" aria-labelledby={id}>
      <h1 id={id}>{title}</h1>
      {error != null && (
        <div className="error-box" role="alert">
          {isProblem(error, ...types) ? message : errorMessage(error)}
        </div>
      )}
      {children}
      <p>{footer}</p>
    </section>
  );
}

export function LoginPage() {
  useDocumentTitle('Log in');
  const { next, go } = useAfterAuth();
  const login = useLogin();
  const form = useForm({ email: '', password: '' });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { email, password } = form.values;
    const errs: FormErrors<'email' | 'password'> = {};
    if (!EMAIL_RE.test(email.trim())) errs.email = 'Enter a valid email address.';
    if (!password) errs.password = 'Enter your password.';
    form.setErrors(errs);
    if (Object.keys(errs).length) return;
    login.mutate({ email: email.trim(), password }, { onSuccess: go });
  };

  return (
    <AuthCard
      id="login-title"
      title="Log in"
      error={login.error}
      knownProblem={[['invalid-credentials', 'unauthorized'], 'That email and password don’t match an account.']}
      footer={
        <>
          New here?{' '}
          <Link to={`/register${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <Field label="Email" type="email" autoComplete="email" required {...form.field('email')} />
        <Field label="Password" type="password" autoComplete="current-password" required {...form.field('password')} />
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthCard>
  );
}

export function RegisterPage() {
  useDocumentTitle('Create an account');
  const { go } = useAfterAuth();
  const register = useRegister();
  const form = useForm({ name: '', email: '', password: '' });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = form.values;
    const errs: FormErrors<keyof typeof v> = {};
    if (!v.name.trim()) errs.name = 'Enter your name.';
    if (!EMAIL_RE.test(v.email.trim())) errs.email = 'Enter a valid email address.';
    if (v.password.length < 8) errs.password = 'Use at least 8 characters.';
    form.setErrors(errs);
    if (Object.keys(errs).length) return;
    register.mutate(
      { name: v.name.trim(), email: v.email.trim(), password: v.password },
      {
        onSuccess: go,
        onError: (err) => {
          if (err instanceof ApiError) {
            const fe = err.fieldErrors();
            form.setErrors({ name: fe.name, email: fe.email, password: fe.password });
          }
        },
      },
    );
  };

  return (
    <AuthCard
      id="register-title"
      title="Create an account"
      error={register.error}
      knownProblem={[
        ['invalid-credentials'],
        'We could not sign you in with this password. If you already have an account with this email, log in instead.',
      ]}
      footer={
        <>
          Already have an account? <Link to="/login">Log in</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <Field label="Name" autoComplete="name" required {...form.field('name')} />
        <Field label="Email" type="email" autoComplete="email" required {...form.field('email')} />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters."
          required
          {...form.field('password')}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={register.isPending}>
          {register.isPending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
    </AuthCard>
  );
}
