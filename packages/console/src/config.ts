/** What the gateway tells the console at `/console-config.json`: where to sign in. */
export interface ConsoleConfig {
  /** The realm's issuer URL (its discovery document is `<authority>/.well-known/openid-configuration`). */
  authority: string;
  clientId: string;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch('/console-config.json', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`/console-config.json: HTTP ${res.status}`);
  const body = (await res.json()) as Partial<ConsoleConfig>;
  if (typeof body.authority !== 'string' || typeof body.clientId !== 'string') {
    throw new Error('/console-config.json: authority and clientId are required');
  }
  return { authority: body.authority, clientId: body.clientId };
}
