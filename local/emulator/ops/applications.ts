/**
 * Applications: CreateApplication, GetApplication and ListApplications, and the lookup by
 * `applicationName` every other resource starts from, on any of the three compute platforms.
 */
import { ServiceError } from '../errors.js'
import { uuid, type Application, type ComputePlatform } from '../model.js'
import type { CodeDeployService } from '../service.js'
import { oneOf, optionalString, requiredString, toWire, type Input, type Json } from '../wire.js'
import type { Handlers } from './common.js'

function applicationName(input: Input): string {
  return requiredString(
    input,
    'applicationName',
    'ApplicationNameRequiredException',
    'The minimum number of required application names was not specified.',
    'InvalidApplicationNameException'
  )
}

export function findApplication(service: CodeDeployService, input: Input): Application {
  const name = applicationName(input)
  const app = service.applications.get(name)
  if (!app)
    throw new ServiceError(
      'ApplicationDoesNotExistException',
      `No application found for name: ${name}`
    )
  return app
}

function applicationInfo(app: Application): object {
  return {
    applicationId: app.applicationId,
    applicationName: app.applicationName,
    createTime: app.createTime,
    linkedToGitHub: false,
    computePlatform: app.computePlatform
  }
}

export function addApplication(
  service: CodeDeployService,
  name: string,
  computePlatform: ComputePlatform = 'Server'
): Application {
  const app: Application = {
    applicationId: uuid(),
    applicationName: name,
    createTime: new Date(),
    computePlatform,
    groups: new Map(),
    revisions: new Map()
  }
  service.applications.set(name, app)
  return app
}

function createApplication(service: CodeDeployService, input: Input): Json {
  const name = applicationName(input)
  if (name.length > 100)
    throw new ServiceError(
      'InvalidApplicationNameException',
      'The application name must be at most 100 characters.'
    )
  const platform = oneOf(
    optionalString(input, 'computePlatform'),
    ['Server', 'Lambda', 'ECS'] as const,
    'InvalidComputePlatformException',
    'Compute platform'
  )
  if (service.applications.has(name))
    throw new ServiceError(
      'ApplicationAlreadyExistsException',
      `An application with the name ${name} already exists.`
    )
  return { applicationId: addApplication(service, name, platform).applicationId }
}

export const applicationOps: Handlers = {
  CreateApplication: createApplication,
  GetApplication: (service, input) => ({
    application: toWire(applicationInfo(findApplication(service, input)))
  }),
  ListApplications: service => ({ applications: [...service.applications.keys()].sort() })
}
