/** The sign-in form: the API token, checked against the controller before it is kept. */
import { useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import type { DevicesAnswer } from './types.js';

export function SignIn({ refused, onSignedIn }: { refused?: string; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | undefined>(refused);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) {
      setProblem('Enter the API token the controller was configured with.');
      return;
    }
    setBusy(true);
    try {
      await api<DevicesAnswer>('/api/v1/devices', { token: candidate });
      onSignedIn(candidate);
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 401
          ? 'The controller refused this token: it is not the API token it was configured with.'
          : `The controller could not be asked: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <h1>cedar-store</h1>
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <p id="sign-in-help">
          Sign in with the controller's API token (auth.token, auth.tokenFile or CEDAR_STORE_TOKEN). It is kept in this
          tab only, until you sign out or close it.
        </p>
        <label for="api-token">API token</label>
        <input
          id="api-token"
          name="api-token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(event) => setToken((event.currentTarget as HTMLInputElement).value)}
          aria-invalid={problem ? 'true' : undefined}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {problem ? (
          <p class="error" role="alert">
            {problem}
          </p>
        ) : null}
      </form>
    </main>
  );
}
