import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApiProvider } from './api/ApiProvider';
import { AuthProvider } from './auth/AuthProvider';
import { createUserManager } from './auth/oidc';
import { loadConfig } from './config';
import { initI18n } from './i18n';
import './styles.css';

async function boot() {
  const root = createRoot(document.getElementById('root')!);
  const i18n = await initI18n();
  try {
    const manager = createUserManager(await loadConfig());
    root.render(
      <StrictMode>
        <AuthProvider manager={manager}>
          <ApiProvider>
            <App />
          </ApiProvider>
        </AuthProvider>
      </StrictMode>,
    );
  } catch (err) {
    root.render(
      <main className="auth-screen">
        <h1>{i18n.t('app.name')}</h1>
        <p role="alert">
          {i18n.t('errors.config')} {err instanceof Error ? err.message : String(err)}
        </p>
      </main>,
    );
  }
}

void boot();
