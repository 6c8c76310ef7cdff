// A vitest reporter for .ci/run's phase table: one JSON line per test file with the file's own start
// (epoch ms) and duration, its beforeAll/afterAll hooks included. vitest's JSON report times a file
// from its first test to its last, so a file whose work is in beforeAll (real-node-heap) looked
// instant there. Output: the file named by LEAKGUARD_CI_FILE_TIMES.
import { appendFileSync } from 'node:fs';

export default class FileTimesReporter {
  started = new Map();

  onTestModuleStart(testModule) {
    this.started.set(testModule.moduleId, Date.now());
  }

  onTestModuleEnd(testModule) {
    const out = process.env.LEAKGUARD_CI_FILE_TIMES;
    if (!out) return;
    const line = {
      file: testModule.moduleId,
      start: this.started.get(testModule.moduleId) ?? Date.now(),
      took: Math.round(testModule.diagnostic().duration),
      state: testModule.state(),
    };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  }
}
