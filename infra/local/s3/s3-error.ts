/** An error answered to the client in S3's XML error format. */
export class S3Error extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: Record<string, string | number>;

  constructor(code: string, status: number, message: string, detail: Record<string, string | number> = {}) {
    super(message);
    this.name = 'S3Error';
    this.code = code;
    this.status = status;
    this.detail = detail;
  }

  toXml(requestId: string, hostId: string): string {
    const extra = Object.entries(this.detail)
      .map(([name, value]) => `<${name}>${xmlEscape(String(value))}</${name}>`)
      .join('');
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${xmlEscape(this.code)}</Code><Message>${xmlEscape(this.message)}</Message>` +
      `${extra}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`
    );
  }
}

export const accessDenied = (message = 'Access Denied', detail: Record<string, string | number> = {}): S3Error =>
  new S3Error('AccessDenied', 403, message, detail);

export const policyConditionFailed = (condition: unknown[]): S3Error =>
  accessDenied(`Invalid according to Policy: Policy Condition failed: ${formatCondition(condition)}`);

/** Formats a policy condition the way S3 quotes it in error messages: `["eq", "$key", "a"]`. */
export function formatCondition(condition: unknown[]): string {
  return `[${condition.map((part) => JSON.stringify(part)).join(', ')}]`;
}

/** Escapes XML text content (quotes need no escaping outside attributes; S3 messages keep them). */
export function xmlEscape(value: string): string {
  return value.replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}

/** Decodes the entities s3rver (he.escape) and S3 put in XML text. */
export function xmlUnescape(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_all, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity] ?? '';
  });
}
