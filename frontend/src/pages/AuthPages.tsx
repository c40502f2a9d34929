import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/client';
import { useLogin, useRegister } from '../api/queries';
import { Field } from '../components/ui';
import { useDocumentTitle } from '../lib/hooks';
import { EMAIL_RE } from '../lib/validation';

/** Only same-site relative paths are followed after login. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  useDocumentTitle('Log in');
  const [sp] = useSearchParams();
  const next = safeNext(sp.get('next'));
  const navigate = useNavigate();
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: typeof errors = {};
    if (!EMAIL_RE.test(email.trim())) errs.email = 'Enter a valid email address.';
    if (!password) errs.password = 'Enter your password.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    login.mutate({ email: email.trim(), password }, { onSuccess: () => navigate(next, { replace: true }) });
  };

  return (
    <section className="auth-card" aria-labelledby="login-title">
      <h1 id="login-title">Log in</h1>
      {login.isError && (
        <div className="error-box" role="alert">
          {login.error instanceof ApiError && login.error.status === 401
            ? 'That email and password don’t match an account.'
            : errorMessage(login.error)}
        </div>
      )}
      <form onSubmit={submit} noValidate>
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          required
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        New here?{' '}
        <Link to={`/register${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
      </p>
    </section>
  );
}

export function RegisterPage() {
  useDocumentTitle('Create an account');
  const [sp] = useSearchParams();
  const next = safeNext(sp.get('next'));
  const navigate = useNavigate();
  const register = useRegister();
  const [v, setV] = useState({ name: '', email: '', password: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof typeof v, string>>>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: typeof errors = {};
    if (!v.name.trim()) errs.name = 'Enter your name.';
    if (!EMAIL_RE.test(v.email.trim())) errs.email = 'Enter a valid email address.';
    if (v.password.length < 8) errs.password = 'Use at least 8 characters.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    register.mutate(
      { name: v.name.trim(), email: v.email.trim(), password: v.password },
      {
        onSuccess: () => navigate(next, { replace: true }),
        onError: (err) => {
          if (err instanceof ApiError) {
            const fe = err.fieldErrors();
            setErrors({ name: fe.name, email: fe.email, password: fe.password });
          }
        },
      },
    );
  };
  const set = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement>) => setV({ ...v, [k]: e.target.value });

  return (
    <section className="auth-card" aria-labelledby="register-title">
      <h1 id="register-title">Create an account</h1>
      {register.isError && (
        <div className="error-box" role="alert">
          {register.error instanceof ApiError && register.error.status === 409
            ? 'An account with this email already exists. Try logging in.'
            : errorMessage(register.error)}
        </div>
      )}
      <form onSubmit={submit} noValidate>
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          value={v.name}
          onChange={set('name')}
          error={errors.name}
          required
        />
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          value={v.email}
          onChange={set('email')}
          error={errors.email}
          required
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          value={v.password}
          onChange={set('password')}
          error={errors.password}
          hint="At least 8 characters."
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={register.isPending}>
          {register.isPending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
