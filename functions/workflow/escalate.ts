// Primary adapter: the Escalate<Stage> states after a stage timeout.
import { z } from 'zod';
import { escalateStalled } from '../../shared/use-cases/workflow-steps.js';
import { waitingStages } from '../../shared/workflow/stages.js';
import { StepPayload } from './step-payload.js';

export const handler = async (event: unknown) => {
  const e = StepPayload.extend({ stage: z.enum(waitingStages) }).parse(event);
  await escalateStalled(e.bookId, e.stage, { executionArn: e.executionArn, at: e.enteredAt });
  return {};
};
