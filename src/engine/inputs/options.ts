/**
 * The structured inputs an AWS CLI user reaches for: `s3-tags` (the bundle object's tags),
 * `target-instances` (CreateDeployment's targetInstances) and `override-alarms` (the group's
 * alarms left out of this deployment). Each is read into the API's own shape and checked against
 * the API's limits here, so a mistake fails before anything is written; whether it fits the
 * group's platform is checked once the group is read (deploy/target.ts).
 */
import type { TargetInstances } from '@aws-sdk/client-codedeploy'

/** Parses YAML (JSON is YAML too); the host loads `yaml` only for the runs that need it. */
export type StructuredParser = (text: string) => unknown

/** What a run without `yaml` loaded parses: JSON only. */
const jsonOnly: StructuredParser = text => JSON.parse(text) as unknown

export interface Tag {
  Key: string
  Value: string
}

/** S3's limits on an object's tags. */
export const TAG_LIMITS = { count: 10, key: 128, value: 256 } as const
/** Letters, digits, spaces and + - = . _ : / @, as S3 and every AWS tag take them. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

const show = (text: string): string =>
  JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)

/** Whether the text is a YAML map or JSON object rather than `key=value` pairs. */
function looksStructured(text: string): boolean {
  return text.startsWith('{') || /^\s*[^=\s#][^=\n]*:(\s|$)/m.test(text)
}

function parsed(
  name: string,
  text: string,
  parse: StructuredParser,
  problems: string[],
  example: string
): unknown {
  try {
    return parse(text)
  } catch (error) {
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]
    problems.push(`Invalid ${name}: it is not valid YAML or JSON (${why}). ${example}`)
    return undefined
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * `s3-tags`: `team=web,env=prod` (commas or lines), or a YAML map. Undefined when not given or
 * wrong (the problem is pushed).
 */
export function parseS3Tags(
  raw: string,
  problems: string[],
  parse: StructuredParser = jsonOnly
): Tag[] | undefined {
  if (!raw) return undefined
  const example =
    "Give key=value pairs separated by commas or lines, e.g. 'team=web,env=prod', or a YAML map."
  const before = problems.length
  const tags: Tag[] = []
  if (looksStructured(raw)) {
    const value = parsed('s3-tags', raw, parse, problems, example)
    if (value === undefined) return undefined
    if (!isRecord(value)) {
      problems.push(`Invalid s3-tags: expected a map of tag names to values. ${example}`)
      return undefined
    }
    for (const [Key, v] of Object.entries(value)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        problems.push(`Invalid s3-tags: the value of ${show(Key)} is not text. ${example}`)
        continue
      }
      tags.push({ Key, Value: String(v) })
    }
  } else {
    for (const item of raw.split(/[,\n]/).map(i => i.trim())) {
      if (!item) continue
      const at = item.indexOf('=')
      if (at < 0) {
        problems.push(`Invalid s3-tags item ${show(item)}: it has no '='. ${example}`)
        continue
      }
      tags.push({ Key: item.slice(0, at).trim(), Value: item.slice(at + 1).trim() })
    }
  }
  if (tags.length > TAG_LIMITS.count)
    problems.push(
      `Invalid s3-tags: ${tags.length} tags, and S3 keeps at most ${TAG_LIMITS.count} on an object. Keep the ${TAG_LIMITS.count} that matter.`
    )
  const seen = new Set<string>()
  for (const { Key, Value } of tags) {
    const fix = `Tag keys are 1 to ${TAG_LIMITS.key} and values up to ${TAG_LIMITS.value} characters of letters, digits, spaces and + - = . _ : / @.`
    if (!Key) problems.push(`Invalid s3-tags: a tag has an empty key. ${fix}`)
    else if ([...Key].length > TAG_LIMITS.key)
      problems.push(
        `Invalid s3-tags key ${show(Key)}: it is ${[...Key].length} characters long. ${fix}`
      )
    else if (!TAG_TEXT.test(Key))
      problems.push(`Invalid s3-tags key ${show(Key)}: it holds a character S3 refuses. ${fix}`)
    else if (Key.toLowerCase().startsWith('aws:'))
      problems.push(
        `Invalid s3-tags key ${show(Key)}: keys starting with aws: are AWS's own. Choose another key.`
      )
    if ([...Value].length > TAG_LIMITS.value)
      problems.push(
        `Invalid s3-tags value of ${show(Key)}: it is ${[...Value].length} characters long. ${fix}`
      )
    else if (!TAG_TEXT.test(Value))
      problems.push(
        `Invalid s3-tags value of ${show(Key)}: it holds a character S3 refuses. ${fix}`
      )
    if (seen.has(Key))
      problems.push(`Invalid s3-tags: key ${show(Key)} is given twice. Give it once.`)
    seen.add(Key)
  }
  return problems.length === before ? tags : undefined
}

/** The tags as S3's Tagging header takes them: a URL-encoded query string. */
export function taggingHeader(tags: readonly Tag[]): string {
  return tags.map(t => `${encodeURIComponent(t.Key)}=${encodeURIComponent(t.Value)}`).join('&')
}

const FILTER_TYPES = ['KEY_ONLY', 'VALUE_ONLY', 'KEY_AND_VALUE'] as const
type FilterType = (typeof FILTER_TYPES)[number]
interface TagFilter {
  Key?: string
  Value?: string
  Type: FilterType
}

const TARGET_EXAMPLE =
  'Expected, as CreateDeployment takes it: {"tagFilters":[{"Key":"Name","Value":"web-green","Type":"KEY_AND_VALUE"}]}, {"ec2TagSet":{"ec2TagSetList":[[{"Key":"env","Value":"prod"}]]}} or {"autoScalingGroups":["web-green"]}.'

/** One EC2 tag filter; Type may be left out (it follows from Key and Value). */
function tagFilter(value: unknown, where: string, problems: string[]): TagFilter | undefined {
  const bad = (why: string): undefined => {
    problems.push(`Invalid target-instances ${where}: ${why}. ${TARGET_EXAMPLE}`)
    return undefined
  }
  if (!isRecord(value)) return bad('expected a map with Key, Value and Type')
  const unknown = Object.keys(value).filter(k => !['Key', 'Value', 'Type'].includes(k))
  if (unknown.length > 0)
    return bad(
      `${unknown.map(k => `'${k}'`).join(', ')} is not one of Key, Value, Type (spelt as the API spells them)`
    )
  for (const field of ['Key', 'Value', 'Type'] as const)
    if (value[field] !== undefined && typeof value[field] !== 'string')
      return bad(`${field} is not text (quote it)`)
  const key = value.Key as string | undefined
  const text = value.Value as string | undefined
  if (key !== undefined && (key.length === 0 || key.length > 128))
    return bad('Key must be 1 to 128 characters')
  if (text !== undefined && text.length > 256) return bad('Value must be at most 256 characters')
  const type =
    (value.Type as string | undefined) ??
    (key !== undefined && text !== undefined
      ? 'KEY_AND_VALUE'
      : key !== undefined
        ? 'KEY_ONLY'
        : 'VALUE_ONLY')
  if (!(FILTER_TYPES as readonly string[]).includes(type))
    return bad(`Type ${show(type)} is not one of ${FILTER_TYPES.join(', ')}`)
  if (type !== 'VALUE_ONLY' && key === undefined) return bad(`Type ${type} needs a Key`)
  if (type !== 'KEY_ONLY' && text === undefined) return bad(`Type ${type} needs a Value`)
  if (type === 'KEY_ONLY' && text !== undefined) return bad('Type KEY_ONLY takes no Value')
  if (type === 'VALUE_ONLY' && key !== undefined) return bad('Type VALUE_ONLY takes no Key')
  return {
    ...(key !== undefined ? { Key: key } : {}),
    ...(text !== undefined ? { Value: text } : {}),
    Type: type as FilterType
  }
}

function filterList(value: unknown, where: string, problems: string[]): TagFilter[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(
      `Invalid target-instances ${where}: expected a list of tag filters. ${TARGET_EXAMPLE}`
    )
    return undefined
  }
  const filters = value.map((f, i) => tagFilter(f, `${where}[${i}]`, problems))
  return filters.every(f => f !== undefined) ? filters : undefined
}

/** `target-instances`: CreateDeployment's targetInstances, in YAML or JSON. */
export function parseTargetInstances(
  raw: string,
  problems: string[],
  parse: StructuredParser = jsonOnly
): TargetInstances | undefined {
  if (!raw) return undefined
  const value = parsed('target-instances', raw, parse, problems, TARGET_EXAMPLE)
  if (value === undefined) return undefined
  const bad = (why: string): undefined => {
    problems.push(`Invalid target-instances: ${why}. ${TARGET_EXAMPLE}`)
    return undefined
  }
  if (!isRecord(value)) return bad('expected a map')
  const fields = ['tagFilters', 'ec2TagSet', 'autoScalingGroups']
  const unknown = Object.keys(value).filter(k => !fields.includes(k))
  if (unknown.length > 0)
    return bad(`${unknown.map(k => `'${k}'`).join(', ')} is not one of ${fields.join(', ')}`)
  if (Object.keys(value).length === 0) return bad('it names no instances')
  if (value.tagFilters !== undefined && value.ec2TagSet !== undefined)
    return bad(
      'tagFilters and ec2TagSet cannot be used together (CodeDeploy refuses both in one call); give one'
    )
  const before = problems.length
  const out: TargetInstances = {}
  if (value.tagFilters !== undefined) {
    const filters = filterList(value.tagFilters, 'tagFilters', problems)
    if (filters) out.tagFilters = filters
  }
  if (value.ec2TagSet !== undefined) {
    const set = value.ec2TagSet
    const groups: unknown = isRecord(set) ? set.ec2TagSetList : set
    if (isRecord(set) && Object.keys(set).some(k => k !== 'ec2TagSetList'))
      return bad('ec2TagSet takes ec2TagSetList only')
    if (!Array.isArray(groups) || groups.length === 0 || groups.length > 3)
      return bad('ec2TagSet.ec2TagSetList must be a list of 1 to 3 lists of tag filters')
    const lists = groups.map((g, i) => filterList(g, `ec2TagSet.ec2TagSetList[${i}]`, problems))
    if (lists.every(l => l !== undefined)) out.ec2TagSet = { ec2TagSetList: lists }
  }
  if (value.autoScalingGroups !== undefined) {
    const names = value.autoScalingGroups
    if (
      !Array.isArray(names) ||
      names.length === 0 ||
      names.some(n => typeof n !== 'string' || n.length === 0 || n.length > 255)
    )
      return bad(
        'autoScalingGroups must be a list of Auto Scaling group names (1 to 255 characters each)'
      )
    if (new Set(names).size !== names.length) return bad('autoScalingGroups names a group twice')
    out.autoScalingGroups = names as string[]
  }
  return problems.length === before ? out : undefined
}

/** `override-alarms`: 'all', or the names of the alarms to ignore. */
export function parseOverrideAlarms(raw: string, problems: string[]): 'all' | string[] | undefined {
  if (!raw) return undefined
  if (raw.trim().toLowerCase() === 'all') return 'all'
  const names = raw
    .split(/[,\n]/)
    .map(n => n.trim().replace(/^-\s+/, ''))
    .filter(Boolean)
  const fix =
    "Give 'all', or the names of the group's alarms to ignore, separated by commas or lines, e.g. 'latency-high, errors-5xx'."
  if (names.some(n => n.toLowerCase() === 'all')) {
    problems.push(`Invalid override-alarms: 'all' cannot be mixed with alarm names. ${fix}`)
    return undefined
  }
  const long = names.find(n => n.length > 255)
  if (long) {
    problems.push(
      `Invalid override-alarms name ${show(long)}: alarm names are at most 255 characters. ${fix}`
    )
    return undefined
  }
  if (new Set(names).size !== names.length) {
    problems.push(`Invalid override-alarms: an alarm is named twice. ${fix}`)
    return undefined
  }
  return names
}
