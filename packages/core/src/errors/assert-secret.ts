import { secretIssues } from '../adapter/options';
import { InputValidationError } from './errors';

/**
 * Refuses a credential too short to be redacted safely (fewer than 8 characters after trimming)
 * with an `InputValidationError` naming the option, before anything is sent. The rule is
 * `secretIssues`'; this is its throwing form for factories that check one option at a time.
 */
export function assertSecretRedactable(
  name: string,
  value: unknown,
  options: { provider?: string } = {},
): void {
  const issues = secretIssues(name, value);
  if (issues.length > 0) throw new InputValidationError(issues, options);
}
