/** The shell: sign-in until a token is kept, then the navigation and the view the path names. */
import { useEffect, useState } from 'preact/hooks';
import { api, forgetToken, storeToken, storedToken, whenUnauthorized } from './api.js';
import { Actions } from './actions.js';
import { History } from './history.js';
import { Media } from './media.js';
import { Overview } from './overview.js';
import { Link, ZoneContext } from './parts.js';
import { usePath } from './router.js';
import { RunView } from './run-view.js';
import { SignIn } from './sign-in.js';
import type { DevicesAnswer } from './types.js';

const VIEWS = [
  { href: '/', label: 'Overview' },
  { href: '/runs', label: 'History' },
  { href: '/media', label: 'Media' },
  { href: '/actions', label: 'Actions' },
];

export function App() {
  const [token, setToken] = useState(storedToken());
  const [refused, setRefused] = useState<string>();
  const [zone, setZone] = useState<string>();
  const path = usePath();

  useEffect(() => {
    whenUnauthorized(() => {
      forgetToken();
      setToken(undefined);
      setRefused('The controller refused the API token: sign in again with the token it is configured with.');
    });
  }, []);
  useEffect(() => {
    if (!token) return;
    api<DevicesAnswer>('/api/v1/devices').then(
      (answer) => setZone(answer.timeZone),
      () => undefined,
    );
  }, [token]);

  if (!token) {
    return (
      <SignIn
        {...(refused ? { refused } : {})}
        onSignedIn={(value) => {
          storeToken(value);
          setRefused(undefined);
          setToken(value);
        }}
      />
    );
  }

  const signOut = (): void => {
    forgetToken();
    setToken(undefined);
    setRefused(undefined);
  };
  const runId = /^\/runs\/([^/]+)$/.exec(path)?.[1];
  const current = runId ? '/runs' : path;

  return (
    <ZoneContext.Provider value={zone}>
      <header>
        <nav aria-label="Views">
          <strong class="brand">cedar-store</strong>
          {VIEWS.map((view) => (
            <span key={view.href} aria-current={current === view.href ? 'page' : undefined}>
              <Link href={view.href}>{view.label}</Link>
            </span>
          ))}
        </nav>
        <span class="zone">{zone ? `Times in ${zone}` : ''}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>{view(path, runId)}</main>
    </ZoneContext.Provider>
  );
}

function view(path: string, runId: string | undefined) {
  if (runId) return <RunView runId={decodeURIComponent(runId)} key={runId} />;
  switch (path) {
    case '/':
      return <Overview />;
    case '/runs':
      return <History />;
    case '/media':
      return <Media />;
    case '/actions':
      return <Actions />;
    default:
      return (
        <p>
          No such page. <Link href="/">Back to the overview</Link>
        </p>
      );
  }
}
