import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnergyVad } from './energy-vad.js';
import { SileroVad } from './silero-vad.js';
import type { VadOptions, VoiceActivityDetector } from './voice-activity-detector.js';

export interface CreateVadOptions extends VadOptions {
  /** A folder holding silero_vad.onnx or silero_vad_v5.onnx. */
  readonly modelDir?: string;
  /**
   * 'energy' forces the energy detector. 'silero' requires the model and throws MODEL_NOT_FOUND
   * without it. Unset: Silero when a model is found, else energy.
   */
  readonly model?: 'silero' | 'energy';
  /** Where models are installed; defaults to $VOXBRIDGE_MODELS_DIR (its silero-vad/ folder is searched). */
  readonly modelsDir?: string;
}

/** v4 first: it is the model the thresholds and tests were tuned on. */
const SILERO_FILES = ['silero_vad.onnx', 'silero_vad_v5.onnx'] as const;

/** Where createVad looks for a Silero model, in order. */
export function sileroModelCandidates(
  options: Pick<CreateVadOptions, 'modelDir' | 'modelsDir'> = {},
): string[] {
  const dirs: string[] = [];
  if (options.modelDir !== undefined) dirs.push(options.modelDir);
  const modelsDir = options.modelsDir ?? process.env['VOXBRIDGE_MODELS_DIR'];
  if (modelsDir !== undefined && modelsDir !== '') dirs.push(join(modelsDir, 'silero-vad'));
  return dirs.flatMap((dir) => SILERO_FILES.map((file) => join(dir, file)));
}

/**
 * Picks the best detector available. The result's `kind` says which one it is, so the caller
 * can log it or warn that the energy fallback is less robust to noise.
 */
export function createVad(options: CreateVadOptions = {}): VoiceActivityDetector {
  const { model, modelDir, modelsDir, ...vadOptions } = options;
  if (model === 'energy') return new EnergyVad(vadOptions);
  const candidates = sileroModelCandidates({ modelDir, modelsDir });
  const modelPath = candidates.find((path) => existsSync(path));
  if (modelPath !== undefined) return new SileroVad({ ...vadOptions, modelPath });
  if (model === 'silero') {
    // Constructing with the first candidate produces the MODEL_NOT_FOUND error with its path.
    return new SileroVad({ ...vadOptions, modelPath: candidates[0] ?? join('silero-vad', SILERO_FILES[0]) });
  }
  return new EnergyVad(vadOptions);
}
