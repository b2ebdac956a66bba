/**
 * A tiny stand-in for the Cognito hosted UI's OAuth endpoints, for browser tests of the pages' `cognito`
 * sign-in: `/oauth2/authorize` (checks the client, the registered redirect URI, S256 PKCE, then returns
 * straight to the pages with a one-time code, as if the user had typed the password and TOTP),
 * `/oauth2/token` (checks the code, the client, the redirect URI and that SHA-256(code_verifier) equals the
 * challenge, then returns an ID token signed by `sign`) and `/logout` (checks the client and the logout URI).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCognitoOptions {
  clientId: string;
  /** The only callback and logout URL registered for the client. */
  redirectUri: string;
  /** The ID token for a user; `nonce` must be carried into it. */
  sign: (username: string, nonce: string) => Promise<string>;
}

export interface FakeCognito {
  url: string;
  /** Who "signs in" on the next authorize request. */
  nextUser: string;
  /** Test-only misbehaviour: remember a different challenge (the verifier will not match), or put another nonce in the token. */
  tamper: 'none' | 'challenge' | 'nonce';
  authorizeRequests: Record<string, string>[];
  tokenRequests: { params: Record<string, string>; status: number; error?: string }[];
  logouts: Record<string, string>[];
  issued: string[];
  stop(): Promise<void>;
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export async function startFakeCognito(opts: FakeCognitoOptions): Promise<FakeCognito> {
  const codes = new Map<string, { challenge: string; nonce: string; redirectUri: string; username: string }>();
  const fake: FakeCognito = {
    url: '',
    nextUser: '',
    tamper: 'none',
    authorizeRequests: [],
    tokenRequests: [],
    logouts: [],
    issued: [],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const json = (res: ServerResponse, status: number, body: unknown, origin?: string) => {
    res.writeHead(status, { 'content-type': 'application/json', ...(origin ? { 'access-control-allow-origin': origin } : {}) });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const q = Object.fromEntries(url.searchParams);
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      fake.authorizeRequests.push(q);
      if (q.client_id !== opts.clientId || q.redirect_uri !== opts.redirectUri) return json(res, 400, { error: 'redirect_mismatch' });
      if (q.response_type !== 'code' || q.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge ?? '')) {
        return json(res, 400, { error: 'invalid_request' });
      }
      const code = randomBytes(16).toString('hex');
      const challenge = fake.tamper === 'challenge' ? s256('another verifier') : q.code_challenge!;
      codes.set(code, { challenge, nonce: q.nonce ?? '', redirectUri: q.redirect_uri!, username: fake.nextUser });
      const back = new URL(opts.redirectUri);
      back.search = new URLSearchParams({ code, state: q.state ?? '' }).toString();
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      const origin = req.headers.origin;
      const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
      const refuse = (error: string) => {
        fake.tokenRequests.push({ params, status: 400, error });
        json(res, 400, { error }, origin);
      };
      const grant = codes.get(params.code ?? '');
      codes.delete(params.code ?? ''); // one use only
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') return refuse('invalid_request');
      if (params.grant_type !== 'authorization_code' || params.client_id !== opts.clientId) return refuse('unauthorized_client');
      if (!grant || grant.redirectUri !== params.redirect_uri) return refuse('invalid_grant');
      if (!params.code_verifier || s256(params.code_verifier) !== grant.challenge) return refuse('invalid_grant');
      const idToken = await opts.sign(grant.username, fake.tamper === 'nonce' ? 'not-your-nonce' : grant.nonce);
      fake.issued.push(idToken);
      fake.tokenRequests.push({ params, status: 200 });
      return json(res, 200, { id_token: idToken, access_token: 'opaque-access-token', token_type: 'Bearer', expires_in: 3600 }, origin);
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      fake.logouts.push(q);
      if (q.client_id !== opts.clientId || q.logout_uri !== opts.redirectUri) return json(res, 400, { error: 'invalid_request' });
      res.writeHead(302, { location: q.logout_uri });
      return res.end();
    }
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
