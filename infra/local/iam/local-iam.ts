/**
 * The local IAM check: every AWS call a function makes during a local invocation is authorised against
 * that function's execution role as synthesised (`LocalFunction.role`, read from the template by
 * cdk-model.ts), the way AWS would, so a missing grant fails here rather than after `cdk deploy`.
 *
 * Attribution is `call-attribution.ts` (the `x-local-function` header). Each local server asks
 * `LocalIam.check` before doing anything: local S3 and local Step Functions through their `authorize`
 * option, dynalite and the SES mail catcher through `gateJsonServer` (which reads the JSON body first).
 * A denial answers as AWS does (DynamoDB/Step Functions: 400 AccessDeniedException; S3: 403 AccessDenied
 * XML; SES v2: 403 AccessDeniedException) and prints one line: function, action, resource — never a
 * request body. See policy-evaluation.ts for what is not evaluated (conditions, KMS, resource policies).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { IamStatement, LocalFunction } from '../cdk-model.js';
import { FUNCTION_HEADER } from './call-attribution.js';
import { type Decision, evaluate, type IamRequest } from './policy-evaluation.js';

export interface Denial {
  functionId: string;
  action: string;
  resource: string;
  decision: Exclude<Decision, 'allow'>;
  /** AWS's wording: "User: <principal> is not authorized to perform: <action> on resource: <resource> because …". */
  message: string;
}

export class LocalIam {
  private readonly roles = new Map<string, { roleId: string; statements: IamStatement[] }>();
  readonly denials: Denial[] = [];
  /** Attributed requests checked so far (allowed or not). */
  checked = 0;
  denied = 0;

  constructor(
    functions: readonly Pick<LocalFunction, 'logicalId' | 'role'>[],
    readonly accountId: string,
    private readonly log: (line: string) => void = (l) => console.error(l),
  ) {
    for (const f of functions) this.roles.set(f.logicalId, { roleId: f.role?.logicalId ?? `${f.logicalId}Role`, statements: f.role?.statements ?? [] });
  }

  /** The function a request is attributed to (undefined: not a function's call, not checked). */
  static functionOf(headers: IncomingMessage['headers'] | Readonly<Record<string, string | string[] | undefined>>): string | undefined {
    const v = headers[FUNCTION_HEADER];
    return (Array.isArray(v) ? v[0] : v) || undefined;
  }

  /**
   * Checks every authorisation a request needs (all must pass), or, for `anyOf`, that one passes.
   * Returns the first denial (logged), or undefined when allowed.
   */
  check(functionId: string, requests: IamRequest[] | { anyOf: IamRequest[] }): Denial | undefined {
    this.checked++;
    const role = this.roles.get(functionId);
    const statements = role?.statements ?? [];
    let denial: Denial | undefined;
    if (Array.isArray(requests)) {
      for (const r of requests) {
        const decision = evaluate(statements, r);
        if (decision !== 'allow') {
          denial = this.denial(functionId, role?.roleId, r, decision);
          break;
        }
      }
    } else {
      const decisions = requests.anyOf.map((r) => ({ r, decision: evaluate(statements, r) }));
      if (!decisions.some((d) => d.decision === 'allow')) {
        const first = decisions[0] ?? { r: { action: 'unknown', resource: '*' }, decision: 'implicit-deny' as const };
        denial = this.denial(functionId, role?.roleId, first.r, first.decision === 'allow' ? 'implicit-deny' : first.decision);
      }
    }
    if (denial) {
      this.denied++;
      this.denials.push(denial);
      if (this.denials.length > 1000) this.denials.shift();
      this.log(`[local-iam] DENIED ${denial.functionId}: ${denial.action} on ${denial.resource} (${denial.decision}${role ? '' : ', unknown function'})`);
    }
    return denial;
  }

  private denial(functionId: string, roleId: string | undefined, r: IamRequest, decision: Exclude<Decision, 'allow'>): Denial {
    const principal = `arn:aws:sts::${this.accountId}:assumed-role/${roleId ?? 'unknown'}/${functionId}`;
    const why =
      decision === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${r.action} action`;
    return {
      functionId,
      action: r.action,
      resource: r.resource,
      decision,
      message: `User: ${principal} is not authorized to perform: ${r.action} on resource: ${r.resource} ${why}`,
    };
  }
}

/** AccessDeniedException as the JSON 1.0 protocols (DynamoDB, Step Functions) answer it. */
export function sendJsonAccessDenied(res: ServerResponse, denial: Denial, status = 400): void {
  const body = JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: denial.message, Message: denial.message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': 'AccessDeniedException',
    'x-amzn-requestid': `local-iam-${Date.now().toString(36)}`,
  });
  res.end(body);
}

/**
 * Puts the check in front of a server that reads JSON bodies itself (dynalite, the SES mail catcher):
 * an attributed request's body is read, checked, and — if allowed — handed to the server's own handler
 * as an equivalent request. Unattributed requests go straight through.
 */
export function gateJsonServer(
  server: http.Server,
  describe: (req: IncomingMessage, body: unknown) => IamRequest[] | { anyOf: IamRequest[] },
  iam: LocalIam,
  deny: (res: ServerResponse, denial: Denial) => void,
): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    for (const h of handlers) h.call(server, req, res);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const fn = LocalIam.functionOf(req.headers);
    if (!fn) return pass(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let parsed: unknown;
      try {
        parsed = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        parsed = undefined; // the server answers its own serialisation error
      }
      const denial = parsed === undefined ? undefined : iam.check(fn, describe(req, parsed));
      if (denial) return deny(res, denial);
      pass(replay(req, body), res);
    });
  });
}

/** A request equal to `req` (already read) whose body is `body`, for a handler that reads the stream. */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new http.IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.complete = true;
  if (body.length) copy.push(body);
  copy.push(null);
  return copy;
}

/** AccessDeniedException as REST JSON services (SES v2) answer it: 403. */
export function sendRestJsonAccessDenied(res: ServerResponse, denial: Denial): void {
  const body = JSON.stringify({ message: denial.message });
  res.writeHead(403, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': 'AccessDeniedException',
    'x-amzn-requestid': `local-iam-${Date.now().toString(36)}`,
  });
  res.end(body);
}
