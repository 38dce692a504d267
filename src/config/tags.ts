/**
 * `node.tags`: a few short labels a node gives itself (`{ zone: 'a', rack: '7' }`),
 * carried in its seeding heartbeats so allocation spreads a root's holders across
 * each tag's values and `preheat --tag zone=a` picks members. One rule for the
 * config and for what a peer's heartbeat says (hostile: bounded, or ignored).
 */
import { SEEDING_MAX_TAGS, SEEDING_MAX_TAG_KEY_LENGTH, SEEDING_MAX_TAG_VALUE_LENGTH } from '../constants.ts'

const KEY = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${SEEDING_MAX_TAG_KEY_LENGTH - 1}}$`)
const VALUE = new RegExp(`^[\\x21-\\x7e]{1,${SEEDING_MAX_TAG_VALUE_LENGTH}}$`)

/** Why `raw` is not a valid tag set, or undefined when it is. */
export function tagsProblem (raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw == null || Array.isArray(raw)) return 'expected an object of tag: value'
  const entries = Object.entries(raw)
  if (entries.length > SEEDING_MAX_TAGS) return `at most ${SEEDING_MAX_TAGS} tags`
  for (const [key, value] of entries) {
    if (!KEY.test(key)) return `tag ${JSON.stringify(key.slice(0, 40))}: keys are letters, digits, . _ - (at most ${SEEDING_MAX_TAG_KEY_LENGTH})`
    if (typeof value !== 'string' || !VALUE.test(value)) return `tag ${key}: values are printable ASCII without spaces, 1 to ${SEEDING_MAX_TAG_VALUE_LENGTH} characters`
  }
  return undefined
}

/** The tags as a peer sent them, or `{}` when anything is off (the heartbeat still counts). */
export function checkTags (raw: unknown): Record<string, string> {
  if (raw == null || tagsProblem(raw) != null) return {}
  return Object.fromEntries(Object.entries(raw as Record<string, string>))
}

/** `zone=a` → ['zone', 'a']; undefined when malformed. */
export function parseTagFilter (text: string): [string, string] | undefined {
  const eq = text.indexOf('=')
  if (eq < 1) return undefined
  const key = text.slice(0, eq)
  const value = text.slice(eq + 1)
  return tagsProblem({ [key]: value }) == null ? [key, value] : undefined
}
