/**
 * The bad-input table for appspec.yml: its top level, files, permissions and hooks, each refused
 * at its file:line with the fix, before anything is written.
 */
import { describe } from '@jest/globals'
import { GOOD_APPSPEC, badInputCases, tree, withAppspec, type Case } from './helpers/bad-input.js'
import { useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { staging: 1 }, stepDelayMs: 0 })

/** An appspec.yml with only this section, its lines indented below it. */
const section =
  (name: string) =>
  (...lines: string[]): string =>
    `version: 0.0\nos: linux\n${name}:\n${lines.map(l => `  ${l}`).join('\n')}\n`
const hooks = section('hooks')
const permissions = section('permissions')
const files = section('files')

const CASES: Record<string, Case> = {
  // appspec.yml: files
  'files entry that is not a mapping': withAppspec(
    files('- site'),
    /appspec.yml:4:5: each 'files' entry must be a mapping: '- source: <path in the bundle>' with 'destination: <path on the instance>' below it/
  ),
  'files entry without destination': withAppspec(
    files('- source: site'),
    /appspec.yml:4:5: this 'files' entry has no 'destination'. Give an absolute path on the instance/
  ),
  'files entry without source': withAppspec(
    files('- destination: /srv/app'),
    /appspec.yml:4:5: this 'files' entry has no 'source'. Give a path inside the bundle/
  ),
  'file_exists_behavior inside a files entry': withAppspec(
    files('- source: site', '  destination: /srv/app', '  file_exists_behavior: OVERWRITE'),
    /appspec.yml:6:5: 'file_exists_behavior' goes at the top level of the appspec, not inside a 'files' entry. Move it out/
  ),
  'files source leaving the bundle': withAppspec(
    files('- source: ../site', '  destination: /srv/app'),
    /appspec.yml:4:13: source '..\/site' leaves the bundle with '..'. Use a path inside/
  ),
  'files source left out by .codedeployignore': {
    tree: tree(GOOD_APPSPEC, { '.codedeployignore': 'site/\n' }),
    message:
      /appspec.yml:4:13: source 'site' is excluded by .codedeployignore, so it would not be in the bundle\. Remove the .codedeployignore rule/
  },
  'files destination not a windows path': withAppspec(
    'version: 0.0\nos: windows\nfiles:\n  - source: site\n    destination: inetpub\\app\n',
    /appspec.yml:5:18: destination 'inetpub\\app' is not an absolute windows path. Give the full path on the instance, e.g. C:\\inetpub\\app/
  ),
  'file_exists_behavior in lower case in the appspec': withAppspec(
    `${GOOD_APPSPEC}file_exists_behavior: overwrite\n`,
    /appspec.yml:10:23: file_exists_behavior is 'overwrite'. Use DISALLOW, OVERWRITE or RETAIN \(upper case\)/
  ),
  // appspec.yml: permissions
  'permissions on windows': withAppspec(
    'version: 0.0\nos: windows\npermissions:\n  - object: C:\\app\n',
    /appspec.yml:3:1: 'permissions' works on Linux instances only.*Remove it, or set the permissions from a hook script/
  ),
  'permissions entry without object': withAppspec(
    permissions('- owner: www-data'),
    /appspec.yml:4:5: this 'permissions' entry has no 'object'. Add 'object: \/path\/on\/the\/instance'/
  ),
  'permissions object that is relative': withAppspec(
    permissions('- object: srv/app'),
    /appspec.yml:4:13: object 'srv\/app' is not an absolute path. Give the full path on the instance/
  ),
  'permissions mode with an unquoted leading zero': withAppspec(
    permissions('- object: /srv/app', '  mode: 0644'),
    /appspec.yml:5:11: mode 0644 has a leading zero without quotes.*Write "0644" in quotes, or 644/
  ),
  'permissions mode in symbols': withAppspec(
    permissions('- object: /srv/app', '  mode: u+x'),
    /appspec.yml:5:11: mode 'u\+x' is not an octal mode. Use 3 or 4 digits from 0 to 7/
  ),
  'permissions owner as a number': withAppspec(
    permissions('- object: /srv/app', '  owner: 1000'),
    /appspec.yml:5:12: owner must be a user name \(the agent looks it up by name, not by number\)/
  ),
  'permissions type link': withAppspec(
    permissions('- object: /srv/app', '  type: [link]'),
    /appspec.yml:5:12: type 'link' is not known. Use 'file' and\/or 'directory'/
  ),
  'permissions context without type': withAppspec(
    permissions('- object: /srv/app', '  context:', '      user: system_u'),
    /appspec.yml:6:9: context needs 'type' \(an SELinux type such as httpd_sys_content_t\)/
  ),
  'permissions unknown key': withAppspec(
    permissions('- object: /srv/app', '  recursive: true'),
    /appspec.yml:5:5: unknown key 'recursive' in a 'permissions' entry.*Allowed keys: object, pattern/
  ),
  // appspec.yml: hooks
  'hooks as a list': withAppspec(
    hooks('- ValidateService: scripts/check.sh'),
    /appspec.yml:4:3: 'hooks' must map event names to lists of scripts \(a list of hooks is the Lambda\/ECS form.*Write e.g. 'AfterInstall:'/
  ),
  'hook without scripts': withAppspec(
    hooks('ValidateService:'),
    /appspec.yml:4:3: hook 'ValidateService' has no scripts. Add '- location: <script>' below it, or remove the hook/
  ),
  'hook script written as a string': withAppspec(
    hooks('ValidateService:', '  - scripts/check.sh'),
    /appspec.yml:5:7: each ValidateService entry must be a mapping with 'location'. Write '- location: scripts\/check.sh'/
  ),
  'hook entry without location': withAppspec(
    hooks('ValidateService:', '  - timeout: 60'),
    /appspec.yml:5:7: this ValidateService entry has no 'location'. Add 'location: <script path in the bundle>'/
  ),
  'hook under an old name': withAppspec(
    hooks('BeforeELBRemove:', '  - location: scripts/check.sh'),
    /appspec.yml:4:3: hook 'BeforeELBRemove' is an old name CodeDeploy no longer runs. Rename it to BeforeBlockTraffic/
  ),
  'runas that is not a user name': withAppspec(
    hooks('ValidateService:', '  - location: scripts/check.sh', '    runas: root user'),
    /appspec.yml:6:14: runas 'root user' is not a user name. Give the Linux user the script runs as, e.g. runas: root/
  ),
  'hook timeout that is not a number': withAppspec(
    hooks('ValidateService:', '  - location: scripts/check.sh', '    timeout: 5m'),
    /appspec.yml:6:16: timeout '5m' for scripts\/check.sh is not a whole number of seconds from 1 to 3600. Set e.g. 'timeout: 300'/
  ),
  'hook script that is a directory': withAppspec(
    hooks('ValidateService:', '  - location: scripts'),
    /appspec.yml:5:17: script 'scripts' for ValidateService is a directory. Point location at the script file/
  ),
  'hook script with CRLF line endings': {
    tree: tree(hooks('ValidateService:', '  - location: scripts/crlf.sh'), {
      'scripts/crlf.sh': { content: '#!/bin/sh\r\ntrue\r\n', mode: 0o755 }
    }),
    message:
      /appspec.yml:5:17: script 'scripts\/crlf.sh' starts with '#!' but has Windows line endings \(CRLF\).*Convert it to LF line endings/
  },
  'hook script that is a dangling link': {
    tree: tree(hooks('ValidateService:', '  - location: scripts/gone.sh'), {
      'scripts/gone.sh': { link: 'nothing.sh' }
    }),
    message:
      /appspec.yml:5:17: script 'scripts\/gone.sh' for ValidateService is a link to a file that does not exist. Fix the link/
  },
  'hook script left out by .codedeployignore': {
    tree: tree(hooks('ValidateService:', '  - location: scripts/check.sh'), {
      '.codedeployignore': 'scripts/\n'
    }),
    message:
      /appspec.yml:5:17: script 'scripts\/check.sh' is .*codedeployignore.*so the instance would not have it/
  },
  'hook script leaving the bundle': withAppspec(
    hooks('ValidateService:', '  - location: ../check.sh'),
    /appspec.yml:5:17: script '..\/check.sh' leaves the bundle with '..'. Keep hook scripts inside/
  ),
  // appspec.yml: top level
  'version in quotes': withAppspec(
    "version: '0.0'\nos: linux\n",
    /appspec.yml:1:10: version is the string '0.0' \(quoted\).*Remove the quotes: version: 0.0/
  ),
  'missing version': withAppspec(
    'os: linux\n',
    /appspec.yml:1:1: 'version' is missing. Add 'version: 0.0' as the first line/
  ),
  'missing os': withAppspec('version: 0.0\n', /appspec.yml:1:1: 'os' is missing. Add 'os: linux'/),
  'os in capitals': withAppspec(
    'version: 0.0\nos: Linux\n',
    /appspec.yml:2:5: os is 'Linux', which the agent does not know. Write it in lower case: os: linux/
  ),
  'empty appspec.yml': withAppspec(
    '',
    /appspec.yml:1:1: the file is empty. Start it with 'version: 0.0' and 'os: linux'/
  ),
  'appspec.yml that is a list': withAppspec(
    '- version: 0.0\n',
    /appspec.yml:1:1: the top level must be a mapping \(version:, os:, files:, hooks:\), not a list/
  ),
  'unknown top-level key': withAppspec(
    `${GOOD_APPSPEC}hook: {}\n`,
    /appspec.yml:10:1: unknown key 'hook' at the top level. Did you mean 'hooks'\?/
  )
}

describe('bad input: appspec.yml', () => {
  badInputCases(t, CASES)
})
