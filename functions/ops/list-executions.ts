// Primary adapter: GET /ops/executions?status= → workflow executions, newest first.
import { listWorkflowExecutions } from '../../shared/use-cases/operate-workflow.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('ListExecutions', async (req) => {
  const q = req.query;
  return { body: await listWorkflowExecutions({ status: q.status, limit: q.limit, nextToken: q.nextToken }) };
});
