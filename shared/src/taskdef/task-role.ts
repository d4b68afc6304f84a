/**
 * The role a task runs as: its RunTask override, else its task definition's; none when neither
 * names one (an empty override does not clear the definition's). The control plane issues
 * credentials by it and the agent tells containers where to fetch them by it: one rule for both.
 */
export function taskRoleOf(taskDefinition: { taskRoleArn?: string } | undefined, overrides: { taskRoleArn?: string } | undefined): string | undefined {
  return overrides?.taskRoleArn || taskDefinition?.taskRoleArn || undefined;
}
