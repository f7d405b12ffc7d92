/**
 * "Did you mean" for misspelt keys and hook names: the closest known name by edit distance, when
 * it is close enough to be a typo of what was written.
 */

/** Edit distance (insert, delete, substitute), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const current = [i]
    for (let j = 1; j <= y.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute))
    }
    previous = current
  }
  return previous[y.length] ?? 0
}

/** The closest of `known` to `name`, when it is close enough to be a typo of it. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestScore = Infinity
  for (const candidate of known) {
    const score = distance(name, candidate)
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  // One edit for short names (so 'foo' is not taken for 'os'), more for longer ones.
  const allowed = name.length < 5 ? 1 : Math.max(2, Math.floor(name.length / 4))
  return bestScore <= allowed ? best : undefined
}

/** ` Did you mean '…'?` for a close match, or nothing: to append to a message. */
export function didYouMean(name: string, known: readonly string[]): string {
  const close = suggest(name, known)
  return close ? ` Did you mean '${close}'?` : ''
}
