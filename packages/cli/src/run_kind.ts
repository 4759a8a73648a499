/**
 * A checkpoint of any task, for the commands that serve every task (eval, info, predict): read
 * once, then rebuilt by its task's loader. A kind other than seq2seq, classify, tag or forecast goes
 * to the language model's loader, whose errors name what is wrong with it.
 */
import { join } from 'node:path';
import { loadCheckpoint } from 'recurrent/node';
import { charModelFromCheckpoint, type LoadedModel } from './char_model.js';
import { bestCheckpointDir, type LoadedSeq2Seq, SEQ2SEQ_KIND, seq2seqFromCheckpoint } from './seq2seq/run_config.js';
import { CLASSIFY_KIND, classifyFromCheckpoint, type LoadedClassify } from './classify/run_config.js';
import { FORECAST_KIND, forecastFromCheckpoint, type LoadedForecast } from './forecast/run_config.js';
import { type LoadedTag, TAG_KIND, tagFromCheckpoint } from './tag/run_config.js';

export type LoadedRun =
  | { kind: 'lm'; lm: LoadedModel }
  | { kind: 'seq2seq'; seq2seq: LoadedSeq2Seq }
  | { kind: 'classify'; classify: LoadedClassify }
  | { kind: 'tag'; tag: LoadedTag }
  | { kind: 'forecast'; forecast: LoadedForecast };

/** The checkpoint at `path`: a checkpoint directory, or a run directory (its `best/`, else its `checkpoint/`). */
export function loadRun(path: string): LoadedRun {
  const checkpoint = loadCheckpoint(bestCheckpointDir(path), { allowMissingState: true });
  const found = checkpoint.dir;
  if (!checkpoint.verified) console.warn(`warning: ${found}: the checkpoint has no manifest.json (written by an older version), so its files are not verified`);
  const [configFile, modelFile] = [join(found, 'config.json'), join(found, 'model.safetensors')];
  if ((checkpoint.config as { kind?: unknown }).kind === TAG_KIND) return { kind: 'tag', tag: tagFromCheckpoint(checkpoint, configFile, modelFile) };
  if ((checkpoint.config as { kind?: unknown }).kind === SEQ2SEQ_KIND)
    return { kind: 'seq2seq', seq2seq: seq2seqFromCheckpoint(checkpoint, configFile, modelFile) };
  if ((checkpoint.config as { kind?: unknown }).kind === FORECAST_KIND)
    return { kind: 'forecast', forecast: forecastFromCheckpoint(checkpoint, configFile, modelFile) };
  if ((checkpoint.config as { kind?: unknown }).kind === CLASSIFY_KIND)
    return { kind: 'classify', classify: classifyFromCheckpoint(checkpoint, configFile, modelFile) };
  return { kind: 'lm', lm: charModelFromCheckpoint(checkpoint, configFile, modelFile) };
}
