// Primary adapter: workflow state ValidateInventory.
import { validateInventory } from '../../shared/use-cases/workflow-steps.js';
import { StepPayload } from './step-payload.js';

export const handler = async (event: unknown) => {
  const e = StepPayload.parse(event);
  await validateInventory(e.bookId, { executionArn: e.executionArn, at: e.enteredAt });
  return { valid: true };
};
