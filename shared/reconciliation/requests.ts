import { z } from 'zod';

/** Body of POST /books/{bookId}/records/{so}/resolution. */
export const ResolutionRequest = z.strictObject({
  subject: z.string().min(1).max(40),
  action: z.enum(['acceptCandidate', 'citizenMustCorrect', 'correctRecord', 'treatAsNotFound']),
  idNumber: z.string().regex(/^\d{12}$/).optional(),
  note: z.string().trim().max(1000).optional(),
});
export type ResolutionRequest = z.infer<typeof ResolutionRequest>;

/** Body of POST /books/{bookId}/assigned-ids: `subject` is `<so>#<role>` as listed as not found. */
export const AssignedIdsRequest = z.strictObject({ ids: z.array(z.strictObject({ subject: z.string().max(40), idNumber: z.string().regex(/^\d{12}$/) })).min(1).max(5000) });
