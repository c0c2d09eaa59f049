import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * The browser sessions of the development identity provider, in memory: the
 * one-time authorization codes, the sessions they open and the refresh
 * tokens of each session. Codes and refresh tokens are random (256 bits) and
 * kept only as SHA-256 digests. Times are whole seconds from the injected
 * clock. Nothing survives a restart: a console signed in before it signs in
 * again (its refresh token is refused), exactly as after a Keycloak session
 * expired.
 */
export interface BrowserSession {
  id: string;
  username: string;
  clientId: string;
  /** When the user typed the password (`auth_time`). */
  authTime: number;
  /** Requested scope, `openid` included when the client asked for an id token. */
  scope: string;
  nonce?: string;
  /** The session ends here however often it is refreshed (Keycloak's SSO Session Max). */
  endsAt: number;
}

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  sessionId: string;
  expiresAt: number;
  used: boolean;
}

export interface RefreshGrant {
  sessionId: string;
  clientId: string;
  username: string;
  expiresAt: number;
}

export interface SessionLifetimes {
  /** Authorization code lifetime (Keycloak's default: 60 s). */
  codeSeconds: number;
  /** Refresh token lifetime: the session's idle timeout (Keycloak's SSO Session Idle, 1800 s). */
  idleSeconds: number;
  /** Longest session (Keycloak's SSO Session Max, 10 h). */
  maxSeconds: number;
}

/** Entries of each kind kept at most; past it the oldest goes (a development server, not a store). */
const MAX_ENTRIES = 10_000;

const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');
const randomToken = () => randomBytes(32).toString('base64url');

export class SessionStore {
  private readonly sessions = new Map<string, BrowserSession>();
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number,
    readonly lifetimes: SessionLifetimes,
  ) {}

  /** Opens a session for a user who just signed in, with its one-time code. */
  open(
    login: Omit<BrowserSession, 'id' | 'authTime' | 'endsAt'>,
    code: Pick<CodeGrant, 'redirectUri' | 'codeChallenge'>,
  ): { session: BrowserSession; code: string } {
    this.sweep();
    const now = this.now();
    const session: BrowserSession = {
      ...login,
      id: randomUUID(),
      authTime: now,
      endsAt: now + this.lifetimes.maxSeconds,
    };
    put(this.sessions, session.id, session);
    const secret = randomToken();
    put(this.codes, digest(secret), {
      ...code,
      clientId: session.clientId,
      sessionId: session.id,
      expiresAt: now + this.lifetimes.codeSeconds,
      used: false,
    });
    return { session, code: secret };
  }

  /**
   * Redeems a code, at most once. A code presented again ends the session it
   * opened, so the tokens it gave can no longer be refreshed (as Keycloak does).
   */
  redeem(secret: string): { grant: CodeGrant; session?: BrowserSession } | 'unknown' | 'expired' | 'reused' {
    const key = digest(secret);
    const grant = this.codes.get(key);
    if (!grant) return 'unknown';
    if (grant.expiresAt <= this.now()) {
      this.codes.delete(key);
      return 'expired';
    }
    if (grant.used) {
      this.end(grant.sessionId);
      return 'reused';
    }
    // Kept, marked, until it expires: that is how a second use is recognised.
    grant.used = true;
    return { grant, ...this.liveSession(grant.sessionId) };
  }

  /** A new refresh token for a live session; the session's idle time starts again. */
  issueRefreshToken(session: BrowserSession): { token: string; expiresIn: number } {
    this.sweep();
    const now = this.now();
    const expiresAt = Math.min(now + this.lifetimes.idleSeconds, session.endsAt);
    const token = randomToken();
    put(this.refreshTokens, digest(token), {
      sessionId: session.id,
      clientId: session.clientId,
      username: session.username,
      expiresAt,
    });
    return { token, expiresIn: Math.max(0, expiresAt - now) };
  }

  /**
   * Takes a refresh token for a new one: it works once (rotation). Answers why
   * it cannot be used, or the grant and its session.
   */
  useRefreshToken(
    token: string,
    clientId: string,
  ):
    | { grant: RefreshGrant; session: BrowserSession }
    | 'unknown'
    | 'expired'
    | 'foreign-client'
    | 'session-ended' {
    const key = digest(token);
    const grant = this.refreshTokens.get(key);
    if (!grant) return 'unknown';
    if (grant.clientId !== clientId) return 'foreign-client';
    this.refreshTokens.delete(key);
    if (grant.expiresAt <= this.now()) return 'expired';
    const { session } = this.liveSession(grant.sessionId);
    if (!session || session.username !== grant.username) return 'session-ended';
    return { grant, session };
  }

  session(id: string): BrowserSession | undefined {
    return this.liveSession(id).session;
  }

  /** Ends a session: its refresh tokens stop working, its unredeemed codes too. */
  end(sessionId: string): boolean {
    const existed = this.sessions.delete(sessionId);
    for (const [key, grant] of this.refreshTokens) {
      if (grant.sessionId === sessionId) this.refreshTokens.delete(key);
    }
    return existed;
  }

  private liveSession(id: string): { session?: BrowserSession } {
    const session = this.sessions.get(id);
    if (!session) return {};
    if (session.endsAt <= this.now()) {
      this.end(id);
      return {};
    }
    return { session };
  }

  /** Drops what has expired (before a new entry, at most once a second). */
  private sweep(): void {
    const now = this.now();
    if (now === this.sweptAt) return;
    this.sweptAt = now;
    for (const [key, grant] of this.codes) if (grant.expiresAt <= now) this.codes.delete(key);
    for (const [key, grant] of this.refreshTokens) if (grant.expiresAt <= now) this.refreshTokens.delete(key);
    for (const [id, session] of this.sessions) if (session.endsAt <= now) this.end(id);
  }
}

function put<V>(map: Map<string, V>, key: string, value: V): void {
  while (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, value);
}
