/** A demo user's access token from the suite's development identity provider (password grant). */
export async function demoToken(gatewayUrl: string, username: string): Promise<string> {
  const grant = await fetch(`${gatewayUrl}/realms/honglian/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'honglian-web',
      username,
      password: 'honglian-demo',
    }),
  });
  if (grant.status !== 200)
    throw new Error(`no token for ${username}: ${grant.status} ${await grant.text()}`);
  return ((await grant.json()) as { access_token: string }).access_token;
}
