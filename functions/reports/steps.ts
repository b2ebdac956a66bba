import { z } from 'zod';
import { UnitSlice } from '../../shared/reports/report-plan.js';

/** Payloads of the report workflow's tasks (infra/constructs/report-workflow.ts). */
export const PlanInput = z.object({
  week: z.string().nullish().transform((v) => v ?? undefined),
  unit: z.string().nullish().transform((v) => v ?? undefined),
  resend: z.boolean().nullish().transform((v) => v ?? false),
  time: z.string().optional(),
});
export const PrepareInput = z.object({ week: z.string(), scope: z.string(), province: z.string() });
/** The run (execution name) a send belongs to: a retry of the same run may finish its own interrupted send. */
const Run = z.string().min(1).default('manual');
export const UnitInput = z.object({ week: z.string(), run: Run, unit: UnitSlice, resend: z.boolean().default(false) });
export const ProvinceInput = z.object({ week: z.string(), run: Run, scope: z.string(), province: z.string(), resend: z.boolean().default(false) });
export const NationalInput = z.object({ week: z.string(), run: Run, resend: z.boolean().default(false) });
