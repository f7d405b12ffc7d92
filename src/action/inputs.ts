/**
 * Reads the action's inputs through @actions/core into the engine's typed settings.
 */
import * as core from '@actions/core'
import { parseSettings, type Settings } from '../engine/settings.js'

export function readSettings(workspace: string): Settings {
  return parseSettings(name => core.getInput(name), workspace)
}
