import { z } from 'zod';
import type { Role } from '../users/user.js';

/** The stages a book passes through, in order. `inventory` is before the workflow starts. */
export const Stage = z.enum(['inventory', 'entry', 'scan', 'review', 'approval', 'reconciliation', 'completed']);
export type Stage = z.infer<typeof Stage>;

/** Stages during which the workflow waits for people (a task-token wait each). */
export const waitingStages = ['entry', 'scan', 'review', 'approval', 'reconciliation'] as const satisfies readonly Stage[];
export type WaitingStage = (typeof waitingStages)[number];

export const stageTitles: Record<Stage, string> = {
  inventory: 'Kiểm kê',
  entry: 'Nhập liệu',
  scan: 'Scan',
  review: 'Kiểm tra, đối chiếu',
  approval: 'Phê duyệt',
  reconciliation: 'Đối chiếu CSDLQGVDC',
  completed: 'Hoàn thành',
};

export const ActionName = z.enum([
  'startDigitisation',
  'completeEntry',
  'completeScan',
  'passReview',
  'returnToEntry',
  'returnToScan',
  'approve',
  'reject',
  'completeReconciliation',
]);
export type ActionName = z.infer<typeof ActionName>;

export interface Transition {
  from: Stage;
  to: Stage;
  roles: readonly Role[];
  /** Whether a free-text reason is required (returns and rejections). */
  needsReason: boolean;
  /** Taken by a processing step on the system's side (e.g. a valid entry workbook completes Entry). */
  system?: boolean;
  title: string;
}

/**
 * The transition table: the one definition of which action moves a book from which stage to which,
 * and who may take it. The CDK workflow builds its Choice states from this table, so the state
 * machine and the API can never disagree (a template test checks it).
 */
export const transitions: Record<ActionName, Transition> = {
  startDigitisation: { from: 'inventory', to: 'entry', roles: ['commune_officer'], needsReason: false, title: 'Bắt đầu số hóa' },
  completeEntry: { from: 'entry', to: 'scan', roles: [], needsReason: false, system: true, title: 'Nhập liệu hợp lệ (tự động khi tệp Excel đạt kiểm tra)' },
  completeScan: { from: 'scan', to: 'review', roles: [], needsReason: false, system: true, title: 'Đủ bản scan (tự động khi bộ bản scan đầy đủ)' },
  passReview: { from: 'review', to: 'approval', roles: ['commune_officer'], needsReason: false, title: 'Đạt kiểm tra' },
  returnToEntry: { from: 'review', to: 'entry', roles: ['commune_officer'], needsReason: true, title: 'Trả về nhập liệu' },
  returnToScan: { from: 'review', to: 'scan', roles: ['commune_officer'], needsReason: true, title: 'Trả về scan' },
  approve: { from: 'approval', to: 'reconciliation', roles: ['commune_officer'], needsReason: false, title: 'Phê duyệt' },
  reject: { from: 'approval', to: 'review', roles: ['commune_officer'], needsReason: true, title: 'Từ chối phê duyệt' },
  completeReconciliation: { from: 'reconciliation', to: 'completed', roles: [], needsReason: false, system: true, title: 'Đối chiếu xong (tự động khi mọi người đã khớp hoặc đã xử lý)' },
};

/** Actions leaving a stage, whoever takes them. */
export function actionsFrom(stage: Stage): ActionName[] {
  return ActionName.options.filter((a) => transitions[a].from === stage);
}

/** Actions the role may take in the stage (ignores whether the workflow is ready; see book rules). */
export function actionsFor(stage: Stage, role: Role): ActionName[] {
  return actionsFrom(stage).filter((a) => transitions[a].roles.includes(role));
}

/** The state-machine state that waits in a stage. Shared by CDK and the resume logic. */
export function waitStateName(stage: WaitingStage): string {
  return `Wait${stage[0]!.toUpperCase()}${stage.slice(1)}`;
}

/** The payload the workflow hands to a stage's wait task and the decision it receives back. */
export const StageTaskInput = z.object({
  bookId: z.string().min(1),
  stage: z.enum(waitingStages),
  taskToken: z.string().min(1),
  executionArn: z.string().min(1),
  enteredAt: z.string().min(1),
});
export type StageTaskInput = z.infer<typeof StageTaskInput>;

export const Decision = z.object({ action: ActionName, reason: z.string().optional(), records: z.array(z.string()).optional() });
export type Decision = z.infer<typeof Decision>;

/** Execution input: a new run starts at Entry; `resumeAt` restarts at the book's recorded stage. */
export const WorkflowInput = z.object({
  bookId: z.string().min(1),
  resumeAt: z.enum(waitingStages).optional(),
});
export type WorkflowInput = z.infer<typeof WorkflowInput>;
