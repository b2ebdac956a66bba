// Primary adapter: GET /ops/executions/{executionArn}/history → the execution as a timeline.
import { workflowExecutionHistory } from '../../shared/use-cases/operate-workflow.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ExecutionHistory', async (req) => ({
  body: await workflowExecutionHistory(req.params.executionArn),
}));
