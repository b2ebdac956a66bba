import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * DynamoDB items returned by reads, counted per container (`total`) and per unit of work
 * (`countReads`): reports state their read cost and benchmarks check it. The per-call count follows
 * the async context, so concurrent invocations in one process (the local runtime) do not overlap.
 */
export const ddbStats = { itemsRead: 0 };
const current = new AsyncLocalStorage<{ itemsRead: number }>();

/** Called by the DynamoDB client's middleware with the number of items a response carried. */
export function recordItemsRead(n: number): void {
  ddbStats.itemsRead += n;
  const c = current.getStore();
  if (c) c.itemsRead += n;
}

/** Runs `work` and adds the items it read (its own calls only) to its result. */
export async function countReads<T extends object>(work: () => Promise<T>): Promise<T & { itemsRead: number }> {
  const counter = { itemsRead: 0 };
  const result = await current.run(counter, work);
  return { ...result, itemsRead: counter.itemsRead };
}
