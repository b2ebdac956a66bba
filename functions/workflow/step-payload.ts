import { z } from 'zod';

/** Fields every workflow Task payload carries (see infra/constructs/book-workflow.ts). */
export const StepPayload = z.object({ bookId: z.string().min(1), executionArn: z.string().min(1), enteredAt: z.string().min(1) });
