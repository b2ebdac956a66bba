// Primary adapter: the RecordFailure state reached from every Catch.
import { z } from 'zod';
import { recordFailure } from '../../shared/use-cases/workflow-steps.js';
import { StepPayload } from './step-payload.js';

const Payload = StepPayload.extend({ error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).default({}) });

export const handler = async (event: unknown) => {
  const e = Payload.parse(event);
  await recordFailure(e.bookId, e.error, { executionArn: e.executionArn, at: e.enteredAt });
  return {};
};
