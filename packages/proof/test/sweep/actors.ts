import { DEMO_DIRECTORY, DEMO_PASSWORD, DEMO_WEB_CLIENT_ID } from '@honglian/contracts';
import type { Gateway } from './http.js';

/** Who calls: every demo user of the directory, and the demo API consumer (client credentials). */
export interface Actor {
  name: string;
  roles: string[];
  county?: string;
  memberId?: string;
  firmId?: string;
  orgPath?: string;
  /** How the token is obtained. */
  grant: { kind: 'password'; username: string } | { kind: 'client'; clientId: string; secret: string };
}

export function demoActors(): Actor[] {
  const users: Actor[] = DEMO_DIRECTORY.users.map((u) => ({
    name: u.username,
    roles: [...u.roles],
    ...(u.county ? { county: u.county } : {}),
    ...(u.memberId ? { memberId: u.memberId } : {}),
    ...(u.firmId ? { firmId: u.firmId } : {}),
    ...(u.orgPath ? { orgPath: u.orgPath } : {}),
    grant: { kind: 'password', username: u.username },
  }));
  const clients: Actor[] = DEMO_DIRECTORY.clients.map((c) => ({
    name: c.clientId,
    roles: [...c.serviceAccount.roles],
    grant: { kind: 'client', clientId: c.clientId, secret: c.secret },
  }));
  return [...users, ...clients];
}

export const COUNTIES: readonly string[] = DEMO_DIRECTORY.counties.map((c) => c.code);
export const CITY: string = DEMO_DIRECTORY.city.orgId;

/**
 * Access tokens from the suite's development identity provider, fetched through the gateway
 * (so the grant answers are scanned too) and renewed well before they expire (15 min).
 */
export class Tokens {
  private readonly cache = new Map<string, { token: Promise<string>; at: number }>();
  constructor(private readonly gateway: Gateway) {}

  get(actor: Actor): Promise<string> {
    const hit = this.cache.get(actor.name);
    if (hit && Date.now() - hit.at < 5 * 60_000) return hit.token;
    const token = this.fetch(actor);
    this.cache.set(actor.name, { token, at: Date.now() });
    token.catch(() => this.cache.delete(actor.name));
    return token;
  }

  private async fetch(actor: Actor): Promise<string> {
    const form: Record<string, string> =
      actor.grant.kind === 'password'
        ? {
            grant_type: 'password',
            client_id: DEMO_WEB_CLIENT_ID,
            username: actor.grant.username,
            password: DEMO_PASSWORD,
          }
        : {
            grant_type: 'client_credentials',
            client_id: actor.grant.clientId,
            client_secret: actor.grant.secret,
          };
    const answer = await this.gateway.send('POST', '/realms/honglian/protocol/openid-connect/token', {
      form,
    });
    const body = answer.body as { access_token?: string };
    if (answer.status !== 200 || !body.access_token)
      throw new Error(`no token for ${actor.name}: ${answer.status} ${answer.text}`);
    return body.access_token;
  }
}
