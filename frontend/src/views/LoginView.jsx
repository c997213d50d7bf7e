import { useRef, useState } from 'react';
import { Field } from '../components/Field.jsx';
import { ErrorMessage, StatusMessage } from '../components/Messages.jsx';
import { ViewHeading } from '../components/ViewHeading.jsx';
import { useAction } from '../hooks/useAction.js';
import { Link, useRoute } from '../hooks/useRoute.jsx';
import { useSession } from '../hooks/session.jsx';
import { passwordError, usernameError } from '../lib/validate.js';

function fieldOf(error) {
  if (error.code === 'USERNAME_TAKEN' || /^The username/.test(error.message)) return 'username';
  if (/^The password/.test(error.message)) return 'password';
  return null;
}

/** Log in, or create an account (at /register): both end with a session and the dashboard. */
export function LoginView() {
  const { path, navigate } = useRoute();
  const { login, register, notice } = useSession();
  const registering = path === '/register';
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [errors, setErrors] = useState({});
  const usernameRef = useRef(null);
  const passwordRef = useRef(null);
  const submit = useAction((name, secret) => (registering ? register : login)(name, secret));

  const onSubmit = async (event) => {
    event.preventDefault();
    const next = {
      username: usernameError(username),
      password: registering ? passwordError(password) : password ? null : 'Enter your password.',
    };
    setErrors(next);
    if (next.username) return usernameRef.current?.focus();
    if (next.password) return passwordRef.current?.focus();
    const result = await submit.run(username.trim(), password);
    if (result.ok) {
      if (path === '/login' || path === '/register') navigate('/', { replace: true });
      return;
    }
    // A refusal about one field is shown at that field; anything else under the button.
    const field = fieldOf(result.error);
    if (field) {
      submit.clearError();
      setErrors({ [field]: result.error.message });
      (field === 'username' ? usernameRef : passwordRef).current?.focus();
    }
  };

  const title = registering ? 'Create your DTS account' : 'Log in to DTS';
  return (
    <div className="card auth-card">
      <ViewHeading>{title}</ViewHeading>
      <StatusMessage message={registering ? null : notice} />
      <form onSubmit={onSubmit} noValidate>
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
          <input
            id="show-password"
            type="checkbox"
            checked={showPassword}
            onChange={(e) => setShowPassword(e.target.checked)}
          />
          <label htmlFor="show-password">Show password</label>
        </div>
        <button type="submit" className="btn btn-primary btn-wide" disabled={submit.busy}>
          {submit.busy
            ? registering
              ? 'Creating account…'
              : 'Logging in…'
            : registering
              ? 'Create account'
              : 'Log in'}
        </button>
        <ErrorMessage error={submit.error} />
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
