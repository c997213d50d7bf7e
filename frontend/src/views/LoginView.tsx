import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { toApiError, type ApiError } from '../api/errors';
import { Field } from '../components/Field';
import { ErrorMessage, StatusMessage } from '../components/Messages';
import { ViewHeading } from '../components/ViewHeading';
import { useSession } from '../hooks/useSession';
import { passwordError, usernameError } from '../lib/validate';

type FieldName = 'username' | 'password';

function fieldOf(error: ApiError): FieldName | null {
  if (error.code === 'USERNAME_TAKEN' || /^The username/.test(error.message)) return 'username';
  if (/^The password/.test(error.message)) return 'password';
  return null;
}

/**
 * Log in, or create an account (`registering`, at /register): both end with a session, and the
 * router shows what was asked for (the dashboard from /login and /register).
 */
export function LoginView({ registering = false }: { registering?: boolean }) {
  const { login, register, notice } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string | null>>>({});
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const next = {
      username: usernameError(username),
      password: registering ? passwordError(password) : password ? null : 'Enter your password.',
    };
    setErrors(next);
    setFailure(null);
    if (next.username) return usernameRef.current?.focus();
    if (next.password) return passwordRef.current?.focus();
    setBusy(true);
    try {
      await (registering ? register : login)(username.trim(), password);
    } catch (thrown) {
      setBusy(false);
      const error = await toApiError(thrown);
      // A refusal about one field is shown at that field; anything else under the button.
      const field = fieldOf(error);
      if (!field) return setFailure(error);
      setErrors({ [field]: error.message });
      (field === 'username' ? usernameRef : passwordRef).current?.focus();
    }
  };

  const title = registering ? 'Create your DTS account' : 'Log in to DTS';
  return (
    <div className="card auth-card">
      <ViewHeading>{title}</ViewHeading>
      <StatusMessage message={registering ? null : notice} />
      <form onSubmit={onSubmit} noValidate aria-label={title}>
        <Field
          id="username"
          label="Username"
          ref={usernameRef}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          error={errors.username}
          hint={registering ? 'Letters, digits, dots, dashes or underscores; up to 64.' : undefined}
          onChange={(e) => setUsername(e.target.value)}
        />
        <Field
          id="password"
          label="Password"
          ref={passwordRef}
          type={showPassword ? 'text' : 'password'}
          autoComplete={registering ? 'new-password' : 'current-password'}
          value={password}
          error={errors.password}
          hint={registering ? '8 to 128 characters.' : undefined}
          onChange={(e) => setPassword(e.target.value)}
        />
        <div className="checkbox">
          <input id="show-password" type="checkbox" checked={showPassword} onChange={(e) => setShowPassword(e.target.checked)} />
          <label htmlFor="show-password">Show password</label>
        </div>
        <button type="submit" className="btn btn-primary btn-wide" disabled={busy}>
          {busy ? (registering ? 'Creating account…' : 'Logging in…') : registering ? 'Create account' : 'Log in'}
        </button>
        <ErrorMessage error={failure} />
      </form>
      <p className="switch-mode">
        {registering ? (
          <>
            Already have an account? <Link to="/login">Log in</Link>
          </>
        ) : (
          <>
            New to DTS? <Link to="/register">Create an account</Link>
          </>
        )}
      </p>
    </div>
  );
}
