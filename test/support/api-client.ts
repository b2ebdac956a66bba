/** A tiny HTTP client for the local API, as a browser or script would use it. */
import { inject } from 'vitest';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  /** API Gateway's name of the request (`apigw-requestid`): the audit trail records it. */
  requestId?: string;
}

/** Every call made through these clients in this test file (method, path, status, request id). */
export const callLog: { method: string; path: string; status: number; requestId?: string }[] = [];

export function stackUrls() {
  return inject('stack').urls;
}

export async function login(username: string, apiUrl = stackUrls().api): Promise<string> {
  const r = await fetch(`${apiUrl}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username }) });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

export function client(token: string | undefined, apiUrl = stackUrls().api) {
  const call = async <T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const r = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    const requestId = r.headers.get('apigw-requestid') ?? undefined;
    callLog.push({ method, path, status: r.status, requestId });
    return { status: r.status, body: parsed as T, requestId };
  };
  return {
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
    call,
  };
}

export async function asUser(username: string, apiUrl = stackUrls().api) {
  return client(await login(username, apiUrl), apiUrl);
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A fresh, unique book inventory for the demo commune. */
export function newBookInventory(overrides: Record<string, unknown> = {}) {
  const n = Math.floor(Math.random() * 9000) + 1;
  const year = 1990 + Math.floor(Math.random() * 30);
  return {
    unitCode: '90101',
    registerType: 'KS',
    quyenSo: `${n}/${year}`,
    yearOpened: year,
    pageCount: 120,
    closingTotal: 95,
    physicalCondition: 'worn',
    custodyLocation: 'Tủ 3, kho lưu trữ UBND xã',
    notes: '',
    ...overrides,
  };
}
