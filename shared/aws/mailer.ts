/** Secondary adapter: raw MIME email through SES v2 (the MIME is built by the caller). */
import { clientResilience } from './clients.js';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';

const ses = new SESv2Client({ ...clientResilience() });

/** @returns SES's message id. Throws SES errors (throttling after retries, rejected addresses). */
export async function sendRawEmail(from: string, to: readonly string[], raw: Buffer): Promise<string> {
  const res = await ses.send(
    new SendEmailCommand({ FromEmailAddress: from, Destination: { ToAddresses: [...to] }, Content: { Raw: { Data: raw } } }),
  );
  return res.MessageId ?? '';
}
