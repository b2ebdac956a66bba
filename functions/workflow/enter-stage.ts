// Primary adapter: the Wait<Stage> task-token states; parks the token on the book.
import { logger } from '../../shared/logger.js';
import { enterStage } from '../../shared/use-cases/workflow-steps.js';
import { StageTaskInput } from '../../shared/workflow/stages.js';

export const handler = async (event: unknown) => {
  const input = StageTaskInput.parse(event);
  logger.info('Stage waiting', { bookId: input.bookId, stage: input.stage });
  await enterStage(input);
  return {};
};
