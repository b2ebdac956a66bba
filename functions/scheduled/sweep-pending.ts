// Primary adapter: scheduled every few minutes; re-delivers decisions the workflow has not taken up.
import { redrivePending } from '../../shared/use-cases/operate-workflow.js';

export const handler = async (event: { time?: string }) => redrivePending(event.time ? new Date(event.time) : new Date());
