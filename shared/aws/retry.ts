import { Conflict } from '../errors.js';

/**
 * Runs a read-modify-write step again when its conditional write lost to another writer
 * (`Conflict`), re-reading each time. Other errors, and the last conflict, propagate.
 */
export async function retryOnConflict<T>(step: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof Conflict) || attempt >= attempts) throw err;
    }
  }
}
