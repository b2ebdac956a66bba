import { z } from 'zod';

/** Payloads of the report workflow's tasks (infra/constructs/report-workflow.ts). */
export const PlanInput = z.object({
  week: z.string().nullish().transform((v) => v ?? undefined),
  unit: z.string().nullish().transform((v) => v ?? undefined),
  resend: z.boolean().nullish().transform((v) => v ?? false),
  time: z.string().optional(),
});
export const UnitInput = z.object({ week: z.string(), unit: z.string(), resend: z.boolean().default(false) });
export const ProvinceInput = z.object({ week: z.string(), province: z.string(), resend: z.boolean().default(false) });
export const NationalInput = z.object({ week: z.string(), resend: z.boolean().default(false) });
