import {
  ConfigError,
  createLogger,
  exitOnSignal,
  loadConfigOrExit,
  serve,
  systemClock,
} from '@honglian/service-kit';
import { SERVICE, createService } from './app.js';
import { GatewayConfigSchema, gatewaySettingsFromEnv } from './config.js';
import { identityFromConfig, type GatewayIdentity } from './identity/index.js';

// The gateway alone (docker compose, Kubernetes): services from SERVICE_URLS, tokens from
// Keycloak (AUTH_MODE=keycloak) or from its own development identity provider (embedded).
const config = loadConfigOrExit(GatewayConfigSchema);
const logger = createLogger({ name: SERVICE.name, level: config.LOG_LEVEL });

const listening: { url?: string } = {};
const ownUrl = () => {
  if (!listening.url) throw new Error('the gateway is not listening yet');
  return listening.url;
};
let identity: GatewayIdentity;
try {
  identity = identityFromConfig(config, {
    internalUrl: ownUrl,
    publicUrl: config.PORT
      ? `http://localhost:${config.PORT}`
      : () => ownUrl().replace('127.0.0.1', 'localhost'),
  });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(err.message + '\n');
  process.exit(1);
}

const handle = createService({
  logger,
  clock: systemClock,
  bodyLimit: config.BODY_LIMIT,
  metricsToken: config.METRICS_TOKEN,
  auth: identity.authenticator(),
  services: config.SERVICE_URLS ?? {},
  ...(config.API_ROUTES ? { routes: config.API_ROUTES } : {}),
  settings: gatewaySettingsFromEnv(config),
  ...(identity.devIdentity ? { devIdentity: identity.devIdentity } : {}),
  console: { authority: identity.issuer },
});
const served = await serve(handle, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
});
listening.url = served.http.url;
exitOnSignal(() => served.close(), { logger, timeoutMs: config.SHUTDOWN_TIMEOUT_MS + 1000 });
logger.info(
  { url: served.http.url, auth: identity.mode, tokenUrl: identity.tokenUrl() },
  `${SERVICE.name} listening`,
);
