/** A small fetch client for the local API (no vitest: `test/support/api-client.ts` needs `inject`). */

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  /** Milliseconds from sending the request to reading the whole body. */
  ms: number;
}

export interface ApiClient {
  username: string;
  get<T = any>(path: string): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  patch<T = any>(path: string, body: unknown): Promise<ApiResponse<T>>;
}

export async function login(apiUrl: string, username: string): Promise<string> {
  const r = await fetch(`${apiUrl}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username }) });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

export async function asUser(apiUrl: string, username: string): Promise<ApiClient> {
  const token = await login(apiUrl, username);
  const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const started = performance.now();
    const r = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: r.status, body: parsed as T, ms: performance.now() - started };
  };
  return {
    username,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    patch: (path, body) => call('PATCH', path, body),
  };
}
