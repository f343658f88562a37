import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { SessionProvider } from './auth/session';
import { loadConfig } from './config';
import { BrandingProvider, loadBranding } from './branding';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
loadConfig()
  .then(async (config) => ({ config, branding: await loadBranding(config.apiUrl) }))
  .then(
    ({ config, branding }) =>
      root.render(
        <StrictMode>
          <BrandingProvider branding={branding}>
            <SessionProvider config={config}>
              <App />
            </SessionProvider>
          </BrandingProvider>
        </StrictMode>,
      ),
    (error: unknown) =>
      root.render(
        <main id="main" className="page">
          <h1>The console cannot start</h1>
          <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
        </main>,
      ),
  );
