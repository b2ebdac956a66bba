import type { Principal } from './users/user.js';

/** Who is asking, under which request id, at what time. Passed to every use case. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  /** ISO timestamp of the request; audit keys use it so retries of one request collide. */
  now: string;
}
