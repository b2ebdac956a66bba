import { describe, expect, it } from 'vitest';
import { failureCauseOf } from '../../shared/use-cases/workflow-steps.js';
import { loadEvent } from '../support/handler-env.js';

describe('the cause recorded on a failed book', () => {
  it('is the message of a Lambda error, without its stack trace (the shape Step Functions hands over)', () => {
    const { error } = loadEvent<{ error: { Cause: string } }>('workflow/record-failure.json');
    const cause = failureCauseOf(error.Cause);
    expect(cause).toBe('Thiếu "Tổng số sự kiện khi khóa sổ" (closingTotal) dù sổ ở tình trạng tốt (physicalCondition = good)');
    expect(cause).not.toContain('index.mjs');
  });

  it('keeps a plain cause, a JSON cause of another shape, and nothing as nothing', () => {
    expect(failureCauseOf('Task timed out after 30.00 seconds')).toBe('Task timed out after 30.00 seconds');
    expect(failureCauseOf('{"reason":"x"}')).toBe('{"reason":"x"}');
    expect(failureCauseOf(undefined)).toBe('');
  });
});
