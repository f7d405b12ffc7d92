/**
 * One attempt of an AWS call, without the SDK's retries, for calls the engine retries itself:
 * CreateDeployment, which is not idempotent (a retry after a lost answer can start a second
 * deployment), and StopDeployment on a cancel, which must fit the runner's few seconds instead of
 * the SDK's backoff.
 */
import {
  StopDeploymentCommand,
  type CodeDeployClient,
  type CreateDeploymentCommand,
  type CreateDeploymentCommandOutput,
  type StopDeploymentCommandOutput
} from '@aws-sdk/client-codedeploy'

/** The client's retry step, replaced for one command by a step that passes straight through. */
const NO_RETRY = {
  step: 'finalizeRequest' as const,
  name: 'retryMiddleware',
  priority: 'high' as const,
  override: true,
  tags: ['RETRY']
}

export function sendOnce(
  client: CodeDeployClient,
  command: CreateDeploymentCommand,
  abortSignal?: AbortSignal
): Promise<CreateDeploymentCommandOutput>
export function sendOnce(
  client: CodeDeployClient,
  command: StopDeploymentCommand,
  abortSignal?: AbortSignal
): Promise<StopDeploymentCommandOutput>
export function sendOnce(
  client: CodeDeployClient,
  command: CreateDeploymentCommand | StopDeploymentCommand,
  abortSignal?: AbortSignal
): Promise<CreateDeploymentCommandOutput | StopDeploymentCommandOutput> {
  const options = abortSignal ? { abortSignal } : {}
  if (command instanceof StopDeploymentCommand) {
    command.middlewareStack.add(next => args => next(args), NO_RETRY)
    return client.send(command, options)
  }
  command.middlewareStack.add(next => args => next(args), NO_RETRY)
  return client.send(command, options)
}
