/**
 * Files that look like secrets: packaged, they reach every instance and anyone who can read the
 * bucket. They are still packaged (an application may need its key), with a warning that names
 * the file and the `.codedeployignore` line that leaves it out.
 */
import { IGNORE_FILE } from '../ignore-rules.js'

const SECRETS: { test: (name: string) => boolean; what: string }[] = [
  {
    test: name =>
      name === '.env' || (/^\.env\./.test(name) && !/\.(example|sample|template|dist)$/.test(name)),
    what: 'an environment file'
  },
  {
    test: name => /\.(pem|key|p12|pfx|jks|keystore)$/i.test(name),
    what: 'a key or certificate store'
  },
  { test: name => /^id_(rsa|dsa|ecdsa|ed25519)$/.test(name), what: 'an SSH private key' },
  {
    test: name => ['.netrc', '.npmrc', '.pypirc', 'credentials.json'].includes(name),
    what: 'a credentials file'
  }
]

/** The warning for `rel` (posix, relative to the source) when its name looks like a secret. */
export function secretWarning(rel: string): string | undefined {
  const name = rel.slice(rel.lastIndexOf('/') + 1)
  const secret = SECRETS.find(s => s.test(name))
  if (!secret) return undefined
  return `${rel} looks like ${secret.what} and is about to be packaged: every instance, and anyone who can read the bucket, gets it. If it should not be deployed, add the line '/${rel}' to ${IGNORE_FILE} at the source's root.`
}
