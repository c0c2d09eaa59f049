// Connection-string helpers shared by the test and memory-server switches.

/** Put `dbName` into a mongodb:// URI, keeping credentials' auth database unchanged. */
export function withDatabase(url: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/)([^/?]*)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!m) throw new Error(`not a mongodb:// connection string: ${url}`);
  const [, scheme, hosts, pathPart, queryPart] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string | undefined,
  ];
  const params = new URLSearchParams((queryPart ?? '').slice(1));
  if (hosts.includes('@') && !params.has('authSource')) {
    const original = (pathPart ?? '').slice(1);
    params.set('authSource', original === '' ? 'admin' : decodeURIComponent(original));
  }
  const query = params.toString();
  return `${scheme}${hosts}/${encodeURIComponent(dbName)}${query ? `?${query}` : ''}`;
}
