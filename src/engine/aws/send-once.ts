/**
 * One attempt of an AWS call, without the SDK's retries, for calls the engine retries itself:
 * CreateDeployment, which is not idempotent (a retry after a lost answer can start a second
 * deployment); StopDeployment on a cancel, which must fit the runner's few seconds instead of the
 * SDK's backoff; and the look-ups of a lost deployment, which a cancel cuts short (an SDK retry
 * left backing off would also keep the process alive past the runner's window).
 */
import type {
  BatchGetDeploymentsCommand,
  BatchGetDeploymentsCommandOutput,
  CodeDeployClient,
  CreateDeploymentCommand,
  CreateDeploymentCommandOutput,
  ListDeploymentsCommand,
  ListDeploymentsCommandOutput,
  StopDeploymentCommand,
  StopDeploymentCommandOutput
} from '@aws-sdk/client-codedeploy'

/** The client's retry step, replaced for one command by a step that passes straight through. */
const NO_RETRY = {
  step: 'finalizeRequest' as const,
  name: 'retryMiddleware',
  priority: 'high' as const,
  override: true,
  tags: ['RETRY']
}

type OnceCommand =
  | CreateDeploymentCommand
  | StopDeploymentCommand
  | ListDeploymentsCommand
  | BatchGetDeploymentsCommand

interface Stack {
  add(
    middleware: (next: (args: unknown) => unknown) => (args: unknown) => unknown,
    options: typeof NO_RETRY
  ): void
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
  command: ListDeploymentsCommand,
  abortSignal?: AbortSignal
): Promise<ListDeploymentsCommandOutput>
export function sendOnce(
  client: CodeDeployClient,
  command: BatchGetDeploymentsCommand,
  abortSignal?: AbortSignal
): Promise<BatchGetDeploymentsCommandOutput>
export function sendOnce(
  client: CodeDeployClient,
  command: OnceCommand,
  abortSignal?: AbortSignal
): Promise<unknown> {
  ;(command.middlewareStack as unknown as Stack).add(next => args => next(args), NO_RETRY)
  return client.send(command as StopDeploymentCommand, abortSignal ? { abortSignal } : {})
}
