// Primary adapter: the Complete state, last before success.
import { completeBook } from '../../shared/use-cases/workflow-steps.js';
import { StepPayload } from './step-payload.js';

export const handler = async (event: unknown) => {
  const e = StepPayload.parse(event);
  await completeBook(e.bookId, { executionArn: e.executionArn, at: e.enteredAt });
  return {};
};
