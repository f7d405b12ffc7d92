/**
 * The bench's table: one row per measure, ours against a peer measured in the same run, and
 * bench/RESULTS.md written from it.
 */
import { cpus } from 'node:os'
import { writeFile } from 'node:fs/promises'
import { format, resolveConfig } from 'prettier'

export interface Row {
  measure: string
  ours: string
  peer: string
  /** ours / peer, where both are numbers of the same unit. */
  ratio?: number | undefined
  goal: string
  /** Undefined: the goal could not be judged (a peer missing, a figure unknown). */
  met?: boolean | undefined
}

export interface RunFacts {
  date: Date
  quick: boolean
  pairs: number
  meter: string
  notes: string[]
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|')
}

export function table(rows: Row[]): string {
  const lines = [
    '| measure | ours | peer | ratio | goal | met? |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      row =>
        `| ${cell(row.measure)} | ${cell(row.ours)} | ${cell(row.peer)} | ${row.ratio === undefined ? '–' : `${row.ratio.toFixed(2)}×`} | ${cell(row.goal)} | ${row.met === undefined ? '–' : row.met ? 'yes' : 'no'} |`
    )
  ]
  return lines.join('\n')
}

export async function writeResults(file: string, rows: Row[], facts: RunFacts): Promise<void> {
  const cpu = cpus()
  const text = [
    '# Bench results',
    '',
    `Written by \`npm run bench${facts.quick ? ' -- --quick' : ''}\` on ${facts.date.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}, ${process.platform}. Each figure is the median of ${facts.pairs} interleaved runs (ours, peer, ours, peer…) in one run of the bench; peak RSS is each child process's own (${facts.meter}).`,
    '',
    table(rows),
    '',
    ...facts.notes.map(note => `- ${note}`),
    ''
  ].join('\n')
  // In the repository's style, so `prettier --check .` passes on the file as written.
  const options = (await resolveConfig(file)) ?? {}
  await writeFile(file, await format(text, { ...options, filepath: file }))
}
