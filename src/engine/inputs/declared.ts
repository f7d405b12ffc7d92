/**
 * The action's inputs as action.yml declares them: each name, its default (what the runner passes
 * when a workflow leaves the input out) and its description. Generated from action.yml by
 * `npm run docs` (scripts/readme.ts); do not edit: the contract test fails when it differs.
 */
export const DECLARED_INPUTS = {
  command: {
    default: 'deploy',
    description:
      "What to do: 'deploy' (package, upload, deploy and wait), 'package' (package and upload only), 'rollback' (redeploy the group's last good revision), 'continue' (move a waiting blue/green deployment on: reroute its traffic, or end the wait before its original instances are terminated), 'wait' (follow a deployment made by anyone to its end, like a deploy: progress, diagnosis, rollback, outputs; as aws deploy wait deployment-successful) or 'stop' (stop a deployment, as aws deploy stop-deployment, and follow the stop and its rollback). The last three act on deployment-id."
  },
  application: {
    description:
      'CodeDeploy application name. Required for deploy and rollback; with continue, wait and stop, optional and checked against the deployment.'
  },
  'deployment-group': {
    description:
      'Deployment group name. Required for deploy and rollback; with continue, wait and stop, optional and checked against the deployment.'
  },
  'deployment-config': {
    description:
      "Deployment configuration, e.g. CodeDeployDefault.OneAtATime. Empty uses the group's own."
  },
  'deployment-config-spec': {
    description:
      "A YAML or JSON file (inside the workspace) with CreateDeploymentConfig's fields (deploymentConfigName, computePlatform, minimumHealthyHosts, trafficRoutingConfig, zonalConfig), to define the deployment config this deployment uses: created when missing; a config of that name with other settings is refused, naming the difference, as configs cannot be changed. Its name comes from the file or from deployment-config."
  },
  'deployment-group-config': {
    description:
      "A YAML or JSON file (inside the workspace) with CreateDeploymentGroup's fields, in the API's camelCase (serviceRoleArn, ec2TagFilters or ec2TagSet, autoScalingGroups, deploymentStyle, autoRollbackConfiguration, alarmConfiguration, triggerConfigurations, loadBalancerInfo, blueGreenDeploymentConfiguration, ecsServices, …), defining deployment-group: a missing group is created (tagged codedeploy-bridge:created-by) just before the deployment, one that differs in a field the file gives is updated (the difference is logged), and one that holds the file's settings is left alone. deploymentGroupName may be left out; if given it must be deployment-group."
  },
  source: {
    default: '.',
    description:
      'Directory to package, relative to the workspace and inside it (links followed). appspec.yml (or appspec.yaml) must be at its root. .codedeployignore files leave out more; see the README.'
  },
  bucket: {
    description:
      'S3 bucket for the bundle (name only). Required when packaging, unless command is package and bundle-path is set.'
  },
  'bundle-path': {
    description:
      "Also write the bundle to this file (relative to the workspace; inside it or the runner's temp directory, links followed; outside source, in a directory that exists), e.g. for a later step that ships it elsewhere. It replaces only an older bundle, and appears whole or not at all. With command package and no bucket, the bundle is only written there: nothing is uploaded."
  },
  'key-prefix': {
    description:
      "Prefix for the bundle's object key, e.g. 'my-app/' or 'teams/web/my-app/'. No leading slash, no '.' or '..' segment, no control characters. The key ends with the bundle's SHA-256."
  },
  'bundle-type': { default: 'zip', description: 'Bundle format: zip, tgz or tar.' },
  revision: {
    description:
      "Deploy an existing revision instead of packaging: a bundle in S3 as s3://bucket/key (e.g. the 'revision' output of an earlier package step); 'github', this repository at this commit (GITHUB_REPOSITORY, GITHUB_SHA); or github:owner/repo@sha with the full 40-character commit SHA. A GitHub revision is fetched by CodeDeploy through the account's GitHub connection (no bucket, no packaging; EC2/on-premises groups only); the checkout's appspec is checked when it is that commit's."
  },
  'revision-etag': {
    description:
      "With 'revision', the object's ETag; CodeDeploy refuses the deployment if the object changed."
  },
  'revision-version': {
    description: "With 'revision', the S3 object version to deploy (versioned buckets)."
  },
  description: {
    description:
      "Deployment description. Empty uses the commit, ref and run URL. A short run marker ([cdb …]) is appended, which finds the deployment again if CodeDeploy's answer to the create call is lost; the whole is cut to 512 characters."
  },
  'file-exists-behavior': {
    description:
      "What the agent does with files already at a destination: DISALLOW, OVERWRITE or RETAIN. Empty uses CodeDeploy's default (DISALLOW)."
  },
  'ignore-application-stop-failures': {
    default: 'false',
    description: "Carry on when the previous revision's ApplicationStop hook fails."
  },
  'auto-rollback': {
    default: 'on-failure',
    description:
      "'on-failure' rolls back when the deployment fails or is stopped (also by one of the group's CloudWatch alarms); 'group' uses the deployment group's setting; 'off' never rolls back."
  },
  wait: {
    default: 'true',
    description:
      'Wait for the deployment to finish. With false the step ends once the deployment is created.'
  },
  timeout: {
    default: '60m',
    description:
      "How long the step may take from its start to the deployment's end: packaging, upload, waiting for a busy group and the deployment itself, from 1m to 6h (e.g. 45m, 2h, or seconds). When it passes, the deployment is stopped (and rolled back, see auto-rollback)."
  },
  'rollback-timeout': {
    default: '30m',
    description:
      'After a failure or a timeout, how long the rollback deployment is followed before the step ends (1m to 6h); CodeDeploy carries it on either way. The longest a step takes is timeout plus rollback-timeout.'
  },
  'on-cancel': {
    description:
      'What a cancelled job does to its deployment: stop-and-rollback, stop, or detach (leave it running). Default: stop-and-rollback; with command wait (a deployment this step did not create), detach.'
  },
  appspec: {
    description:
      "The AppSpec file (YAML or JSON, relative to the workspace and inside it, links followed), checked for the group's platform. ECS and Lambda groups: sent inline as an AppSpecContent revision (no bundle, no S3); for ECS its TaskDefinition may be filled from task-definition; for Lambda, a missing CurrentVersion is read from the alias and a missing TargetVersion is published. EC2/on-premises groups: packaged with source as the bundle's appspec.yml (hook scripts found in source); refused when source has an appspec.yml or appspec.yaml of its own that differs."
  },
  'task-definition': {
    description:
      "ECS, with appspec: a task definition JSON file inside the workspace (as registered, or the output of aws ecs describe-task-definition) to register; its new ARN replaces the appspec's TaskDefinition."
  },
  'on-ready': {
    description:
      "A blue/green deployment whose replacement instances (ECS: task set) are Ready (waiting for traffic to be rerouted): 'continue' reroutes now and follows it to the end; 'wait' leaves the reroute to the group's own timer or a person and keeps following; 'exit' ends the step successfully at Ready (status Ready), so a later job, e.g. behind an environment's reviewers, reroutes it with command continue. Default: continue; with command wait, wait."
  },
  'on-termination-wait': {
    description:
      "A blue/green deployment whose traffic is on the replacement instances while the originals wait to be terminated (an hour by default; the deployment stays InProgress through it): 'exit' ends the step successfully and says when the originals go away; 'wait' follows the wait to the end; 'continue' ends the wait now (the originals are terminated) and follows the deployment to Succeeded. Default: exit; with command wait (which passes only when the deployment Succeeded), wait."
  },
  'deployment-id': {
    description:
      "With command continue: the blue/green deployment to move on (d-XXXXXXXXX), e.g. the deployment-id output of the step that left it Ready. Continued with READY_WAIT when it is Ready, with TERMINATION_WAIT when its originals wait to be terminated. With command wait or stop: the deployment to wait for or to stop, e.g. the deployment-id output of a step with wait false. With these three commands application and deployment-group are optional and, when given, must be the deployment's, or the step fails before it changes anything. A wait step leaves the deployment as it is unless told otherwise: on-cancel defaults to detach, on-ready to wait, and the timeout ends the step without stopping the deployment."
  },
  rollback: {
    default: 'true',
    description:
      "With command stop: ask CodeDeploy to roll the stopped deployment back to the last successful revision (StopDeployment's autoRollbackEnabled, aws deploy stop-deployment --auto-rollback-enabled), then follow the rollback (see rollback-timeout). A yes or no for this one stop, as on-cancel gives one for a cancel, rather than auto-rollback, which sets up a deployment being created."
  },
  'skip-if-superseded': {
    default: 'true',
    description:
      'Skip the deployment (status Skipped; the step passes) when a newer run of the same workflow has already deployed to the group, or is deploying to it, so that an older run that waited never overwrites a newer one. Set false to deploy an older revision on purpose.'
  },
  sse: {
    description:
      "Server-side encryption for the bundle: AES256, aws:kms or aws:kms:dsse. Empty uses the bucket's default."
  },
  'sse-kms-key-id': { description: 'KMS key for sse aws:kms.' },
  's3-tags': {
    description:
      "Tags for the bundle's S3 object, sent with the upload (PutObject or CreateMultipartUpload Tagging), as key=value pairs separated by commas or lines (team=web,env=prod) or a YAML map. At most 10 tags; keys up to 128 and values up to 256 characters of letters, digits, spaces and + - = . _ : / @; no key starting with aws:. When S3 already holds the bundle (nothing is uploaded), its tags are left as they are. Needs s3:PutObjectTagging."
  },
  'target-instances': {
    description:
      'EC2/on-premises blue/green groups: the instances of the replacement environment, as CreateDeployment\'s targetInstances takes them, in YAML or JSON, with tagFilters (a list of Key, Value, Type KEY_ONLY, VALUE_ONLY or KEY_AND_VALUE; Type may be left out), ec2TagSet (ec2TagSetList, a list of such lists) or autoScalingGroups (a list of names), e.g. {"autoScalingGroups":["web-green"]}.'
  },
  'override-alarms': {
    description:
      "Ignore the deployment group's CloudWatch alarms for this deployment only: 'all', or the names of the alarms to ignore (commas or lines); the others are still watched. Sent as CreateDeployment's overrideAlarmConfiguration, which needs codedeploy:UpdateDeploymentGroup; the log and the job summary warn about it. Empty: the group's alarms stop the deployment as configured."
  },
  'outdated-instances-only': {
    default: 'false',
    description:
      "EC2/on-premises in-place groups: deploy only to the instances that do not run this revision yet (CreateDeployment's updateOutdatedInstancesOnly); the others are skipped."
  },
  'artifact-name': {
    description:
      'Also keep the bundle, exactly as uploaded to S3, as a workflow artifact with this name. Empty: no artifact.'
  },
  'github-deployment': {
    description:
      'Also record a GitHub deployment for this environment name (e.g. staging), marked in progress, then success, failure or error with a link to the CodeDeploy console (pending when left at Ready by on-ready exit). Needs the job permission deployments write. Empty: no GitHub deployment.'
  },
  'github-token': {
    default: '${{ github.token }}',
    description: 'Token for the GitHub API, used by github-deployment.'
  }
} as const

/** An input action.yml declares. */
export type DeclaredInput = keyof typeof DECLARED_INPUTS
