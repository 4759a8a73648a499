/**
 * The training data of a resumed run. A checkpoint may come from anyone, so the path it records is
 * never opened: a run trained on a file needs `--data` again, checked against the SHA-256 the
 * checkpoint recorded; a run on the bundled corpus needs none.
 */
import { ValueError } from 'recurrent';
import type { TrainingRecord } from './char_model.js';
import { type Corpus, loadCorpus } from './corpus.js';

/** The corpus to resume `record` on, given the `--data` of the command line (undefined if not given). */
export function resumeCorpus(data: string | undefined, record: TrainingRecord, configFile: string): Corpus {
  const recorded = record.dataSha256;
  if (record.data === null) {
    if (data !== undefined) throw new ValueError(`--data: this run was trained on the bundled corpus (${record.source}), not a file; drop --data to resume it`);
  } else if (data === undefined) {
    throw new ValueError(
      `--resume: this run was trained on ${JSON.stringify(record.data)}${recorded ? ` (SHA-256 ${recorded})` : ''}; pass that file again with --data FILE (the path saved in ${configFile} is not opened)`,
    );
  }
  const corpus = loadCorpus(data);
  if (recorded === undefined) {
    console.warn(`warning: ${configFile} records no hash of its training data (written by an older version); ${corpus.source} is not checked against it`);
  } else if (corpus.sha256 !== recorded) {
    const what = data === undefined ? `the bundled corpus (${corpus.source})` : data;
    throw new ValueError(
      `--data: ${what} has SHA-256 ${corpus.sha256}, but the run was trained on data with SHA-256 ${recorded} (${JSON.stringify(record.data ?? record.source)}, ${configFile}); pass the same text, or train into a new --out`,
    );
  }
  return corpus;
}
